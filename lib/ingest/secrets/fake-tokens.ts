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
