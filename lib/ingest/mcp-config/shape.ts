/**
 * Which client wrote the config, and its servers and inputs read into plain
 * records. Claude Desktop, Cursor, Windsurf and Claude Code's `.mcp.json` use
 * `mcpServers`; VS Code's `mcp.json` uses `servers` + `inputs`, its settings
 * file nests both under `mcp`. Anything else is refused with the keys found.
 */
import type { ErrorDetail } from "@/lib/errors";
import type { JsonObject, JsonValue } from "./jsonc";

export type ConfigFormat = "mcpServers" | "vscode" | "vscode-settings" | "server-map";
export type Transport = "stdio" | "http" | "sse";
export type Segment = string | number;

export interface InputDecl {
  id: string;
  index: number;
  password: boolean;
  description: string | null;
}
export interface RawServer {
  name: string;
  path: Segment[];
  transport: Transport;
  command: string | null;
  args: string[];
  env: [string, string][];
  headers: [string, string][];
  url: string | null;
  cwd: string | null;
  envFile: string | null;
  disabled: boolean;
}
export interface ConfigShape {
  format: ConfigFormat;
  servers: RawServer[];
  inputs: Map<string, InputDecl>;
  inputsPath: Segment[];
}
export type ShapeResult = { ok: true; shape: ConfigShape; warnings: string[] } | { ok: false; errors: ErrorDetail[] };

export const MAX_NAME_LENGTH = 256;
const MAX_KEY_LENGTH = 200;

/** `mcpServers.github.env.GITHUB_TOKEN`, `servers["my server"].args[2]`. */
export function formatConfigPath(segments: readonly Segment[]): string {
  return segments
    .map((s, i) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z0-9_$-]+$/.test(s) ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s.slice(0, 100))}]`))
    .join("");
}

export function describeJson(v: JsonValue | undefined): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Map) return "an object";
  return `a ${typeof v}`;
}

export function readConfigShape(root: JsonValue, maxServers: number): ShapeResult {
  if (!(root instanceof Map)) {
    return fail("(root)", `expected a JSON object with "mcpServers" or "servers", found ${describeJson(root)}`);
  }
  const warnings: string[] = [];
  const mcp = root.get("mcp");
  const candidates: [ConfigFormat, Segment[], JsonValue | undefined, Segment[]][] = [
    ["mcpServers", ["mcpServers"], root.get("mcpServers"), []],
    ["vscode", ["servers"], root.get("servers"), ["inputs"]],
    ["vscode-settings", ["mcp", "servers"], mcp instanceof Map ? mcp.get("servers") : undefined, ["mcp", "inputs"]],
  ];
  const present = candidates.filter((c) => c[2] !== undefined);
  let chosen = present[0];
  if (present.length > 1) warnings.push(`found ${present.map((c) => formatConfigPath(c[1])).join(" and ")}; only ${formatConfigPath(present[0]![1])} is read`);
  if (!chosen && root.size > 0 && [...root.values()].every(looksLikeServer)) {
    chosen = ["server-map", [], root, []];
    warnings.push("no mcpServers/servers wrapper: the top-level object is read as a map of server definitions");
  }
  if (!chosen) {
    const keys = [...root.keys()].slice(0, 10).map((k) => JSON.stringify(k.slice(0, 40)));
    return fail(
      "(root)",
      `unknown config shape: expected a top-level "mcpServers" object (Claude Desktop, Cursor, Windsurf), "servers" (VS Code mcp.json) or "mcp": { "servers" } (VS Code settings); found ${keys.length ? `keys ${keys.join(", ")}` : "an empty object"}`,
    );
  }
  const [format, serversPath, servers, inputsPath] = chosen;
  if (!(servers instanceof Map)) {
    return fail(formatConfigPath(serversPath), `must be an object mapping server names to server definitions, found ${describeJson(servers)}`);
  }
  if (servers.size > maxServers) return fail(formatConfigPath(serversPath), `has ${servers.size} servers; at most ${maxServers} are accepted`);
  const errors: ErrorDetail[] = [];
  const out: RawServer[] = [];
  for (const [name, value] of servers) {
    const s = readServer(name, value, [...serversPath, name], errors);
    if (s) out.push(s);
  }
  if (errors.length) return { ok: false, errors };
  const inputs = readInputs(inputsPath.length ? lookup(root, inputsPath) : undefined, inputsPath, warnings);
  return { ok: true, shape: { format, servers: out, inputs, inputsPath }, warnings };
}

function looksLikeServer(v: JsonValue): boolean {
  return v instanceof Map && (typeof v.get("command") === "string" || typeof v.get("url") === "string");
}

function lookup(root: JsonObject, path: Segment[]): JsonValue | undefined {
  let v: JsonValue | undefined = root;
  for (const s of path) v = v instanceof Map ? v.get(String(s)) : undefined;
  return v;
}

const TRANSPORTS: Record<string, Transport> = { stdio: "stdio", http: "http", "streamable-http": "http", streamablehttp: "http", sse: "sse" };

function readServer(name: string, value: JsonValue, path: Segment[], errors: ErrorDetail[]): RawServer | null {
  const at = formatConfigPath(path);
  const start = errors.length;
  const err = (where: string, message: string) => errors.push({ path: where, message });
  if (name.trim() === "") err(at, "server name is empty");
  if (name.length > MAX_NAME_LENGTH) err(at, `server name is longer than ${MAX_NAME_LENGTH} characters`);
  if (!(value instanceof Map)) {
    err(at, `a server definition must be an object, found ${describeJson(value)}`);
    return null;
  }
  const str = (key: string): string | null => {
    const v = value.get(key);
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") err(formatConfigPath([...path, key]), `must be a string, found ${describeJson(v)}`);
    return typeof v === "string" && v.trim() !== "" ? v : null;
  };
  const command = str("command");
  const url = str("url") ?? str("serverUrl");
  const type = str("type") ?? str("transport");
  const args = readArgs(value.get("args"), [...path, "args"], err);
  const env = readStringMap(value.get("env"), [...path, "env"], err);
  const headers = readStringMap(value.get("headers"), [...path, "headers"], err);
  let transport: Transport = command ? "stdio" : url && /\/sse\/?(?:\?|$)/.test(url) ? "sse" : "http";
  if (type !== null) {
    const t = TRANSPORTS[type.toLowerCase()];
    if (t) transport = t;
    else err(formatConfigPath([...path, value.has("type") ? "type" : "transport"]), `unknown transport "${type.slice(0, 40)}": expected stdio, http or sse`);
  }
  const label = `server "${name.slice(0, 60)}"`;
  if (!command && !url) err(at, `${label} has neither "command" (stdio) nor "url" (http, sse)`);
  else if (transport === "stdio" && !command) err(at, `${label} has type stdio but no "command"`);
  else if (transport !== "stdio" && !url) err(at, `${label} has type ${transport} but no "url"`);
  const disabled = value.get("disabled") === true;
  if (errors.length > start) return null;
  return { name, path, transport, command, args, env, headers, url, cwd: str("cwd"), envFile: str("envFile"), disabled };
}

function readArgs(v: JsonValue | undefined, path: Segment[], err: (where: string, message: string) => void): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    err(formatConfigPath(path), `must be an array of strings, found ${describeJson(v)}`);
    return [];
  }
  return v.flatMap((a, i) => {
    if (typeof a === "string" || typeof a === "number" || typeof a === "boolean") return [String(a)];
    err(formatConfigPath([...path, i]), `must be a string, found ${describeJson(a)}`);
    return [];
  });
}

function readStringMap(v: JsonValue | undefined, path: Segment[], err: (where: string, message: string) => void): [string, string][] {
  if (v === undefined || v === null) return [];
  if (!(v instanceof Map)) {
    err(formatConfigPath(path), `must be an object of names to strings, found ${describeJson(v)}`);
    return [];
  }
  const out: [string, string][] = [];
  for (const [k, val] of v) {
    if (k.length > MAX_KEY_LENGTH) err(formatConfigPath(path), `a name is longer than ${MAX_KEY_LENGTH} characters`);
    else if (typeof val === "string" || typeof val === "number" || typeof val === "boolean") out.push([k, String(val)]);
    else if (val !== null) err(formatConfigPath([...path, k]), `must be a string, found ${describeJson(val)}`);
  }
  return out;
}

function readInputs(v: JsonValue | undefined, path: Segment[], warnings: string[]): Map<string, InputDecl> {
  const inputs = new Map<string, InputDecl>();
  if (v === undefined) return inputs;
  if (!Array.isArray(v)) {
    warnings.push(`${formatConfigPath(path)} is not an array; ignored`);
    return inputs;
  }
  v.forEach((item, index) => {
    const id = item instanceof Map ? item.get("id") : undefined;
    if (!(item instanceof Map) || typeof id !== "string" || id.trim() === "" || id.length > MAX_KEY_LENGTH) {
      warnings.push(`${formatConfigPath([...path, index])} has no usable "id"; ignored`);
      return;
    }
    const description = item.get("description");
    inputs.set(id, { id, index, password: item.get("password") === true, description: typeof description === "string" ? description : null });
  });
  return inputs;
}

function fail(path: string, message: string): ShapeResult {
  return { ok: false, errors: [{ path, message }] };
}
