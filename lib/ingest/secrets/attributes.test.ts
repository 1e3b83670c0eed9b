import { describe, expect, it } from "vitest";
import { findAttributeSecrets, firstAttributeSecret, secretRefusal } from "./attributes";
import { ALNUM, BASE64, fakeJwt, fakePem, HEX, randomish as rnd, UPPER_DIGITS } from "./fake-tokens";

describe("findAttributeSecrets: customer data is kept, secrets are refused by path", () => {
  it("names the JSON path and kind of every secret-looking value, never the value", async () => {
    const pat = `ghp_${rnd(36, ALNUM, 1)}`;
    const found = await findAttributeSecrets([
      { profile: { notes: `rotate ${pat} soon` }, tags: ["a", fakeJwt(2)], "odd key": { client_secret: rnd(32, ALNUM, 3) } },
      { title: "Engineer", email: "ada@example.com" },
      { keys: [fakePem("RSA PRIVATE KEY", 4)], password: "hunter2!" },
    ]);
    expect(found).toEqual([
      [
        { path: "attributes.profile.notes", type: "pat" },
        { path: "attributes.tags[1]", type: "jwt" },
        { path: 'attributes["odd key"].client_secret', type: "secret" },
      ],
      [],
      [
        { path: "attributes.keys[0]", type: "private_key" },
        { path: "attributes.password", type: "password" },
      ],
    ]);
    const message = secretRefusal(found[0]![0]!);
    expect(message).toBe(
      "attributes.profile.notes looks like a secret (pat); secrets are not stored: remove it, or keep a reference to where it lives instead",
    );
    expect(JSON.stringify(found)).not.toContain(pat.slice(4));
  });

  it("the allow-list: ids that look random are stored, unless their key names a secret", async () => {
    const allowed = {
      objectId: "0f8fad5b-d9cb-469f-a165-70867728950e",
      accessKeyId: `AKIA${rnd(16, UPPER_DIGITS, 5)}`,
      commit: rnd(40, HEX, 6),
      fingerprint: `sha256:${rnd(64, HEX, 7)}`,
      sshFingerprint: `SHA256:${rnd(43, BASE64, 8)}`,
      credentialFingerprint: `hmac-sha256:${rnd(32, HEX, 9)}`,
      arn: "arn:aws:iam::123456789012:role/deploy",
      mongoId: rnd(24, HEX, 10),
      passwordLastSet: "2024-05-01T10:00:00Z",
      credential_accessed_at: "2024-05-01T10:00:00Z",
      image: `registry.example.com/team/app@sha256:${rnd(64, HEX, 11)}`,
    };
    expect(await findAttributeSecrets([allowed])).toEqual([[]]);
    expect(await firstAttributeSecret({ client_secret: "0f8fad5b-d9cb-469f-a165-70867728950e" })).toEqual({ path: "client_secret", type: "secret" });
  });

  it("placeholders, references and Attest's own redaction placeholders are not secrets", async () => {
    const values = {
      token: "<YOUR_TOKEN>",
      apiKey: "${env:API_KEY}",
      secret: "{env:SECRET}",
      auth: `{redacted:secret:hmac-sha256:${rnd(32, HEX, 12)}}`,
      key: "AKIAIOSFODNN7EXAMPLE",
    };
    expect(await findAttributeSecrets([values])).toEqual([[]]);
  });

  it("a record with too many strings to scan is refused as such", async () => {
    const many = { list: Array.from({ length: 10_001 }, (_, i) => `v${i}`) };
    expect(await findAttributeSecrets([many])).toEqual([[{ path: "attributes", type: "more than 10000 strings (not scanned)" }]]);
  });
});
