import os from "node:os";
import { eq, sql, type SQL, type AnyColumn } from "drizzle-orm";
import type { Db, DatabaseKind } from "@/db/client";
import { appInstances } from "@/db/schema";
import { newId } from "./ids";

/**
 * This process's identity among app instances, for telling live work from work
 * whose process died. Null until the process registers (the server does at
 * start, in startJobs): work started by an unregistered process (a CLI, a test)
 * is judged by the older rule, its own heartbeat, so no live CLI is failed.
 */
const g = globalThis as typeof globalThis & { __attestInstance?: { id: string; timer?: NodeJS.Timeout } };

/** An instance whose heartbeat is older than this is dead. Heartbeats come every HEARTBEAT_MS. */
export const LIVENESS_WINDOW_SECONDS = 60;
export const HEARTBEAT_MS = 15_000;

export function currentInstanceId(): string | null {
  return g.__attestInstance?.id ?? null;
}

/**
 * Registers this process as a live instance and keeps its heartbeat fresh (on
 * PostgreSQL; on PGlite only one process can exist, so no heartbeat is needed).
 * The database clock is used throughout, so instances' clocks may differ.
 */
export async function registerInstance(db: Db, kind: DatabaseKind): Promise<string> {
  const existing = g.__attestInstance;
  if (existing) return existing.id;
  const id = newId("ins");
  await db.insert(appInstances).values({ id, pid: process.pid, host: os.hostname(), startedAt: sql`now()`, heartbeatAt: sql`now()` } as never);
  const state: { id: string; timer?: NodeJS.Timeout } = { id };
  if (kind === "postgres") {
    state.timer = setInterval(() => {
      db.insert(appInstances)
        .values({ id, pid: process.pid, host: os.hostname(), startedAt: sql`now()`, heartbeatAt: sql`now()` } as never)
        .onConflictDoUpdate({ target: appInstances.id, set: { heartbeatAt: sql`now()` } })
        .catch((e: Error) => console.error("[jobs] instance heartbeat failed:", e.message));
    }, HEARTBEAT_MS);
    state.timer.unref();
  }
  g.__attestInstance = state;
  return id;
}

/** Stops the heartbeat and removes this instance's row, so its unfinished work is failed at the next sweep. */
export async function unregisterInstance(db: Db): Promise<void> {
  const state = g.__attestInstance;
  if (!state) return;
  g.__attestInstance = undefined;
  if (state.timer) clearInterval(state.timer);
  await db.delete(appInstances).where(eq(appInstances.id, state.id));
}

/**
 * SQL true when the instance named in `column` is dead. PGlite: any instance
 * other than this process (one process per data folder). PostgreSQL: no
 * heartbeat within the liveness window. Rows with no instance are left to the
 * caller's own rule (see failInterruptedImports).
 */
export function instanceIsDead(column: AnyColumn, kind: DatabaseKind, self: string | null = currentInstanceId()): SQL {
  if (kind === "pglite") return sql`(${column} is not null and ${column} is distinct from ${self})`;
  return sql`(${column} is not null and ${column} not in (select id from app_instances where heartbeat_at > now() - make_interval(secs => ${LIVENESS_WINDOW_SECONDS})))`;
}

/** Forgets instances dead for a day, so the table stays small. */
export async function pruneInstances(db: Db): Promise<void> {
  await db.delete(appInstances).where(sql`${appInstances.heartbeatAt} < now() - interval '1 day'`);
}

/** Tests: start over as an unregistered process, as after a restart. */
export function forgetInstanceForTests(): void {
  const state = g.__attestInstance;
  if (state?.timer) clearInterval(state.timer);
  g.__attestInstance = undefined;
}
