import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { jobRuns } from "@/db/schema";
import { instanceIsDead, pruneInstances } from "@/lib/instance";
import { JOBS_SCHEMA, type JobEngine } from "./engine";
import { registeredSweepers } from "./registry";

/** How often every instance sweeps. Bound: last heartbeat (≤ 15 s before death) + 60 s window + 30 s ≤ 2 minutes. */
export const SWEEP_INTERVAL_MS = 30_000;
export const INTERRUPTED_JOB = "interrupted: the process running this job stopped before it finished";

export interface SweepResult {
  /** Rows failed per kind of work, e.g. { imports: 1, jobs: 0 }. */
  [what: string]: number;
}

/**
 * Fails work whose process died: every registered sweeper (imports…) and job
 * runs recorded by a dead instance. A job is failed in pg-boss too, which then
 * retries it if it has retries left; pg-boss's own expiry covers the moment
 * between a fetch and the run's row. On PGlite at start, every job still
 * active belongs to the previous process (one process per data folder).
 */
export async function sweepInterruptedWork(database: Database, engine: JobEngine | null, opts: { atStart?: boolean } = {}): Promise<SweepResult> {
  const { db, kind } = database;
  const out: SweepResult = {};
  for (const [what, fn] of registeredSweepers()) out[what] = await fn(db, kind);
  const dead = await db
    .update(jobRuns)
    .set({ state: "failed", finishedAt: new Date(), errorClass: "Interrupted", errorMessage: INTERRUPTED_JOB })
    .where(and(eq(jobRuns.state, "running"), instanceIsDead(jobRuns.instanceId, kind)))
    .returning({ jobId: jobRuns.jobId, name: jobRuns.name });
  out.jobs = dead.length;
  if (engine) {
    for (const r of dead) await engine.boss.fail(r.name, r.jobId, { errorClass: "Interrupted", message: INTERRUPTED_JOB });
    if (opts.atStart && kind === "pglite") {
      const active = (await db.execute(sql.raw(`select id::text as id, name from ${JOBS_SCHEMA}.job where state = 'active'`))) as unknown as {
        rows: { id: string; name: string }[];
      };
      for (const r of active.rows) await engine.boss.fail(r.name, r.id, { errorClass: "Interrupted", message: INTERRUPTED_JOB });
      out.jobs += active.rows.length;
    }
  }
  if (opts.atStart) await pruneInstances(db);
  return out;
}
