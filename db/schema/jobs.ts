import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * One row per running app process (PGlite: the one process; PostgreSQL: each
 * instance). A process refreshes heartbeat_at every few seconds; one whose
 * heartbeat is older than the liveness window is dead, and work it had started
 * (imports, job runs) is failed by whichever instance sweeps next.
 */
export const appInstances = pgTable("app_instances", {
  id: text("id").primaryKey(),
  pid: integer("pid").notNull(),
  host: text("host").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull(),
});

export type JobRunState = "running" | "completed" | "failed";

/**
 * One row per delivery of a background job (pg-boss keeps the queue itself in
 * its own schema, pgboss). Records which instance ran it, so a run whose
 * process died is failed with a reason, and what the admin page shows: timings
 * and the error class, never the error's text unless it is a safe AppError.
 */
export const jobRuns = pgTable(
  "job_runs",
  {
    jobId: text("job_id").notNull(),
    attempt: integer("attempt").notNull(),
    name: text("name").notNull(),
    instanceId: text("instance_id").notNull(),
    state: text("state").$type<JobRunState>().notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    durationMs: integer("duration_ms"),
    errorClass: text("error_class"),
    errorMessage: text("error_message"),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.attempt] }),
    index("job_runs_name_started_idx").on(t.name, t.startedAt),
    index("job_runs_running_idx").on(t.state, t.instanceId),
  ],
);

/**
 * Effects already done, by idempotency key: delivery is at least once, so a
 * handler whose effect must happen once claims its key in the effect's own
 * transaction (see runOnce in lib/jobs/effects.ts).
 */
export const jobEffects = pgTable("job_effects", {
  key: text("key").primaryKey(),
  jobId: text("job_id"),
  doneAt: timestamp("done_at", { withTimezone: true }).notNull().defaultNow(),
});
