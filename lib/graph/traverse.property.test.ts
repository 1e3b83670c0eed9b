import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allSimplePaths, graphArb, holds, isPrincipal, referenceBfs, usableEdges, type RefGraph } from "@/lib/testing/reference-graph";
import { buildAccessIndex, type AccessIndex } from "./access-index";
import { EDGE_RULES, type EdgeKind } from "./model";
import { kShortestPaths, pathTo, reachableFrom, whoCanReach } from "./traverse";

/**
 * The path engine against a deliberately simple BFS over the raw edge list, on
 * random graphs with cycles, self-loops, parallel edges (two sources, several
 * kinds), governance edges that must be ignored, and validity periods. The
 * index is built from what the database would hand it at asOf (the rows whose
 * period holds: lib/graph/access-cache.ts), node ids "n<i>".
 */
const id = (i: number) => `n${i}`;
const num = (s: string) => Number(s.slice(1));

function indexAt(g: RefGraph, asOf: number | undefined): AccessIndex {
  const nodes = g.kinds.map((kind, i) => ({ id: id(i), kind })).filter((_, i) => holds(g.nodePeriods[i]!, asOf));
  // Every row whose period holds, governance edges included: the index itself must leave those out.
  const edges = g.edges.filter((e) => holds(e, asOf)).map((e) => ({ fromId: id(e.from_), toId: id(e.to_), kind: e.kind }));
  return buildAccessIndex(nodes, edges);
}

const asOfArb = fc.option(fc.integer({ min: 0, max: 12 }), { freq: 4 }).map((x) => x ?? undefined);
const caseArb = fc.record({
  g: graphArb({ maxNodes: 9, maxEdges: 28, selfLoops: true }),
  asOf: asOfArb,
  start: fc.nat(8),
  other: fc.nat(8),
  maxDepth: fc.integer({ min: 1, max: 6 }),
});

const RUNS = { numRuns: 400 };

/** Whether a path (node ids, edge kinds) follows usable edges, forward, one per step. */
function followsUsableEdges(path: { nodes: string[]; edges: EdgeKind[] }, usable: ReturnType<typeof usableEdges>): boolean {
  if (path.nodes.length !== path.edges.length + 1) return false;
  return path.edges.every((kind, i) => usable.some((e) => e.kind === kind && e.from_ === num(path.nodes[i]!) && e.to_ === num(path.nodes[i + 1]!)));
}

describe("the path engine equals a plain BFS on random graphs", () => {
  it("reachableFrom: the same nodes at the same minimum depths, each with a valid shortest path", () => {
    fc.assert(
      fc.property(caseArb, ({ g, asOf, start, maxDepth }) => {
        const s = start % g.kinds.length;
        fc.pre(holds(g.nodePeriods[s]!, asOf));
        const ix = indexAt(g, asOf);
        const usable = usableEdges(g, asOf);
        const want = referenceBfs(usable, s, "out", maxDepth);
        const r = reachableFrom(ix, ix.indexOf.get(id(s))!, maxDepth);
        const got = new Map(r.reached.map((x) => [num(ix.ids[x.node]!), x.depth]));
        expect(got).toEqual(want);
        expect(r.reached).toHaveLength(got.size);
        for (const x of r.reached) {
          const p = pathTo(ix, r.search, x.node, "out");
          expect(p.edges).toHaveLength(x.depth);
          expect(p.nodes[0]).toBe(id(s));
          expect(p.nodes.at(-1)).toBe(ix.ids[x.node]);
          expect(followsUsableEdges(p, usable), JSON.stringify(p)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("whoCanReach: exactly the principals with a path, at their minimum depth, each with a valid shortest path into the target", () => {
    fc.assert(
      fc.property(caseArb, ({ g, asOf, start, maxDepth }) => {
        const target = start % g.kinds.length;
        fc.pre(holds(g.nodePeriods[target]!, asOf));
        const ix = indexAt(g, asOf);
        const usable = usableEdges(g, asOf);
        const want = new Map([...referenceBfs(usable, target, "in", maxDepth)].filter(([n]) => isPrincipal(g.kinds[n]!)));
        const r = whoCanReach(ix, ix.indexOf.get(id(target))!, maxDepth);
        const got = new Map(r.reached.map((x) => [num(ix.ids[x.node]!), x.depth]));
        expect(got).toEqual(want);
        for (const x of r.reached) {
          const p = pathTo(ix, r.search, x.node, "in");
          expect(p.edges).toHaveLength(x.depth);
          expect(p.nodes[0]).toBe(ix.ids[x.node]);
          expect(p.nodes.at(-1)).toBe(id(target));
          expect(followsUsableEdges(p, usable), JSON.stringify(p)).toBe(true);
        }
        // Only principals, and a kind filter keeps only that kind.
        expect(r.reached.every((x) => isPrincipal(g.kinds[num(ix.ids[x.node]!)]!))).toBe(true);
        const agents = whoCanReach(ix, ix.indexOf.get(id(target))!, maxDepth, "agent").reached.map((x) => num(ix.ids[x.node]!));
        expect(new Set(agents)).toEqual(new Set([...want.keys()].filter((n) => g.kinds[n] === "agent")));
      }),
      RUNS,
    );
  });

  it("kShortestPaths: distinct simple valid paths, shortest first, the first as long as the BFS distance, the k shortest of all simple paths", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 6 }), ({ g, asOf, start, other, maxDepth }, k) => {
        const n = g.kinds.length;
        const [a, b] = [start % n, other % n];
        fc.pre(holds(g.nodePeriods[a]!, asOf) && holds(g.nodePeriods[b]!, asOf));
        const ix = indexAt(g, asOf);
        const usable = usableEdges(g, asOf);
        const r = kShortestPaths(ix, ix.indexOf.get(id(a))!, ix.indexOf.get(id(b))!, k, maxDepth);
        expect(r.truncated).toBe(false);
        const lengths = r.paths.map((p) => p.edges.length);
        expect(lengths).toEqual([...lengths].sort((x, y) => x - y));
        const keys = r.paths.map((p) => p.nodes.map((x, i) => (i === 0 ? String(num(x)) : `-${p.edges[i - 1]}-> ${num(x)}`)).join(" "));
        expect(new Set(keys).size, keys.join("\n")).toBe(keys.length);
        for (const p of r.paths) {
          expect(new Set(p.nodes).size).toBe(p.nodes.length);
          expect(p.nodes[0]).toBe(id(a));
          expect(p.nodes.at(-1)).toBe(id(b));
          expect(followsUsableEdges(p, usable)).toBe(true);
        }
        const distance = referenceBfs(usable, a, "out", maxDepth).get(b);
        if (a === b || distance === undefined) expect(r.paths).toEqual([]);
        else expect(lengths[0]).toBe(distance);
        const all = allSimplePaths(usable, a, b, maxDepth)
          .map((p) => p.length)
          .sort((x, y) => x - y);
        expect(lengths).toEqual(all.slice(0, k));
      }),
      RUNS,
    );
  });

  it("ignores governance edges even when they are the only way through", () => {
    const g: RefGraph = {
      kinds: ["human", "agent", "tool"],
      nodePeriods: [
        { from: 0, to: null },
        { from: 0, to: null },
        { from: 0, to: null },
      ],
      edges: [
        { from_: 0, to_: 1, kind: "owns", source: 0, from: 0, to: null },
        { from_: 1, to_: 2, kind: "manages" as EdgeKind, source: 0, from: 0, to: null },
      ],
    };
    expect(EDGE_RULES.owns.access || EDGE_RULES.manages.access).toBe(false);
    const ix = indexAt(g, undefined);
    expect(reachableFrom(ix, 0, 6).reached).toEqual([]);
    expect(whoCanReach(ix, 2, 6).reached).toEqual([]);
  });
});
