/**
 * What every format reader shares: the normalised server record (RawServer),
 * paths for messages, and an `Entry` that reads one server definition's keys,
 * records type errors with their path, and warns about keys it did not read.
 * Messages name paths and keys, never values (values may be secrets).
 */
import type { ErrorDetail } from "@/lib/errors";
import type { JsonObject, JsonValue } from "../jsonc";

/** Which client's format a server was read from (`configFormat` on the node). */
export type ConfigFormat =
  | "mcpServers"
  | "claude-desktop"
  | "claude-code"
  | "cursor"
  | "windsurf"
  | "gemini-cli"
  | "vscode"
  | "vscode-settings"
  | "zed"
  | "opencode"
  | "codex"
  | "continue"
  | "continue-json"
  | "snippet"
  | "server-map";

export const FORMAT_LABELS: Record<ConfigFormat, string> = {
  mcpServers: "mcpServers (Claude Desktop, Cursor or a compatible client)",
  "claude-desktop": "Claude Desktop",
  "claude-code": "Claude Code .mcp.json",
  cursor: "Cursor mcp.json",
  windsurf: "Windsurf mcp_config.json",
  "gemini-cli": "Gemini CLI settings.json",
  vscode: "VS Code mcp.json",
  "vscode-settings": "VS Code settings.json",
  zed: "Zed settings.json (context_servers)",
  opencode: "OpenCode opencode.json (mcp)",
  codex: "Codex config.toml (mcp_servers)",
  continue: "Continue config.yaml (mcpServers)",
  "continue-json": "Continue config.json (experimental.modelContextProtocolServers)",
  snippet: "a single server definition",
  "server-map": "a bare map of server definitions",
};

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
  /** The format it was read from; absent for records built by hand. */
  format?: ConfigFormat;
}

export const MAX_NAME_LENGTH = 256;
export const MAX_KEY_LENGTH = 200;

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

export const quoteKey = (k: string) => JSON.stringify(k.slice(0, 60));

/** Errors stop the import; warnings travel with the answer. */
export interface ReadContext {
  errors: ErrorDetail[];
  warnings: string[];
}

const TRANSPORTS: Record<string, Transport> = {
  stdio: "stdio",
  local: "stdio",
  http: "http",
  remote: "http",
  "streamable-http": "http",
  streamable_http: "http",
  streamablehttp: "http",
  sse: "sse",
};

/** One server definition being read: typed getters that record errors, and a list of the keys used. */
export class Entry {
  private readonly used = new Set<string>();
  private readonly start: number;

  constructor(
    readonly name: string,
    readonly value: JsonObject,
    readonly path: Segment[],
    readonly ctx: ReadContext,
  ) {
    this.start = ctx.errors.length;
    const at = formatConfigPath(path);
    if (name.trim() === "") this.err(at, "server name is empty");
    if (name.length > MAX_NAME_LENGTH) this.err(at, `server name is longer than ${MAX_NAME_LENGTH} characters`);
    if (name === "__proto__") this.err(at, "the server name __proto__ is not accepted");
  }

  get at(): string {
    return formatConfigPath(this.path);
  }
  get label(): string {
    return `server "${this.name.slice(0, 60)}"`;
  }
  get failed(): boolean {
    return this.ctx.errors.length > this.start;
  }

  err(where: string, message: string): void {
    this.ctx.errors.push({ path: where, message });
  }
  warn(message: string): void {
    this.ctx.warnings.push(`${this.at}: ${message}`);
  }
  pathOf(...keys: Segment[]): string {
    return formatConfigPath([...this.path, ...keys]);
  }

  raw(key: string): JsonValue | undefined {
    this.used.add(key);
    return this.value.get(key);
  }
  has(key: string): boolean {
    return this.value.has(key);
  }

  /** A non-empty string, or null; anything else but null is an error. */
  str(key: string): string | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") this.err(this.pathOf(key), `must be a string, found ${describeJson(v)}`);
    return typeof v === "string" && v.trim() !== "" ? v : null;
  }

  bool(key: string): boolean | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    if (typeof v !== "boolean") this.err(this.pathOf(key), `must be true or false, found ${describeJson(v)}`);
    return typeof v === "boolean" ? v : null;
  }

  /** Arguments: strings (numbers and booleans are taken as their text). */
  list(key: string | Segment[], v: JsonValue | undefined = this.raw(String(key))): string[] {
    const at = Array.isArray(key) ? key : [key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.err(this.pathOf(...at), `must be an array of strings, found ${describeJson(v)}`);
      return [];
    }
    return v.flatMap((a, i) => {
      if (typeof a === "string" || typeof a === "number" || typeof a === "boolean") return [String(a)];
      this.err(this.pathOf(...at, i), `must be a string, found ${describeJson(a)}`);
      return [];
    });
  }

  /** An object of names to strings (env, headers). */
  map(key: string | Segment[], v: JsonValue | undefined = this.raw(String(key))): [string, string][] {
    const at = Array.isArray(key) ? key : [key];
    if (v === undefined || v === null) return [];
    if (!(v instanceof Map)) {
      this.err(this.pathOf(...at), `must be an object of names to strings, found ${describeJson(v)}`);
      return [];
    }
    const out: [string, string][] = [];
    for (const [k, val] of v) {
      if (k.length > MAX_KEY_LENGTH) this.err(this.pathOf(...at), `a name is longer than ${MAX_KEY_LENGTH} characters`);
      else if (typeof val === "string" || typeof val === "number" || typeof val === "boolean") out.push([k, String(val)]);
      else if (val !== null) this.err(this.pathOf(...at, k), `must be a string, found ${describeJson(val)}`);
    }
    return out;
  }

  /** Keys the reader neither used nor lists as known-but-irrelevant (timeouts, tool filters) are warned about. */
  warnUnknownKeys(known: ReadonlySet<string>, formatLabel: string): void {
    const unknown = [...this.value.keys()].filter((k) => !this.used.has(k) && !known.has(k));
    if (unknown.length) {
      this.warn(`unknown key${unknown.length > 1 ? "s" : ""} ${unknown.slice(0, 10).map(quoteKey).join(", ")} ignored (not part of ${formatLabel})`);
    }
  }

  /**
   * The transport: the declared one when known; otherwise from the command or
   * URL, with a warning naming the unknown value.
   */
  transport(declared: string | null, declaredKey: string, command: string | null, url: string | null): Transport {
    const inferred: Transport = command ? "stdio" : url && /\/sse\/?(?:\?|#|$)/.test(url) ? "sse" : "http";
    if (declared === null) return inferred;
    const t = TRANSPORTS[declared.toLowerCase()];
    if (t) return t;
    this.warn(`unknown transport ${quoteKey(declared)} in ${declaredKey}: read as ${inferred} from its ${command ? "command" : "url"}`);
    return inferred;
  }

  /** The record, or null when any error was found in this entry (every problem is listed, nothing partly read). */
  finish(fields: Omit<RawServer, "name" | "path" | "transport"> & { declared: string | null; declaredKey?: string }, format: ConfigFormat): RawServer | null {
    const { declared, declaredKey = "type", ...rest } = fields;
    if (!rest.command && !rest.url) {
      this.err(this.at, `${this.label} has neither "command" (stdio) nor "url" (http, sse)`);
      return null;
    }
    const transport = this.transport(declared, declaredKey, rest.command, rest.url);
    if (transport === "stdio" && !rest.command) this.err(this.at, `${this.label} has type stdio but no "command"`);
    else if (transport !== "stdio" && !rest.url) this.err(this.at, `${this.label} has type ${transport} but no "url"`);
    if (this.failed) return null;
    if (rest.disabled) this.warn("is disabled in the client; imported with disabled: true");
    return { name: this.name, path: this.path, transport, ...rest, format };
  }
}

/** OpenCode's `{env:NAME}` written as the `${env:NAME}` reference syntax the credential scan knows (env and header values are never stored). */
export function normaliseEnvReference(value: string): string {
  return value.replace(/(?<!\$)\{env:([A-Za-z_][A-Za-z0-9_]{0,200})\}/g, "$${env:$1}");
}
