/**
 * Continue: `config.yaml` (and `.continue/mcpServers/*.yaml` blocks) list
 * servers under `mcpServers:` as `{ name, type, command, args, env, url }`;
 * the older `config.json` had `experimental.modelContextProtocolServers: [{
 * transport: { type, command, args } }]`, without names (named by position).
 * `${{ secrets.NAME }}` values are Continue's own references: read as given.
 */
import type { JsonValue } from "../jsonc";
import { describeJson, Entry, FORMAT_LABELS, type RawServer, type ReadContext, type Segment } from "./common";

const KNOWN = new Set([
  "name",
  "type",
  "command",
  "args",
  "env",
  "url",
  "cwd",
  "headers",
  "requestOptions",
  "connectionTimeout",
  "faviconUrl",
  "sourceFile",
  "apiKey",
]);

export function readContinueServer(value: JsonValue, index: number, path: Segment[], ctx: ReadContext): RawServer | null {
  const name = value instanceof Map && typeof value.get("name") === "string" ? (value.get("name") as string) : "";
  const e = new Entry(name || `mcp-server-${index + 1}`, value instanceof Map ? value : new Map(), path, ctx);
  if (!(value instanceof Map)) {
    e.err(e.at, `a server definition must be an object, found ${describeJson(value)}`);
    return null;
  }
  e.raw("name");
  if (!name) e.warn(`has no "name"; imported as "mcp-server-${index + 1}"`);
  const headers = e.map("headers");
  const options = e.raw("requestOptions");
  if (options instanceof Map) {
    headers.push(...e.map(["requestOptions", "headers"], options.get("headers")));
    const other = [...options.keys()].filter((k) => k !== "headers");
    if (other.length) e.warn(`requestOptions: only headers are read`);
  }
  const apiKey = e.str("apiKey");
  // An apiKey on a remote server is sent as a bearer token: scanned like one.
  if (apiKey !== null) headers.push(["Authorization", `Bearer ${apiKey}`]);
  const server = e.finish(
    {
      command: e.str("command"),
      args: e.list("args"),
      env: e.map("env"),
      headers,
      url: e.str("url"),
      cwd: e.str("cwd"),
      envFile: null,
      disabled: false,
      declared: e.str("type"),
    },
    "continue",
  );
  e.warnUnknownKeys(KNOWN, FORMAT_LABELS.continue);
  return server;
}

const LEGACY_KNOWN = new Set(["transport", "name"]);

/** `experimental.modelContextProtocolServers[i]`: the server is in `transport`. */
export function readContinueLegacyServer(value: JsonValue, index: number, path: Segment[], ctx: ReadContext): RawServer | null {
  const transport = value instanceof Map ? value.get("transport") : undefined;
  const name = value instanceof Map && typeof value.get("name") === "string" ? (value.get("name") as string) : `mcp-server-${index + 1}`;
  const outer = new Entry(name, value instanceof Map ? value : new Map(), path, ctx);
  if (!(value instanceof Map) || !(transport instanceof Map)) {
    outer.err(outer.pathOf("transport"), `must be an object { type, command, args }, found ${describeJson(transport)}`);
    return null;
  }
  outer.raw("transport");
  outer.raw("name");
  outer.warnUnknownKeys(LEGACY_KNOWN, FORMAT_LABELS["continue-json"]);
  const e = new Entry(name, transport, [...path, "transport"], ctx);
  const server = e.finish(
    {
      command: e.str("command"),
      args: e.list("args"),
      env: e.map("env"),
      headers: e.map("headers"),
      url: e.str("url"),
      cwd: e.str("cwd"),
      envFile: null,
      disabled: false,
      declared: e.str("type"),
    },
    "continue-json",
  );
  e.warnUnknownKeys(new Set(["requestOptions"]), FORMAT_LABELS["continue-json"]);
  if (server && !(value as Map<string, JsonValue>).has("name")) outer.warn(`has no name (the older config.json has none); imported as "${name}"`);
  return server;
}
