import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SeedEdge, SeedGraph, SeedNode } from "@/db/seed/graph-doc";
import { seedGraph } from "@/db/seed/seed";
import { edges, findings, nodes, toolUsage } from "@/db/schema";
import { newId } from "@/lib/ids";
import type { NodeKind } from "@/lib/graph/model";
import { countingDatabase } from "@/lib/testing/counting-db";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { loadRecommendationFacts, newFactsCache, type AccessKey } from "./recommend-facts";

/**
 * A small organisation built for the facts loader:
 * - Ada manages Sam, P1–P5 (all Eng; P5 terminated); Sam, P1, P2, P3, P5 are in the okta group "Platform".
 * - Bob manages only D1 and D2 (too few peers): D1 falls back to the Sales department (D1–D5); D1, D2, D3 hold
 *   the AWS entitlement "Sales reports"; the edge D1 → it reports its own last use.
 * - Solo has neither a manager nor a department with enough people: no peer group.
 * - Agents A1–A4 share the blueprint bp-1; A1–A3 connect to the MCP server; A1 alone uses credential "k1", A2 and A3
 *   share "k2" (each reports a last use).
 * - Findings on Sam: critical and medium open, one resolved, one accepted; on Platform: one high.
 * - 420 more people (R0…R419), five per manager, each in a group: the chunk that counts queries.
 */
const human = (externalId: string, attributes: Record<string, unknown> = {}): SeedNode => ({
  source: "okta",
  kind: "human",
  externalId,
  name: externalId,
  attributes: { status: "active", ...attributes },
});
const ref = (kind: NodeKind, externalId: string, source = "okta") => ({ kind, externalId, source });
const edge = (
  source: string,
  kind: SeedEdge["kind"],
  from: ReturnType<typeof ref>,
  to: ReturnType<typeof ref>,
  attributes?: Record<string, unknown>,
): SeedEdge => ({
  source,
  kind,
  from,
  to,
  ...(attributes ? { attributes } : {}),
});
const h = (x: string) => ref("human", x);

function graph(): SeedGraph {
  const ns: SeedNode[] = [];
  const es: SeedEdge[] = [];
  ns.push(human("Ada", { department: "Eng" }), human("Sam", { department: "Eng", lastLogin: "2026-10-30T08:00:00.000Z" }));
  for (const p of ["P1", "P2", "P3", "P4"]) ns.push(human(p, { department: "Eng" }));
  ns.push(human("P5", { department: "Eng", status: "terminated" }));
  ns.push({ source: "okta", kind: "group", externalId: "Platform", name: "Platform" });
  for (const p of ["Sam", "P1", "P2", "P3", "P4", "P5"]) es.push(edge("okta", "manages", h("Ada"), h(p)));
  for (const p of ["Sam", "P1", "P2", "P3", "P5"]) es.push(edge("okta", "member_of", h(p), ref("group", "Platform")));

  ns.push(human("Bob", { department: "Mgmt" }));
  for (const d of ["D1", "D2", "D3", "D4", "D5"]) ns.push(human(d, { department: "Sales" }));
  es.push(edge("okta", "manages", h("Bob"), h("D1")), edge("okta", "manages", h("Bob"), h("D2")));
  ns.push({ source: "aws", kind: "entitlement", externalId: "sales-reports", name: "Sales reports", attributes: { privileged: true } });
  es.push(edge("aws", "has_entitlement", h("D1"), ref("entitlement", "sales-reports", "aws"), { lastUsedAt: "2026-10-01T00:00:00Z" }));
  for (const d of ["D2", "D3"]) es.push(edge("aws", "has_entitlement", h(d), ref("entitlement", "sales-reports", "aws")));

  ns.push(human("Solo", { department: "Legal" }));
  es.push(edge("okta", "member_of", h("Solo"), ref("group", "Platform")));

  ns.push({ source: "reg", kind: "mcp_server", externalId: "srv", name: "srv" });
  for (const a of ["A1", "A2", "A3", "A4"])
    ns.push({ source: "reg", kind: "agent", externalId: a, name: a, attributes: { status: "active", blueprint: "bp-1" } });
  for (const a of ["A1", "A2", "A3"]) es.push(edge("reg", "connects_to", ref("agent", a, "reg"), ref("mcp_server", "srv", "reg")));
  ns.push({ source: "reg", kind: "tool", externalId: "srv/t1", name: "t1" });
  es.push(edge("reg", "exposes", ref("mcp_server", "srv", "reg"), ref("tool", "srv/t1", "reg")));
  ns.push({ source: "reg", kind: "credential", externalId: "k1", name: "k1", attributes: { lastUsedAt: "2026-10-28T00:00:00Z" } });
  ns.push({ source: "reg", kind: "credential", externalId: "k2", name: "k2", attributes: { lastUsedAt: "2026-10-29T00:00:00Z" } });
  es.push(edge("reg", "uses_credential", ref("agent", "A1", "reg"), ref("credential", "k1", "reg")));
  for (const a of ["A2", "A3"]) es.push(edge("reg", "uses_credential", ref("agent", a, "reg"), ref("credential", "k2", "reg")));

  for (let i = 0; i < 420; i++) {
    const m = `M${Math.floor(i / 5)}`;
    if (i % 5 === 0) ns.push(human(m, { department: "Ops" }), { source: "okta", kind: "group", externalId: `G${m}`, name: `G${m}` });
    ns.push(human(`R${i}`, { department: "Ops" }));
    es.push(edge("okta", "manages", h(m), h(`R${i}`)));
    es.push(edge("okta", "member_of", h(`R${i}`), ref("group", `G${m}`)));
    es.push(edge("okta", "member_of", h(`R${i}`), ref("group", "Platform")));
    if (i % 2) es.push(edge("aws", "has_entitlement", h(`R${i}`), ref("entitlement", "sales-reports", "aws")));
  }
  return { sources: ["okta", "aws", "reg"].map((name) => ({ name, type: "manual" as const, description: name })), nodes: ns, edges: es, users: [] };
}

let t: TestDatabase;
const id = new Map<string, string>();

/** The access key of the current edge kind from → to. */
async function access(kind: string, from: string, to: string): Promise<AccessKey> {
  const [e] = await t.db
    .select({ id: edges.id, kind: edges.kind, fromId: edges.fromId, toId: edges.toId, fromKind: nodes.kind })
    .from(edges)
    .innerJoin(nodes, eq(nodes.id, edges.fromId))
    .where(and(eq(edges.kind, kind as never), eq(edges.fromId, id.get(from)!), eq(edges.toId, id.get(to)!), isNull(edges.validTo)));
  if (!e) throw new Error(`no edge ${kind} ${from} → ${to}`);
  return { edgeId: e.id, edgeKind: e.kind, subjectId: e.fromId, subjectKind: e.fromKind, targetId: e.toId };
}

async function addFinding(subject: string, severity: string, status: "open" | "resolved" | "accepted", title: string) {
  const at = new Date("2026-10-20T00:00:00Z");
  await t.db.insert(findings).values({
    id: newId("fnd"),
    rule: "shared_credential",
    key: `${subject}:${title}`,
    subjectId: id.get(subject)!,
    subjectKind: "human",
    subjectName: subject,
    severity: severity as never,
    title,
    evidence: { nodes: [id.get(subject)!], edges: [], attributes: [], facts: {} },
    fingerprint: title,
    status,
    firstSeenAt: at,
    lastSeenAt: at,
    ...(status === "accepted" ? { acceptedReason: "ok", acceptedUntil: new Date("2027-01-01T00:00:00Z"), acceptedBy: "x", acceptedAt: at } : {}),
    ...(status === "resolved" ? { resolvedAt: at } : {}),
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, graph());
  for (const n of await t.db.select({ id: nodes.id, name: nodes.name }).from(nodes)) id.set(n.name, n.id);
  await addFinding("Sam", "medium", "open", "medium on Sam");
  await addFinding("Sam", "critical", "open", "critical on Sam");
  await addFinding("Sam", "critical", "resolved", "resolved on Sam");
  await addFinding("Sam", "high", "accepted", "accepted on Sam");
  await addFinding("Platform", "high", "open", "high on Platform");
  // P3 left Ada's team: their manages edge ended, so they are no longer Sam's peer nor a holder among them.
  await t.db
    .update(edges)
    .set({ validTo: new Date() })
    .where(and(eq(edges.kind, "manages"), eq(edges.toId, id.get("P3")!)));
});
afterAll(() => t.cleanup());

describe("loadRecommendationFacts", () => {
  it("counts the peers with the same manager holding the access, never the subject, who left the team or was terminated", async () => {
    const sam = await access("member_of", "Sam", "Platform");
    const f = (await loadRecommendationFacts(t.db, [sam])).get(sam.edgeId)!;
    // Ada's current, active reports: Sam, P1, P2, P4 (P3's manages edge ended, P5 is terminated). Peers P1, P2, P4;
    // P1 and P2 hold Platform.
    expect(f.peers).toEqual({ basis: "same manager: Ada", groupSize: 3, holding: 2, share: 2 / 3 });
  });

  it("falls back to the department when the manager's team is too small, and gives up below three peers", async () => {
    const d1 = await access("has_entitlement", "D1", "Sales reports");
    const solo = await access("member_of", "Solo", "Platform");
    const m = await loadRecommendationFacts(t.db, [d1, solo]);
    expect(m.get(d1.edgeId)!.peers).toEqual({ basis: "same department: Sales", groupSize: 4, holding: 2, share: 0.5 });
    expect(m.get(d1.edgeId)!.privileged).toBe(true);
    expect(m.get(solo.edgeId)!.peers).toBeNull();
  });

  it("compares agents with the agents of the same blueprint", async () => {
    const a1 = await access("connects_to", "A1", "srv");
    expect((await loadRecommendationFacts(t.db, [a1])).get(a1.edgeId)!.peers).toEqual({
      basis: "same blueprint: bp-1",
      groupSize: 3,
      holding: 2,
      share: 2 / 3,
    });
  });

  it("reads last use from the access edge, a credential (its own or shared) and the account, naming the source", async () => {
    const d1 = await access("has_entitlement", "D1", "Sales reports");
    const sam = await access("member_of", "Sam", "Platform");
    const k1 = await access("uses_credential", "A1", "k1");
    const k2 = await access("uses_credential", "A2", "k2");
    const a1 = await access("connects_to", "A1", "srv");
    const d2 = await access("has_entitlement", "D2", "Sales reports");
    const m = await loadRecommendationFacts(t.db, [d1, sam, k1, k2, a1, d2]);
    const use = (a: AccessKey) => {
      const f = m.get(a.edgeId)!;
      return [f.lastUsedAt, f.lastUseSource, f.lastUseScope];
    };
    expect(use(d1)).toEqual(["2026-10-01T00:00:00.000Z", "aws", "access"]);
    expect(use(sam)).toEqual(["2026-10-30T08:00:00.000Z", "okta", "account"]);
    expect(use(k1)).toEqual(["2026-10-28T00:00:00.000Z", "reg", "access"]);
    expect(use(k2)).toEqual(["2026-10-29T00:00:00.000Z", "reg", "credential"]);
    // Unknown: no attribute on the edge, no last use on the agent.
    expect(use(a1)).toEqual([null, null, null]);
    // D2's entitlement is reported by aws, D2's account by okta: the sign-in says nothing about it.
    expect(use(d2)).toEqual([null, null, null]);
  });

  it("reads gateways' tool usage of the tools an access reaches, and since when usage of them is seen at all", async () => {
    const at = (iso: string) => new Date(iso);
    // A2 first called t1 (through srv) in April, A1 last in October; A3 was never seen calling it.
    await t.db.insert(toolUsage).values([
      {
        subjectId: id.get("A2")!,
        toolId: id.get("t1")!,
        firstUsedAt: at("2026-04-01T00:00:00Z"),
        lastUsedAt: at("2026-05-01T00:00:00Z"),
        calls: 3,
        lastSeenVia: "otlp",
      },
      {
        subjectId: id.get("A1")!,
        toolId: id.get("t1")!,
        firstUsedAt: at("2026-09-01T00:00:00Z"),
        lastUsedAt: at("2026-10-20T00:00:00Z"),
        calls: 9,
        lastSeenVia: "pdp",
      },
    ]);
    try {
      const [a1, a2, a3] = await Promise.all(["A1", "A2", "A3"].map((a) => access("connects_to", a, "srv")));
      const m = await loadRecommendationFacts(t.db, [a1!, a2!, a3!]);
      expect(m.get(a1!.edgeId)).toMatchObject({
        lastUsedAt: "2026-10-20T00:00:00.000Z",
        lastUseSource: "decision log",
        lastUseScope: "access",
        usageCoveredSince: "2026-04-01T00:00:00.000Z",
      });
      expect(m.get(a2!.edgeId)).toMatchObject({ lastUsedAt: "2026-05-01T00:00:00.000Z", lastUseSource: "gateway telemetry" });
      expect(m.get(a3!.edgeId)).toMatchObject({ lastUsedAt: null, usageCoveredSince: "2026-04-01T00:00:00.000Z" });
      // An access reaching no tool with usage data says nothing about coverage.
      const d1 = await access("has_entitlement", "D1", "Sales reports");
      expect((await loadRecommendationFacts(t.db, [d1])).get(d1.edgeId)!.usageCoveredSince).toBeUndefined();
    } finally {
      await t.db.delete(toolUsage);
    }
  });

  it("lists the open findings on subject and target, most severe first", async () => {
    const sam = await access("member_of", "Sam", "Platform");
    const f = (await loadRecommendationFacts(t.db, [sam])).get(sam.edgeId)!;
    expect(f.findings.map((x) => `${x.severity} ${x.title}`)).toEqual(["critical critical on Sam", "high high on Platform", "medium medium on Sam"]);
    expect(f.findings[0]!.firstSeenAt).toBe("2026-10-20T00:00:00.000Z");
  });

  it("reads a chunk of 1,000 accesses in the same few queries as a chunk of 10", async () => {
    const all = await t.db
      .select({ id: edges.id, kind: edges.kind, fromId: edges.fromId, toId: edges.toId, fromKind: nodes.kind, name: nodes.name })
      .from(edges)
      .innerJoin(nodes, eq(nodes.id, edges.fromId))
      .where(and(isNull(edges.validTo)));
    const chunk = all
      .filter((e) => e.name.startsWith("R") && e.kind !== "manages")
      .map((e) => ({ edgeId: e.id, edgeKind: e.kind, subjectId: e.fromId, subjectKind: e.fromKind, targetId: e.toId }));
    expect(chunk.length).toBeGreaterThanOrEqual(1000);
    const counting = await countingDatabase(t);
    const big = await loadRecommendationFacts(counting.database.db, chunk.slice(0, 1000));
    const bigQueries = counting.meter.queries;
    counting.reset();
    await loadRecommendationFacts(counting.database.db, chunk.slice(0, 10));
    expect(bigQueries).toBeLessThanOrEqual(8);
    expect(counting.meter.queries).toBe(bigQueries);
    expect(big.size).toBe(1000);
    // A launch's cache: a chunk whose groups were all counted before skips the holders query, with the same facts.
    const cache = newFactsCache();
    counting.reset();
    const first = await loadRecommendationFacts(counting.database.db, chunk.slice(0, 10), cache);
    const uncached = counting.meter.queries;
    counting.reset();
    const again = await loadRecommendationFacts(counting.database.db, chunk.slice(0, 10), cache);
    expect(counting.meter.queries).toBe(uncached - 1);
    expect([...again.entries()]).toEqual([...first.entries()]);
    // Every R person has four peers under their manager; the group M0's members all hold G-M0.
    const m0 = chunk.find((c) => c.targetId === id.get("GM0"))!;
    expect(big.get(m0.edgeId)!.peers).toEqual({ basis: "same manager: M0", groupSize: 4, holding: 4, share: 1 });
  });
});
