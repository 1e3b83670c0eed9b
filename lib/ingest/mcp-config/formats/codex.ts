/**
 * Codex `config.toml`: one `[mcp_servers.<name>]` table per server. Stdio
 * servers have `command`, `args`, `env`, `env_vars` (variables forwarded from
 * Codex's environment) and `cwd`; streamable HTTP servers have `url`,
 * `bearer_token_env_var`, `http_headers` and `env_http_headers`. Values Codex
 * reads from the environment become `${env:NAME}` references, so the
 * credential scan records an env credential without Attest seeing a value:
 * `bearer_token_env_var = "X"` is the header `Authorization: Bearer ${env:X}`.
 */
import type { JsonValue } from "../jsonc";
import { describeJson, Entry, FORMAT_LABELS, quoteKey, type RawServer, type ReadContext, type Segment } from "./common";
import { warnOAuthSecret } from "./server-map";

/** Documented keys that change nothing Attest records (timeouts, tool filters, approval modes, OAuth scopes). */
const HARMLESS = [
  "startup_timeout_sec",
  "startup_timeout_ms",
  "tool_timeout_sec",
  "enabled_tools",
  "disabled_tools",
  "required",
  "default_tools_approval_mode",
  "tools",
  "oauth_resource",
  "scopes",
  "oauth",
  "experimental_environment",
];
const KNOWN = new Set([
  ...HARMLESS,
  "command",
  "args",
  "env",
  "env_vars",
  "cwd",
  "url",
  "bearer_token_env_var",
  "bearer_token",
  "http_headers",
  "env_http_headers",
  "enabled",
  "type",
  "transport",
]);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,200}$/;

export function readCodexServer(name: string, value: JsonValue, path: Segment[], ctx: ReadContext): RawServer | null {
  const e = new Entry(name, value instanceof Map ? value : new Map(), path, ctx);
  if (!(value instanceof Map)) {
    e.err(e.at, `a server definition must be a table, found ${describeJson(value)}`);
    return null;
  }
  const env = e.map("env");
  for (const [i, item] of (Array.isArray(value.get("env_vars")) ? (value.get("env_vars") as JsonValue[]) : []).entries()) {
    // `env_vars = ["TOKEN", { name = "REMOTE_TOKEN", source = "remote" }]`: forwarded by name.
    const varName = typeof item === "string" ? item : item instanceof Map && typeof item.get("name") === "string" ? (item.get("name") as string) : null;
    if (varName && ENV_NAME.test(varName)) env.push([varName, `\${env:${varName}}`]);
    else e.err(e.pathOf("env_vars", i), "must be an environment variable name");
  }
  e.raw("env_vars");
  if (value.has("env_vars") && !Array.isArray(value.get("env_vars")))
    e.err(e.pathOf("env_vars"), `must be an array of variable names, found ${describeJson(value.get("env_vars"))}`);

  const headers = e.map("http_headers");
  for (const [header, varName] of e.map("env_http_headers")) {
    if (ENV_NAME.test(varName)) headers.push([header, `\${env:${varName}}`]);
    else e.err(e.pathOf("env_http_headers", header), "must name an environment variable");
  }
  const bearerVar = e.str("bearer_token_env_var");
  if (bearerVar !== null) {
    if (ENV_NAME.test(bearerVar)) headers.push(["Authorization", `Bearer \${env:${bearerVar}}`]);
    else e.err(e.pathOf("bearer_token_env_var"), "must name an environment variable");
  }
  const inlineBearer = e.str("bearer_token");
  if (inlineBearer !== null) {
    // Current Codex refuses an inline token; older files may still hold one: scanned like any header value.
    e.warn("bearer_token holds the token itself (Codex now requires bearer_token_env_var); scanned as an Authorization header");
    headers.push(["Authorization", `Bearer ${inlineBearer}`]);
  }
  const duplicate = headers.map(([k]) => k.toLowerCase()).find((k, i, all) => all.indexOf(k) !== i);
  if (duplicate) e.warn(`header ${quoteKey(duplicate)} is set more than once (http_headers, env_http_headers, bearer_token_env_var)`);

  const typeKey = value.has("type") ? "type" : "transport";
  const server = e.finish(
    {
      command: e.str("command"),
      args: e.list("args"),
      env,
      headers,
      url: e.str("url"),
      cwd: e.str("cwd"),
      envFile: null,
      disabled: e.bool("enabled") === false,
      declared: e.str(typeKey),
      declaredKey: typeKey,
    },
    "codex",
  );
  warnOAuthSecret(e, value.get("oauth"));
  e.warnUnknownKeys(KNOWN, FORMAT_LABELS.codex);
  return server;
}
