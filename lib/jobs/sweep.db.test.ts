import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appInstances, imports, jobRuns } from "@/db/schema";
import "@/lib/ingest/jobs";
import { forgetInstanceForTests, HEARTBEAT_MS, LIVENESS_WINDOW_SECONDS, registerInstance } from "@/lib/instance";
import { startTestEngine } from "@/lib/testing/jobs";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import type { JobEngine } from "./engine";
import { registerHandler } from "./registry";
import { SWEEP_INTERVAL_MS, sweepInterruptedWork } from "./sweep";

let t: TestDatabase;
let engine: JobEngine;
registerHandler("test.never", async () => {}); // a queue nobody polls here (see only: below)

beforeAll(async () => {
  t = await createTestDatabase();
  engine = await startTestEngine(t, { only: [] });
});
afterAll(async () => {
  forgetInstanceForTests();
  await engine.stop();
  await t.cleanup();
});

/** An import left `running` by an instance, as a killed process leaves it. */
async function runningImport(id: string, instanceId: string | null) {
  await t.db.insert(imports).values({
    id,
    format: "jsonl",
    mode: "full",
    status: "running",
    actorType: "user",
    actorId: "x",
    startedAt: new Date(),
    heartbeatAt: new Date(),
    instanceId,
  });
}
async function instanceRow(id: string, heartbeatAgeSeconds: number) {
  await t.db.insert(appInstances).values({
    id,
    pid: 1,
    host: "h",
    startedAt: sql`now() - interval '1 hour'`,
    heartbeatAt: sql`now() - make_interval(secs => ${heartbeatAgeSeconds})`,
  } as never);
}
const statusOf = async (id: string) => (await t.db.select().from(imports).where(eq(imports.id, id)))[0]!;

describe(`interrupted work (${testTarget()})`, () => {
  it("the sweep's bound is within two minutes of a death", () => {
    // Died just after a heartbeat: dead once the window passes, failed at the next sweep.
    expect(HEARTBEAT_MS / 1000 + LIVENESS_WINDOW_SECONDS + SWEEP_INTERVAL_MS / 1000).toBeLessThanOrEqual(120);
  });

  it("a killed import is failed with the reason after an immediate restart", async () => {
    const before = await registerInstance(t.db, t.kind); // the process that will be killed
    await runningImport("imp_killed", before);
    forgetInstanceForTests(); // killed; the restarted process registers anew at once
    const after = await registerInstance(t.db, t.kind);
    expect(after).not.toBe(before);
    if (t.kind === "postgres") {
      // The dead process's heartbeat is still fresh at the restart: not failed yet...
      await sweepInterruptedWork(t, engine, { atStart: true });
      expect((await statusOf("imp_killed")).status).toBe("running");
      // ...and failed by the first sweep once the liveness window has passed since its last heartbeat.
      await t.db
        .update(appInstances)
        .set({ heartbeatAt: sql`now() - make_interval(secs => ${LIVENESS_WINDOW_SECONDS + 1})` })
        .where(eq(appInstances.id, before));
    }
    const swept = await sweepInterruptedWork(t, engine, { atStart: true });
    expect(swept.imports).toBe(1);
    const row = await statusOf("imp_killed");
    expect(row.status).toBe("failed");
    expect(row.errors[0]!.message).toMatch(/interrupted/);
  });

  it("an import running in this process is not failed by its own sweep", async () => {
    const self = await registerInstance(t.db, t.kind);
    await runningImport("imp_mine", self);
    await sweepInterruptedWork(t, engine);
    expect((await statusOf("imp_mine")).status).toBe("running");
  });

  it("a job run by a dead instance is failed in job_runs and in the queue, which retries it", async () => {
    const id = (await engine.enqueue("test.never", {}))!;
    // Make the job active as a worker of the dead instance would have.
    await t.db.execute(sql`update pgboss.job set state = 'active', started_on = now() where id = ${id}::uuid`);
    const dead = t.kind === "postgres" ? "ins_dead_worker" : "ins_previous_process";
    if (t.kind === "postgres") await instanceRow(dead, LIVENESS_WINDOW_SECONDS + 1);
    await t.db.insert(jobRuns).values({ jobId: id, attempt: 0, name: "test.never", instanceId: dead, state: "running", startedAt: new Date() });
    const swept = await sweepInterruptedWork(t, engine);
    expect(swept.jobs).toBe(1);
    const [run] = await t.db.select().from(jobRuns).where(eq(jobRuns.jobId, id));
    expect(run).toMatchObject({ state: "failed", errorClass: "Interrupted" });
    expect(run!.errorMessage).toMatch(/interrupted/);
    const job = (await t.db.execute(
      sql`select state::text as state, output->>'errorClass' as "errorClass" from pgboss.job where id = ${id}::uuid`,
    )) as unknown as { rows: { state: string }[] };
    expect(job.rows[0]).toEqual({ state: "retry", errorClass: "Interrupted" });
  });
});

// Several app instances share one PostgreSQL database; PGlite has one process.
if (testTarget() === "postgres")
  describe("several instances on PostgreSQL", () => {
    it("an import of a live other instance is not failed", async () => {
      await instanceRow("ins_other_live", 5);
      await runningImport("imp_other_live", "ins_other_live");
      await sweepInterruptedWork(t, engine);
      expect((await statusOf("imp_other_live")).status).toBe("running");
    });

    it("an import of a stopped instance (its row removed at shutdown) is failed at the next sweep", async () => {
      await runningImport("imp_gone", "ins_removed_at_stop");
      await sweepInterruptedWork(t, engine);
      expect((await statusOf("imp_gone")).status).toBe("failed");
    });
  });
