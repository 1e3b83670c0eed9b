import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "@/db/client";
import { appInstances } from "@/db/schema";
import { newId } from "@/lib/ids";
import { JobEngine } from "@/lib/jobs/engine";

/**
 * One job engine on a test database, as one app instance would run it: its own
 * live app_instances row, fast polling, no cron. Tests build engines
 * explicitly; nothing in the suite starts the process-wide engine.
 */
export async function startTestEngine(database: Database, opts: { only?: string[] } = {}): Promise<JobEngine> {
  const instanceId = newId("ins");
  await database.db.insert(appInstances).values({ id: instanceId, pid: process.pid, host: "test", startedAt: sql`now()`, heartbeatAt: sql`now()` } as never);
  const engine = new JobEngine(database, { instanceId, schedule: false, pollingIntervalSeconds: 0.5, only: opts.only });
  await engine.start();
  await engine.startWorkers();
  return engine;
}

/** A second connection pool to the same PostgreSQL test database: another app instance. */
export async function openSecondInstance(database: Database): Promise<Database> {
  if (database.kind !== "postgres" || !database.pool) throw new Error("a second instance needs PostgreSQL");
  const url = (database.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  return openDatabase({ url });
}

/** Waits until `check` holds, polling; fails with `what` after a generous deadline (no test asserts on time). */
export async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
