import { describe, expect, it } from "vitest";
import { ConnectorError } from "./errors";
import { open, reseal, seal, sealedWithCurrentKey, secretKeyProblem } from "./secret-box";

const KEY_A = "a".repeat(16) + "-first-master-key-0123456789";
const KEY_B = "b".repeat(16) + "-second-master-key-987654321";
const env = (current?: string, previous?: string) => ({ ATTEST_SECRET_KEY: current, ATTEST_SECRET_KEY_PREVIOUS: previous }) as unknown as NodeJS.ProcessEnv;
const value = { clientSecret: "s3cr3t-value-that-must-not-show", tenantId: "t" };

describe("connector credentials: envelope encryption", () => {
  it("seals so that neither the value nor any part of it is readable, and opens back to the value", () => {
    const sealed = seal(value, env(KEY_A));
    expect(JSON.stringify(sealed)).not.toContain("s3cr3t");
    expect(open(sealed, env(KEY_A))).toEqual(value);
    // Each sealing uses a fresh data key and IVs.
    expect(seal(value, env(KEY_A)).data).not.toBe(sealed.data);
  });

  it("refuses to seal without a key, or with a short one", () => {
    expect(secretKeyProblem(env())).toMatch(/not set/);
    expect(secretKeyProblem(env("short"))).toMatch(/shorter than 32/);
    expect(() => seal(value, env())).toThrow(ConnectorError);
  });

  it("says a value was sealed with another key instead of failing obscurely; the previous key opens it", () => {
    const sealed = seal(value, env(KEY_A));
    expect(() => open(sealed, env(KEY_B))).toThrow(/sealed with another key/);
    expect(open(sealed, env(KEY_B, KEY_A))).toEqual(value);
    expect(sealedWithCurrentKey(sealed, env(KEY_B, KEY_A))).toBe(false);
    const moved = reseal(sealed, env(KEY_B, KEY_A));
    expect(sealedWithCurrentKey(moved, env(KEY_B))).toBe(true);
    expect(open(moved, env(KEY_B))).toEqual(value);
  });

  it("detects tampering with the wrapped key or the ciphertext", () => {
    const sealed = seal(value, env(KEY_A));
    const flip = (s: string) => {
      const parts = s.split(".");
      const ct = Buffer.from(parts[2]!, "base64url");
      ct[0] = ct[0]! ^ 1;
      parts[2] = ct.toString("base64url");
      return parts.join(".");
    };
    expect(() => open({ ...sealed, data: flip(sealed.data) }, env(KEY_A))).toThrow(/integrity/);
    expect(() => open({ ...sealed, dek: flip(sealed.dek) }, env(KEY_A))).toThrow(/integrity/);
  });
});
