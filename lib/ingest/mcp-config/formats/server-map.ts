/**
 * The JSON "map of named servers" family: `mcpServers` (Claude Desktop, Claude
 * Code, Cursor, Windsurf, Gemini CLI), VS Code's `servers` and a single
 * server definition pasted from an install guide. They share keys (`command`,
 * `args`, `env`, `url`, `headers`, `type`) and differ in a few: Windsurf's
 * `serverUrl`, Gemini's `httpUrl` (streamable HTTP; its `url` is SSE), VS
 * Code's `envFile` and `inputs`, Claude Code's `${VAR:-default}`.
 */
import type { JsonObject, JsonValue } from "../jsonc";
import { describeJson, Entry, FORMAT_LABELS, type ConfigFormat, type RawServer, type ReadContext, type Segment } from "./common";

/** Keys clients define that say nothing about what runs or what it holds (timeouts, tool filters, UI). */
const HARMLESS = [
  "description",
  "timeout",
  "autoApprove",
  "alwaysAllow",
  "disabledTools",
  "trust",
  "includeTools",
  "excludeTools",
  "authProviderType",
  "icon",
  "name",
  "networkTimeout",
  "dev",
  "sandboxEnabled",
  "sandbox",
  "gallery",
  "version",
  "targetAudience",
  "transportType",
];
const KNOWN = new Set([
  ...HARMLESS,
  "command",
  "args",
  "env",
  "envFile",
  "url",
  "serverUrl",
  "httpUrl",
  "type",
  "transport",
  "headers",
  "cwd",
  "disabled",
  "enabled",
  "oauth",
]);

/** Reads one definition of the family; `format` decides what a bare `url` means (SSE for Gemini). */
export function readMapServer(name: string, value: JsonValue, path: Segment[], format: ConfigFormat, ctx: ReadContext): RawServer | null {
  if (!(value instanceof Map)) {
    ctx.errors.push({ path: new Entry(name, new Map(), path, ctx).at, message: `a server definition must be an object, found ${describeJson(value)}` });
    return null;
  }
  const e = new Entry(name, value, path, ctx);
  const command = e.str("command");
  const httpUrl = e.str("httpUrl");
  const serverUrl = e.str("serverUrl");
  const plainUrl = e.str("url");
  const url = httpUrl ?? serverUrl ?? plainUrl;
  const typeKey = value.has("type") ? "type" : "transport";
  let declared = e.str(typeKey);
  // Gemini CLI: `httpUrl` is streamable HTTP, `url` is SSE (its documented meaning, not a guess from the path).
  if (declared === null && httpUrl) declared = "http";
  else if (declared === null && format === "gemini-cli" && plainUrl && !command) declared = "sse";
  if ([httpUrl, serverUrl, plainUrl].filter(Boolean).length > 1)
    e.warn(`more than one of httpUrl, serverUrl and url is set; ${httpUrl ? "httpUrl" : "serverUrl"} is read`);
  const enabled = e.bool("enabled");
  const server = e.finish(
    {
      command,
      args: e.list("args"),
      env: e.map("env"),
      headers: e.map("headers"),
      url,
      cwd: e.str("cwd"),
      envFile: e.str("envFile"),
      disabled: e.bool("disabled") === true || enabled === false,
      declared,
      declaredKey: typeKey,
    },
    format,
  );
  warnOAuthSecret(e, value.get("oauth"));
  e.warnUnknownKeys(KNOWN, FORMAT_LABELS[format]);
  return server;
}

/** An OAuth client secret written into the config is never stored, and not recorded either: say so. */
export function warnOAuthSecret(e: Entry, oauth: JsonValue | undefined): void {
  if (!(oauth instanceof Map)) return;
  for (const key of ["clientSecret", "client_secret"]) {
    const v = oauth.get(key);
    if (typeof v === "string" && v.trim() !== "")
      e.warn(`oauth.${key} is set: OAuth client secrets are not imported or fingerprinted; keep it in a reference such as \${env:NAME}`);
  }
}

/**
 * Which client wrote an `mcpServers` map, from what its entries use. A file
 * location, when given, decides first: the same map is valid for several
 * clients and only Windsurf, Gemini and Claude Code leave marks in it.
 */
export function mcpServersFlavour(servers: JsonObject, root: JsonObject, location: string | undefined): ConfigFormat {
  const loc = (location ?? "").replace(/\\/g, "/").toLowerCase();
  if (/claude_desktop_config\.json$/.test(loc)) return "claude-desktop";
  if (/(^|\/)\.cursor\//.test(loc)) return "cursor";
  if (/windsurf|codeium|(^|\/)mcp_config\.json$/.test(loc)) return "windsurf";
  if (/(^|\/)\.gemini\//.test(loc)) return "gemini-cli";
  if (/(^|\/)\.mcp\.json$|(^|\/)\.claude\.json$/.test(loc)) return "claude-code";
  const entries = [...servers.values()].filter((v): v is JsonObject => v instanceof Map);
  const uses = (k: string) => entries.some((s) => s.has(k));
  const text = (v: JsonValue | undefined): string =>
    typeof v === "string" ? v : Array.isArray(v) ? v.map(text).join(" ") : v instanceof Map ? [...v.values()].map(text).join(" ") : "";
  const all = entries.map((s) => text(s)).join(" ");
  const gemini = root.get("mcp");
  if (
    uses("httpUrl") ||
    uses("trust") ||
    uses("includeTools") ||
    uses("excludeTools") ||
    uses("authProviderType") ||
    (gemini instanceof Map && (gemini.has("allowed") || gemini.has("excluded") || gemini.has("serverCommand")))
  )
    return "gemini-cli";
  if (uses("serverUrl") || uses("disabledTools")) return "windsurf";
  if (/\$\{[A-Za-z_][A-Za-z0-9_]*:-/.test(all) || root.has("projects") || entries.some((s) => ["stdio", "http", "sse"].includes(String(s.get("type")))))
    return "claude-code";
  if (/\$\{(?:env:|userHome\}|workspaceFolder\})/.test(all) || uses("envFile")) return "cursor";
  return "mcpServers";
}

/** A definition on its own (no name, no wrapper): `{"type": "http", "url": ...}` or `{"command": ..., "args": ...}`. */
export function looksLikeServer(v: JsonValue | undefined): boolean {
  if (!(v instanceof Map)) return false;
  const cmd = v.get("command");
  return typeof cmd === "string" || (Array.isArray(cmd) && cmd.length > 0) || ["url", "httpUrl", "serverUrl"].some((k) => typeof v.get(k) === "string");
}
