/**
 * URLs and paths reduced to what is safe to keep: scheme, host, port, and a
 * path template in which every segment that is not a plain word is masked as
 * `{opaque}`; query parameter names without their values; no user info, no
 * fragment. Tokens hide in paths (`/mcp/sk-ak-…/sse`, `/hooks/T0/B0/xyz`) as
 * often as in queries, and no detector can tell a random token from a random
 * id, so anything that does not read as words is masked by construction.
 */
import { isSecretReference } from "./references";

export const OPAQUE = "{opaque}";
export const REDACTED_QUERY_VALUE = "{redacted}";

const VOWEL_RE = /[aeiouy]/i;
const CONSONANT_RUN_RE = /[bcdfghjklmnpqrstvwxz]{5,}/i;

/**
 * Whether a word reads like a word (`github`, `server`, `python3`, `v1`), not
 * key material. Letters with vowels and no long consonant runs, an optional
 * short number suffix, a short number on its own.
 */
function isWordPart(part: string): boolean {
  if (/^\d{1,6}$/.test(part)) return true;
  const m = /^([A-Za-z]{1,24})(\d{0,3})$/.exec(part);
  if (!m) return false;
  const letters = m[1]!;
  if (letters.length <= 3) return true; // api, v, s, mcp
  // All lower, all upper, or Capitalised: mixed-case runs (`xQmTvB`) are random material.
  if (!/^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)$/.test(letters)) return false;
  return VOWEL_RE.test(letters) && !CONSONANT_RUN_RE.test(letters);
}

/** Whether a path segment, host label or name is made of plain words (`server-github`, `mcp_v2`, `index.js`, `camelCase`). */
export function isPlainWord(segment: string): boolean {
  if (segment.length === 0 || segment.length > 64) return false;
  const parts = segment
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .split(/[-_. ~+@]+/)
    .filter(Boolean);
  // Many one- or two-letter pieces (`xQmTvBzK` split at its capitals) are random material, not words.
  const tiny = parts.filter((p) => /^[A-Za-z]{1,2}\d*$/.test(p)).length;
  if (parts.length > 2 && tiny > 1) return false;
  return parts.length > 0 && parts.length <= 8 && parts.every(isWordPart);
}

/** A segment as kept: itself when plain, a whole reference (`{env:X}`, `${input:x}`) as is, else `{opaque}`. */
function templateSegment(raw: string): string {
  let s = raw;
  try {
    s = decodeURIComponent(raw);
  } catch {
    return OPAQUE;
  }
  if (s === "" || s === "." || s === "..") return s;
  if (s.length <= 200 && isSecretReference(s)) return s;
  return isPlainWord(s) ? raw : OPAQUE;
}

/** `/Users/ada/x9Qm2vT7/config.json` -> `/Users/ada/{opaque}/config.json`; separators kept as written. */
export function pathTemplate(path: string): string {
  return path
    .split(/([/\\])/)
    .map((part, i) => (i % 2 === 1 ? part : i === 0 && /^[A-Za-z]:$|^~$/.test(part) ? part : templateSegment(part)))
    .join("");
}

const IPV4_RE = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function templateHost(host: string): string {
  if (host.startsWith("[") || IPV4_RE.test(host)) return host;
  // Hosts are kept (they say which server this is) except labels that are long random material.
  return host
    .split(".")
    .map((label) => (label.length >= 12 && !isPlainWord(label) ? OPAQUE : label))
    .join(".");
}

/**
 * The URL as stored: `https://mcp.example.com/v1/{opaque}/sse?api_key={redacted}`.
 * References in the URL (`${input:tenant}`) survive as references. A value that
 * is not a URL at all becomes `{redacted:url}`.
 */
export function urlTemplate(raw: string): string {
  const text = raw.trim();
  // `${API_BASE_URL:-https://api.example.com}/mcp`: the base is a reference, the rest a path.
  const lead = LEADING_REFERENCE_RE.exec(text);
  if (lead) {
    const rest = text.slice(lead[0].length);
    const q = rest.indexOf("?");
    const path = q === -1 ? rest : rest.slice(0, q);
    return `${referenceTemplate(lead[0])}${pathTemplate(path.replace(/#.*$/, ""))}${q === -1 ? "" : queryTemplate(new URLSearchParams(rest.slice(q + 1).replace(/#.*$/, "")))}`;
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return "{redacted:url}";
  }
  if (!/^[a-z][a-z0-9+.-]*:$/i.test(u.protocol)) return "{redacted:url}";
  const hierarchical = u.host !== "" || /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  const base = hierarchical ? `${u.protocol}//${templateHost(u.hostname)}${u.port ? `:${u.port}` : ""}` : u.protocol;
  // `https://host` stays without the slash URL adds, so a template reads like what was written.
  const wrotePath = !hierarchical || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i.test(text);
  const path = wrotePath ? pathTemplate(u.pathname) : "";
  return `${base}${path}${queryTemplate(u.searchParams)}`;
}

function queryTemplate(params: URLSearchParams): string {
  const names = [...new Set([...params.keys()])].slice(0, 50);
  return names.length ? `?${names.map((n) => `${isPlainWord(n) ? encodeURIComponent(n) : OPAQUE}=${REDACTED_QUERY_VALUE}`).join("&")}` : "";
}

const LEADING_REFERENCE_RE =
  /^(?:\$\{[A-Za-z_][A-Za-z0-9_]{0,200}(?::?[-=?+][^}]{0,500})?\}|\$\{(?:env|input):[^}\s]{1,200}\}|\{env:[A-Za-z_][A-Za-z0-9_]{0,200}\}|\$[A-Z_][A-Z0-9_]{0,200}(?![A-Za-z0-9_]))/;
const DEFAULTED_RE = /^\$\{([A-Za-z_][A-Za-z0-9_]{0,200})(:?[-=?+])([^}]{0,500})\}$/;

/**
 * A reference as kept: its name, and its default only as a template
 * (`${TOKEN:-abc123}` holds a literal after all): a URL default as a URL
 * template, a plain word or number as is, anything else `{redacted}`.
 */
export function referenceTemplate(ref: string): string {
  const m = DEFAULTED_RE.exec(ref);
  if (!m) return ref;
  const [, name, op, fallback] = m as unknown as [string, string, string, string];
  const kept =
    fallback === ""
      ? ""
      : /^[a-z][a-z0-9+.-]*:\/\//i.test(fallback)
        ? urlTemplate(fallback)
        : /^\d{1,6}$/.test(fallback) || isPlainWord(fallback)
          ? fallback
          : REDACTED_QUERY_VALUE;
  return `\${${name}${op}${kept}}`;
}
