/**
 * Redaction by construction for MCP server definitions: what is stored of a
 * server's `args`, `url`, `env`, `headers`, `command` and `cwd` is built only
 * from parts known to be safe, never from the value as given. A detector can
 * miss a token with no known prefix; construction cannot leak it, because an
 * unknown value is replaced whatever it looks like.
 *
 * Kept: the launched package and its version, flag names, values of the
 * allow-listed flags below when they are simple, a small set of known
 * sub-command words, numbers and versions, whole references (`${input:x}`,
 * `${env:X}`, `{env:X}`, `$X`: they point at a secret, they are not one), path
 * and URL templates (./url-template), env and header names. Every other value
 * becomes a typed placeholder: `{redacted:secret:<keyed fingerprint>}` when it
 * looks secret-like (a detector finding, high entropy, or a secret-ish name),
 * `{redacted:placeholder}` for a documentation stand-in, `{redacted:value}`
 * otherwise. Pure: no I/O.
 */
import { fingerprintSecret } from "@/lib/ingest/fingerprint";
import { looksRandom, secretKeyKind } from "./key-names";
import { isPlaceholder } from "./placeholders";
import { isSecretReference } from "./references";
import { isPlainWord, pathTemplate, referenceTemplate, urlTemplate } from "./url-template";

export const REDACTED_VALUE = "{redacted:value}";
export const REDACTED_PLACEHOLDER = "{redacted:placeholder}";
export const REDACTED_FLAG = "{redacted:flag}";
export const secretPlaceholder = (secret: string) => `{redacted:secret:${fingerprintSecret(secret)}}`;

/** Flags kept as written, with no value of their own (launchers, docker, common MCP server switches). */
export const ALLOWED_SWITCHES: ReadonlySet<string> = new Set([
  "-y",
  "--yes",
  "-q",
  "--quiet",
  "--silent",
  "--verbose",
  "--debug",
  "--stdio",
  "--sse",
  "--http",
  "--read-only",
  "--readonly",
  "--no-install",
  "--prefer-offline",
  "--prefer-online",
  "--ignore-existing",
  "--rm",
  "-i",
  "-t",
  "-it",
  "-d",
  "--detach",
  "--interactive",
  "--tty",
  "--init",
  "--privileged",
  "--isolated",
  "--refresh",
  "--no-cache",
  "--offline",
  "--headless",
  "--allow-http",
  "--insecure",
  "--help",
  "--version",
]);
/**
 * Flags whose value is kept when it is simple (a number, an IP address, a
 * plain word or host name): ports, hosts, transports, log levels, working
 * directories and modules. Anything else after them is redacted like any value.
 */
export const ALLOWED_VALUE_FLAGS: ReadonlySet<string> = new Set([
  "--port",
  "-p",
  "--host",
  "--hostname",
  "--bind",
  "--transport",
  "--log-level",
  "--loglevel",
  "--mode",
  "--python",
  "--platform",
  "--pull",
  "--network",
  "--net",
  "--directory",
  "--cwd",
  "-w",
  "--workdir",
  "-m",
  "--from",
  "--package",
  "--with",
  "--toolsets",
  "--tools",
  "--region",
  "--profile",
  "--timeout",
]);
/** Sub-command and launcher words kept as positional arguments. */
export const KNOWN_WORDS: ReadonlySet<string> = new Set([
  "run",
  "start",
  "serve",
  "server",
  "stdio",
  "sse",
  "http",
  "streamable-http",
  "mcp",
  "exec",
  "tool",
  "x",
  "dlx",
  "container",
  "node",
  "python",
  "python3",
  "uv",
  "uvx",
  "npx",
  "bunx",
  "deno",
  "bun",
  "docker",
  "podman",
  "java",
  "-jar",
  "--",
  "dev",
  "prod",
]);

const FLAG_RE = /^-{1,2}[A-Za-z][\w.-]{0,80}$/;
const INLINE_FLAG_RE = /^(-{1,2}[A-Za-z][\w.-]{0,80})=([\s\S]*)$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,199}$/;
const HEADER_LINE_RE = /^([A-Za-z][\w-]{0,60})(\s*:\s*)([\s\S]*)$/;
const NUMBER_OR_VERSION_RE = /^(?:\d{1,6}|v?\d{1,6}(?:\.\d{1,6}){1,3}(?:-[a-z]{1,10}(?:\.\d{1,3})?)?)$/;
const IP_RE = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]{2,45}\]|localhost)$/i;
const PATH_RE = /^(?:~|\.{1,2})?[/\\]|^[A-Za-z]:[/\\]|^[\w.-]{1,100}[/\\]|^[\w-]{1,100}\.(?:js|mjs|cjs|ts|py|go|rb|jar|sh|ps1|exe|json|yaml|yml|toml)$/;
const URL_RE = /^[a-z][a-z0-9+.-]{1,30}:\/\//i;
const SAFE_PACKAGE_RE = /^@?[\w.-]{1,214}(?::\d{1,5})?(?:\/[\w.-]{1,214}){0,6}$/;
const SAFE_VERSION_RE = /^[\w.+~^<>=!*,-]{1,100}$|^sha256:[a-f0-9]{64}$/;

export interface ValueContext {
  /** The env var, header or flag the value belongs to. */
  key?: string;
  /** The secret the detector found in the value, when it found one: its fingerprint is the placeholder's. */
  secret?: string;
  /** The value follows an allow-listed value flag. */
  allowedFlag?: boolean;
}

/** Whether the value looks like key material by itself or by its name. */
export function looksSecretLike(value: string, key: string | undefined): boolean {
  const v = value.trim();
  // A URL or path is not key material itself; a credential inside one is the detector's to find.
  if (URL_RE.test(v) || PATH_RE.test(v)) return false;
  return looksRandom(v, 12) || (secretKeyKind(key) !== null && v.length >= 4);
}

/** A whole reference, kept: it names where a secret lives, it is not one. */
function keptReference(value: string): string | null {
  const v = value.trim();
  if (v.length > 300 || !isSecretReference(v)) return null;
  // `Bearer ${X:-literal}`: the scheme word is kept, a default is templated like any literal.
  const scheme = /^(?:bearer|basic|token|bot)\s+/i.exec(v)?.[0] ?? "";
  return scheme + referenceTemplate(v.slice(scheme.length));
}

/** An env or header value: the reference it is, or a typed placeholder. Names are kept by the caller. */
export function redactNamedValue(value: string, ctx: ValueContext = {}): string {
  const ref = keptReference(value);
  if (ref !== null) return ref;
  if (ctx.secret) return secretPlaceholder(ctx.secret);
  if (isPlaceholder(value)) return REDACTED_PLACEHOLDER;
  return looksSecretLike(value, ctx.key) ? secretPlaceholder(value) : REDACTED_VALUE;
}

/** One argument value (positional, or after a flag or `=`). */
export function redactValue(value: string, ctx: ValueContext = {}): string {
  const ref = keptReference(value);
  if (ref !== null) return ref;
  // Templates keep nothing a secret could hide in (query values, opaque segments, user info).
  if (URL_RE.test(value.trim())) return urlTemplate(value);
  if (PATH_RE.test(value) && !/\s/.test(value)) return pathTemplate(value);
  if (ctx.secret) return secretPlaceholder(ctx.secret);
  const secretName = secretKeyKind(ctx.key) !== null;
  if (!secretName && (NUMBER_OR_VERSION_RE.test(value) || KNOWN_WORDS.has(value))) return value;
  if (isPlaceholder(value)) return REDACTED_PLACEHOLDER;
  if (looksSecretLike(value, ctx.key)) return secretPlaceholder(value);
  if (ctx.allowedFlag && (IP_RE.test(value) || (isPlainWord(value) && !/\s/.test(value)) || /^[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,6}$/i.test(value)))
    return value;
  return REDACTED_VALUE;
}

/** A flag as kept: allow-listed or made of plain words; otherwise `{redacted:flag}`. */
export function redactFlag(flag: string): string {
  if (ALLOWED_SWITCHES.has(flag) || ALLOWED_VALUE_FLAGS.has(flag)) return flag;
  return isPlainWord(flag.replace(/^-+/, "")) ? flag : REDACTED_FLAG;
}

export interface ArgsContext {
  /** The registry package the launcher runs (lib/ingest/mcp-config/launch.ts) and its version: kept. */
  package: string | null;
  packageVersion: string | null;
  /** For argument i, the secret the detector found in it, if any. */
  secretAt?: (i: number) => string | undefined;
}

function isPackageSpec(a: string, pkg: string | null, version: string | null): boolean {
  if (!pkg || !SAFE_PACKAGE_RE.test(pkg)) return false;
  if (a === pkg) return true;
  if (!version || !SAFE_VERSION_RE.test(version) || !a.startsWith(pkg)) return false;
  const rest = a.slice(pkg.length);
  return (
    rest === `@${version}` ||
    rest === `:${version}` ||
    rest === `==${version}` ||
    rest === `@ ${version}` ||
    (rest.endsWith(version) && /^(?:[<>=!~]=?|@)/.test(rest))
  );
}

/** The argument list as stored: same length and order, each item kept or replaced by construction. */
export function redactArgs(args: readonly string[], ctx: ArgsContext): string[] {
  return args.map((a, i) => {
    const secret = ctx.secretAt?.(i);
    const prev = args[i - 1];
    const prevFlag = prev !== undefined && FLAG_RE.test(prev) ? prev : undefined;
    if (isPackageSpec(a, ctx.package, ctx.packageVersion)) return a;
    if (FLAG_RE.test(a)) return redactFlag(a);
    const inline = INLINE_FLAG_RE.exec(a);
    if (inline) {
      const [, flag, value] = inline as unknown as [string, string, string];
      return `${redactFlag(flag)}=${redactValue(value, { key: flag, secret, allowedFlag: ALLOWED_VALUE_FLAGS.has(flag) })}`;
    }
    // docker -e NAME / -e NAME=value: the variable's name is kept, its value is not.
    if (prevFlag === "-e" || prevFlag === "--env") {
      const eq = a.indexOf("=");
      const name = eq === -1 ? a : a.slice(0, eq);
      if (ENV_NAME_RE.test(name)) return eq === -1 ? name : `${name}=${redactNamedValue(a.slice(eq + 1), { key: name, secret })}`;
    }
    // mcp-remote --header "Authorization: Bearer ..." / curl-style -H.
    const header = prevFlag === "--header" || prevFlag === "-H" ? HEADER_LINE_RE.exec(a) : null;
    if (header) {
      const [, name, sep, value] = header as unknown as [string, string, string, string];
      return `${name}${sep}${redactNamedValue(value, { key: name, secret })}`;
    }
    return redactValue(a, { key: prevFlag, secret, allowedFlag: prevFlag !== undefined && ALLOWED_VALUE_FLAGS.has(prevFlag) });
  });
}

/** The command as stored: a path template, a known launcher word, or a placeholder. */
export function redactCommand(command: string): string {
  if (KNOWN_WORDS.has(command) || (isPlainWord(command) && !/\s/.test(command) && command.length <= 40 && !looksRandom(command, 12))) return command;
  return redactValue(command);
}

/** A package name and version as stored: kept when they have a package's shape, else dropped. */
export function safePackage(pkg: string | null, version: string | null): { package: string | null; packageVersion: string | null } {
  if (!pkg || !SAFE_PACKAGE_RE.test(pkg)) return { package: null, packageVersion: null };
  return { package: pkg, packageVersion: version && SAFE_VERSION_RE.test(version) ? version : version ? REDACTED_VALUE : null };
}
