import type { Db } from "@/db/client";
import { onGraphChanged } from "@/lib/graph/after-change";
import { processGraphChanges } from "./process-changes";

export const SWEEP_MS = 60_000;

/**
 * Stand-in runner until the job engine (lib/jobs) runs `graph.after-change`:
 * drains the outbox in this process when a change is signalled, and once a
 * minute in case a signal was missed (the outbox row is durable either way).
 * Coalesced: at most one run going and one queued. Other instances are safe,
 * since processGraphChanges claims rows. Replaced at merge by
 * registerPipelineHandlers(registerHandler) + the engine's coalesced job.
 */
export function startInProcessPipeline(getDb: () => Promise<Db>): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const db = await getDb();
        while ((await processGraphChanges(db)).changes > 0);
      } while (again);
    } catch (e) {
      // Rows stay waiting (their claim is given back); the next signal or sweep retries.
      console.error("[pipeline] after-change follow-ups failed; retrying at the next change or sweep:", e instanceof Error ? e.message : e);
    } finally {
      running = false;
    }
  };
  const off = onGraphChanged(() => void run());
  const sweep = setInterval(() => void run(), SWEEP_MS);
  sweep.unref();
  void run();
  return () => {
    off();
    clearInterval(sweep);
  };
}
