import { describe, expect, it } from "vitest";
import { buildAccessIndex } from "@/lib/graph/access-index";
import type { EdgeKind, NodeKind } from "@/lib/graph/model";
import { PathShares, reachCause } from "./causes";
import type { RuleContext } from "./context";
import { Walker } from "./reach";
import { DEFAULT_SETTINGS } from "./settings";
import type { GraphSnapshot, SnapNode } from "./snapshot";

/** A small graph: ids name their kind by prefix (a agent, g group, e entitlement, s server, t tool). */
function graph(edges: [string, EdgeKind, string][]) {
  const kindOf: Record<string, NodeKind> = { a: "agent", g: "group", e: "entitlement", s: "mcp_server", t: "tool", c: "credential" };
  const ids = [...new Set(edges.flatMap(([f, , t]) => [f, t]))].sort();
  const nodes = ids.map((id) => ({ id, kind: kindOf[id[0]!]! }));
  const ix = buildAccessIndex(
    nodes,
    edges.map(([fromId, kind, toId]) => ({ fromId, toId, kind })),
  );
  const snapNodes = new Map<string, SnapNode>(nodes.map((n) => [n.id, { ...n, name: n.id.toUpperCase(), status: null, attributes: {}, current: true }]));
  const ctx = { snap: { nodes: snapNodes, ix } as unknown as GraphSnapshot, settings: DEFAULT_SETTINGS, now: new Date(0) } as RuleContext;
  const at = (id: string) => ix.indexOf.get(id)!;
  const shares = new PathShares(ix);
  const search = (from: string) => {
    const s = new Walker(ix).walk(at(from), 6);
    shares.compute(at(from), s.reached);
    return s;
  };
  return { ix, ctx, at, shares, search };
}

describe("PathShares", () => {
  it("counts a node on every shortest path as 1 per target and splits a target's paths between parallel routes", () => {
    // a → g1 → e → s → {t1, t2};  a → g2 → e (a second route to e);  a → g3 → t3 directly.
    const g = graph([
      ["a", "member_of", "g1"],
      ["a", "member_of", "g2"],
      ["g1", "has_entitlement", "e"],
      ["g2", "has_entitlement", "e"],
      ["e", "grants", "s"],
      ["s", "exposes", "t1"],
      ["s", "exposes", "t2"],
      ["a", "member_of", "g3"],
      ["g3", "has_entitlement", "e3"],
      ["e3", "grants", "t3"],
    ]);
    g.search("a");
    const all = g.shares.shares(["t1", "t2", "t3"].map(g.at), [], () => true, 10);
    const byId = Object.fromEntries(all.fixers.map((s) => [g.ix.ids[s.node]!, s.a]));
    expect(byId).toEqual({ s: 2, e: 2, g1: 1, g2: 1, g3: 1, e3: 1 });
    // Best first; ties are broken by depth: the server (nearest the tools) before the entitlement.
    expect(all.fixers.map((s) => g.ix.ids[s.node])).toEqual(["s", "e", "e3", "g1", "g2", "g3"]);
    expect(g.ix.ids[all.top!.node]).toBe("s");
    // Only the candidates the predicate admits are kept, at most `keep`.
    const two = g.shares.shares(["t1", "t2", "t3"].map(g.at), [], (x) => x < 2, 2);
    expect(two.fixers.map((s) => g.ix.ids[s.node])).toEqual(["e3", "g1"]);
  });

  it("checks a removal exactly, longer ways round within the depth included", () => {
    // Shortest path a → g1 → s → t; a longer one a → g2 → e → s avoids g1.
    const g = graph([
      ["a", "member_of", "g1"],
      ["g1", "has_entitlement", "s"],
      ["a", "member_of", "g2"],
      ["g2", "has_entitlement", "e"],
      ["e", "grants", "s"],
      ["s", "exposes", "t"],
    ]);
    g.search("a");
    const t = [g.at("t")];
    const g1 = g.shares.shares(t, [], () => true, 10).fixers.find((s) => g.ix.ids[s.node] === "g1")!;
    expect(g1.a).toBe(1); // on every shortest path…
    expect(g.shares.remaining(g.at("g1"), 6, t)).toEqual({ a: 1, b: 0 }); // …yet removing it leaves t reachable
    expect(g.shares.remaining(g.at("s"), 6, t)).toEqual({ a: 0, b: 0 });
  });
});

describe("reachCause", () => {
  const need = (a: number[], fixed = (x: number) => x === 0) => ({ a, fixedWhen: fixed, couldFix: (x: number) => x >= a.length, what: "risky tools" });

  it("takes the best-shared node whose removal fixes the finding, and says so", () => {
    const g = graph([
      ["a", "member_of", "g1"],
      ["g1", "has_entitlement", "s"],
      ["a", "member_of", "g2"],
      ["g2", "has_entitlement", "e"],
      ["e", "grants", "s"],
      ["s", "exposes", "t1"],
      ["s", "exposes", "t2"],
    ]);
    g.search("a");
    const c = reachCause(g.ctx, g.shares, g.at("a"), need(["t1", "t2"].map(g.at)));
    expect(c).toMatchObject({ id: "s", kind: "mcp_server", name: "S", resolves: true });
    expect(c.why).toMatch(/100% of the shortest paths to the 2 risky tools: removing it resolves/);
  });

  it("falls back to the node on most paths when none resolves, and to the principal when none carries half", () => {
    // Two disjoint routes to the same tool: no single node cuts it off; s1's route carries 2.5 of 4 tools' paths.
    const two = graph([
      ["a", "member_of", "g1"],
      ["g1", "has_entitlement", "s1"],
      ["s1", "exposes", "t1"],
      ["s1", "exposes", "t2"],
      ["s1", "exposes", "t4"],
      ["a", "member_of", "g2"],
      ["g2", "has_entitlement", "e2"],
      ["e2", "grants", "t1"],
      ["e2", "grants", "t3"],
    ]);
    two.search("a");
    const c = reachCause(two.ctx, two.shares, two.at("a"), need(["t1", "t2", "t3", "t4"].map(two.at)));
    expect(c.resolves).toBe(false);
    expect(c.id).toBe("s1");
    expect(c.why).toMatch(/on 63% of the shortest paths to the 4 risky tools; removing it alone does not resolve/);

    const spread = graph([
      ["a", "member_of", "g1"],
      ["g1", "has_entitlement", "e1"],
      ["e1", "grants", "t1"],
      ["a", "member_of", "g2"],
      ["g2", "has_entitlement", "e2"],
      ["e2", "grants", "t2"],
      ["a", "member_of", "g3"],
      ["g3", "has_entitlement", "e3"],
      ["e3", "grants", "t3"],
    ]);
    spread.search("a");
    const own = reachCause(spread.ctx, spread.shares, spread.at("a"), need(["t1", "t2", "t3"].map(spread.at)));
    expect(own).toMatchObject({ id: "a", resolves: false });
  });
});
