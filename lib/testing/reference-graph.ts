import fc from "fast-check";
import { ACCESS_EDGE_KINDS, EDGE_KINDS, EDGE_RULES, NODE_KINDS, PRINCIPAL_KINDS, type EdgeKind, type NodeKind } from "@/lib/graph/model";

/**
 * Random graphs and a deliberately simple reference BFS for the path engine's
 * property tests (lib/graph/traverse.property.test.ts and its .db.test.ts).
 * Times are whole days from an epoch; a period [from, to) holds at t when
 * from <= t and (to is null or t < to); "now" (asOf undefined) is every row
 * whose period is open (to is null), as the database reads it.
 */
export interface Period {
  from: number;
  to: number | null;
}
export interface RefEdge extends Period {
  from_: number;
  to_: number;
  kind: EdgeKind;
  /** Which of two sources asserts it: the same fact from two sources is two parallel rows. */
  source: 0 | 1;
}
export interface RefGraph {
  kinds: NodeKind[];
  nodePeriods: Period[];
  edges: RefEdge[];
}

export const holds = (p: Period, asOf: number | undefined) => (asOf === undefined ? p.to === null : p.from <= asOf && (p.to === null || asOf < p.to));

const periodArb: fc.Arbitrary<Period> = fc
  .tuple(fc.integer({ min: 0, max: 10 }), fc.option(fc.integer({ min: 0, max: 6 }), { freq: 2 }))
  .map(([from, len]) => ({ from, to: len === null ? null : from + len }));

export interface GraphOptions {
  maxNodes: number;
  maxEdges: number;
  selfLoops: boolean;
}

/** A random graph: any node kinds, any edge kinds (governance included), cycles, parallel edges, optionally self-loops. */
export function graphArb(o: GraphOptions): fc.Arbitrary<RefGraph> {
  return fc.integer({ min: 1, max: o.maxNodes }).chain((n) =>
    fc
      .record({
        kinds: fc.array(fc.constantFrom(...NODE_KINDS), { minLength: n, maxLength: n }),
        // Nodes are mostly always there; some come and go.
        nodePeriods: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant<Period>({ from: 0, to: null }) }, { weight: 1, arbitrary: periodArb }), {
          minLength: n,
          maxLength: n,
        }),
        edges: fc.array(
          fc.record({
            from_: fc.nat(n - 1),
            to_: fc.nat(n - 1),
            kind: fc.constantFrom(...EDGE_KINDS),
            period: periodArb,
            source: fc.constantFrom<0 | 1>(0, 1),
          }),
          { maxLength: o.maxEdges },
        ),
        // Half the graphs also get a long chain of access edges through every node (random edges alone are rarely deep).
        chain: fc.option(fc.array(fc.constantFrom(...ACCESS_EDGE_KINDS), { minLength: n - 1, maxLength: n - 1 })),
      })
      .map(({ kinds, nodePeriods, edges, chain }) => ({
        kinds,
        nodePeriods,
        edges: [
          ...edges.filter((e) => o.selfLoops || e.from_ !== e.to_).map((e) => ({ from_: e.from_, to_: e.to_, kind: e.kind, source: e.source, ...e.period })),
          ...(chain ?? []).map((kind, i) => ({ from_: i, to_: i + 1, kind, source: 0 as const, from: 0, to: null })),
        ],
      })),
  );
}

/** The edges the engine may use at asOf: access kinds, the edge's period and both ends' periods holding. */
export function usableEdges(g: RefGraph, asOf: number | undefined): RefEdge[] {
  return g.edges.filter((e) => EDGE_RULES[e.kind].access && holds(e, asOf) && holds(g.nodePeriods[e.from_]!, asOf) && holds(g.nodePeriods[e.to_]!, asOf));
}

/** Plain BFS over an edge list: node → minimum depth (start excluded), at most maxDepth edges. */
export function referenceBfs(edges: readonly RefEdge[], start: number, direction: "out" | "in", maxDepth: number): Map<number, number> {
  const adj = new Map<number, number[]>();
  for (const e of edges) {
    const [a, b] = direction === "out" ? [e.from_, e.to_] : [e.to_, e.from_];
    adj.set(a, [...(adj.get(a) ?? []), b]);
  }
  const depth = new Map<number, number>([[start, 0]]);
  const queue = [start];
  while (queue.length > 0) {
    const u = queue.shift()!;
    const d = depth.get(u)!;
    if (d === maxDepth) continue;
    for (const v of adj.get(u) ?? []) {
      if (depth.has(v)) continue;
      depth.set(v, d + 1);
      queue.push(v);
    }
  }
  depth.delete(start);
  return depth;
}

const PRINCIPALS = new Set<NodeKind>(PRINCIPAL_KINDS);
export const isPrincipal = (k: NodeKind) => PRINCIPALS.has(k);

/** Every simple path from → to of at most maxDepth edges, as "n0 -kind-> n1 …" strings (parallel edges of one kind are one path). */
export function allSimplePaths(edges: readonly RefEdge[], from: number, to: number, maxDepth: number): { key: string; length: number }[] {
  const out = new Map<number, { to: number; kind: EdgeKind }[]>();
  for (const e of edges) out.set(e.from_, [...(out.get(e.from_) ?? []), { to: e.to_, kind: e.kind }]);
  const found = new Map<string, number>();
  const walk = (u: number, visited: Set<number>, key: string, length: number) => {
    if (u === to && length > 0) {
      found.set(key, length);
      return;
    }
    if (length === maxDepth) return;
    for (const { to: v, kind } of out.get(u) ?? []) {
      if (visited.has(v)) continue;
      visited.add(v);
      walk(v, visited, `${key} -${kind}-> ${v}`, length + 1);
      visited.delete(v);
    }
  };
  if (from !== to) walk(from, new Set([from]), String(from), 0);
  return [...found].map(([key, length]) => ({ key, length }));
}
