import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edges } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { runEvaluation } from "./evaluate";
import { evaluateIncremental } from "./evaluate-incremental";
import { loadScopedSnapshot } from "./scope";
import { loadSettings } from "./settings";
import { baseGraph, importDoc, nodeId, type Doc } from "./test-graphs";

let t: TestDatabase;
let analyst: Actor;

const change = (edgeIds: string[]) => ({ nodeIds: [], edgeIds, sourceIds: [], full: false });
const fleet = (members: string[]): Doc => ({
  source: "fleet",
  mode: "full",
  nodes: [
    ...["sa1", "sa2", "sa3", "sa4"].map((x) => ({ kind: "service_account" as const, externalId: x, name: `Service ${x}` })),
    { kind: "group", externalId: "platform", name: "Platform" },
    { kind: "entitlement", externalId: "prod-admin", name: "Prod admin" },
    { kind: "resource", externalId: "prod-db", name: "Prod DB" },
  ],
  edges: [
    ...members.map((m) => ({
      kind: "member_of",
      from: { kind: "service_account" as const, externalId: m },
      to: { kind: "group" as const, externalId: "platform" },
    })),
    { kind: "has_entitlement", from: { kind: "group", externalId: "platform" }, to: { kind: "entitlement", externalId: "prod-admin" } },
    { kind: "grants", from: { kind: "entitlement", externalId: "prod-admin" }, to: { kind: "resource", externalId: "prod-db" } },
  ],
});
async function membership(member: string): Promise<string> {
  const [from, to] = [await nodeId(t.db, "fleet", "service_account", member), await nodeId(t.db, "fleet", "group", "platform")];
  const [e] = await t.db
    .select({ id: edges.id })
    .from(edges)
    .where(and(eq(edges.fromId, from), eq(edges.toId, to), eq(edges.kind, "member_of")))
    .orderBy(edges.validFrom);
  return e!.id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, baseGraph());
  analyst = await actorByEmail(t, "ana@example.com");
  await importDoc(t.db, analyst, fleet(["sa1", "sa2", "sa3"]));
  await runEvaluation(t.db, analyst, { trigger: "manual" });
});
afterAll(() => t.cleanup());

describe("the scope of a changed access edge (issue #19: one membership of a large group)", () => {
  it("re-checks the reach of those reaching its tail, not of everyone reaching its head", async () => {
    await importDoc(t.db, analyst, fleet(["sa1", "sa2", "sa3", "sa4"]));
    const added = await membership("sa4");
    const { settings } = await loadSettings(t.db);
    const { scope } = await loadScopedSnapshot(t.db, change([added]), settings);
    const ids = Object.fromEntries(await Promise.all(["sa1", "sa2", "sa3", "sa4"].map(async (x) => [x, await nodeId(t.db, "fleet", "service_account", x)])));
    for (const rule of ["over_broad_reach", "dual_access_path"] as const) {
      expect(scope[rule].has(ids.sa4)).toBe(true);
      for (const other of ["sa1", "sa2", "sa3"]) expect(scope[rule].has(ids[other])).toBe(false);
    }
    // What the incremental evaluation leaves is what a full one finds.
    await evaluateIncremental(t.db, change([added]));
    const full = await runEvaluation(t.db, analyst, { trigger: "manual" });
    expect(full.counts).toMatchObject({ new: 0, resolved: 0, reopened: 0, updated: 0 });
  });

  it("an ended membership re-checks the member who lost it, and a full evaluation agrees", async () => {
    const ended = await membership("sa1");
    await importDoc(t.db, analyst, fleet(["sa2", "sa3", "sa4"]));
    const [row] = await t.db
      .select({ id: edges.id })
      .from(edges)
      .where(and(eq(edges.id, ended), isNull(edges.validTo)));
    expect(row).toBeUndefined();
    const { settings } = await loadSettings(t.db);
    const { scope } = await loadScopedSnapshot(t.db, change([ended]), settings);
    expect(scope.over_broad_reach.has(await nodeId(t.db, "fleet", "service_account", "sa1"))).toBe(true);
    expect(scope.over_broad_reach.has(await nodeId(t.db, "fleet", "service_account", "sa2"))).toBe(false);
    await evaluateIncremental(t.db, change([ended]));
    const full = await runEvaluation(t.db, analyst, { trigger: "manual" });
    expect(full.counts).toMatchObject({ new: 0, resolved: 0, reopened: 0, updated: 0 });
  });
});
