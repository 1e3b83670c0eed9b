import type { Db } from "@/db/client";
import { allowSampleRateFromEnv, configureDecisionSampling, onDecisionsWaiting, pendingDecisions } from "./decision-log";
import { flushDecisions } from "./decision-writer";

/** How often waiting decisions are written (sooner when FLUSH_AT wait). */
export const FLUSH_INTERVAL_MS = 1_000;

interface Flusher {
  db: Db;
  timer: NodeJS.Timeout;
  running: Promise<void> | null;
  again: boolean;
  /** Set by stop: a wake-up already scheduled must not start a write beside the final one. */
  stopped: boolean;
}
const g = globalThis as typeof globalThis & { __attestDecisionFlusher?: Flusher };

function kick(f: Flusher): void {
  if (f.stopped) return;
  if (f.running) {
    f.again = true;
    return;
  }
  f.running = (async () => {
    do {
      f.again = false;
      try {
        await flushDecisions(f.db);
      } catch (e) {
        console.error("[decision-log] writing a batch failed (it is tried again once):", (e as Error).message);
        return;
      }
    } while (f.again && pendingDecisions() > 0);
  })().finally(() => {
    f.running = null;
  });
}

/**
 * Starts writing the decision log in this process: every second, and at once when FLUSH_AT records wait. Reads
 * ATTEST_PDP_ALLOW_SAMPLE and throws when it is not a number in 0..1, so a bad value stops the start with the reason.
 * Idempotent. Called by instrumentation-node.ts with the job engine; tests call flushDecisions directly.
 */
export function startDecisionFlusher(db: Db, env: Record<string, string | undefined> = process.env): void {
  configureDecisionSampling({ allowRate: allowSampleRateFromEnv(env) });
  if (g.__attestDecisionFlusher) return;
  const f: Flusher = { db, timer: setInterval(() => kick(f), FLUSH_INTERVAL_MS), running: null, again: false, stopped: false };
  f.timer.unref();
  onDecisionsWaiting(() => setImmediate(() => kick(f)));
  g.__attestDecisionFlusher = f;
}

/** Stops the timer and writes what still waits (shutdown). */
export async function stopDecisionFlusher(): Promise<void> {
  const f = g.__attestDecisionFlusher;
  if (!f) return;
  g.__attestDecisionFlusher = undefined;
  f.stopped = true;
  clearInterval(f.timer);
  onDecisionsWaiting(null);
  await f.running?.catch(() => undefined);
  await flushDecisions(f.db, { maxBatches: 1_000 });
}
