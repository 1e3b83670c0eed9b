import PgBoss from "pg-boss";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { jobRuns } from "@/db/schema";
import { isAppError } from "@/lib/errors";
import { errorForLog } from "@/lib/errors/log-safe";
import { definedQueues, registeredHandlers, registeredSchedules, type JobHandler } from "./registry";

/** pg-boss keeps its queue in this schema, which it installs and migrates itself at start. */
export const JOBS_SCHEMA = "pgboss";

export interface EngineOptions {
  /** The app instance this engine runs in (app_instances.id): recorded on each run. */
  instanceId: string;
  /** Run registered cron schedules (the server: yes; tests: no). */
  schedule?: boolean;
  /** Seconds between polls of an idle queue (pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** Only these job names get workers (tests); default: every registered handler. */
  only?: string[];
}

export interface EnqueueOptions {
  /** With a stately or singleton queue: at most one job per key queued (and one running). */
  singletonKey?: string;
  startAfter?: Date | number;
  retryLimit?: number;
}

type SqlDb = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };
type PgliteClient = {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  exec(text: string): Promise<{ rows: unknown[] }[]>;
};

/**
 * pg-boss 10 accepts any object with executeSql. On PostgreSQL it shares the
 * app's pool. On PGlite it goes through the one client, which serialises every
 * query behind an open transaction, so pg-boss never interleaves with ours.
 * pg-boss sends its schema install and maintenance as one multi-statement text
 * without parameters (BEGIN; …; COMMIT): PGlite runs those with exec (simple
 * protocol), and everything with parameters with query (one statement).
 */
export function bossDb(database: Database): SqlDb {
  if (database.kind === "postgres") {
    const pool = database.pool!;
    return { executeSql: (text, values) => pool.query(text, values as unknown[]) };
  }
  const client = (database.db as unknown as { $client: PgliteClient }).$client;
  return {
    async executeSql(text, values) {
      if (values && values.length) return client.query(text, values);
      const results = await client.exec(text);
      return { rows: results.at(-1)?.rows ?? [] };
    },
  };
}

/** A failed run as pg-boss stores it: the error class and, for AppErrors only, their message (never stack or input). */
export class JobFailed extends Error {
  constructor(
    readonly errorClass: string,
    readonly safeMessage: string | null,
  ) {
    super(safeMessage ?? errorClass);
    this.name = "JobFailed";
  }
}

export function errorClassOf(e: unknown): string {
  if (isAppError(e)) return `AppError:${e.code}`;
  if (e instanceof Error) return (e.constructor?.name && e.constructor.name !== "Error" ? e.constructor.name : e.name) || "Error";
  return typeof e;
}

/**
 * One pg-boss instance bound to one database: installs its schema, creates the
 * registered queues, starts workers, and (optionally) the cron schedules.
 * Several engines may share one PostgreSQL database (several app instances):
 * a job is fetched by exactly one of them (SELECT … FOR UPDATE SKIP LOCKED).
 */
export class JobEngine {
  readonly boss: PgBoss;
  private started = false;
  private readonly queues = new Set<string>();

  constructor(
    readonly database: Database,
    readonly opts: EngineOptions,
  ) {
    this.boss = new PgBoss({
      db: bossDb(database),
      schema: JOBS_SCHEMA,
      migrate: true,
      supervise: true,
      schedule: opts.schedule ?? false,
      // Keep finished jobs visible on the admin page for a week; archive after a day.
      archiveCompletedAfterSeconds: 24 * 3600,
      archiveFailedAfterSeconds: 7 * 24 * 3600,
      deleteAfterDays: 7,
    } as PgBoss.ConstructorOptions);
    this.boss.on("error", (e: Error) => console.error("[jobs] engine error:", e.message));
  }

  /** Installs or migrates pg-boss's schema, creates the queues, and (if asked) the schedules. No workers yet. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    this.started = true;
    for (const [name, q] of definedQueues()) {
      await this.boss.createQueue(name, { name, ...q });
      this.queues.add(name);
    }
    if (this.opts.schedule) {
      const wanted = new Set(registeredSchedules().map((s) => s.name));
      for (const s of await this.boss.getSchedules()) if (!wanted.has(s.name)) await this.boss.unschedule(s.name);
      for (const s of registeredSchedules()) await this.boss.schedule(s.name, s.cron, s.data ?? {}, { tz: "UTC", singletonKey: s.name });
    }
  }

  /** Starts polling workers for the registered handlers (after the start sweep, so no live job is judged interrupted). */
  async startWorkers(): Promise<void> {
    const pglite = this.database.kind === "pglite";
    for (const [name, { fn, opts }] of registeredHandlers()) {
      if (this.opts.only && !this.opts.only.includes(name)) continue;
      await this.boss.createQueue(name, { name, ...definedQueues().get(name) });
      const team = pglite ? 1 : Math.max(1, opts.teamSize ?? 1);
      for (let i = 0; i < team; i++) {
        await this.boss.work(
          name,
          { batchSize: opts.batch ?? 1, includeMetadata: true, pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 2 },
          (jobs) => this.runBatch(name, fn, jobs),
        );
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    // graceful: running jobs get up to 10 s, then pg-boss fails what is still active here.
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000, close: false });
  }

  async enqueue(name: string, data: object = {}, opts: EnqueueOptions = {}): Promise<string | null> {
    if (!definedQueues().has(name)) throw new Error(`no queue named ${name}: register its handler or defineQueue first`);
    // A queue defined after start (a module loaded later) is created on first use.
    if (!this.queues.has(name)) {
      await this.boss.createQueue(name, { name, ...definedQueues().get(name) });
      this.queues.add(name);
    }
    const send: PgBoss.SendOptions = {};
    if (opts.singletonKey) send.singletonKey = opts.singletonKey;
    if (opts.startAfter !== undefined) send.startAfter = opts.startAfter instanceof Date ? opts.startAfter : new Date(opts.startAfter);
    if (opts.retryLimit !== undefined) send.retryLimit = opts.retryLimit;
    return this.boss.send(name, data, send);
  }

  /** Each job is recorded and handled on its own; a failing one is failed alone with its error class. */
  private async runBatch(name: string, fn: JobHandler, jobs: PgBoss.JobWithMetadata<unknown>[]): Promise<void> {
    for (const job of jobs) {
      try {
        await this.runOne(name, fn, job);
      } catch (e) {
        const f = e instanceof JobFailed ? e : new JobFailed(errorClassOf(e), null);
        await this.boss.fail(name, job.id, { errorClass: f.errorClass, message: f.safeMessage });
      }
    }
  }

  private async runOne(name: string, fn: JobHandler, job: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    const { db } = this.database;
    const attempt = job.retryCount ?? 0;
    const startedAt = new Date();
    const key = and(eq(jobRuns.jobId, job.id), eq(jobRuns.attempt, attempt));
    await db
      .insert(jobRuns)
      .values({ jobId: job.id, attempt, name, instanceId: this.opts.instanceId, state: "running", startedAt })
      .onConflictDoUpdate({
        target: [jobRuns.jobId, jobRuns.attempt],
        set: { instanceId: this.opts.instanceId, state: "running", startedAt, finishedAt: null, durationMs: null, errorClass: null, errorMessage: null },
      });
    const t0 = performance.now();
    try {
      await fn(job.data, { db, jobId: job.id, name, attempt });
    } catch (e) {
      const errorClass = errorClassOf(e);
      const safe = isAppError(e) ? e.message : null;
      if (!isAppError(e)) console.error(`[jobs] ${name} ${job.id} failed: ${errorForLog(e)}`);
      await db
        .update(jobRuns)
        .set({ state: "failed", finishedAt: new Date(), durationMs: Math.round(performance.now() - t0), errorClass, errorMessage: safe })
        .where(key);
      throw new JobFailed(errorClass, safe);
    }
    await db
      .update(jobRuns)
      .set({ state: "completed", finishedAt: new Date(), durationMs: Math.round(performance.now() - t0) })
      .where(key);
  }
}
