import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import { AppError, notFound } from "@/lib/errors";
import { JOBS_SCHEMA } from "./engine";
import { definedQueues, registeredSchedules } from "./registry";

export const JOB_STATES = ["created", "retry", "active", "completed", "cancelled", "failed"] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobView {
  id: string;
  name: string;
  /** created = queued; retry = queued again after a failure; active = running. */
  state: JobState;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** Delivery attempts so far, and the limit of retries. */
  retryCount: number;
  retryLimit: number;
  durationMs: number | null;
  /** The error's class (e.g. "Interrupted", "AppError:validation", "Expired"); never its text unless a safe AppError's. */
  errorClass: string | null;
  errorMessage: string | null;
  instanceId: string | null;
}

export interface JobNameSummary {
  name: string;
  queued: number;
  running: number;
  failed: number;
  schedule: { cron: string; description: string } | null;
  lastRun: { state: string; startedAt: string; durationMs: number | null; errorClass: string | null } | null;
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

async function rows<T = Row>(db: Db, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** pg-boss installs its schema when the engine first starts; before that there are no jobs. */
async function installed(db: Db): Promise<boolean> {
  const [r] = await rows<{ t: string | null }>(db, sql`select to_regclass(${`${JOBS_SCHEMA}.job`})::text as t`);
  return !!r?.t;
}

export const listJobsQuery = z
  .object({
    state: z.enum(JOB_STATES).optional(),
    name: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();

/** The position after the last row: created_on as PostgreSQL prints it (microseconds kept) and the id. */
type Cursor = { c: string; id: string };
const isCursor = (v: unknown): v is Cursor =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as Cursor).c === "string" &&
  typeof (v as Cursor).id === "string" &&
  /^\d{4}-\d{2}-\d{2}[ T][\d:.]+([+-]\d{2}(:?\d{2})?|Z)?$/.test((v as Cursor).c);

/**
 * Jobs newest first, queued, running and finished (finished ones for a week):
 * admins only. Reads pg-boss's tables (live and archive) beside our job_runs.
 */
export async function listJobs(
  db: Db,
  actor: Actor,
  query: z.infer<typeof listJobsQuery>,
): Promise<{ items: JobView[]; total: number; nextCursor: string | null }> {
  requirePermission(actor, "admin.jobs");
  if (!(await installed(db))) return { items: [], total: 0, nextCursor: null };
  const s = sql.raw(JOBS_SCHEMA);
  // pg-boss's own internal queues (__pgboss__send-it: cron deliveries) are its business, not the admin's.
  const filter = sql.join(
    [sql`name not like '\_\_pgboss\_\_%'`, query.state ? sql`state::text = ${query.state}` : sql`true`, query.name ? sql`name = ${query.name}` : sql`true`],
    sql` and `,
  );
  const all = sql`(select id, name, state, created_on, started_on, completed_on, retry_count, retry_limit, output from ${s}.job where ${filter}
    union all select id, name, state, created_on, started_on, completed_on, retry_count, retry_limit, output from ${s}.archive where ${filter})`;
  const [{ n }] = (await rows<{ n: number }>(db, sql`select count(*)::int as n from ${all} j`)) as [{ n: number }];
  const after = query.cursor ? decodeCursor(query.cursor, isCursor) : null;
  const page = await rows(
    db,
    sql`select j.id::text as id, j.created_on::text as created_key, j.name, j.state::text as state, j.created_on, j.started_on, j.completed_on, j.retry_count, j.retry_limit,
          j.output->>'errorClass' as out_class, j.output->'value'->>'message' as out_boss_message,
          r.duration_ms, r.error_class, r.error_message, r.instance_id
        from ${all} j
        left join lateral (select * from job_runs r where r.job_id = j.id::text order by r.attempt desc limit 1) r on true
        where ${after ? sql`(j.created_on, j.id::text) < (${after.c}::timestamptz, ${after.id})` : sql`true`}
        order by j.created_on desc, j.id::text desc limit ${query.limit + 1}`,
  );
  const items = page.slice(0, query.limit).map(toView);
  const last = page.length > query.limit ? page[query.limit - 1]! : null;
  return { items, total: n, nextCursor: last ? encodeCursor({ c: String(last.created_key), id: String(last.id) }) : null };
}

function toView(r: Row): JobView {
  const state = r.state as JobState;
  const failed = state === "failed" || state === "retry";
  // pg-boss's own expiry writes { value: { message } }: shown as the class "Expired", its fixed text kept.
  const expired = !r.out_class && typeof r.out_boss_message === "string" && r.out_boss_message.includes("timeout");
  return {
    id: String(r.id),
    name: String(r.name),
    state,
    createdAt: iso(r.created_on)!,
    startedAt: iso(r.started_on),
    completedAt: iso(r.completed_on),
    retryCount: Number(r.retry_count),
    retryLimit: Number(r.retry_limit),
    durationMs: r.duration_ms == null ? null : Number(r.duration_ms),
    errorClass: failed ? ((r.out_class as string | null) ?? (expired ? "Expired" : ((r.error_class as string | null) ?? null))) : null,
    errorMessage: failed ? (expired ? "the job ran past its time limit and its worker was presumed gone" : ((r.error_message as string | null) ?? null)) : null,
    instanceId: (r.instance_id as string | null) ?? null,
  };
}

/** Per job name: what is queued, running and failed now, its schedule, and its last run. */
export async function summarizeJobs(db: Db, actor: Actor): Promise<JobNameSummary[]> {
  requirePermission(actor, "admin.jobs");
  const names = new Set<string>(definedQueues().keys());
  const counts = new Map<string, Row>();
  if (await installed(db)) {
    const s = sql.raw(JOBS_SCHEMA);
    for (const r of await rows(
      db,
      sql`select name, count(*) filter (where state in ('created','retry'))::int as queued, count(*) filter (where state = 'active')::int as running,
        count(*) filter (where state = 'failed')::int as failed from ${s}.job where name not like '\_\_pgboss\_\_%' group by name`,
    )) {
      counts.set(String(r.name), r);
      names.add(String(r.name));
    }
  }
  const last = new Map<string, Row>();
  for (const r of await rows(db, sql`select distinct on (name) name, state, started_at, duration_ms, error_class from job_runs order by name, started_at desc`))
    last.set(String(r.name), r);
  const schedules = new Map(registeredSchedules().map((x) => [x.name, x]));
  return [...names].sort().map((name) => {
    const c = counts.get(name);
    const l = last.get(name);
    const sch = schedules.get(name);
    return {
      name,
      queued: Number(c?.queued ?? 0),
      running: Number(c?.running ?? 0),
      failed: Number(c?.failed ?? 0),
      schedule: sch ? { cron: sch.cron, description: sch.description } : null,
      lastRun: l
        ? {
            state: String(l.state),
            startedAt: iso(l.started_at)!,
            durationMs: l.duration_ms == null ? null : Number(l.duration_ms),
            errorClass: (l.error_class as string | null) ?? null,
          }
        : null,
    };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Queues a failed job again (one more attempt), audited in the same
 * transaction as the change. Only failed jobs still in the live table (a week)
 * can be retried; anything else is a 409 saying why.
 */
export async function retryJob(db: Db, actor: Actor, id: string, requestId?: string): Promise<JobView> {
  requirePermission(actor, "admin.jobs");
  if (!UUID.test(id) || !(await installed(db))) throw notFound("job");
  const s = sql.raw(JOBS_SCHEMA);
  return db.transaction(async (tx) => {
    const [job] = await rows(tx, sql`select id, name, state::text as state from ${s}.job where id = ${id}::uuid for update`);
    if (!job) {
      const archived = await rows(tx, sql`select 1 from ${s}.archive where id = ${id}::uuid`);
      if (archived.length) throw new AppError("conflict", "this job is archived and can no longer be retried", [{ path: "id", message: "archived" }]);
      throw notFound("job");
    }
    if (job.state !== "failed")
      throw new AppError("conflict", `only failed jobs can be retried; this one is ${String(job.state)}`, [{ path: "id", message: "not failed" }]);
    await tx.execute(sql`update ${s}.job set state = 'retry', retry_limit = retry_limit + 1 where id = ${id}::uuid and state = 'failed'`);
    await emitAudit(tx, actor, {
      action: "job.retry",
      target: { type: "job", id },
      before: { name: job.name, state: "failed" },
      after: { state: "retry" },
      requestId,
    });
    const [view] = await rows(
      tx,
      sql`select j.id::text as id, j.name, j.state::text as state, j.created_on, j.started_on, j.completed_on, j.retry_count, j.retry_limit, null as out_class from ${s}.job j where id = ${id}::uuid`,
    );
    return toView(view!);
  });
}
