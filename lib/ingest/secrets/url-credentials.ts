/**
 * Credentials inside URLs and connection strings: the password in
 * `postgresql://user:pass@host/db`, a token used as the user of
 * `https://TOKEN:x-oauth-basic@github.com`, `?api_key=...` query parameters,
 * and `Password=...;` in ADO-style connection strings. The span returned is
 * the secret alone, so the URL can be kept (host, database) with only the
 * secret redacted.
 */
import { isPlaceholder } from "./placeholders";
import { containsReference } from "./references";
import { isSecretKeyName, looksLikePassword, looksRandom } from "./key-names";

export interface UrlSecret {
  type: string;
  rule: string;
  start: number;
  end: number;
}

const DB_SCHEMES =
  /^(?:jdbc:)?(?:postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|mssql|sqlserver|oracle|cockroachdb|clickhouse|neo4j|neo4j\+s|bolt|couchbase|snowflake)$/i;
const SCHEME_RE = /(?<![A-Za-z0-9+.-])((?:jdbc:)?[a-z][a-z0-9+.-]{1,20}):\/\//gi;

/** Every credential embedded in a URL or connection string inside `value`. */
export function findUrlSecrets(value: string): UrlSecret[] {
  const out: UrlSecret[] = [];
  for (const m of value.matchAll(SCHEME_RE)) {
    const scheme = m[1]!.toLowerCase();
    const authorityStart = m.index + m[0].length;
    // Sticky, bounded reads: slicing "the rest of the value" per URL would be quadratic on hostile input.
    AUTHORITY_RE.lastIndex = authorityStart;
    const authority = AUTHORITY_RE.exec(value)?.[0] ?? "";
    const authorityLength = authority.length;
    const at = authority.lastIndexOf("@");
    const isDb = DB_SCHEMES.test(scheme);
    if (at > 0) {
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(":");
      const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
      const password = colon === -1 ? "" : userinfo.slice(colon + 1);
      const userSecret = tokenAsUser(user, password);
      if (userSecret) {
        out.push({ type: "api_token", rule: "token-in-url-userinfo", start: authorityStart, end: authorityStart + user.length });
      } else if (colon !== -1 && isUrlPassword(user, password)) {
        const start = authorityStart + colon + 1;
        out.push({
          type: isDb ? "db_password" : "basic_auth",
          rule: isDb ? "database-connection-string" : "basic-auth-url",
          start,
          end: start + password.length,
        });
      }
    }
    out.push(...querySecrets(value, authorityStart + authorityLength));
  }
  out.push(...adoPasswords(value));
  return dedupe(out);
}

/** `https://<40-char token>:x-oauth-basic@github.com` and `https://<token>@host`: the user part is the credential. */
function tokenAsUser(user: string, password: string): boolean {
  if (containsReference(user) || isPlaceholder(user)) return false;
  if (/^x-oauth-basic$/i.test(password)) return user.length >= 20;
  return password === "" && user.length >= 32 && looksRandom(user, 32);
}

function isUrlPassword(user: string, password: string): boolean {
  if (password === "" || password.length < 4) return false;
  if (containsReference(password) || isPlaceholder(password)) return false;
  if (password === user) return false; // postgres:postgres@localhost is a local default, not a leaked secret
  if (/^\{.*\}$/.test(password) || /^%[0-9a-z]*s$/i.test(password)) return false;
  return looksLikePassword(password);
}

const AUTHORITY_RE = /[^/?#\s"'<>()\]]{0,2048}/y;
const URL_REST_RE = /[^?#\s"'<>]{0,4096}(\?[^#\s"'<>]{0,8192})?/y;
const QUERY_PARAM_RE = /[?&;]([A-Za-z0-9_.-]{1,64})=([^&#\s"'<>]{1,2048})/g;

function querySecrets(value: string, from: number): UrlSecret[] {
  URL_REST_RE.lastIndex = from;
  const rest = URL_REST_RE.exec(value);
  const query = rest?.[1];
  if (!rest || !query) return [];
  const q = from + rest[0].length - query.length;
  const out: UrlSecret[] = [];
  for (const m of query.matchAll(QUERY_PARAM_RE)) {
    const [, name, raw] = m as unknown as [string, string, string];
    if (!isSecretKeyName(name) || containsReference(raw) || isPlaceholder(raw)) continue;
    if (!looksRandom(raw, 8)) continue;
    const start = q + m.index + m[0].length - raw.length;
    out.push({ type: "api_key", rule: "secret-in-url-query", start, end: start + raw.length });
  }
  return out;
}

const ADO_PASSWORD_RE = /(?:^|;)\s*(?:Password|Pwd)\s*=\s*([^;]{1,256})/gi;

/** `Server=db;User Id=sa;Password=...;`: SQL Server / .NET connection strings. */
function adoPasswords(value: string): UrlSecret[] {
  if (!/;/.test(value)) return [];
  const out: UrlSecret[] = [];
  for (const m of value.matchAll(ADO_PASSWORD_RE)) {
    const raw = m[1]!.trim();
    if (!raw || containsReference(raw) || isPlaceholder(raw) || !looksLikePassword(raw)) continue;
    const start = m.index + m[0].lastIndexOf(raw);
    out.push({ type: "db_password", rule: "database-connection-string", start, end: start + raw.length });
  }
  return out;
}

function dedupe(found: UrlSecret[]): UrlSecret[] {
  const seen = new Set<string>();
  return found.filter((f) => {
    const k = `${f.start}:${f.end}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
