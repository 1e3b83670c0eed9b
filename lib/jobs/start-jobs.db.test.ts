import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appInstances, imports } from "@/db/schema";
import { notifyGraphChanged } from "@/lib/graph/after-change";
import "@/lib/ingest/jobs";
import { currentInstanceId } from "@/lib/instance";
import { eventually } from "@/lib/testing/jobs";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { GRAPH_AFTER_CHANGE, registerHandler, startJobs, stopJobs } from "./index";

let t: TestDatabase;
let runs = 0;
let release: () => void = () => {};
// Stands in for the pipeline's handler: the first run blocks so signals arrive while it runs.
registerHandler(GRAPH_AFTER_CHANGE, async () => {
  runs++;
  if (runs === 1) await new Promise<void>((r) => (release = r));
});

beforeAll(async () => {
  t = await createTestDatabase();
  // What a process killed mid-import leaves behind (on PostgreSQL its instance row is gone or stale).
  await t.db.insert(imports).values({
    id: "imp_before_restart",
    format: "jsonl",
    mode: "full",
    status: "running",
    actorType: "user",
    actorId: "x",
    startedAt: new Date(),
    heartbeatAt: new Date(),
    instanceId: "ins_killed",
  });
});
afterAll(async () => {
  release();
  await stopJobs();
  await t.cleanup();
});

describe(`startJobs, as the server runs it (${testTarget()})`, () => {
  it("fails an import killed just before the restart as soon as the engine is up", async () => {
    const engine = await startJobs(t);
    expect(await startJobs(t)).toBe(engine); // idempotent
    const [row] = await t.db.select().from(imports).where(eq(imports.id, "imp_before_restart"));
    expect(row!.status).toBe("failed");
    expect(row!.errors[0]!.message).toMatch(/interrupted/);
  });

  it("turns a burst of graph-changed signals into one run and at most one queued", async () => {
    notifyGraphChanged();
    await eventually("the after-change run to start", async () => runs === 1);
    for (let i = 0; i < 10; i++) notifyGraphChanged();
    const waiting = async () => {
      const r = (await t.db.execute(
        sql`select count(*)::int as n from pgboss.job where name = ${GRAPH_AFTER_CHANGE} and state in ('created','retry','active')`,
      )) as unknown as { rows: { n: number }[] };
      return r.rows[0]!.n;
    };
    await eventually("the signals to be enqueued", async () => (await waiting()) === 2);
    for (let i = 0; i < 5; i++) notifyGraphChanged();
    await new Promise((r) => setTimeout(r, 300));
    expect(await waiting()).toBe(2);
    release();
    await eventually("the queued run", async () => runs === 2);
  });

  it("removes its instance at stop, so what it leaves is failed at the next sweep", async () => {
    const id = currentInstanceId()!;
    expect((await t.db.select({ n: count() }).from(appInstances).where(eq(appInstances.id, id)))[0]!.n).toBe(1);
    await stopJobs();
    expect((await t.db.select({ n: count() }).from(appInstances).where(eq(appInstances.id, id)))[0]!.n).toBe(0);
    expect(currentInstanceId()).toBeNull();
  });
});
