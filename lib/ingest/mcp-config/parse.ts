/**
 * MCP client configuration → Attest graph document. Pure: no database, no
 * network. Every server becomes an `mcp_server` node; every literal secret in
 * it a `hard_coded` credential (fingerprint only), every reference to a
 * password input, environment variable or vault a `prompt` / `env` / `vault`
 * credential; the server `uses_credential` each. No secret value reaches the
 * document or the warnings: args, url, env, headers, command and cwd are
 * stored as built by lib/ingest/secrets/redact-config.ts (package, version,
 * allow-listed flags, URL/path templates, env and header names with typed
 * placeholders), never as given.
 */
import { edgeKindMismatch, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import type { ErrorDetail } from "@/lib/errors";
import {
  graphEdgeSchema,
  graphNodeSchema,
  nodeRefSchema,
  SOURCE_NAME_RE,
  type GraphDocument,
  type GraphEdgeRecord,
  type GraphNodeRecord,
  type ImportMode,
  type NodeRefRecord,
} from "@/lib/ingest/graph-document";
import { scanServer, type CredentialRecord } from "./credentials";
import { FORMAT_LABELS } from "./formats/common";
import { formatConfigPath, MAX_NAME_LENGTH, readConfigShape, type ConfigFormat, type RawServer } from "./shape";
import { parseConfigText, type ConfigSyntax } from "./syntax";

export interface McpConfigOptions {
  /** The Attest source the document is for (`mcp-configs`, `laptop-ada`). */
  source: string;
  mode?: ImportMode;
  /** Where the file was found (`~/.cursor/mcp.json`); prefixes every credential location. */
  location?: string;
  /** The principal whose client reads this config: gets a `connects_to` edge to every server. */
  owner?: NodeRefRecord;
  /** The server's name when the config is a single server definition (an install-guide snippet). */
  server?: string;
  /** The uploaded file's name: like `location`, tells which client wrote a plain mcpServers map, but is not written into locations. */
  fileName?: string;
}
export interface DetectedConfig {
  syntax: ConfigSyntax;
  /** Every client format read, e.g. ["codex"] or ["vscode", "claude-code"]. */
  formats: ConfigFormat[];
  /** For people: "Codex config.toml (mcp_servers)". */
  label: string;
}
export type McpConfigResult = { ok: true; document: GraphDocument; warnings: string[]; detected: DetectedConfig } | { ok: false; errors: ErrorDetail[] };

export const MCP_CONFIG_LIMITS = { maxBytes: 5 * 1024 * 1024, maxServers: 500, maxDepth: 64 } as const;

/** Most warnings listed in one answer; one hostile file must not produce megabytes of them. */
export const MAX_WARNINGS = 200;

/**
 * Reads an MCP client config (JSON/JSONC or a pasted fragment, Codex TOML,
 * Continue YAML; see shape.ts for the clients) into a graph document.
 */
export async function parseMcpConfig(text: string, opts: McpConfigOptions): Promise<McpConfigResult> {
  const optionErrors = checkOptions(text, opts);
  if (optionErrors.length) return { ok: false, errors: optionErrors };
  const parsed = parseConfigText(text, MCP_CONFIG_LIMITS.maxDepth);
  if (!parsed.ok) return { ok: false, errors: [parsed.error] };
  const shaped = readConfigShape(parsed.value, MCP_CONFIG_LIMITS.maxServers, {
    location: opts.location ?? opts.fileName,
    server: opts.server,
    syntax: parsed.syntax,
  });
  if (!shaped.ok) return shaped;
  const { shape } = shaped;
  const warnings = [...parsed.warnings, ...shaped.warnings];
  if (shape.servers.length === 0) warnings.push("the config defines no servers");

  const doc = new DocumentBuilder();
  for (const server of shape.servers) {
    const scan = await scanServer(server, { location: opts.location, inputs: shape.inputs, inputsPath: shape.inputsPath });
    warnings.push(...scan.warnings);
    const { launch } = scan;
    doc.node("mcp_server", server.name, server.name, {
      transport: server.transport,
      command: scan.command,
      args: scan.args,
      url: scan.url,
      package: launch.package,
      packageVersion: launch.packageVersion,
      pinned: launch.pinned,
      launcher: launch.launcher,
      envKeys: server.env.map(([k]) => k),
      headerKeys: server.headers.map(([k]) => k),
      ...(server.env.length ? { env: scan.env } : {}),
      ...(server.headers.length ? { headers: scan.headers } : {}),
      configLocation: configLocation(opts.location, server),
      configFormat: server.format ?? shape.format,
      ...(scan.cwd ? { cwd: scan.cwd } : {}),
      ...(server.disabled ? { disabled: true } : {}),
    });
    for (const c of scan.credentials) addCredential(doc, server, c);
    if (opts.owner)
      doc.edge("connects_to", opts.owner, { kind: "mcp_server", externalId: server.name }, { configLocation: configLocation(opts.location, server) });
  }
  const errors = doc.validate();
  if (errors.length) return { ok: false, errors };
  const detected: DetectedConfig = { syntax: parsed.syntax, formats: shape.formats, label: shape.formats.map((f) => FORMAT_LABELS[f]).join(" + ") };
  return {
    ok: true,
    document: { source: opts.source, mode: opts.mode ?? "incremental", nodes: doc.nodes, edges: doc.edges },
    warnings: boundWarnings(warnings),
    detected,
  };
}

/** Distinct warnings, at most MAX_WARNINGS, then a count of the rest. */
function boundWarnings(all: string[]): string[] {
  const distinct = [...new Set(all)];
  return distinct.length <= MAX_WARNINGS ? distinct : [...distinct.slice(0, MAX_WARNINGS), `… and ${distinct.length - MAX_WARNINGS} more warnings`];
}

function checkOptions(text: unknown, opts: McpConfigOptions): ErrorDetail[] {
  if (typeof text !== "string") return [{ path: "(root)", message: "the config must be text" }];
  const errors: ErrorDetail[] = [];
  if (!SOURCE_NAME_RE.test(opts.source)) errors.push({ path: "source", message: "source must be 1-100 letters, digits, dot, dash or underscore" });
  if (opts.server !== undefined) {
    const problem = serverNameProblem(opts.server);
    if (problem) errors.push({ path: "server", message: problem });
  }
  // A string longer than the limit in UTF-16 units is longer in UTF-8 bytes too; skip encoding it.
  if (text.length > MCP_CONFIG_LIMITS.maxBytes || Buffer.byteLength(text, "utf8") > MCP_CONFIG_LIMITS.maxBytes) {
    errors.push({ path: "(root)", message: `the config is larger than ${MCP_CONFIG_LIMITS.maxBytes / 1024 / 1024} MB` });
  }
  if (opts.owner) {
    const ref = nodeRefSchema.safeParse(opts.owner);
    const mismatch = ref.success ? edgeKindMismatch("connects_to", ref.data.kind, "mcp_server") : null;
    if (!ref.success) errors.push({ path: "owner", message: "owner must be a node reference { kind, externalId, source? }" });
    else if (mismatch) errors.push({ path: "owner.kind", message: mismatch });
  }
  return errors;
}

/** A server name given by the caller: what a config key could hold, minus what no client would write. */
export function serverNameProblem(name: string): string | null {
  if (typeof name !== "string" || name.trim() === "") return "server must be a non-empty name";
  if (name.length > MAX_NAME_LENGTH) return `server must be at most ${MAX_NAME_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return "server must not contain control characters";
  if (name === "__proto__") return "the server name __proto__ is not accepted";
  return null;
}

function configLocation(location: string | undefined, server: RawServer): string {
  return location ? `${location} → ${formatConfigPath(server.path)}` : formatConfigPath(server.path);
}

function addCredential(doc: DocumentBuilder, server: RawServer, c: CredentialRecord): void {
  doc.node("credential", c.externalId, c.name, c.attributes);
  doc.edge("uses_credential", { kind: "mcp_server", externalId: server.name }, { kind: "credential", externalId: c.externalId });
}

/** Nodes and edges keyed by identity: a credential shared by two servers (one VS Code input) is one node, two edges. */
class DocumentBuilder {
  readonly nodes: GraphNodeRecord[] = [];
  readonly edges: GraphEdgeRecord[] = [];
  private readonly nodeKeys = new Set<string>();
  private readonly edgeKeys = new Set<string>();
  private readonly problems: ErrorDetail[] = [];

  node(kind: NodeKind, externalId: string, name: string, attributes: Record<string, unknown>): void {
    const key = JSON.stringify([kind, externalId]);
    if (this.nodeKeys.has(key)) return;
    this.nodeKeys.add(key);
    this.nodes.push({ kind, externalId, name, attributes });
  }

  edge(kind: EdgeKind, from: NodeRefRecord, to: NodeRefRecord, attributes?: Record<string, unknown>): void {
    const mismatch = edgeKindMismatch(kind, from.kind, to.kind);
    if (mismatch) {
      this.problems.push({ path: `edges[${this.edges.length}]`, message: mismatch });
      return;
    }
    const key = JSON.stringify([kind, from.kind, from.externalId, from.source, to.kind, to.externalId]);
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push({ kind, from, to, ...(attributes ? { attributes } : {}) });
  }

  /** The import engine re-validates; checking here keeps a bad config from producing a half-usable document. */
  validate(): ErrorDetail[] {
    const errors = [...this.problems];
    this.nodes.forEach((n, i) => {
      const r = graphNodeSchema.safeParse(n);
      if (!r.success)
        errors.push({ path: `nodes[${i}]`, message: `${n.kind} "${n.externalId.slice(0, 80)}": ${r.error.issues.map((x) => x.message).join("; ")}` });
    });
    this.edges.forEach((e, i) => {
      const r = graphEdgeSchema.safeParse(e);
      if (!r.success) errors.push({ path: `edges[${i}]`, message: r.error.issues.map((x) => x.message).join("; ") });
    });
    return errors;
  }
}
