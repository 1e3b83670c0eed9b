/**
 * Placeholders: what READMEs and templates put where a secret belongs. Reporting
 * them as hard-coded secrets would flood findings with noise and, worse, give
 * every copy of a README the same fingerprint ("shared credential").
 */

/** Words that, as a separate segment anywhere in a value, mark it as a template. */
const MARKER_SEGMENTS = new Set([
  "your",
  "yours",
  "placeholder",
  "changeme",
  "replace",
  "redacted",
  "dummy",
  "sample",
  "insert",
  "enter",
  "todo",
  "fixme",
  "fake",
  "xxx",
  "tbd",
  "notreal",
  "not-a-real",
]);

/** Words a placeholder is built from; a value made only of these is not a secret. */
const VOCABULARY = new Set([
  ...MARKER_SEGMENTS,
  "my",
  "the",
  "a",
  "an",
  "here",
  "goes",
  "put",
  "add",
  "with",
  "new",
  "real",
  "not",
  "foo",
  "bar",
  "baz",
  "qux",
  "quux",
  "foobar",
  "test",
  "example",
  "demo",
  "value",
  "string",
  "secret",
  "secrets",
  "password",
  "passwd",
  "pass",
  "pwd",
  "token",
  "tokens",
  "key",
  "keys",
  "api",
  "apikey",
  "access",
  "personal",
  "auth",
  "bearer",
  "bot",
  "user",
  "username",
  "client",
  "id",
  "pat",
  "credential",
  "credentials",
  "private",
  "public",
  "app",
  "service",
  "account",
  "admin",
  "root",
  "none",
  "null",
  "undefined",
  "empty",
  "default",
  "change",
  "me",
  "it",
  "this",
  "that",
  "github",
  "gitlab",
  "slack",
  "aws",
  "openai",
  "anthropic",
  "google",
  "stripe",
  "npm",
  "sentry",
  "brave",
  "maps",
  "everart",
  "region",
]);

/** Secret-ish words that make an ALL_CAPS identifier a stand-in (`YOUR_API_KEY`, `GITHUB_TOKEN`). */
const SECRET_WORDS = new Set(["TOKEN", "KEY", "SECRET", "PASSWORD", "PASS", "PAT", "APIKEY", "CREDENTIAL", "CREDENTIALS", "HERE", "YOUR"]);

const LITERAL_PLACEHOLDERS = new Set([
  "changeme",
  "change_me",
  "change-me",
  "password",
  "passwd",
  "secret",
  "token",
  "apikey",
  "api_key",
  "api-key",
  "mypassword",
  "mytoken",
  "mysecret",
  "myapikey",
  "mykey",
  "pass",
  "xxx",
  "todo",
  "tbd",
  "none",
  "null",
  "undefined",
  "test",
  "testing",
  "example",
  "sample",
  "dummy",
  "foo",
  "bar",
  "foobar",
  "1234",
  "12345",
  "123456",
  "1234567",
  "12345678",
  "123456789",
  "1234567890",
  "0123456789",
  "abc123",
  "qwerty",
  "letmein",
]);

const ONLY_FILLER_RE = /^[\s.*#?x…_-]+$/i; // "...", "***", "xxxx", "___", "…"
const WRAPPED_RE = /^(?:<[^<>]{1,200}>|\[[A-Za-z _-]{1,100}\]|\(\s*[A-Za-z _-]{1,100}\s*\))$/; // <YOUR_TOKEN>, [TOKEN]
const REPEATED_X_RE = /x{4,}|X{4,}|\*{3,}|\.{3,}|…/;

/**
 * Whether a value is an obvious stand-in for a secret (`<YOUR_TOKEN>`,
 * `your-token-here`, `YOUR_API_KEY`, `xxxx`, `changeme`, `sk-...`), not a
 * secret. Applied to the candidate secret itself (a token, a URL password).
 */
export function isPlaceholder(value: string): boolean {
  // A quoted stand-in (`"insert_key_here"`) is still a stand-in.
  const v = value
    .trim()
    .replace(/^(["'])(.*)\1$/s, "$2")
    .trim();
  if (v === "") return true;
  const lower = v.toLowerCase();
  if (LITERAL_PLACEHOLDERS.has(lower)) return true;
  // Attest's own redaction placeholders (lib/ingest/secrets/redact-config.ts), so stored configs re-import cleanly.
  if (/^\{(?:redacted(?::[a-z]{1,20})?(?::hmac-sha256:[0-9a-f]{32})?|opaque)\}$/.test(v)) return true;
  if (ONLY_FILLER_RE.test(v) || WRAPPED_RE.test(v) || REPEATED_X_RE.test(v)) return true;
  if (/example/i.test(v)) return true; // AWS's AKIAIOSFODNN7EXAMPLE convention, "example-token"
  if (/^your|^(?:enter|insert|replace|put|add)[\s_-]/i.test(v) && v.length < 120) return true;
  if (isSameCharacter(v)) return true;
  // A vendor prefix and then one character repeated (`AKIAZZZZZZZZZZZZZZZZ`, `ghp_000000…`) is a template.
  if (/([A-Za-z0-9])\1{9,}/.test(v) && v.replace(/([A-Za-z0-9])\1{9,}/g, "").length <= 12) return true;
  const segments = lower.split(/[\s_\-.:/]+/).filter(Boolean);
  if (segments.some((s) => MARKER_SEGMENTS.has(s))) return true;
  if (segments.length > 0 && segments.every((s) => VOCABULARY.has(s) || /^\d{1,4}$/.test(s))) return true;
  if (/^[A-Z][A-Z0-9_]*$/.test(v) && v.split("_").some((w) => SECRET_WORDS.has(w))) return true;
  return isSequential(v);
}

function isSameCharacter(v: string): boolean {
  return v.length >= 3 && [...v].every((c) => c === v[0]);
}

/** `1234567890`, `abcdefgh`: keyboard fillers, not random material. */
function isSequential(v: string): boolean {
  if (v.length < 6 || !/^[0-9a-z]+$/i.test(v)) return false;
  const s = v.toLowerCase();
  for (let i = 1; i < s.length; i++) {
    if (s.charCodeAt(i) - s.charCodeAt(i - 1) !== 1 && !(s[i - 1] === "9" && s[i] === "0")) return false;
  }
  return true;
}
