import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingEvaluations, graphChanges, jobRuns, ownershipCoverageDaily } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { CAMPAIGN_REMINDERS } from "@/lib/campaigns/jobs";
import { FULL_EVALUATION } from "@/lib/findings/jobs";
import { COVERAGE_CATCH_UP, PRUNE_GRAPH_CHANGES } from "@/lib/pipeline/jobs";
import { keptCoverageCells } from "@/lib/ownership/coverage";
import { eventually, startTestEngine } from "@/lib/testing/jobs";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import type { JobEngine } from "./engine";
import { registeredSchedules } from "./registry";

let t: TestDatabase;
let engine: JobEngine;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  engine = await startTestEngine(t, { only: [FULL_EVALUATION, CAMPAIGN_REMINDERS, PRUNE_GRAPH_CHANGES, COVERAGE_CATCH_UP] });
});
afterAll(async () => {
  await engine.stop();
  await t.cleanup();
});

const completed = (name: string, id: string) =>
  eventually(
    `${name} to complete`,
    async () =>
      (
        await t.db
          .select()
          .from(jobRuns)
          .where(and(eq(jobRuns.jobId, id), eq(jobRuns.state, "completed")))
      )[0],
  );

describe(`the scheduled jobs the areas register (${testTarget()})`, () => {
  it("are on cron in UTC: the nightly full evaluation and the hourly reminder run", () => {
    const byName = new Map(registeredSchedules().map((s) => [s.name, s]));
    expect(byName.get(FULL_EVALUATION)).toMatchObject({ cron: "0 2 * * *", description: "every night at 02:00 UTC" });
    expect(byName.get(CAMPAIGN_REMINDERS)?.cron).toBe("5 * * * *");
  });

  it("the full evaluation job runs the full findings evaluation, recorded as scheduled", async () => {
    const id = (await engine.enqueue(FULL_EVALUATION))!;
    await completed(FULL_EVALUATION, id);
    const evaluations = await t.db.select().from(findingEvaluations).where(eq(findingEvaluations.trigger, "schedule"));
    expect(evaluations).toHaveLength(1);
  });

  it("the reminder job runs the reminder run", async () => {
    const id = (await engine.enqueue(CAMPAIGN_REMINDERS))!;
    const run = await completed(CAMPAIGN_REMINDERS, id);
    expect(run.errorClass).toBeNull();
  });

  it("the nightly prune removes processed outbox rows past 30 days and never a waiting one", async () => {
    const old = new Date(Date.now() - 40 * 86_400_000);
    const [done] = await t.db.insert(graphChanges).values({ at: old, origin: "system", processedAt: old }).returning({ id: graphChanges.id });
    const [waiting] = await t.db.insert(graphChanges).values({ at: old, origin: "system" }).returning({ id: graphChanges.id });
    const [recent] = await t.db.insert(graphChanges).values({ at: new Date(), origin: "system", processedAt: new Date() }).returning({ id: graphChanges.id });
    expect(registeredSchedules().find((s) => s.name === PRUNE_GRAPH_CHANGES)?.cron).toBe("30 3 * * *");
    const id = (await engine.enqueue(PRUNE_GRAPH_CHANGES))!;
    await completed(PRUNE_GRAPH_CHANGES, id);
    const left = new Set((await t.db.select({ id: graphChanges.id }).from(graphChanges)).map((r) => r.id));
    expect(left.has(done!.id)).toBe(false);
    expect(left.has(waiting!.id)).toBe(true);
    expect(left.has(recent!.id)).toBe(true);
  });

  it("catches the kept ownership coverage point up when none is current, so pages never count the whole graph", async () => {
    expect(registeredSchedules().find((s) => s.name === COVERAGE_CATCH_UP)?.cron).toBe("*/10 * * * *");
    // As after an upgrade: points written before graph versions were recorded.
    await t.db.update(ownershipCoverageDaily).set({ graphVersion: null });
    expect(await keptCoverageCells(t.db)).toBeNull();
    const id = (await engine.enqueue(COVERAGE_CATCH_UP))!;
    await completed(COVERAGE_CATCH_UP, id);
    const kept = await keptCoverageCells(t.db);
    expect(kept?.current).toBe(true);
    expect(kept!.cells.reduce((n, c) => n + c.total, 0)).toBeGreaterThan(0);
  });
});
