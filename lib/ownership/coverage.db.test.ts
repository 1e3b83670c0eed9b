import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findings, ownershipCoverageDaily } from "@/db/schema";
import { evaluateFindings } from "@/lib/findings/evaluate";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { processGraphChanges } from "@/lib/pipeline/process-changes";
import { assignOwner } from "./assign";
import { setOwnersFor } from "./owners";
import { counts, getCoverage, keptCoverageCells, ownershipTabCounts, recordCoverage } from "./coverage";
import { resolveRef } from "./refs";
import { ownershipGraph } from "./testing/ownership-graph";

let t: TestDatabase;
let analyst: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, ownershipGraph());
  analyst = await actorByEmail(t, "ana@example.com");
});
afterAll(() => t.cleanup());

describe("coverage arithmetic", () => {
  it("counts, per kind, nodes with an active owner and with both a business and a technical owner", async () => {
    const c = await getCoverage(t.db, analyst);
    const byKind = Object.fromEntries(c.byKind.map((k) => [k.kind, [k.total, k.owned, k.businessAndTechnical]]));
    expect(byKind).toEqual({
      service_account: [3, 2, 0],
      agent: [3, 1, 1],
      mcp_server: [2, 1, 1],
      tool: [3, 1, 1],
      entitlement: [1, 0, 0],
      resource: [1, 1, 0],
      credential: [2, 0, 0],
    });
    expect(c.totals).toEqual({ total: 15, owned: 6, businessAndTechnical: 3, ownedShare: 0.4, businessAndTechnicalShare: 0.2, unowned: 9 });
  });

  it("counts per source, and the sources add up to the totals", async () => {
    const c = await getCoverage(t.db, analyst);
    expect(Object.fromEntries(c.bySource.map((s) => [s.source, [s.total, s.owned, s.businessAndTechnical]]))).toEqual({
      cfg: [2, 1, 1],
      dir: [1, 0, 0],
      disc: [3, 1, 1],
      reg: [9, 4, 1],
    });
  });

  it("lists gaps worst first: most nodes without an active owner, then the lowest share", async () => {
    const c = await getCoverage(t.db, analyst);
    expect(c.gaps.slice(0, 3).map((g) => `${g.kind}/${g.source}:${g.unowned}`)).toEqual(["credential/reg:2", "agent/reg:2", "tool/disc:2"]);
    expect(c.gaps.at(-1)).toMatchObject({ kind: "resource", unowned: 0 });
  });

  it("narrows to one kind or one source", async () => {
    expect((await getCoverage(t.db, analyst, { kind: "agent", days: 90 })).totals).toMatchObject({ total: 3, owned: 1 });
    expect((await getCoverage(t.db, analyst, { source: "disc", days: 90 })).totals).toMatchObject({ total: 3, owned: 1, businessAndTechnical: 1 });
  });

  it("shares are null, not NaN, when there is nothing to own", () => {
    expect(counts(0, 0, 0)).toEqual({ total: 0, owned: 0, businessAndTechnical: 0, ownedShare: null, businessAndTechnicalShare: null, unowned: 0 });
  });

  it("reading coverage writes nothing; the trend ends with today's live figure", async () => {
    const before = await t.db.select().from(ownershipCoverageDaily);
    const c = await getCoverage(t.db, analyst);
    await getCoverage(t.db, analyst, { kind: "agent", days: 30 });
    expect(await t.db.select().from(ownershipCoverageDaily)).toEqual(before);
    expect(c.trend.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), ...c.totals });
  });

  it("an evaluation records one point per day, replaced by later ones that day; an assignment records the rise and resolves the finding", async () => {
    await recordCoverage(t.db, [{ kind: "agent", source: "reg", ...counts(3, 0, 0) }], new Date("2026-01-05T12:00:00Z"));
    await evaluateFindings(t.db, analyst, { trigger: "manual" });
    const today = new Date().toISOString().slice(0, 10);
    const todays = async () =>
      (await t.db.select().from(ownershipCoverageDaily).where(eq(ownershipCoverageDaily.day, today))).filter((r) => r.kind === "agent");
    expect((await todays()).map((r) => [r.source, r.total, r.owned])).toEqual([["reg", 3, 1]]);
    const agent = (await resolveRef(t.db, "reg:agent:agt-none")).id;
    const ownerless = () =>
      t.db
        .select()
        .from(findings)
        .where(and(eq(findings.rule, "no_active_owner"), eq(findings.subjectId, agent)));
    expect((await ownerless())[0]!.status).toBe("open");

    await assignOwner(t.db, analyst, { nodes: ["reg:agent:agt-none"], owner: "dir:human:maya", role: "business" });
    // The request only assigns: nothing is re-evaluated until the pipeline runs (as the job engine would).
    expect((await todays()).map((r) => [r.source, r.total, r.owned])).toEqual([["reg", 3, 1]]);
    await processGraphChanges(t.db);
    // The assignment's follow-up evaluation: today's point replaced, the finding resolved, no read needed.
    expect((await todays()).map((r) => [r.source, r.total, r.owned])).toEqual([["reg", 3, 2]]);
    expect((await ownerless())[0]!.status).toBe("resolved");
    const after = await getCoverage(t.db, analyst, { kind: "agent", days: 365 });
    expect(after.trend.map((p) => p.day)).toEqual(["2026-01-05", today].filter((d, i, a) => a.indexOf(d) === i).sort());
    expect(after.trend.at(-1)).toMatchObject({ day: today, owned: 2, total: 3 });
  });

  it("removing the only owner (PUT owners, recorded as the ended owns edge) reopens 'no active owner' once the pipeline runs", async () => {
    const agent = (await resolveRef(t.db, "reg:agent:agt-none")).id;
    const ownerless = () =>
      t.db
        .select()
        .from(findings)
        .where(and(eq(findings.rule, "no_active_owner"), eq(findings.subjectId, agent)));
    if ((await ownerless())[0]?.status !== "resolved") {
      await assignOwner(t.db, analyst, { nodes: ["reg:agent:agt-none"], owner: "dir:human:maya", role: "business" });
      await processGraphChanges(t.db);
    }
    expect((await ownerless())[0]!.status).toBe("resolved");
    await setOwnersFor(t.db, analyst, agent, { owners: [], reason: "test: owner left the team" });
    expect((await ownerless())[0]!.status).toBe("resolved");
    await processGraphChanges(t.db);
    expect((await ownerless())[0]!.status).toBe("open");
  });

  it("an auditor may read coverage; a reviewer may not", async () => {
    await expect(getCoverage(t.db, await actorByEmail(t, "audit@example.com"))).resolves.toBeTruthy();
    await expect(getCoverage(t.db, await actorByEmail(t, "ann@example.com"))).rejects.toMatchObject({ code: "forbidden" });
  });

  it("pages read the point the pipeline keeps: current until the graph changes, stale (not recounted) until the pipeline runs", async () => {
    await processGraphChanges(t.db);
    await evaluateFindings(t.db, analyst, { trigger: "manual" });
    const live = await getCoverage(t.db, analyst);
    const kept = await getCoverage(t.db, analyst, { days: 90 }, { kept: true });
    expect(kept.kept).toMatchObject({ current: true });
    expect(kept.totals).toEqual(live.totals);
    expect(kept.byKind).toEqual(live.byKind);
    expect(kept.gaps).toEqual(live.gaps);
    expect((await ownershipTabCounts(t.db, analyst)).orphans).toBe(live.totals.unowned);

    const points = await t.db.select().from(ownershipCoverageDaily);
    await assignOwner(t.db, analyst, { nodes: ["reg:credential:cred-hard"], owner: "dir:human:maya", role: "business" });
    const stale = await keptCoverageCells(t.db);
    expect(stale?.current).toBe(false);
    // Still the old figures: nothing was recounted by reading.
    expect((await getCoverage(t.db, analyst, { days: 90 }, { kept: true })).totals).toEqual(kept.totals);
    expect(await t.db.select().from(ownershipCoverageDaily)).toEqual(points);

    await processGraphChanges(t.db);
    const after = await getCoverage(t.db, analyst, { days: 90 }, { kept: true });
    expect(after.kept).toMatchObject({ current: true });
    expect(after.totals).toEqual((await getCoverage(t.db, analyst)).totals);
    expect(after.totals.owned).toBe(kept.totals.owned + 1);
  });
});
