import { GRAPH_AFTER_CHANGE } from "@/lib/jobs";
import { registerHandler, registerSchedule } from "@/lib/jobs/registry";
import { pruneGraphChanges } from "@/lib/graph/after-change";
import { keptCoverageCells, recordCurrentCoverage } from "@/lib/ownership/coverage";
import { processGraphChanges } from "./process-changes";

/**
 * The after-change pipeline as the job `graph.after-change` (the engine
 * enqueues it on every change signal and every minute, at most one queued and
 * one running). A run drains the outbox until nothing is waiting, so one job
 * answers every signal that came while it was queued. Delivery is at least
 * once: processGraphChanges claims rows and every follow-up is idempotent.
 */
export async function drainGraphChanges(db: Parameters<typeof processGraphChanges>[0]): Promise<number> {
  let total = 0;
  for (;;) {
    const run = await processGraphChanges(db);
    total += run.changes;
    if (run.changes === 0) return total;
  }
}

registerHandler(GRAPH_AFTER_CHANGE, async (_data, { db }) => {
  await drainGraphChanges(db);
});

/** Processed outbox rows older than 30 days go; waiting rows never do (lib/graph/after-change.ts). */
export const PRUNE_GRAPH_CHANGES = "graph.prune-changes";
registerHandler(
  PRUNE_GRAPH_CHANGES,
  async (_data, { db }) => {
    await pruneGraphChanges(db);
  },
  { policy: "stately", retryLimit: 2 },
);
registerSchedule({ name: PRUNE_GRAPH_CHANGES, cron: "30 3 * * *", description: "every night at 03:30 UTC" });

/**
 * The ownership pages read the coverage point the pipeline keeps. When none is current — after an upgrade (points
 * written before graph versions were recorded), or when a recount failed — this catches up within ten minutes
 * instead of leaving the pages to count the whole graph per request. Skips when the kept point is current.
 */
export const COVERAGE_CATCH_UP = "ownership.coverage-catch-up";
export async function catchUpCoverage(db: Parameters<typeof keptCoverageCells>[0]): Promise<boolean> {
  const kept = await keptCoverageCells(db);
  if (kept?.current) return false;
  await recordCurrentCoverage(db);
  return true;
}
registerHandler(
  COVERAGE_CATCH_UP,
  async (_data, { db }) => {
    await catchUpCoverage(db);
  },
  { policy: "stately", retryLimit: 2 },
);
registerSchedule({ name: COVERAGE_CATCH_UP, cron: "*/10 * * * *", description: "every 10 minutes, when the kept coverage point is behind the graph" });
