import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import type { SealedSecret } from "@/db/schema";
import { ConnectorError } from "./errors";

/**
 * Envelope encryption of connector credentials. Each value gets its own
 * random 256-bit data key (AES-256-GCM); the data key is wrapped by a key
 * derived (HKDF-SHA-256) from ATTEST_SECRET_KEY. `kid` names the master key, so
 * a server started with another key says so instead of failing to decrypt.
 * Rotation: start with the new key in ATTEST_SECRET_KEY and the old one in
 * ATTEST_SECRET_KEY_PREVIOUS; values sealed by the old key still open, and
 * `reseal` (run by the admin's "re-encrypt" action) moves them to the new one.
 */
const MIN_KEY_CHARS = 32;
const AAD = Buffer.from("attest-connector-credential-v1");

export interface MasterKey {
  kid: string;
  key: Buffer;
}

function derive(secret: string): MasterKey {
  const key = Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.from("attest"), Buffer.from("connector-credentials-kek"), 32));
  const kid = createHash("sha256").update(key).digest("hex").slice(0, 16);
  return { kid, key };
}

/** Why the environment's key cannot be used, or null when it can. */
export function secretKeyProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  const k = env.ATTEST_SECRET_KEY;
  if (!k) return "ATTEST_SECRET_KEY is not set: connector credentials are stored only encrypted, and this server has no key to encrypt them with";
  if (k.length < MIN_KEY_CHARS) return `ATTEST_SECRET_KEY is shorter than ${MIN_KEY_CHARS} characters`;
  return null;
}

export function masterKeys(env: NodeJS.ProcessEnv = process.env): { current: MasterKey | null; previous: MasterKey | null } {
  const current = secretKeyProblem(env) ? null : derive(env.ATTEST_SECRET_KEY!);
  const prev = env.ATTEST_SECRET_KEY_PREVIOUS;
  return { current, previous: prev && prev.length >= MIN_KEY_CHARS ? derive(prev) : null };
}

const b64 = (b: Buffer) => b.toString("base64url");
const unb64 = (s: string) => Buffer.from(s, "base64url");

function encrypt(key: Buffer, plain: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(AAD);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return [iv, c.getAuthTag(), ct].map(b64).join(".");
}

function decrypt(key: Buffer, packed: string): Buffer {
  const [iv, tag, ct] = packed.split(".").map(unb64);
  if (!iv || !tag || !ct) throw new Error("sealed value is not iv.tag.ciphertext");
  const d = createDecipheriv("aes-256-gcm", key, iv);
  d.setAAD(AAD);
  d.setAuthTag(tag);
  return Buffer.concat([d.update(ct), d.final()]);
}

/** Seals a credential (a JSON-able object) under the current master key; throws when there is none. */
export function seal(value: unknown, env: NodeJS.ProcessEnv = process.env): SealedSecret {
  const { current } = masterKeys(env);
  if (!current) throw new ConnectorError("secret_key", { detail: secretKeyProblem(env) ?? undefined });
  const dek = randomBytes(32);
  try {
    return { v: 1, kid: current.kid, dek: encrypt(current.key, dek), data: encrypt(dek, Buffer.from(JSON.stringify(value), "utf8")) };
  } finally {
    dek.fill(0);
  }
}

/** Opens a sealed credential with the current or the previous master key. */
export function open(sealed: SealedSecret, env: NodeJS.ProcessEnv = process.env): unknown {
  const { current, previous } = masterKeys(env);
  const key = [current, previous].find((k) => k?.kid === sealed.kid);
  if (!key)
    throw new ConnectorError("secret_key", {
      detail: current
        ? "it was sealed with another key (set that key as ATTEST_SECRET_KEY_PREVIOUS, or enter the credential again)"
        : (secretKeyProblem(env) ?? undefined),
    });
  let dek: Buffer | undefined;
  try {
    dek = decrypt(key.key, sealed.dek);
    return JSON.parse(decrypt(dek, sealed.data).toString("utf8"));
  } catch {
    throw new ConnectorError("secret_key", { detail: "the sealed value failed its integrity check" });
  } finally {
    dek?.fill(0);
  }
}

/** Whether a sealed value is under the current key (false: `reseal` would move it). */
export function sealedWithCurrentKey(sealed: SealedSecret, env: NodeJS.ProcessEnv = process.env): boolean {
  return masterKeys(env).current?.kid === sealed.kid;
}

/** Re-wraps a value under the current key (after a key rotation). */
export function reseal(sealed: SealedSecret, env: NodeJS.ProcessEnv = process.env): SealedSecret {
  return sealedWithCurrentKey(sealed, env) ? sealed : seal(open(sealed, env), env);
}
