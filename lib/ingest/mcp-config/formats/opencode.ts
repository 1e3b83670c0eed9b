/**
 * OpenCode's `mcp` map (opencode.json / opencode.jsonc, or a project's
 * `.agents/mcp.json` without the wrapper): `type: "local"` with `command` as
 * an array (program and arguments together) and `environment`; `type:
 * "remote"` with `url` and `headers`; `enabled: false` switches one off.
 * `{env:NAME}` references in environment and header values are read as
 * `${env:NAME}`, the reference syntax the credential scan knows.
 */
import type { JsonObject, JsonValue } from "../jsonc";
import { describeJson, Entry, FORMAT_LABELS, normaliseEnvReference, type RawServer, type ReadContext, type Segment } from "./common";
import { warnOAuthSecret } from "./server-map";

const KNOWN = new Set(["type", "command", "environment", "url", "headers", "enabled", "timeout", "oauth", "cwd"]);

export function readOpenCodeServer(name: string, value: JsonValue, path: Segment[], ctx: ReadContext): RawServer | null {
  const e = new Entry(name, value instanceof Map ? value : new Map(), path, ctx);
  if (!(value instanceof Map)) {
    e.err(e.at, `a server definition must be an object, found ${describeJson(value)}`);
    return null;
  }
  const rawCommand = e.raw("command");
  let command: string | null = null;
  let args: string[] = [];
  if (typeof rawCommand === "string") {
    // The documented form is an array; a string is taken as the program alone.
    command = rawCommand.trim() || null;
    e.warn("command is a string; OpenCode expects an array [program, ...arguments]; read as the program");
  } else if (rawCommand !== undefined && rawCommand !== null) {
    const parts = e.list("command", rawCommand);
    command = parts[0]?.trim() ? parts[0] : null;
    args = parts.slice(1);
    if (parts.length === 0) e.err(e.pathOf("command"), "must list the program to run and its arguments, found an empty array");
  }
  if (value.has("args")) args = [...args, ...e.list("args")];
  if (value.has("env")) e.warn('"env" is not an OpenCode key (it is "environment"); read anyway');
  const env = [...e.map("environment"), ...e.map("env")].map(([k, v]): [string, string] => [k, normaliseEnvReference(v)]);
  const headers = e.map("headers").map(([k, v]): [string, string] => [k, normaliseEnvReference(v)]);
  const server = e.finish(
    { command, args, env, headers, url: e.str("url"), cwd: e.str("cwd"), envFile: null, disabled: e.bool("enabled") === false, declared: e.str("type") },
    "opencode",
  );
  warnOAuthSecret(e, value.get("oauth"));
  e.warnUnknownKeys(KNOWN, FORMAT_LABELS.opencode);
  return server;
}

/** An OpenCode server entry: `type` local/remote, or a command given as an array. */
export function looksLikeOpenCodeServer(v: JsonValue | undefined): boolean {
  if (!(v instanceof Map)) return false;
  const type = v.get("type");
  return type === "local" || type === "remote" || Array.isArray(v.get("command")) || v.has("environment");
}

/** `mcp` holds OpenCode servers when every entry looks like one (VS Code settings and Gemini also use an `mcp` key). */
export function isOpenCodeMap(v: JsonValue | undefined): v is JsonObject {
  return v instanceof Map && v.size > 0 && [...v.values()].every(looksLikeOpenCodeServer);
}
