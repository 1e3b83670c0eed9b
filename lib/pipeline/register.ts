import type { Db } from "@/db/client";
import { processGraphChanges } from "./process-changes";

/** The job that runs the after-change pipeline; the job engine coalesces it (one running, one queued). */
export const GRAPH_AFTER_CHANGE_JOB = "graph.after-change";

type Handler = (db: Db) => Promise<unknown>;

/**
 * Registers the pipeline's job handlers with the job engine. lib/jobs knows
 * nothing of findings or ingest: it calls `register` for each name it should
 * run. Wire at merge: `registerPipelineHandlers(registerHandler)` before
 * startJobs(). Each run drains the outbox until it is empty, so one job
 * answers every signal that came in while it was queued.
 */
export function registerPipelineHandlers(register: (name: string, fn: Handler) => void): void {
  register(GRAPH_AFTER_CHANGE_JOB, async (db) => {
    let total = 0;
    for (;;) {
      const run = await processGraphChanges(db);
      total += run.changes;
      if (run.changes === 0) return { changes: total };
    }
  });
}
