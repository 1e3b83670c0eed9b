import { OWNER_ROLES, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { importModeSchema, SOURCE_NAME_RE, type GraphDocument, type GraphEdgeRecord, type GraphNodeRecord, type ImportMode } from "@/lib/ingest/graph-document";
import { mapEdgeKind, mapNodeKinds } from "./kinds";
import { checkDocument, type ConversionResult, ErrorList, isRecord, own, plural, safeEntries, WarningList } from "@/lib/ingest/convert-util";

/**
 * BloodHound OpenGraph JSON → Attest graph document. Pure: no database, no
 * clock, never throws on bad input. Kind mapping lives in ./kinds.ts.
 */
export interface OpenGraphOptions {
  source: string;
  mode?: ImportMode;
}

interface BhNode {
  externalId: string;
  kind: NodeKind;
  name: string;
  kinds: string[];
  decidedBy: string;
  props: Map<string, unknown>;
}

interface BhEdge {
  kind: EdgeKind;
  from: BhNode;
  to: BhNode;
  bhKinds: string[];
  reversed: boolean;
  props: Map<string, unknown>;
}

interface EndRef {
  value: string;
  matchBy: "id" | "name";
  kind?: string;
}

const MAX_EXTERNAL_ID = 512;
const MAX_NAME = 1000;

/** A string or finite number, trimmed; ids in OpenGraph are strings but numeric ids are common in hand-made files. */
function idText(v: unknown): string | undefined {
  if (typeof v === "string") return v.trim() || undefined;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Display name: properties.name, displayname, objectid, then the node id (PRODUCT: every node needs a name). */
function nodeName(props: Map<string, unknown>, id: string): string {
  for (const key of ["name", "displayname", "displayName", "objectid"]) {
    const t = idText(props.get(key));
    if (t) return t.slice(0, MAX_NAME);
  }
  return id.slice(0, MAX_NAME);
}

function readProps(raw: unknown, path: string, errors: ErrorList, warnings: WarningList): Map<string, unknown> | null {
  if (raw === undefined || raw === null) return new Map();
  if (!isRecord(raw)) {
    errors.add(path, "properties must be an object");
    return null;
  }
  const { map, dropped } = safeEntries(raw);
  for (const key of dropped) warnings.add(`unsafe:${path}.${key}`, () => `${path}.${key}: property dropped (the name "${key}" is reserved)`);
  return map;
}

function readNodes(rawNodes: unknown[], errors: ErrorList, warnings: WarningList, merged: { nodes: number }): Map<string, BhNode> {
  const byId = new Map<string, BhNode>();
  rawNodes.forEach((raw, i) => {
    const path = `graph.nodes[${i}]`;
    if (!isRecord(raw)) return errors.add(path, "each node must be an object with id, kinds and properties");
    const before = errors.count;
    const id = idText(own(raw, "id"));
    if (id === undefined) errors.add(`${path}.id`, "id is required (a non-empty string)");
    else if (id.length > MAX_EXTERNAL_ID) errors.add(`${path}.id`, `id is longer than ${MAX_EXTERNAL_ID} characters`);
    const kinds = own(raw, "kinds");
    if (!Array.isArray(kinds) || kinds.length === 0) errors.add(`${path}.kinds`, "kinds must be a non-empty array of strings");
    else {
      kinds.forEach((k, j) => {
        if (typeof k !== "string" || !k.trim()) errors.add(`${path}.kinds[${j}]`, "each kind must be a non-empty string");
      });
    }
    const props = readProps(own(raw, "properties"), `${path}.properties`, errors, warnings);
    if (errors.count > before || id === undefined || props === null) return;
    const kindList = (kinds as string[]).map((k) => k.trim());
    const name = nodeName(props, id);
    const decision = mapNodeKinds(kindList, props, name);
    if (decision.unknown) {
      const label = kindList.join(", ");
      warnings.add(`unknown:${label}`, (n) => `${plural(n, "node")} with kinds ${label} match no known kind; mapped to resource (first: ${path})`);
    }
    const existing = byId.get(id);
    if (!existing) {
      byId.set(id, { externalId: id, kind: decision.kind, name, kinds: kindList, decidedBy: decision.decidedBy, props });
      return;
    }
    // OpenGraph ids are meant to be unique; when a collector repeats one, keep one node and union what it says.
    merged.nodes += 1;
    for (const k of kindList) if (!existing.kinds.includes(k)) existing.kinds.push(k);
    for (const [k, v] of props) if (!existing.props.has(k)) existing.props.set(k, v);
    const note = decision.kind === existing.kind ? "" : ` (this occurrence would map to ${decision.kind}; kept ${existing.kind})`;
    warnings.add(`dup:${id}`, (n) => `graph.nodes: id "${id}" appears ${n + 1} times; merged into one ${existing.kind} node, earlier properties win${note}`);
  });
  return byId;
}

function readEnd(raw: unknown, path: string, errors: ErrorList): EndRef | null {
  if (!isRecord(raw)) {
    errors.add(path, "must be an object with a value");
    return null;
  }
  const value = idText(own(raw, "value"));
  const matchBy = own(raw, "match_by") ?? "id";
  const kind = own(raw, "kind");
  const before = errors.count;
  if (value === undefined) errors.add(`${path}.value`, "value is required (the id or name of a node)");
  if (matchBy !== "id" && matchBy !== "name") errors.add(`${path}.match_by`, 'match_by must be "id" or "name"');
  if (kind !== undefined && typeof kind !== "string") errors.add(`${path}.kind`, "kind must be a string");
  if (errors.count > before || value === undefined) return null;
  return { value, matchBy: matchBy === "name" ? "name" : "id", kind: typeof kind === "string" ? kind : undefined };
}

/** Name lookups for `match_by: "name"`: exact first, then case-insensitive (AD names are upper-cased by collectors). */
function nameIndex(nodes: Iterable<BhNode>) {
  const exact = new Map<string, BhNode[]>();
  const folded = new Map<string, BhNode[]>();
  const push = (m: Map<string, BhNode[]>, k: string, n: BhNode) => m.set(k, [...(m.get(k) ?? []), n]);
  for (const n of nodes) {
    const raw = idText(n.props.get("name"));
    if (!raw) continue;
    push(exact, raw, n);
    push(folded, raw.toLowerCase(), n);
  }
  return { exact, folded };
}

type Resolved = { node: BhNode } | { problem: string };

function resolveEnd(ref: EndRef, byId: Map<string, BhNode>, names: ReturnType<typeof nameIndex>): Resolved {
  const fits = (n: BhNode) => ref.kind === undefined || n.kinds.includes(ref.kind);
  if (ref.matchBy === "id") {
    const n = byId.get(ref.value);
    return n && fits(n) ? { node: n } : { problem: `no node has id "${ref.value}"${ref.kind ? ` and kind ${ref.kind}` : ""}` };
  }
  const candidates = (names.exact.get(ref.value) ?? names.folded.get(ref.value.toLowerCase()) ?? []).filter(fits);
  if (candidates.length === 1) return { node: candidates[0]! };
  return { problem: candidates.length === 0 ? `no node is named "${ref.value}"` : `${candidates.length} nodes are named "${ref.value}"` };
}

function readEdges(
  rawEdges: unknown[],
  byId: Map<string, BhNode>,
  errors: ErrorList,
  warnings: WarningList,
  counts: { skipped: number; merged: number },
): BhEdge[] {
  const names = nameIndex(byId.values());
  const out = new Map<string, BhEdge>();
  rawEdges.forEach((raw, i) => {
    const path = `graph.edges[${i}]`;
    if (!isRecord(raw)) return errors.add(path, "each edge must be an object with start, end and kind");
    const before = errors.count;
    const bhKind = own(raw, "kind");
    if (typeof bhKind !== "string" || !bhKind.trim()) errors.add(`${path}.kind`, "kind is required (a non-empty string)");
    const start = readEnd(own(raw, "start"), `${path}.start`, errors);
    const end = readEnd(own(raw, "end"), `${path}.end`, errors);
    const props = readProps(own(raw, "properties"), `${path}.properties`, errors, warnings);
    if (errors.count > before || !start || !end || !props || typeof bhKind !== "string") return;
    const kind = bhKind.trim();
    const s = resolveEnd(start, byId, names);
    const e = resolveEnd(end, byId, names);
    if ("problem" in s || "problem" in e) {
      counts.skipped += 1;
      const [side, why] = "problem" in s ? ["start", s.problem] : ["end", (e as { problem: string }).problem];
      return warnings.add("dangling", (n) => `skipped ${plural(n, "edge")} whose start or end is not a node in this file (first: ${path}.${side}: ${why})`);
    }
    const decision = mapEdgeKind(kind, s.node.kind, e.node.kind);
    if (!decision) {
      counts.skipped += 1;
      const ends = `${s.node.decidedBy} (${s.node.kind}) to ${e.node.decidedBy} (${e.node.kind})`;
      return warnings.add(
        `nofit:${kind}:${ends}`,
        (n) => `skipped ${plural(n, `${kind} edge`)} from ${ends}: no Attest edge joins a ${s.node.kind} to a ${e.node.kind}`,
      );
    }
    const [from, to] = decision.reversed ? [e.node, s.node] : [s.node, e.node];
    if (from === to) {
      counts.skipped += 1;
      return warnings.add(`self:${kind}`, (n) => `skipped ${plural(n, `${kind} edge`)} from a node to itself (first: ${path})`);
    }
    const key = [decision.kind, from.kind, from.externalId, to.kind, to.externalId].join("\u0000");
    const existing = out.get(key);
    if (!existing) {
      out.set(key, { kind: decision.kind, from, to, bhKinds: [kind], reversed: decision.reversed, props });
      return;
    }
    // Several BloodHound edges (Read, Write, ... on one object) become one Attest edge; keep every kind.
    counts.merged += 1;
    if (!existing.bhKinds.includes(kind)) existing.bhKinds.push(kind);
    for (const [k, v] of props) if (!existing.props.has(k)) existing.props.set(k, v);
    warnings.add(
      "dup-edge",
      (n) => `merged ${plural(n, "edge")} into an earlier edge with the same Attest kind and ends; their BloodHound kinds are listed in bloodhoundEdgeKinds`,
    );
  });
  return [...out.values()];
}

function toNode(n: BhNode): GraphNodeRecord {
  // Object.fromEntries defines own properties, so even odd keys cannot reach a prototype.
  const attributes = Object.fromEntries([...n.props, ["bloodhoundKinds", n.kinds]]);
  return { kind: n.kind, externalId: n.externalId, name: n.name, attributes };
}

function toEdge(e: BhEdge): GraphEdgeRecord {
  const extra: [string, unknown][] = [
    ["bloodhoundEdgeKind", e.bhKinds[0]],
    ["bloodhoundEdgeKinds", e.bhKinds],
  ];
  if (e.reversed) extra.push(["bloodhoundReversed", true]);
  if (e.kind === "owns") {
    // Object ownership in a directory is a technical ownership unless the file says otherwise.
    const role = e.props.get("role");
    extra.push(["role", (OWNER_ROLES as readonly unknown[]).includes(role) ? role : "technical"]);
  }
  return {
    kind: e.kind,
    from: { kind: e.from.kind, externalId: e.from.externalId },
    to: { kind: e.to.kind, externalId: e.to.externalId },
    attributes: Object.fromEntries([...e.props, ...extra]),
  };
}

export type { ConversionResult };

export function convertOpenGraph(input: unknown, opts: OpenGraphOptions): ConversionResult {
  const errors = new ErrorList();
  const warnings = new WarningList();
  // typeof first: RegExp.test would turn undefined into the string "undefined", which matches.
  if (typeof opts?.source !== "string" || !SOURCE_NAME_RE.test(opts.source))
    errors.add("source", "source must be 1-100 letters, digits, dot, dash or underscore");
  const mode = importModeSchema.safeParse(opts?.mode ?? "incremental");
  if (!mode.success) errors.add("mode", "mode must be full or incremental");
  if (!isRecord(input)) {
    errors.add("(root)", "a BloodHound OpenGraph file must be a JSON object with a graph");
    return { ok: false, errors: errors.items };
  }
  const graph = own(input, "graph");
  if (!isRecord(graph)) {
    errors.add("graph", graph === undefined ? "graph is required (an object with nodes and edges)" : "graph must be an object with nodes and edges");
    return { ok: false, errors: errors.items };
  }
  const rawNodes = own(graph, "nodes");
  const rawEdges = own(graph, "edges") ?? [];
  if (!Array.isArray(rawNodes)) errors.add("graph.nodes", "nodes must be an array");
  if (!Array.isArray(rawEdges)) errors.add("graph.edges", "edges must be an array");
  const merged = { nodes: 0, edges: 0 };
  const byId = readNodes(Array.isArray(rawNodes) ? rawNodes : [], errors, warnings, merged);
  const counts = { skipped: 0, merged: 0 };
  const edges = readEdges(Array.isArray(rawEdges) ? rawEdges : [], byId, errors, warnings, counts);
  if (errors.count > 0 || !mode.success) return { ok: false, errors: errors.items };
  merged.edges = counts.merged;
  const document: GraphDocument = { source: opts.source, mode: mode.data, nodes: [...byId.values()].map(toNode), edges: edges.map(toEdge) };
  const invalid = checkDocument(document);
  if (invalid.length > 0) return { ok: false, errors: invalid };
  return { ok: true, document, warnings: warnings.list(), skipped: { nodes: 0, edges: counts.skipped }, merged };
}
