import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingGroups, findings } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { evaluateFindings } from "./evaluate";
import { explainScore, scoreOf } from "./priority";
import { updateFindingSettings } from "./settings";
import { baseGraph, findingsOf, importDoc, nodeId, type Doc } from "./test-graphs";

/**
 * Root causes end to end: a graph where one group grants three agents more risky tools than the threshold, two of
 * them also through a small team group that grants one tool; evaluation names the big group as the cause of all
 * three, the groups table counts them, and an import that removes the group's entitlement resolves them.
 */
let t: TestDatabase;
let analyst: Actor;
let admin: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, baseGraph());
  analyst = await actorByEmail(t, "ana@example.com");
  admin = await actorByEmail(t, "admin@example.com");
  await updateFindingSettings(t.db, admin, { overBroadHighRiskTools: 2, overBroadResources: 100, blastRadiusTop: 0 });
});
afterAll(() => t.cleanup());

const ref = (kind: Doc["nodes"][number]["kind"], externalId: string) => ({ kind, externalId });
const TOOLS = [1, 2, 3, 4];

/** `withCause` false: nothing grants the hub any more (the cause's action, "remove the access Hub grants", applied). */
function doc(withCause: boolean): Doc {
  return {
    source: "rc",
    nodes: [
      { kind: "group", externalId: "wide", name: "Wide Group" },
      { kind: "group", externalId: "team", name: "Small Team" },
      { kind: "entitlement", externalId: "all", name: "All the hub" },
      { kind: "entitlement", externalId: "one", name: "One hub tool" },
      { kind: "mcp_server", externalId: "hub", name: "Hub" },
      ...TOOLS.map((i) => ({ kind: "tool" as const, externalId: `hub/t${i}`, name: `hub_${i}`, attributes: { risk: i === 1 ? "critical" : "high" } })),
      ...["a1", "a2", "a3"].map((a) => ({ kind: "agent" as const, externalId: a, name: `Agent ${a}` })),
    ],
    edges: [
      { kind: "has_entitlement", from: ref("group", "wide"), to: ref("entitlement", "all") },
      ...(withCause ? [{ kind: "grants", from: ref("entitlement", "all"), to: ref("mcp_server", "hub") }] : []),
      ...TOOLS.map((i) => ({ kind: "exposes", from: ref("mcp_server", "hub"), to: ref("tool", `hub/t${i}`) })),
      { kind: "has_entitlement", from: ref("group", "team"), to: ref("entitlement", "one") },
      { kind: "grants", from: ref("entitlement", "one"), to: ref("tool", "hub/t1") },
      ...["a1", "a2", "a3"].map((a) => ({ kind: "member_of", from: ref("agent", a), to: ref("group", "wide") })),
      { kind: "member_of", from: ref("agent", "a1"), to: ref("group", "team") },
      { kind: "member_of", from: ref("agent", "a2"), to: ref("group", "team") },
    ],
  };
}

describe("root causes and groups", () => {
  let agents: string[];
  let causeIds: { wide: string; all: string; hub: string };

  it("names the node on every risky path, nearest the tools, as the cause of each agent's over-broad reach", async () => {
    await importDoc(t.db, analyst, doc(true));
    agents = await Promise.all(["a1", "a2", "a3"].map((a) => nodeId(t.db, "rc", "agent", a)));
    causeIds = {
      wide: await nodeId(t.db, "rc", "group", "wide"),
      all: await nodeId(t.db, "rc", "entitlement", "all"),
      hub: await nodeId(t.db, "rc", "mcp_server", "hub"),
    };
    const found = await findingsOf(t.db, "over_broad_reach", agents);
    expect(found).toHaveLength(3);
    // Wide Group, the entitlement and the server are each on every path to hub_2..4; the server is nearest the tools.
    for (const f of found) {
      expect(f.causeId).toBe(causeIds.hub);
      expect(f.causeResolves).toBe(true);
      expect(f.scoreParts!.cause.why).toMatch(/removing it resolves the finding/);
    }
  });

  it("keeps one group per cause whose count equals its open members, and every open finding in exactly one group", async () => {
    const groups = await t.db.select().from(findingGroups);
    const open = await t.db.select().from(findings).where(eq(findings.status, "open"));
    expect(groups.reduce((s, g) => s + g.count, 0)).toBe(open.length);
    for (const g of groups) expect(open.filter((f) => f.causeId === g.causeId)).toHaveLength(g.count);
    expect(open.every((f) => f.causeId && groups.some((g) => g.causeId === f.causeId))).toBe(true);
    const hub = groups.find((g) => g.causeId === causeIds.hub)!;
    // The hub is also the cause of the agents' uncertified risky tools and of its own missing owner: one group.
    expect(hub.scoreParts.byRule).toMatchObject({ over_broad_reach: 3, uncertified_risky_tool: 3, no_active_owner: 1 });
    expect(hub.count).toBe(7);
    expect(hub.scoreParts.count).toBe(7);
  });

  it("scores deterministically, explains every part, and rewrites nothing when evaluated again", async () => {
    const before = await findingsOf(t.db, "over_broad_reach", agents);
    await evaluateFindings(t.db, analyst);
    const after = await findingsOf(t.db, "over_broad_reach", agents);
    for (const f of after) {
      const b = before.find((x) => x.id === f.id)!;
      expect(f.score).toBe(b.score);
      expect(f.scoreParts).toEqual(b.scoreParts);
      expect(f.updatedAt.getTime()).toBe(b.updatedAt.getTime());
      // score = severity × blast radius × exposure × freshness, each part in words.
      expect(f.score).toBe(scoreOf(f.scoreParts!));
      const words = explainScore(f.scoreParts!);
      expect(words).toHaveLength(4);
      expect(words[1]).toMatch(/reaches 4 risky tools \(1 critical, 3 high\)/);
    }
    // First seen just now: new this week.
    expect(after.every((f) => f.scoreParts!.freshness.factor === 1.5)).toBe(true);
  });

  it("resolves the cause's members in the next evaluation once an import takes the cause off their paths", async () => {
    await importDoc(t.db, analyst, doc(false));
    expect(await findingsOf(t.db, "over_broad_reach", agents)).toHaveLength(0);
    const [hub] = await t.db.select().from(findingGroups).where(eq(findingGroups.causeId, causeIds.hub));
    // What is left of the hub's group: its own missing owner.
    expect(hub!.scoreParts.byRule).toEqual({ no_active_owner: 1 });
    const resolved = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(findings)
      .where(and(eq(findings.rule, "over_broad_reach"), eq(findings.status, "resolved")));
    expect(resolved[0]!.n).toBe(3);
  });
});
