/**
 * Zed's `context_servers` (settings.json). A custom server's `command` is
 * either a string with sibling `args`/`env`, or (older settings) an object
 * `{ path, args, env }`; a remote one has `url` and `headers`. A server with
 * `source: "extension"` is run by a Zed extension: the file does not say what
 * it runs, so it is skipped with a warning.
 */
import type { JsonValue } from "../jsonc";
import { describeJson, Entry, FORMAT_LABELS, quoteKey, type RawServer, type ReadContext, type Segment } from "./common";
import { warnOAuthSecret } from "./server-map";

const KNOWN = new Set(["source", "command", "args", "env", "url", "headers", "enabled", "settings", "timeout", "oauth"]);
const LABEL = FORMAT_LABELS.zed;

export function readZedServer(name: string, value: JsonValue, path: Segment[], ctx: ReadContext): RawServer | null {
  const e = new Entry(name, value instanceof Map ? value : new Map(), path, ctx);
  if (!(value instanceof Map)) {
    e.err(e.at, `a server definition must be an object, found ${describeJson(value)}`);
    return null;
  }
  const source = e.str("source");
  const rawCommand = e.raw("command");
  if (source === "extension" || (rawCommand === undefined && !value.has("url") && value.has("settings"))) {
    const settings = value.get("settings");
    const keys = settings instanceof Map ? [...settings.keys()] : [];
    e.warn(
      `is provided by a Zed extension; what it runs is not in this file, so it is not imported${keys.length ? ` (its settings ${keys.slice(0, 10).map(quoteKey).join(", ")} are not read)` : ""}`,
    );
    return null;
  }
  if (source !== null && source !== "custom") e.warn(`unknown source ${quoteKey(source)}; read as a custom server`);
  let command: string | null = null;
  let args = e.list("args");
  let env = e.map("env");
  if (rawCommand instanceof Map) {
    // Older form: "command": { "path": ..., "args": [...], "env": {...} }.
    const path = rawCommand.get("path");
    if (typeof path === "string" && path.trim() !== "") command = path;
    else e.err(e.pathOf("command", "path"), `must be a string, found ${describeJson(path)}`);
    args = [...e.list(["command", "args"], rawCommand.get("args")), ...args];
    env = [...e.map(["command", "env"], rawCommand.get("env")), ...env];
    const extra = [...rawCommand.keys()].filter((k) => !["path", "args", "env"].includes(k));
    if (extra.length) e.warn(`unknown key${extra.length > 1 ? "s" : ""} ${extra.map(quoteKey).join(", ")} in command ignored`);
  } else if (rawCommand !== undefined) {
    command = e.str("command");
  }
  const server = e.finish(
    { command, args, env, headers: e.map("headers"), url: e.str("url"), cwd: null, envFile: null, disabled: e.bool("enabled") === false, declared: null },
    "zed",
  );
  warnOAuthSecret(e, value.get("oauth"));
  if (value.has("settings")) e.warn("settings are passed to the server by Zed and are not read");
  e.warnUnknownKeys(KNOWN, LABEL);
  return server;
}
