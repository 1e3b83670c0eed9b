import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { auditEvents, jobRuns } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { eventually, openSecondInstance, startTestEngine } from "@/lib/testing/jobs";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { runOnce } from "./effects";
import type { JobEngine } from "./engine";
import { registerHandler } from "./registry";

let t: TestDatabase;
let engine: JobEngine;
const calls = new Map<string, number>();
const seen = (id: string) => calls.set(id, (calls.get(id) ?? 0) + 1);

// A handler whose effect (an audit event) must happen once per job; its first delivery dies after the
// effect committed and before the job was acknowledged, as a crash would, so the job is delivered again.
registerHandler<{ key: string; crashOnce?: boolean }>(
  "test.effect",
  async (data, ctx) => {
    seen(ctx.jobId);
    await runOnce(ctx.db, `test.effect:${data.key}`, ctx.jobId, (tx) =>
      emitAudit(tx, systemActor("test"), { action: "test.effect", target: { type: "test", id: data.key } }),
    );
    if (data.crashOnce && ctx.attempt === 0) throw new Error("worker lost after the effect committed: secret=hunter2");
  },
  { retryLimit: 3 },
);
registerHandler("test.count", async (_data, ctx) => void seen(ctx.jobId));
let release: () => void = () => {};
registerHandler(
  "test.slow",
  async (_data, ctx) => {
    seen(ctx.jobId);
    await new Promise<void>((r) => (release = r));
  },
  { policy: "stately" },
);

async function effects(key: string): Promise<number> {
  const [r] = await t.db
    .select({ n: count() })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "test.effect"), eq(auditEvents.targetId, key)));
  return r!.n;
}
async function run(jobId: string, attempt = 0) {
  const [r] = await t.db
    .select()
    .from(jobRuns)
    .where(and(eq(jobRuns.jobId, jobId), eq(jobRuns.attempt, attempt)));
  return r;
}

beforeAll(async () => {
  t = await createTestDatabase();
  engine = await startTestEngine(t);
});
afterAll(async () => {
  await engine.stop();
  await t.cleanup();
});

describe(`the job engine (${testTarget()})`, () => {
  it("installs pg-boss's own schema beside ours at start", async () => {
    const r = (await t.db.execute(sql`select version from pgboss.version`)) as unknown as { rows: { version: number }[] };
    expect(Number(r.rows[0]!.version)).toBeGreaterThan(0);
  });

  it("runs an enqueued job with its registered handler and records the run", async () => {
    const id = (await engine.enqueue("test.count", {}))!;
    const r = await eventually("the run to complete", async () => ((await run(id))?.state === "completed" ? run(id) : null));
    expect(r).toMatchObject({ name: "test.count", state: "completed", errorClass: null });
    expect(calls.get(id)).toBe(1);
  });

  it("a job delivered twice has its effect once", async () => {
    const id = (await engine.enqueue("test.effect", { key: "k-twice", crashOnce: true }))!;
    await eventually("the redelivery to complete", async () => (await run(id, 1))?.state === "completed");
    expect(calls.get(id)).toBe(2);
    expect(await effects("k-twice")).toBe(1);
    // The first delivery is recorded as failed by its error class; the message (not an AppError) is not kept.
    expect(await run(id, 0)).toMatchObject({ state: "failed", errorClass: "Error", errorMessage: null });
    const stored = (await t.db.execute(
      sql`select output::text as o from pgboss.job where id = ${id}::uuid union all select output::text from pgboss.archive where id = ${id}::uuid`,
    )) as unknown as { rows: { o: string | null }[] };
    expect(stored.rows.map((r) => r.o ?? "").join()).not.toContain("hunter2");
  });

  it("coalesces a stately queue: at most one queued while one runs", async () => {
    const first = (await engine.enqueue("test.slow", {}, { singletonKey: "s" }))!;
    await eventually("the first run to start", async () => (await run(first))?.state === "running");
    const more = await Promise.all([1, 2, 3, 4, 5].map(() => engine.enqueue("test.slow", {}, { singletonKey: "s" })));
    expect(more.filter(Boolean)).toHaveLength(1);
    const states = (await t.db.execute(
      sql`select state::text as s, count(*)::int as n from pgboss.job where name = 'test.slow' group by 1 order by 1`,
    )) as unknown as { rows: { s: string; n: number }[] };
    expect(states.rows).toEqual([
      { s: "active", n: 1 },
      { s: "created", n: 1 },
    ]);
    release();
    const queued = more.find(Boolean)!;
    await eventually("the queued run to start", async () => (await run(queued))?.state === "running");
    release();
    await eventually("the queued run to complete", async () => (await run(queued))?.state === "completed");
  });
});

// PGlite is one process per data folder: several instances exist on PostgreSQL only.
if (testTarget() === "postgres")
  describe("two app instances on one PostgreSQL database", () => {
    let other: Database;
    let otherEngine: JobEngine;
    beforeAll(async () => {
      other = await openSecondInstance(t);
      otherEngine = await startTestEngine(other);
    });
    afterAll(async () => {
      await otherEngine.stop();
      await other.close();
    });

    it("race for the same jobs and each job runs exactly once", async () => {
      const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? engine : otherEngine).enqueue("test.count", { i })));
      await eventually("every job to complete", async () => {
        const done = await t.db
          .select({ n: count() })
          .from(jobRuns)
          .where(and(eq(jobRuns.name, "test.count"), eq(jobRuns.state, "completed"), sql`${jobRuns.jobId} in ${ids as string[]}`));
        return done[0]!.n === ids.length;
      });
      expect(ids.map((id) => calls.get(id!))).toEqual(ids.map(() => 1));
      const runs = await t.db
        .select({ n: count() })
        .from(jobRuns)
        .where(sql`${jobRuns.jobId} in ${ids as string[]}`);
      expect(runs[0]!.n).toBe(ids.length);
    });

    it("a job redelivered while two instances poll has its effect once", async () => {
      const id = (await otherEngine.enqueue("test.effect", { key: "k-race", crashOnce: true }))!;
      await eventually("the redelivery to complete", async () => (await run(id, 1))?.state === "completed");
      expect(await effects("k-race")).toBe(1);
    });
  });
