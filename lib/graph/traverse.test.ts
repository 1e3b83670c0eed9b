import { describe, expect, it } from "vitest";
import { buildAccessIndex, type IndexEdge, type IndexNode } from "./access-index";
import type { EdgeKind, NodeKind } from "./model";
import { kShortestPaths, pathTo, reachableFrom, whoCanReach } from "./traverse";

/** A tiny graph written as "from -kind-> to" lines; node kinds from their names' prefixes. */
function graph(lines: string[]) {
  const prefix: Record<string, NodeKind> = {
    h: "human",
    g: "group",
    sa: "service_account",
    a: "agent",
    m: "mcp_server",
    t: "tool",
    e: "entitlement",
    r: "resource",
    c: "credential",
  };
  const nodes = new Map<string, IndexNode>();
  const edges: IndexEdge[] = [];
  const node = (id: string) => {
    const kind = prefix[/^[a-z]+/.exec(id)![0]]!;
    if (!nodes.has(id)) nodes.set(id, { id, kind });
    return id;
  };
  for (const l of lines) {
    const [f, k, t] = l.split(" ");
    edges.push({ fromId: node(f!), kind: k as EdgeKind, toId: node(t!) });
  }
  const ix = buildAccessIndex([...nodes.values()], edges);
  return { ix, i: (id: string) => ix.indexOf.get(id)! };
}

describe("whoCanReach", () => {
  const { ix, i } = graph([
    "h1 member_of g1",
    "g1 member_of g2", // nested groups
    "g2 has_entitlement e1",
    "e1 grants m1",
    "m1 exposes t1",
    "a1 acts_for h1", // delegation: the agent can do what h1 can
    "sa1 uses_credential c1",
    "c1 credential_for m1",
    "h2 owns a1", // governance: never access
    "h2 manages h1",
    "g2 member_of g1", // a cycle
  ]);

  it("finds every principal with a path, through groups, delegation and credentials, with one shortest path each", () => {
    const r = whoCanReach(ix, i("t1"), 6);
    const found = Object.fromEntries(r.reached.map((x) => [ix.ids[x.node], x.depth]));
    expect(found).toEqual({ sa1: 3, h1: 5, a1: 6 });
    expect(pathTo(ix, r.search, i("a1"), "in")).toEqual({
      nodes: ["a1", "h1", "g1", "g2", "e1", "m1", "t1"],
      edges: ["acts_for", "member_of", "member_of", "has_entitlement", "grants", "exposes"],
    });
  });

  it("respects the depth limit", () => {
    expect(
      whoCanReach(ix, i("t1"), 5)
        .reached.map((x) => ix.ids[x.node])
        .sort(),
    ).toEqual(["h1", "sa1"]);
    expect(whoCanReach(ix, i("t1"), 2).reached).toEqual([]);
  });

  it("ownership and management never give access", () => {
    expect(whoCanReach(ix, i("t1"), 12).reached.map((x) => ix.ids[x.node])).not.toContain("h2");
    expect(reachableFrom(ix, i("h2"), 12).reached).toEqual([]);
  });

  it("filters by principal kind", () => {
    expect(whoCanReach(ix, i("t1"), 6, "agent").reached.map((x) => ix.ids[x.node])).toEqual(["a1"]);
  });
});

describe("reachableFrom", () => {
  it("lists what a principal reaches, each once at its shortest depth, despite cycles and diamonds", () => {
    const { ix, i } = graph([
      "h1 member_of g1",
      "h1 member_of g2",
      "g1 has_entitlement e1",
      "g2 has_entitlement e1",
      "g1 member_of g2",
      "g2 member_of g1",
      "e1 grants r1",
    ]);
    const r = reachableFrom(ix, i("h1"), 6);
    expect(r.reached.map((x) => `${ix.ids[x.node]}@${x.depth}`)).toEqual(["g1@1", "g2@1", "e1@2", "r1@3"]);
    expect(reachableFrom(ix, i("h1"), 6, "resource").reached.map((x) => ix.ids[x.node])).toEqual(["r1"]);
    expect(pathTo(ix, r.search, i("r1"), "out")).toEqual({ nodes: ["h1", "g1", "e1", "r1"], edges: ["member_of", "has_entitlement", "grants"] });
  });
});

describe("kShortestPaths", () => {
  const { ix, i } = graph([
    "h1 member_of g1",
    "g1 has_entitlement e1",
    "e1 grants r1",
    "h1 has_entitlement e2",
    "e2 grants r1",
    "h1 member_of g2",
    "g2 member_of g1",
    "h1 uses_credential c1",
    "c1 credential_for r1",
  ]);

  it("returns up to k simple paths, shortest first", () => {
    const r = kShortestPaths(ix, i("h1"), i("r1"), 10, 6);
    expect(r.truncated).toBe(false);
    expect(r.paths.map((p) => p.edges.length)).toEqual([2, 2, 3, 4]);
    expect(r.paths.map((p) => p.nodes.join(">")).sort()).toEqual(["h1>c1>r1", "h1>e2>r1", "h1>g1>e1>r1", "h1>g2>g1>e1>r1"]);
    expect(r.paths[3]!.edges).toEqual(["member_of", "member_of", "has_entitlement", "grants"]);
    expect(kShortestPaths(ix, i("h1"), i("r1"), 2, 6).paths).toHaveLength(2);
    expect(kShortestPaths(ix, i("h1"), i("r1"), 10, 3).paths).toHaveLength(3);
  });

  it("answers nothing when there is no path, or from a node to itself", () => {
    expect(kShortestPaths(ix, i("r1"), i("h1"), 5, 6).paths).toEqual([]);
    expect(kShortestPaths(ix, i("h1"), i("h1"), 5, 6).paths).toEqual([]);
  });

  it("stops within its work budget on a dense graph and says so", () => {
    const lines: string[] = [];
    for (let a = 0; a < 12; a++) for (let b = 0; b < 12; b++) if (a !== b) lines.push(`g${a} member_of g${b}`);
    lines.push("h1 member_of g0", "g11 has_entitlement e1");
    const d = graph(lines);
    const r = kShortestPaths(d.ix, d.i("h1"), d.i("e1"), 1000, 12, 5000);
    expect(r.truncated).toBe(true);
    expect(r.paths.length).toBeGreaterThan(0);
    expect(r.paths[0]!.nodes).toEqual(["h1", "g0", "g11", "e1"]);
  });
});
