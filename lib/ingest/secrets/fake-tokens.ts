/**
 * Test support: deterministic random-looking strings, so tests can build
 * credential-shaped values without committing token literals (which secret
 * scanners in CI rightly flag).
 */
export const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const HEX = "0123456789abcdef";
export const DIGITS = "0123456789";
export const BASE64 = `${ALNUM}+/`;

/** `length` characters from `alphabet`, the same for the same seed. */
export function randomish(length: number, alphabet = ALNUM, seed = 1): string {
  let x = (seed * 2654435761) >>> 0 || 1;
  let out = "";
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

/** A PEM block with a body long enough to be a real key. */
export function fakePem(label = "RSA PRIVATE KEY", seed = 7): string {
  const lines = Array.from({ length: 6 }, (_, i) => randomish(64, BASE64, seed + i));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** A JWT-shaped token: base64url JSON header and payload, random signature. */
export function fakeJwt(seed = 3): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: randomish(10, ALNUM, seed), iat: 1700000000 })}.${randomish(43, `${ALNUM}-_`, seed + 1)}`;
}

/**
 * Values of many shapes that no detector recognises as secrets: no vendor
 * prefix, some short, some only letters and digits, some with punctuation.
 * Redaction by construction must drop every one of them wherever it is placed.
 */
export function unshapedValues(seed: number): string[] {
  return [
    `x9Qm2vT7${randomish(8, ALNUM, seed)}`,
    randomish(10, ALNUM, seed + 1),
    randomish(24, HEX, seed + 2),
    randomish(40, BASE64, seed + 3).replace(/\//g, "_"),
    `${randomish(6, ALNUM, seed + 4)}-${randomish(6, ALNUM, seed + 5)}-${randomish(6, ALNUM, seed + 6)}`,
    `Qz${randomish(7, DIGITS, seed + 7)}`,
    `${randomish(12, ALNUM, seed + 8)}.${randomish(12, ALNUM, seed + 9)}`,
  ];
}
