/**
 * What a key name says about its value. `GITHUB_PERSONAL_ACCESS_TOKEN`,
 * `--auth-token`, `azureClientSecret` and `Authorization` announce a secret;
 * `GITHUB_API_URL`, `TOKEN_PATH` or `SLACK_TEAM_ID` announce something else even
 * though they contain a secret-ish word.
 */
export type SecretKeyKind = "password" | "token" | "secret" | "api_key" | "auth_header";

/** Split `azureClientSecret`, `--auth-token`, `//host/:_authToken`, `X-API-Key` into upper-case words. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toUpperCase());
}

/** A last word that names a non-secret property of the secret (its URL, file, id, expiry...). */
const NON_SECRET_LAST = new Set([
  "URL",
  "URI",
  "URLS",
  "HOST",
  "HOSTNAME",
  "PORT",
  "PATH",
  "FILE",
  "FILES",
  "DIR",
  "FOLDER",
  "NAME",
  "ID",
  "IDS",
  "TYPE",
  "REGION",
  "ENDPOINT",
  "EXPIRY",
  "EXPIRES",
  "EXPIRATION",
  "TTL",
  "LENGTH",
  "TIMEOUT",
  "HEADER",
  "PREFIX",
  "MODE",
  "ENABLED",
  "DISABLED",
  "COUNT",
  "SIZE",
  "VERSION",
  "SCOPE",
  "SCOPES",
  "ALGORITHM",
  "ALG",
  "FORMAT",
  "LOCATION",
  "ISSUER",
  "AUDIENCE",
  "USER",
  "USERNAME",
  "LOGIN",
  "EMAIL",
  "ACCOUNT",
  "PROJECT",
  "ORG",
  "TEAM",
  "CHANNEL",
  "CHANNELS",
  "DOMAIN",
  "ENV",
  "STORE",
  "PROVIDER",
  "SOURCE",
  "METHOD",
  "POLICY",
  "LIMIT",
  "ROTATION",
  // When and how a secret was used or changed (identity data: passwordLastSet, credential_accessed_at, PasswordLastUsed).
  "AT",
  "ON",
  "DATE",
  "TIME",
  "TIMESTAMP",
  "SET",
  "USED",
  "CHANGED",
  "CREATED",
  "UPDATED",
  "ROTATED",
  "RESET",
  "AGE",
  "EXPIRED",
  "REQUIRED",
  "NEVER",
  "POLICIES",
  "PROFILE",
  "STATUS",
  "STRENGTH",
  "HINT",
  "HISTORY",
  "COMPLEXITY",
  "LAST",
  "FINGERPRINT",
  "THUMBPRINT",
]);
/** Words that make a `..._KEY` name something other than key material. */
const NON_SECRET_KEY_QUALIFIERS = new Set([
  "PUBLIC",
  "PUBLISHABLE",
  "SORT",
  "PRIMARY",
  "PARTITION",
  "CACHE",
  "FOREIGN",
  "IDEMPOTENCY",
  "MAP",
  "HOT",
  "LOOKUP",
  "SHORTCUT",
  "KEYBOARD",
  "ROUTING",
]);

/** What kind of secret a key name announces, or null when it does not announce one. */
export function secretKeyKind(key: string | undefined): SecretKeyKind | null {
  if (!key) return null;
  const words = keyWords(key);
  if (words.length === 0) return null;
  const last = words[words.length - 1]!;
  if (NON_SECRET_LAST.has(last)) return null;
  if (words.some((w) => NON_SECRET_KEY_QUALIFIERS.has(w))) return null;
  const has = (w: string) => words.includes(w);
  if (last === "AUTHORIZATION" || (words.length === 1 && (last === "COOKIE" || last === "AUTH"))) return "auth_header";
  if (["PASSWORD", "PASSWD", "PWD", "PASSPHRASE", "PASS"].some(has)) return "password";
  if (has("TOKEN") || has("PAT") || has("JWT") || has("SESSION") || has("COOKIE")) return "token";
  if (has("SECRET") || has("CREDENTIAL") || has("CREDENTIALS") || has("PRIVATE")) return "secret";
  if (has("APIKEY") || has("AUTHKEY") || last === "KEY" || (has("API") && has("KEY"))) return "api_key";
  if (last === "AUTH") return "token";
  return null;
}

/** Whether a key name announces a secret. */
export function isSecretKeyName(key: string | undefined): boolean {
  return secretKeyKind(key) !== null;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function characterClasses(s: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(s)).length;
}

/**
 * Whether a value under a token/secret/key name is random enough to be key
 * material: long, no spaces, several character classes, high entropy, and not
 * a run of words (`my-staging-project`).
 */
export function looksRandom(value: string, minLength = 12): boolean {
  if (value.length < minLength || value.length > 4096 || /\s/.test(value)) return false;
  if (/^[a-z]+(?:[-_.][a-z]+)*$/i.test(value)) return false;
  if (characterClasses(value) < 2) return false;
  const threshold = value.length >= 24 ? 3.5 : 3.0;
  return shannonEntropy(value) >= threshold;
}

/** Whether a value under a password name can be a real password (weak ones included: they are still secrets). */
export function looksLikePassword(value: string): boolean {
  return value.length >= 4 && value.length <= 256 && !/^\s|\s$/.test(value);
}
