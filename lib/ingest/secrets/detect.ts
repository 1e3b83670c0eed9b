/**
 * Hard-coded secret detection for single config values (an env value, an
 * argument, a header, a URL). Order of evidence: a reference or placeholder is
 * never a secret; then private keys and known token formats (high confidence
 * without context); then credentials inside URLs and auth headers; then a
 * secret-announcing key name with a value random enough to be key material.
 */
import { keyWords, looksLikePassword, looksRandom, secretKeyKind, type SecretKeyKind } from "./key-names";
import { isPlaceholder } from "./placeholders";
import { containsReference, isSecretReference } from "./references";
import { findPrivateKey, TOKEN_RULES } from "./rules";
import { findUrlSecrets } from "./url-credentials";

export { isSecretReference, findReferences, type SecretReference, type ReferenceKind } from "./references";
export { isPlaceholder } from "./placeholders";
export { isSecretKeyName, secretKeyKind } from "./key-names";

export type SecretConfidence = "high" | "medium";
export interface SecretDetection {
  type: string;
  rule: string;
  confidence: SecretConfidence;
}
/** A detection with the span of the secret inside the value (for fingerprints and redaction). */
export interface SecretFinding extends SecretDetection {
  start: number;
  end: number;
}
export interface DetectContext {
  /** The name the value sits under: env var, header, flag (`--auth-token`), JSON key. */
  key?: string;
}

/** Values are configs, not files: anything longer is scanned on its first 64 KiB only. */
const MAX_SCAN = 64 * 1024;
const MAX_FINDINGS = 20;

/** Whether `value` is a literal secret, and which kind; null for references, placeholders and ordinary values. */
export function detectSecret(value: string, context: DetectContext = {}): SecretDetection | null {
  const f = findSecret(value, context);
  return f && { type: f.type, rule: f.rule, confidence: f.confidence };
}

/** The first secret in `value`, with its span. */
export function findSecret(value: string, context: DetectContext = {}): SecretFinding | null {
  const v = value.length > MAX_SCAN ? value.slice(0, MAX_SCAN) : value;
  return scan(v, context.key, 0);
}

/** Every secret in `value` (a URL can hold a password and a token), spans in the original value, in order. */
export function findSecrets(value: string, context: DetectContext = {}): SecretFinding[] {
  let current = value.length > MAX_SCAN ? value.slice(0, MAX_SCAN) : value;
  const found: SecretFinding[] = [];
  for (let i = 0; i < MAX_FINDINGS; i++) {
    const f = scan(current, context.key, 0);
    if (!f) break;
    found.push(f);
    // Same-length filler keeps offsets aligned, and "xxxx" is a placeholder, so it is never found again.
    current = current.slice(0, f.start) + "x".repeat(f.end - f.start) + current.slice(f.end);
  }
  return found.sort((a, b) => a.start - b.start);
}

/** `value` with every secret replaced by `[REDACTED]`, and what was found (spans in the original). */
export function redactSecrets(value: string, context: DetectContext = {}): { text: string; findings: SecretFinding[] } {
  const findings = findSecrets(value, context);
  let text = "";
  let at = 0;
  for (const f of findings) {
    text += value.slice(at, f.start) + "[REDACTED]";
    at = f.end;
  }
  return { text: text + value.slice(at), findings };
}

function scan(value: string, key: string | undefined, depth: number): SecretFinding | null {
  if (value.trim() === "" || isSecretReference(value)) return null;
  const pem = findPrivateKey(value);
  if (pem) return { type: pem.type, rule: "private-key", confidence: "high", start: pem.start, end: pem.end };
  const token = findToken(value);
  if (token) return token;
  const url = findUrlSecrets(value)[0];
  if (url) return { ...url, confidence: "high" };
  const header = findAuthHeader(value, key);
  if (header !== undefined) return header;
  if (depth < 2) {
    const inline = findInlineAssignment(value, depth);
    if (inline) return inline;
  }
  return findByKeyName(value, key);
}

/** All token rules in one pass: most values match none, and one alternation is far cheaper than 40 scans. */
const ANY_TOKEN_RE = new RegExp(TOKEN_RULES.map((r) => `(?:${r.re.source})`).join("|"));

function findToken(value: string): SecretFinding | null {
  if (!ANY_TOKEN_RE.test(value)) return null;
  for (const rule of TOKEN_RULES) {
    for (const m of value.matchAll(rule.re)) {
      const text = m[0];
      if (rule.check && !rule.check(text)) continue;
      if (containsReference(text) || isPlaceholder(text)) continue;
      return { type: rule.type, rule: rule.rule, confidence: "high", start: m.index, end: m.index + text.length };
    }
  }
  return null;
}

const AUTH_RE = /^(\s*(?:(?:proxy-)?authorization\s*:\s*)?)(bearer|basic|token|bot)(\s+)(\S{1,4096})\s*$/i;

/**
 * `Bearer <token>`, `Basic <base64>`, `token <pat>`. Returns undefined when the
 * value is not in that form, null when it is but holds no secret (a reference
 * or placeholder), so the caller stops looking.
 */
function findAuthHeader(value: string, key: string | undefined): SecretFinding | null | undefined {
  const m = AUTH_RE.exec(value);
  if (!m) return undefined;
  const [, prefix, scheme, gap, credential] = m as unknown as [string, string, string, string, string];
  const explicitHeader = /authorization/i.test(prefix) || secretKeyKind(key) === "auth_header";
  const lowerScheme = scheme.toLowerCase();
  if ((lowerScheme === "token" || lowerScheme === "bot") && !explicitHeader) return undefined;
  if (containsReference(credential) || isPlaceholder(credential) || credential.length < 8) return null;
  const start = prefix.length + scheme.length + gap.length;
  const basic = lowerScheme === "basic";
  return {
    type: basic ? "basic_auth" : "bearer_token",
    rule: basic ? "basic-auth-header" : "bearer-token",
    confidence: looksRandom(credential, 16) || basic ? "high" : "medium",
    start,
    end: start + credential.length,
  };
}

const ASSIGNMENT_RE = /^(\s*(?:-{1,2}[A-Za-z][\w.-]{0,60}|[A-Za-z_][\w.]{0,100})=)([\s\S]+)$/;
const HEADER_LINE_RE = /^(\s*([A-Za-z][\w-]{0,60}):\s+)([\s\S]+)$/;

/** `--api-key=...`, `GITHUB_TOKEN=...` (docker -e), `X-API-Key: ...`: judge the right side under the left side's name. */
function findInlineAssignment(value: string, depth: number): SecretFinding | null {
  const a = ASSIGNMENT_RE.exec(value);
  const h = a ? null : HEADER_LINE_RE.exec(value);
  const prefix = a ? a[1]! : h ? h[1]! : null;
  if (prefix === null) return null;
  const name = a ? prefix.trim().slice(0, -1) : h![2]!;
  const inner = scan(value.slice(prefix.length), name, depth + 1);
  return inner && { ...inner, start: inner.start + prefix.length, end: inner.end + prefix.length };
}

const TYPE_BY_KIND: Record<SecretKeyKind, string> = {
  password: "password",
  token: "token",
  secret: "secret",
  api_key: "api_key",
  auth_header: "token",
};
const PATH_RE =
  /^(?:~|\.{1,2})?[/\\](?:home|Users|usr|etc|var|opt|tmp|mnt|data|app|srv|root|path|projects|workspace|run|Library|Volumes|secrets?)\b|^(?:~|\.{1,2})[/\\]|^[A-Za-z]:[/\\]/;
/** `registry.example.com/team/image@sha256:…`, `github.com/org/repo`: a location, not key material. */
const HOST_PATH_RE = /^[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,10}(?::\d{1,5})?\/[^\s]{1,2000}$/i;
const AWS_SECRET_RE = /^[A-Za-z0-9/+]{40}$/;

function findByKeyName(value: string, key: string | undefined): SecretFinding | null {
  const kind = secretKeyKind(key);
  if (!kind) return null;
  const trimmed = value.trim();
  const start = value.indexOf(trimmed);
  const at = (type: string, rule: string, confidence: SecretConfidence): SecretFinding => ({ type, rule, confidence, start, end: start + trimmed.length });
  if (containsReference(trimmed) || isPlaceholder(trimmed)) return null;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) || PATH_RE.test(trimmed) || HOST_PATH_RE.test(trimmed)) return null;
  if (/^(?:true|false|yes|no|on|off|\d{1,5})$/i.test(trimmed)) return null;
  const words = keyWords(key!);
  if (words.includes("AWS") && words.includes("SECRET") && AWS_SECRET_RE.test(trimmed)) {
    return at("aws_secret_key", "aws-secret-access-key", "high");
  }
  if (kind === "password") return looksLikePassword(trimmed) ? at("password", "password-key-name", "medium") : null;
  return looksRandom(trimmed) ? at(TYPE_BY_KIND[kind], "secret-key-name-entropy", "medium") : null;
}
