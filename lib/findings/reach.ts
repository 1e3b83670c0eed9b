import { EDGE_BY_CODE, type AccessIndex } from "@/lib/graph/access-index";
import type { PathOut, Search } from "@/lib/graph/traverse";
import type { ToolRisk } from "@/lib/graph/tool-risk";
import { KIND, riskAtLeast, riskOfTool, type RuleContext } from "./context";

/**
 * Breadth-first search along access edges as they point, like
 * lib/graph/traverse's bfs (same Search shape, so pathTo reads its paths), but
 * reusing its arrays from one search to the next: an evaluation runs one per
 * principal, tens of thousands on large graphs, and fresh arrays the size of
 * the graph for each were most of its time (in the garbage collector). A
 * search's parents stay valid until the walker's next run. Nodes whose kind
 * code is in `avoid` are never entered: "directly", without an MCP server or
 * tool on the way.
 */
export class Walker {
  private readonly seen: Int32Array;
  private readonly parent: Int32Array;
  private readonly parentEdge: Uint8Array;
  private run = 0;

  constructor(private readonly ix: AccessIndex) {
    const n = ix.ids.length;
    this.seen = new Int32Array(n);
    this.parent = new Int32Array(n);
    this.parentEdge = new Uint8Array(n);
  }

  walk(start: number, maxDepth: number, avoid?: ReadonlySet<number>): Search {
    const { ix, seen, parent, parentEdge } = this;
    const stamp = ++this.run;
    const reached: Search["reached"] = [];
    seen[start] = stamp;
    parent[start] = -1;
    let frontier = [start];
    for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const u of frontier) {
        for (let p = ix.fwdStart[u]!; p < ix.fwdStart[u + 1]!; p++) {
          const v = ix.fwdTo[p]!;
          if (seen[v] === stamp || (avoid && avoid.has(ix.kinds[v]!))) continue;
          seen[v] = stamp;
          parent[v] = u;
          parentEdge[v] = ix.fwdKind[p]!;
          reached.push({ node: v, depth });
          next.push(v);
        }
      }
      frontier = next;
    }
    return { reached, parent, parentEdge };
  }
}

/** Tool risk by index position, for every current tool in the index. */
export function toolRisks(ctx: RuleContext): Map<number, { risk: ToolRisk; reason: string }> {
  const out = new Map<number, { risk: ToolRisk; reason: string }>();
  const ix = ctx.snap.ix;
  for (const n of ctx.snap.nodes.values()) {
    if (n.kind !== "tool" || !n.current) continue;
    const i = ix.indexOf.get(n.id);
    if (i !== undefined) out.set(i, riskOfTool(n));
  }
  return out;
}

/** Whether a tool's risk makes it "destructive or open-world (or unannotated)" under the settings. */
export function isRisky(ctx: RuleContext, r: { risk: ToolRisk } | undefined): boolean {
  return !!r && riskAtLeast(r.risk, ctx.settings.riskyToolMinRisk);
}

/**
 * Resources reachable from MCP entry points (servers and tools), each with its
 * depth and a path, computed once per entry per evaluation. An entry reaches
 * little (a server: its tools and what they act on), so the search keeps its
 * parents in a map rather than in arrays the size of the graph.
 */
export class McpReach {
  private readonly cache = new Map<number, { resources: { node: number; depth: number }[]; parent: Map<number, { from: number; kind: number }> }>();
  constructor(
    private readonly ix: AccessIndex,
    private readonly maxDepth: number,
  ) {}

  private search(entry: number) {
    let r = this.cache.get(entry);
    if (r) return r;
    const ix = this.ix;
    const parent = new Map<number, { from: number; kind: number }>();
    const resources: { node: number; depth: number }[] = [];
    let frontier = [entry];
    for (let depth = 1; depth <= this.maxDepth && frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const u of frontier) {
        for (let p = ix.fwdStart[u]!; p < ix.fwdStart[u + 1]!; p++) {
          const v = ix.fwdTo[p]!;
          if (v === entry || parent.has(v)) continue;
          parent.set(v, { from: u, kind: ix.fwdKind[p]! });
          if (ix.kinds[v] === KIND.resource) resources.push({ node: v, depth });
          next.push(v);
        }
      }
      frontier = next;
    }
    r = { resources, parent };
    this.cache.set(entry, r);
    return r;
  }

  resources(entry: number): { node: number; depth: number }[] {
    return this.search(entry).resources;
  }

  /** The path entry → resource found by the search. */
  path(entry: number, resource: number): PathOut {
    const { parent } = this.search(entry);
    const nodes = [resource];
    const edges: PathOut["edges"] = [];
    let v = resource;
    while (v !== entry) {
      const p = parent.get(v);
      if (!p) break;
      edges.push(EDGE_BY_CODE[p.kind]!);
      nodes.push(p.from);
      v = p.from;
    }
    nodes.reverse();
    edges.reverse();
    return { nodes: nodes.map((i) => this.ix.ids[i]!), edges };
  }
}

/** Joins a path to `mid` with a path from `mid`. */
export function joinPaths(a: PathOut, b: PathOut): PathOut {
  return { nodes: [...a.nodes, ...b.nodes.slice(1)], edges: [...a.edges, ...b.edges] };
}

export const MCP_KINDS: ReadonlySet<number> = new Set([KIND.mcp_server, KIND.tool]);
