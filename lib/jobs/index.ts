import type { Database } from "@/db/client";
import { onGraphChanged } from "@/lib/graph/after-change";
import { registerInstance, unregisterInstance } from "@/lib/instance";
import { JobEngine, type EnqueueOptions } from "./engine";
import { defineQueue, registeredHandlers, registerSchedule } from "./registry";

const registeredHandlerNames = () => [...registeredHandlers().keys()].sort();
import { SWEEP_INTERVAL_MS, sweepInterruptedWork } from "./sweep";

export { registerHandler, registerSchedule, registerSweeper, defineQueue } from "./registry";
export type { JobContext, JobHandler } from "./registry";

/**
 * The follow-up work after committed graph changes (the pipeline registers its
 * handler). Stately: at most one queued and one running, so a burst of
 * signals coalesces into one run plus one to pick up what came during it.
 */
export const GRAPH_AFTER_CHANGE = "graph.after-change";
defineQueue(GRAPH_AFTER_CHANGE, { policy: "stately", retryLimit: 5, expireInSeconds: 15 * 60 });
// A missed signal (another instance's write, a crash between commit and signal) is picked up within a minute.
registerSchedule({ name: GRAPH_AFTER_CHANGE, cron: "* * * * *", description: "every minute, so a missed change signal is picked up" });

interface Running {
  ready: Promise<JobEngine>;
  database: Database;
  engine?: JobEngine;
  stop?: () => Promise<void>;
}
const g = globalThis as typeof globalThis & { __attestJobs?: Running };

/**
 * Starts the job engine in this process: registers the instance, sweeps work
 * left by dead instances, starts workers and schedules, enqueues the
 * after-change job on every graph-changed signal, and sweeps every 30 s.
 * Idempotent. Called by instrumentation.ts after prepareDatabase, so
 * `npm start` runs the workers; tests never start it implicitly (they build a
 * JobEngine with lib/testing/jobs.ts).
 */
export function startJobs(database: Database): Promise<JobEngine> {
  if (g.__attestJobs) return g.__attestJobs.ready;
  const running: Running = { database, ready: Promise.resolve(null as never) };
  running.ready = (async () => {
    const instanceId = await registerInstance(database.db, database.kind);
    const engine = new JobEngine(database, { instanceId, schedule: true });
    await engine.start();
    const swept = await sweepInterruptedWork(database, engine, { atStart: true });
    const failed = Object.entries(swept).filter(([, n]) => n > 0);
    if (failed.length) console.log(`[jobs] failed interrupted work at start: ${failed.map(([w, n]) => `${n} ${w}`).join(", ")}`);
    await engine.startWorkers();
    console.log(`[jobs] engine started on ${database.kind} (instance ${instanceId}): ${registeredHandlerNames().join(", ") || "no handlers"}`);
    let sweeping = false;
    const timer = setInterval(() => {
      if (sweeping) return; // on PGlite a sweep waits behind a long import; never stack them
      sweeping = true;
      sweepInterruptedWork(database, engine)
        .catch((e: Error) => console.error("[jobs] sweep failed:", e.message))
        .finally(() => (sweeping = false));
    }, SWEEP_INTERVAL_MS);
    timer.unref();
    const unsubscribe = onGraphChanged(() => {
      engine
        .enqueue(GRAPH_AFTER_CHANGE, {}, { singletonKey: GRAPH_AFTER_CHANGE })
        .catch((e: Error) => console.error("[jobs] enqueue after a graph change failed:", e.message));
    });
    running.engine = engine;
    running.stop = async () => {
      clearInterval(timer);
      unsubscribe();
      await engine.stop();
      await unregisterInstance(database.db);
    };
    return engine;
  })();
  g.__attestJobs = running;
  running.ready.catch(() => {
    if (g.__attestJobs === running) g.__attestJobs = undefined;
  });
  return running.ready;
}

/** Stops workers (running jobs get a few seconds) and removes this instance, so others fail what it leaves at once. */
export async function stopJobs(): Promise<void> {
  const running = g.__attestJobs;
  if (!running) return;
  g.__attestJobs = undefined;
  await running.ready.catch(() => undefined);
  await running.stop?.();
}

/** The engine of this process, when started. */
export function currentEngine(): JobEngine | null {
  return g.__attestJobs?.engine ?? null;
}

/** Enqueues a job on this process's engine. Returns the job id, or null when a stately queue already holds one. */
export async function enqueueJob(name: string, data: object = {}, opts: EnqueueOptions = {}): Promise<string | null> {
  const running = g.__attestJobs;
  if (!running) throw new Error("the job engine is not running in this process (startJobs is called at server start)");
  const engine = await running.ready;
  return engine.enqueue(name, data, opts);
}
