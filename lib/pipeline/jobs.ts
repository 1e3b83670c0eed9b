import { GRAPH_AFTER_CHANGE } from "@/lib/jobs";
import { registerHandler, registerSchedule } from "@/lib/jobs/registry";
import { pruneGraphChanges } from "@/lib/graph/after-change";
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
