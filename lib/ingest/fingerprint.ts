import { createHmac } from "node:crypto";

/**
 * The fingerprint of a secret: lets Attest tell that two configs hold the same
 * credential without keeping the credential. A keyed hash (HMAC-SHA-256), so a
 * short password cannot be recovered by hashing guesses without the key; the key
 * comes from ATTEST_FINGERPRINT_KEY (set it in production), else a fixed default.
 * Only the first 32 hex digits are kept.
 */
export function fingerprintSecret(value: string): string {
  const key = process.env.ATTEST_FINGERPRINT_KEY || "attest-fingerprint-v1";
  return `hmac-sha256:${createHmac("sha256", key).update(value, "utf8").digest("hex").slice(0, 32)}`;
}
