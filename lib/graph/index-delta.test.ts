import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildAccessIndex, EDGE_CODE, KIND_CODE, type AccessIndex } from "./access-index";
import { applyDelta, edgesAt, idRank, isLive, mergeOverlay, slotOf, type Delta } from "./index-delta";
import { ACCESS_EDGE_KINDS, type EdgeKind, type NodeKind } from "./model";
import { bfs, kShortestPaths, MAX_DEPTH, pathTo } from "./traverse";

/**
 * The overlay against a fresh build: random graphs, random change sequences (nodes added, ended, re-added, kind and
 * source changed; edges added, ended, re-added, parallel rows from two sources), each step applied as a delta the way
 * access-cache reads it, then every node's answers in both directions compared with buildAccessIndex of the same rows.
 */

const IDS = Array.from({ length: 14 }, (_, i) => `n${i}`);
const KINDS: NodeKind[] = ["human", "group", "service_account", "entitlement", "resource", "agent", "tool"];
const EKINDS = ACCESS_EDGE_KINDS.slice(0, 4) as EdgeKind[];

type NodeRow = { kind: NodeKind; source: string; alive: boolean };
type State = { nodes: Map<string, NodeRow>; edges: Map<string, number> }; // edge key → rows asserting it (parallel sources)
const key = (f: string, t: string, k: EdgeKind) => `${f}|${t}|${k}`;

const op = fc.oneof(
  fc.record({
    t: fc.constant("node" as const),
    id: fc.constantFrom(...IDS),
    kind: fc.constantFrom(...KINDS),
    source: fc.constantFrom("a", "b", "c"),
    alive: fc.boolean(),
  }),
  fc.record({
    t: fc.constant("edge" as const),
    f: fc.constantFrom(...IDS),
    to: fc.constantFrom(...IDS),
    kind: fc.constantFrom(...EKINDS),
    delta: fc.constantFrom(1, 1, -1),
  }),
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function fresh(s: State, version: number): AccessIndex {
  const nodes = [...s.nodes].filter(([, n]) => n.alive).map(([id, n]) => ({ id, kind: n.kind, source: n.source }));
  const edges = [...s.edges]
    .filter(([, c]) => c > 0)
    .map(([k]) => {
      const [fromId, toId, kind] = k.split("|") as [string, string, EdgeKind];
      return { fromId, toId, kind };
    });
  return buildAccessIndex(nodes, edges, version);
}

/** What readDelta reads for these changes: the listed nodes' rows, the listed edges' presence, and every edge of an arriving node. */
function deltaOf(ix: AccessIndex, s: State, nodeIds: Set<string>, edgeKeys: Set<string>, version: number): Delta {
  const nodes = [...nodeIds].map((id) => {
    const n = s.nodes.get(id)!;
    return { id, kindCode: KIND_CODE.get(n.kind)!, source: n.source, alive: n.alive };
  });
  const keys = new Set(edgeKeys);
  for (const n of nodes) {
    if (!n.alive || isLive(ix, slotOf(ix, n.id) ?? ix.ids.length)) continue;
    for (const [k, c] of s.edges) if (c > 0 && (k.startsWith(`${n.id}|`) || k.split("|")[1] === n.id)) keys.add(k);
    const i = slotOf(ix, n.id);
    if (i !== undefined) for (const e of edgesAt(ix, i)) keys.add(key(ix.ids[e.from]!, ix.ids[e.to]!, ACCESS_EDGE_KINDS[e.kindCode]!));
  }
  const edges = [...keys].map((k) => {
    const [fromId, toId, kind] = k.split("|") as [string, string, EdgeKind];
    return { fromId, toId, kindCode: EDGE_CODE.get(kind)!, present: (s.edges.get(k) ?? 0) > 0 };
  });
  return { version, nodes, edges };
}

/** Every live node's reachable (id, depth) set in both directions, its kind and source, and that every path is real. */
export function answers(ix: AccessIndex): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of IDS) {
    const i = ix.indexOf.get(id);
    if (i === undefined) continue;
    const parts = [`${ix.kinds[i]}/${ix.sourceNames[ix.sources[i]!]}`];
    for (const dir of ["out", "in"] as const) {
      const s = bfs(ix, i, dir, MAX_DEPTH);
      parts.push(
        s.reached
          .map((r) => `${ix.ids[r.node]}@${r.depth}:${pathTo(ix, s, r.node, dir).nodes.join(">")}`)
          .sort()
          .join(","),
      );
    }
    out.set(id, parts.join(" "));
  }
  return out;
}

/** Paths may differ between two equal graphs (ties): compare depths, and check each path's edges exist. */
function comparable(ix: AccessIndex, edgesNow: Set<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, a] of answers(ix)) {
    const [kind, ...dirs] = a.split(" ");
    out.set(id, [kind, ...dirs.map((d) => (d ? d.split(",").map((x) => x.split(":")[0]!) : []).join(","))].join(" "));
    for (const d of dirs)
      for (const x of d ? d.split(",") : []) {
        const hops = x.split(":")[1]!.split(">");
        for (let h = 0; h + 1 < hops.length; h++)
          expect(
            [...edgesNow].some((k) => k.startsWith(`${hops[h]}|${hops[h + 1]}|`)) || [...edgesNow].some((k) => k.startsWith(`${hops[h + 1]}|${hops[h]}|`)),
          ).toBe(true);
      }
  }
  return out;
}

describe("index delta (overlay on the CSR)", () => {
  it("answers exactly like a fresh build after any sequence of changes, and after merging", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...KINDS), fc.constantFrom(true, true, true, false)), { minLength: IDS.length, maxLength: IDS.length }),
        fc.array(op, { minLength: 10, maxLength: 50 }),
        fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 }),
        (start, initial, steps) => {
          const s: State = { nodes: new Map(), edges: new Map() };
          IDS.forEach((id, j) => s.nodes.set(id, { kind: start[j]![0], source: "a", alive: start[j]![1] }));
          const apply = (o: Op, nodeIds: Set<string>, edgeKeys: Set<string>) => {
            if (o.t === "node") {
              s.nodes.set(o.id, { kind: o.kind, source: o.source, alive: o.alive });
              nodeIds.add(o.id);
            } else {
              const k = key(o.f, o.to, o.kind);
              s.edges.set(k, Math.max(0, Math.min(2, (s.edges.get(k) ?? 0) + o.delta)));
              edgeKeys.add(k);
            }
          };
          for (const o of initial) if (o.t === "edge") apply({ ...o, delta: 1 }, new Set(), new Set());
          let version = 1;
          let ix = fresh(s, version);
          idRank(ix);
          for (const step of steps) {
            const nodeIds = new Set<string>();
            const edgeKeys = new Set<string>();
            for (const o of step) apply(o, nodeIds, edgeKeys);
            ix = applyDelta(ix, deltaOf(ix, s, nodeIds, edgeKeys, ++version));
            const want = fresh(s, version);
            const live = new Set([...s.edges].filter(([, c]) => c > 0).map(([k]) => k));
            expect(comparable(ix, live)).toEqual(comparable(want, live));
            // The id order derived after the delta is the order of the live ids.
            const rank = idRank(ix);
            const liveIds = IDS.filter((id) => ix.indexOf.get(id) !== undefined);
            expect([...liveIds].sort((a, b) => rank[ix.indexOf.get(a)!]! - rank[ix.indexOf.get(b)!]!)).toEqual([...liveIds].sort());
          }
          const merged = mergeOverlay(ix);
          expect(merged.overlay).toBeUndefined();
          const live = new Set([...s.edges].filter(([, c]) => c > 0).map(([k]) => k));
          expect(comparable(merged, live)).toEqual(comparable(fresh(s, version), live));
          // k shortest paths read the overlay too: same path lengths as on the fresh build.
          const want = fresh(s, version);
          for (const a of IDS)
            for (const b of IDS) {
              const [i, j, x, y] = [ix.indexOf.get(a), ix.indexOf.get(b), want.indexOf.get(a), want.indexOf.get(b)];
              if (i === undefined || j === undefined) continue;
              expect(kShortestPaths(ix, i, j, 3, 6).paths.map((p) => p.edges.length)).toEqual(
                kShortestPaths(want, x!, y!, 3, 6).paths.map((p) => p.edges.length),
              );
            }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a path read after later searches is still the search's own (the shared buffers were overwritten)", () => {
    const ix = buildAccessIndex(
      ["h1", "h2", "g1", "g2", "r1"].map((id) => ({ id, kind: (id[0] === "h" ? "human" : id[0] === "g" ? "group" : "resource") as NodeKind })),
      [
        { fromId: "h1", toId: "g1", kind: "member_of" },
        { fromId: "h2", toId: "g2", kind: "member_of" },
        { fromId: "g1", toId: "r1", kind: "member_of" },
        { fromId: "g2", toId: "r1", kind: "member_of" },
      ] as { fromId: string; toId: string; kind: EdgeKind }[],
    );
    const i = (id: string) => ix.indexOf.get(id)!;
    const first = bfs(ix, i("h1"), "out", 6);
    const second = bfs(ix, i("h2"), "out", 6);
    expect(pathTo(ix, first, i("r1"), "out").nodes).toEqual(["h1", "g1", "r1"]);
    expect(pathTo(ix, second, i("r1"), "out").nodes).toEqual(["h2", "g2", "r1"]);
    expect(pathTo(ix, first, i("r1"), "out").nodes).toEqual(["h1", "g1", "r1"]);
  });
});
