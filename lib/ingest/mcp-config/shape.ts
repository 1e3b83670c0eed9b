/**
 * Which client wrote the config, and its servers and inputs read into plain
 * records. Every recognised section is read, not only the first: `mcpServers`
 * (Claude Desktop, Claude Code, Cursor, Windsurf, Gemini CLI; a list in
 * Continue's YAML), VS Code `servers` + `inputs` and settings `mcp.servers`,
 * Zed `context_servers`, OpenCode `mcp`, Codex `mcp_servers`, Continue's older
 * `experimental.modelContextProtocolServers`, Claude Code's per-project
 * `projects.<path>.mcpServers`. A single server definition needs its name
 * from the caller. Anything else is refused with the keys found; anything
 * dropped or unusual is a warning.
 */
import type { ErrorDetail } from "@/lib/errors";
import type { JsonObject, JsonValue } from "./jsonc";
import { readCodexServer } from "./formats/codex";
import {
  describeJson,
  formatConfigPath,
  MAX_KEY_LENGTH,
  MAX_NAME_LENGTH,
  quoteKey,
  type ConfigFormat,
  type InputDecl,
  type RawServer,
  type ReadContext,
  type Segment,
} from "./formats/common";
import { readContinueLegacyServer, readContinueServer } from "./formats/continue";
import { isOpenCodeMap, looksLikeOpenCodeServer, readOpenCodeServer } from "./formats/opencode";
import { looksLikeServer, mcpServersFlavour, readMapServer } from "./formats/server-map";
import { readZedServer } from "./formats/zed";

export { describeJson, formatConfigPath, MAX_NAME_LENGTH, type ConfigFormat, type InputDecl, type RawServer, type Segment };
export type { Transport } from "./formats/common";

export interface ConfigShape {
  /** The first section's format (kept for callers that expect one). */
  format: ConfigFormat;
  /** Every format read, in the order of the sections. */
  formats: ConfigFormat[];
  servers: RawServer[];
  inputs: Map<string, InputDecl>;
  inputsPath: Segment[];
}
export type ShapeResult = { ok: true; shape: ConfigShape; warnings: string[] } | { ok: false; errors: ErrorDetail[] };
export interface ShapeOptions {
  /** Where the file was found: tells Cursor's mcp.json from Claude Desktop's, which are otherwise alike. */
  location?: string;
  /** The name of the server when the config is a single server definition. */
  server?: string;
  /** TOML can only be Codex and YAML only Continue: such a file without servers is that client's, with none. */
  syntax?: "json" | "toml" | "yaml";
}

type Reader = (name: string, value: JsonValue, path: Segment[], index: number) => RawServer | null;
interface Section {
  format: ConfigFormat;
  path: Segment[];
  /** A map of name → definition, or a list of definitions that carry their name. */
  entries: [string, JsonValue][] | null;
  found: JsonValue | undefined;
  read: Reader;
  inputsPath?: Segment[];
}

export function readConfigShape(root: JsonValue, maxServers: number, opts: ShapeOptions = {}): ShapeResult {
  if (!(root instanceof Map)) {
    return fail("(root)", `expected a JSON object with "mcpServers" or "servers", found ${describeJson(root)}`);
  }
  const ctx: ReadContext = { errors: [], warnings: [] };
  let sections = findSections(root, opts, ctx);
  if (sections.length === 0) {
    const single = singleServer(root, opts, ctx);
    if (single && "errors" in single) return single;
    if (single) sections = [single];
  } else if (opts.server !== undefined) {
    ctx.warnings.push("server: ignored, because the config names its own servers");
  }
  if (sections.length === 0 && (opts.syntax === "toml" || opts.syntax === "yaml")) {
    const format: ConfigFormat = opts.syntax === "toml" ? "codex" : "continue";
    ctx.warnings.push(
      opts.syntax === "toml"
        ? "no [mcp_servers.<name>] tables: read as a Codex config.toml without MCP servers"
        : "no mcpServers list: read as a Continue config.yaml without MCP servers",
    );
    return { ok: true, shape: { format, formats: [format], servers: [], inputs: new Map(), inputsPath: [] }, warnings: ctx.warnings };
  }
  if (sections.length === 0) {
    const keys = [...root.keys()].slice(0, 10).map((k) => JSON.stringify(k.slice(0, 40)));
    return fail(
      "(root)",
      `unknown config shape: expected "mcpServers" (Claude Desktop, Claude Code, Cursor, Windsurf, Gemini CLI, Continue), "servers" (VS Code mcp.json), "mcp": { "servers" } (VS Code settings), "context_servers" (Zed), "mcp" (OpenCode), "mcp_servers" (Codex config.toml) or a single server definition; found ${keys.length ? `keys ${keys.join(", ")}` : "an empty object"}`,
    );
  }
  for (const s of sections) {
    if (s.entries === null)
      ctx.errors.push({
        path: formatConfigPath(s.path),
        message: `must be an object mapping server names to server definitions, found ${describeJson(s.found)}`,
      });
  }
  const total = sections.reduce((n, s) => n + (s.entries?.length ?? 0), 0);
  if (total > maxServers) return fail(formatConfigPath(sections[0]!.path), `has ${total} servers; at most ${maxServers} are accepted`);
  if (ctx.errors.length) return { ok: false, errors: ctx.errors };

  const servers: RawServer[] = [];
  const seen = new Map<string, Segment[]>();
  for (const s of sections) {
    s.entries!.forEach(([name, value], index) => {
      const path = s.entries && Array.isArray(s.found) ? [...s.path, index] : [...s.path, name];
      const server = s.read(name, value, path, index);
      if (!server) return;
      const first = seen.get(server.name);
      if (first) {
        ctx.warnings.push(
          `${formatConfigPath(server.path)}: a server named ${quoteKey(server.name)} is already defined at ${formatConfigPath(first)}; this one is not imported`,
        );
        return;
      }
      seen.set(server.name, server.path);
      servers.push(server);
    });
  }
  if (ctx.errors.length) return { ok: false, errors: ctx.errors };
  const inputSections = sections.filter((s) => s.inputsPath);
  const inputsPath = inputSections[0]?.inputsPath ?? [];
  const inputs = new Map<string, InputDecl>();
  for (const s of inputSections)
    for (const [id, d] of readInputs(lookup(root, s.inputsPath!), s.inputsPath!, ctx.warnings)) if (!inputs.has(id)) inputs.set(id, d);
  const formats = [...new Set(sections.map((s) => s.format))];
  return { ok: true, shape: { format: formats[0]!, formats, servers, inputs, inputsPath }, warnings: ctx.warnings };
}

function findSections(root: JsonObject, opts: ShapeOptions, ctx: ReadContext): Section[] {
  const out: Section[] = [];
  const used = new Set<string>();
  const map = (format: ConfigFormat, path: Segment[], found: JsonValue | undefined, read: Reader, inputsPath?: Segment[]) => {
    used.add(String(path[0]));
    out.push({ format, path, found, entries: found instanceof Map ? [...found] : null, read, inputsPath });
  };
  const list = (format: ConfigFormat, path: Segment[], found: JsonValue[], read: Reader) => {
    used.add(String(path[0]));
    out.push({ format, path, found, entries: found.map((v) => ["", v]), read });
  };
  const mapReader =
    (format: ConfigFormat): Reader =>
    (name, value, path) =>
      readMapServer(name, value, path, format, ctx);

  const mcpServers = root.get("mcpServers");
  // Continue's YAML lists its servers; an empty or mixed array is not taken for one.
  if (Array.isArray(mcpServers) && mcpServers.length > 0 && mcpServers.every((v) => v instanceof Map))
    list("continue", ["mcpServers"], mcpServers, (_n, v, p, i) => readContinueServer(v, i, p, ctx));
  else if (mcpServers !== undefined) {
    const flavour = mcpServers instanceof Map ? mcpServersFlavour(mcpServers, root, opts.location) : "mcpServers";
    map(flavour, ["mcpServers"], mcpServers, mapReader(flavour));
  }
  if (root.has("servers")) map("vscode", ["servers"], root.get("servers"), mapReader("vscode"), ["inputs"]);
  const mcp = root.get("mcp");
  if (mcp !== undefined) used.add("mcp");
  if (mcp instanceof Map && mcp.has("servers")) map("vscode-settings", ["mcp", "servers"], mcp.get("servers"), mapReader("vscode-settings"), ["mcp", "inputs"]);
  else if (isOpenCodeMap(mcp)) map("opencode", ["mcp"], mcp, (n, v, p) => readOpenCodeServer(n, v, p, ctx));
  else if (mcp instanceof Map && !["allowed", "excluded", "serverCommand"].some((k) => mcp.has(k)) && mcp.size > 0) {
    ctx.warnings.push(
      'mcp: not a server map this import recognises (VS Code settings have "mcp": { "servers" }, OpenCode entries have "type": "local" or "remote"); ignored',
    );
  }
  if (root.has("context_servers")) map("zed", ["context_servers"], root.get("context_servers"), (n, v, p) => readZedServer(n, v, p, ctx));
  if (root.has("mcp_servers")) map("codex", ["mcp_servers"], root.get("mcp_servers"), (n, v, p) => readCodexServer(n, v, p, ctx));
  const experimental = root.get("experimental");
  if (experimental !== undefined) used.add("experimental");
  const legacy = experimental instanceof Map ? experimental.get("modelContextProtocolServers") : undefined;
  if (Array.isArray(legacy))
    list("continue-json", ["experimental", "modelContextProtocolServers"], legacy, (_n, v, p, i) => readContinueLegacyServer(v, i, p, ctx));
  else if (legacy !== undefined)
    ctx.errors.push({ path: "experimental.modelContextProtocolServers", message: `must be an array of servers, found ${describeJson(legacy)}` });
  // ~/.claude.json keeps servers per project too: `projects["/path"].mcpServers`.
  const projects = root.get("projects");
  if (projects instanceof Map) {
    for (const [dir, project] of projects) {
      const servers = project instanceof Map ? project.get("mcpServers") : undefined;
      if (servers instanceof Map && servers.size > 0) map("claude-code", ["projects", dir, "mcpServers"], servers, mapReader("claude-code"));
    }
  }
  // Settings files hold many other keys (Zed's language_servers, VS Code's chat.mcp.*): only an unread key whose
  // entries look like MCP server definitions is worth a warning.
  for (const [k, v] of root) {
    const items = v instanceof Map ? [...v.values()] : Array.isArray(v) ? v : [];
    if (!used.has(k) && /mcp|server/i.test(k) && items.some((x) => looksLikeServer(x) || looksLikeOpenCodeServer(x))) {
      ctx.warnings.push(`${formatConfigPath([k])}: looks like a list of servers but is not a format this import reads; ignored`);
    }
  }
  return out;
}

/** The whole document is one server definition (install-guide snippet) or a bare map of them. */
function singleServer(root: JsonObject, opts: ShapeOptions, ctx: ReadContext): Section | { ok: false; errors: ErrorDetail[] } | null {
  if (looksLikeServer(root) || looksLikeOpenCodeServer(root)) {
    const given = opts.server ?? (typeof root.get("name") === "string" ? (root.get("name") as string) : undefined);
    if (given === undefined) {
      return fail("server", "the config is a single server definition without a name: give its name with ?server=<name> (the name it has in your client)");
    }
    const opencode = looksLikeOpenCodeServer(root) && !looksLikeServer(root);
    return {
      format: opencode ? "opencode" : "snippet",
      path: [],
      found: new Map([[given, root]]),
      entries: [[given, root]],
      read: (name, value) => (opencode ? readOpenCodeServer(name, value, [name], ctx) : readMapServer(name, value, [name], "snippet", ctx)),
    };
  }
  const values = [...root.values()];
  if (root.size > 0 && values.every((v) => looksLikeServer(v) || looksLikeOpenCodeServer(v))) {
    // OpenCode's project `.agents/mcp.json` is such a map of `type: local|remote` entries.
    const opencode = values.every(looksLikeOpenCodeServer);
    ctx.warnings.push(`no wrapper key: the top-level object is read as a map of server definitions${opencode ? " (OpenCode .agents/mcp.json)" : ""}`);
    return {
      format: opencode ? "opencode" : "server-map",
      path: [],
      found: root,
      entries: [...root],
      read: (name, value, path) => (opencode ? readOpenCodeServer(name, value, path, ctx) : readMapServer(name, value, path, "server-map", ctx)),
    };
  }
  return null;
}

function lookup(root: JsonObject, path: Segment[]): JsonValue | undefined {
  let v: JsonValue | undefined = root;
  for (const s of path) v = v instanceof Map ? v.get(String(s)) : undefined;
  return v;
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

function fail(path: string, message: string): { ok: false; errors: ErrorDetail[] } {
  return { ok: false, errors: [{ path, message }] };
}
