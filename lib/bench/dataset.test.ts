import { describe, expect, it } from "vitest";
import { buildAccessIndex } from "@/lib/graph/access-index";
import { EDGE_KINDS, EDGE_RULES, type EdgeKind } from "@/lib/graph/model";
import { bfs } from "@/lib/graph/traverse";
import { graphDocumentSchema, graphEdgeSchema, graphNodeSchema } from "@/lib/ingest/graph-document";
import { datasetStats, generateDataset, serverTemplates, SIZE_SPECS, toGraphDocument } from "./dataset";
import { Rng } from "./random";
import { compareReached } from "./compare";
import { describeSpeedup, percentile, speedup, summarize } from "./stats";

describe("the benchmark dataset", () => {
  const ds = generateDataset("S");
  const stats = datasetStats(ds);

  it("is deterministic for a seed and differs across seeds", () => {
    const again = generateDataset("S");
    expect(again.externalIds).toEqual(ds.externalIds);
    expect(Array.from(again.edgeFrom)).toEqual(Array.from(ds.edgeFrom));
    expect(Array.from(again.edgeTo)).toEqual(Array.from(ds.edgeTo));
    expect(Array.from(again.edgeKinds)).toEqual(Array.from(ds.edgeKinds));
    const other = generateDataset("S", 1);
    expect(Array.from(other.edgeTo)).not.toEqual(Array.from(ds.edgeTo));
  });

  it("has the S size of issue #4: about 10k nodes and 50k edges, every node kind and edge kind", () => {
    expect(stats.nodes).toBeGreaterThan(8_500);
    expect(stats.nodes).toBeLessThan(11_500);
    expect(stats.edges).toBeGreaterThan(42_000);
    expect(stats.edges).toBeLessThan(58_000);
    // same_as and assumes are written by identity linking and the connectors (the connectors benchmark adds accounts
    // in other systems and links them); the generated organisation is one system.
    for (const k of EDGE_KINDS.filter((k) => k !== "same_as" && k !== "assumes")) expect(stats.byEdgeKind[k], k).toBeGreaterThan(0);
    expect(stats.byEdgeKind.same_as ?? 0).toBe(0);
    expect(Object.keys(stats.byNodeKind)).toHaveLength(9);
  });

  it("sizes M and L have the issue's node counts, non-human identities outnumbering humans many times over", () => {
    for (const size of ["M", "L"] as const) {
      const s = SIZE_SPECS[size];
      const nodes = s.humans + s.teams + s.serviceAccounts + s.agents + s.mcpServers * 15.5 + s.entitlements + s.resources + s.credentials;
      expect(nodes, size).toBeGreaterThan(size === "M" ? 90_000 : 900_000);
      expect(nodes, size).toBeLessThan(size === "M" ? 115_000 : 1_150_000);
      expect((s.serviceAccounts + s.agents) / s.humans, size).toBeGreaterThanOrEqual(10);
    }
  });

  it("joins only the kinds each edge may join, with no duplicates or self-loops", () => {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (let i = 0; i < ds.edgeKinds.length; i++) {
      const kind = EDGE_KINDS[ds.edgeKinds[i]!]!;
      const [f, t] = [ds.edgeFrom[i]!, ds.edgeTo[i]!];
      const key = `${kind}:${f}:${t}`;
      if (f === t) problems.push(`self-loop ${key}`);
      if (!EDGE_RULES[kind].from.includes(ds.nodeKinds[f]!) || !EDGE_RULES[kind].to.includes(ds.nodeKinds[t]!)) problems.push(`wrong kinds ${key}`);
      if (seen.has(key)) problems.push(`duplicate ${key}`);
      seen.add(key);
    }
    expect(problems).toEqual([]);
    expect(new Set(ds.nodeKinds.map((k, i) => `${k}:${ds.externalIds[i]}`)).size).toBe(ds.nodeKinds.length);
  });

  it("is shaped like a directory with MCP servers: 10–15 groups per human, real tools per server, shared credentials, group cycles", () => {
    const out = (kind: EdgeKind) => {
      const m = new Map<number, number>();
      const code = EDGE_KINDS.indexOf(kind);
      for (let i = 0; i < ds.edgeKinds.length; i++) if (ds.edgeKinds[i] === code) m.set(ds.edgeFrom[i]!, (m.get(ds.edgeFrom[i]!) ?? 0) + 1);
      return m;
    };
    const memberships = out("member_of");
    for (const h of ds.roles.humans) {
      expect(memberships.get(h)).toBeGreaterThanOrEqual(10);
      expect(memberships.get(h)).toBeLessThanOrEqual(15);
    }
    const tools = out("exposes");
    const captured = new Map(serverTemplates().map((t) => [t.name, t.tools.map((x) => x.name)]));
    for (const s of ds.roles.mcpServers) {
      const template = ds.externalIds[s]!.replace(/-\d+$/, "");
      expect(tools.get(s)).toBe(captured.get(template)!.length);
    }
    // Tool names are the captured ones, with their annotations' risk.
    const toolNames = new Set(ds.roles.tools.map((i) => ds.names[i]!));
    expect(toolNames).toContain("create_or_update_file");
    expect(toolNames).toContain("read_graph");
    for (const i of ds.roles.tools.slice(0, 200)) expect(["low", "medium", "high", "critical"]).toContain(ds.attributes[i]!.risk);
    const usesCredential = EDGE_KINDS.indexOf("uses_credential");
    const users = new Map<number, number>();
    for (let i = 0; i < ds.edgeKinds.length; i++) if (ds.edgeKinds[i] === usesCredential) users.set(ds.edgeTo[i]!, (users.get(ds.edgeTo[i]!) ?? 0) + 1);
    expect(Math.max(...users.values())).toBeGreaterThan(10);

    // Some group reaches itself through member_of edges.
    const ix = buildAccessIndex(
      ds.nodeKinds.map((kind, i) => ({ id: String(i), kind })),
      Array.from(ds.edgeKinds, (c, i) => ({ fromId: String(ds.edgeFrom[i]), toId: String(ds.edgeTo[i]), kind: EDGE_KINDS[c]! })).filter(
        (e) => e.kind === "member_of",
      ),
    );
    const cyclic = ds.roles.groups.filter((g) =>
      bfs(ix, g, "out", 12).reached.some((r) => Array.from(ix.fwdTo.subarray(ix.fwdStart[r.node]!, ix.fwdStart[r.node + 1]!)).includes(g)),
    );
    expect(cyclic.length).toBeGreaterThan(0);
    expect(ds.roles.popularTools.length).toBeGreaterThan(20);
  });

  it("has hard-coded credentials recorded as the MCP-config importer records them, some sharing a fingerprint", () => {
    const hc = ds.roles.hardCodedCredentials;
    expect(hc.length).toBeGreaterThan(stats.byNodeKind.credential! * 0.1);
    for (const i of hc) {
      const a = ds.attributes[i]!;
      expect(a).toMatchObject({ storage: "hard_coded" });
      expect(a.location).toMatch(/ → mcpServers\..+\.env\./);
      expect(a.fingerprint).toMatch(/^hmac-sha256:[0-9a-f]{32}$/);
      expect(Object.keys(a).sort()).toEqual(["confidence", "detectedBy", "fingerprint", "location", "storage", "type"]);
    }
    const fingerprints = hc.map((i) => ds.attributes[i]!.fingerprint);
    expect(new Set(fingerprints).size).toBeLessThan(fingerprints.length);
  });

  it("has super-connected groups and delegation through service accounts", () => {
    const members = new Map<number, number>();
    const memberOf = EDGE_KINDS.indexOf("member_of");
    for (let i = 0; i < ds.edgeKinds.length; i++) if (ds.edgeKinds[i] === memberOf) members.set(ds.edgeTo[i]!, (members.get(ds.edgeTo[i]!) ?? 0) + 1);
    for (const g of ds.roles.superGroups) expect(members.get(g)).toBeGreaterThan((ds.roles.serviceAccounts.length + ds.roles.agents.length) * 0.1);
    const actsFor = EDGE_KINDS.indexOf("acts_for");
    const toServiceAccount = Array.from(ds.edgeKinds).filter((k, i) => k === actsFor && ds.nodeKinds[ds.edgeTo[i]!] === "service_account").length;
    expect(toServiceAccount).toBeGreaterThan(ds.roles.agents.length * 0.15);
  });

  it("becomes a valid Attest graph document", () => {
    const doc = toGraphDocument(ds, "bench-doc");
    expect(graphDocumentSchema.safeParse(doc).success).toBe(true);
    expect(doc.nodes).toHaveLength(stats.nodes);
    expect(doc.edges).toHaveLength(stats.edges);
    for (const n of doc.nodes.slice(0, 500)) expect(graphNodeSchema.safeParse(n).success).toBe(true);
    for (const e of doc.edges.slice(0, 500)) expect(graphEdgeSchema.safeParse(e).success).toBe(true);
  });
});

describe("benchmark helpers", () => {
  it("Rng is reproducible and in range", () => {
    const a = new Rng(3);
    const b = new Rng(3);
    const xs = Array.from({ length: 1000 }, () => a.int(2, 5));
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.int(2, 5)));
    expect(Math.min(...xs)).toBe(2);
    expect(Math.max(...xs)).toBe(5);
  });

  it("percentiles, summaries and speed-up wording", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(summarize([3, 1, 2])).toMatchObject({ n: 3, p50: 2, min: 1, max: 3, mean: 2 });
    expect(summarize([]).n).toBe(0);
    expect(describeSpeedup(speedup(87, 1))).toBe("87.0× faster");
    expect(describeSpeedup(speedup(1, 3.1))).toBe("3.10× slower");
    expect(describeSpeedup(speedup(1, 1))).toBe("≈ same");
    expect(describeSpeedup(speedup(Number.NaN, 1))).toBe("—");
  });

  it("compareReached finds missing, extra and wrong-depth nodes", () => {
    expect(compareReached([{ id: "a", depth: 1 }], [{ id: "a", depth: 1 }])).toBeNull();
    const d = compareReached(
      [
        { id: "a", depth: 1 },
        { id: "b", depth: 2 },
      ],
      [
        { id: "a", depth: 2 },
        { id: "c", depth: 1 },
      ],
    );
    expect(d).toMatchObject({ missing: 1, extra: 1, wrongDepth: 1 });
  });
});
