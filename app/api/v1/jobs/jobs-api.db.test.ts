import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, jobRuns } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import type { JobEngine } from "@/lib/jobs/engine";
import { summarizeJobs } from "@/lib/jobs/admin";
import { registerHandler, registerSchedule } from "@/lib/jobs/registry";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { eventually, startTestEngine } from "@/lib/testing/jobs";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { POST as retry } from "./[id]/retry/route";
import { GET } from "./route";

let t: TestDatabase;
let engine: JobEngine | null = null;
let adminToken: string;
let analystToken: string;
let failing = true;
registerHandler(
  "test.flaky",
  async () => {
    if (failing) throw new Error("connect ECONNREFUSED to https://user:s3cret@db.internal");
  },
  { retryLimit: 0 },
);
registerHandler("test.idle", async () => {});

const call = (token: string, url: string, init: RequestInit = {}) =>
  new Request(`http://attest.test/api/v1${url}`, { ...init, headers: { authorization: `Bearer ${token}` } });
const params = (id: string) => ({ params: Promise.resolve({ id }) }) as never;
const noParams = { params: Promise.resolve({}) } as never;
async function list(query = "", token = adminToken) {
  const res = await GET(call(token, `/jobs${query}`), noParams);
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  adminToken = (await createApiToken(t.db, admin, { name: "admin", roles: ["admin"] })).token;
  const analyst = await actorByEmail(t, "ana@example.com");
  analystToken = (await createApiToken(t.db, admin, { name: "analyst", userId: analyst.id, roles: ["analyst"] })).token;
});
afterAll(async () => {
  await engine?.stop();
  await t.cleanup();
});

describe(`jobs API (${testTarget()})`, () => {
  it("answers an empty list before the engine ever ran", async () => {
    expect(await list()).toEqual({ status: 200, body: { items: [], total: 0, nextCursor: null } });
  });

  it("is for admins only", async () => {
    expect((await list("", analystToken)).status).toBe(403);
    expect((await retry(call(analystToken, "/jobs/x/retry", { method: "POST" }), params("00000000-0000-0000-0000-000000000000"))).status).toBe(403);
  });

  it("lists a failed job by its error class, never the error's text", async () => {
    engine = await startTestEngine(t);
    const id = (await engine.enqueue("test.flaky", {}))!;
    await eventually("the job to fail", async () => (await list("?state=failed")).body.total === 1);
    const { body } = await list("?state=failed");
    expect(body.items[0]).toMatchObject({ id, name: "test.flaky", state: "failed", errorClass: "Error", errorMessage: null });
    expect(JSON.stringify(body)).not.toContain("s3cret");
  });

  it("retries a failed job, audited, and the retry runs", async () => {
    const id = (await list("?state=failed")).body.items[0].id as string;
    failing = false;
    const res = await retry(call(adminToken, `/jobs/${id}/retry`, { method: "POST" }), params(id));
    expect(res.status).toBe(200);
    expect((await res.json()).state).toBe("retry");
    const [audit] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "job.retry"), eq(auditEvents.targetId, id)));
    expect(audit).toBeDefined();
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
    await eventually(
      "the retry to complete",
      async () =>
        (
          await t.db
            .select({ n: count() })
            .from(jobRuns)
            .where(and(eq(jobRuns.jobId, id), eq(jobRuns.state, "completed")))
        )[0]!.n === 1,
    );
  });

  it("refuses to retry a job that is not failed (409) or unknown (404), and writes no audit", async () => {
    const before = (await t.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, "job.retry")))[0]!.n;
    const done = (await list("?state=completed")).body.items[0].id as string;
    expect((await retry(call(adminToken, `/jobs/${done}/retry`, { method: "POST" }), params(done))).status).toBe(409);
    expect(
      (await retry(call(adminToken, "/jobs/00000000-0000-0000-0000-000000000000/retry", { method: "POST" }), params("00000000-0000-0000-0000-000000000000")))
        .status,
    ).toBe(404);
    expect((await retry(call(adminToken, "/jobs/not-a-job/retry", { method: "POST" }), params("not-a-job"))).status).toBe(404);
    expect((await t.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, "job.retry")))[0]!.n).toBe(before);
  });

  it("pages through jobs newest first with an opaque cursor", async () => {
    await engine!.boss.createQueue("test.idle");
    for (let i = 0; i < 5; i++) await engine!.enqueue("test.idle", { i });
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const { status, body } = await list(`?name=test.idle&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(status).toBe(200);
      expect(body.total).toBe(5);
      seen.push(...body.items.map((j: { id: string }) => j.id));
      cursor = body.nextCursor;
    }
    expect(new Set(seen).size).toBe(5);
    const created = (await t.db.execute(
      sql`select id::text as id from pgboss.job where name = 'test.idle' order by created_on desc, id::text desc`,
    )) as unknown as { rows: { id: string }[] };
    expect(seen).toEqual(created.rows.map((r) => r.id));
  });

  it("summarises each job name: schedule in words, counts, last run", async () => {
    registerSchedule({ name: "test.idle", cron: "0 3 * * *", description: "every night at 03:00 UTC" });
    const admin = await actorByEmail(t, "admin@example.com");
    const summary = await summarizeJobs(t.db, admin);
    expect(summary.find((s) => s.name === "test.idle")).toMatchObject({
      queued: 5,
      running: 0,
      failed: 0,
      schedule: { cron: "0 3 * * *", description: "every night at 03:00 UTC" },
      lastRun: null,
    });
    expect(summary.find((s) => s.name === "test.flaky")).toMatchObject({ failed: 0, schedule: null, lastRun: { state: "completed", errorClass: null } });
    expect(summary.some((s) => s.name.startsWith("__pgboss__"))).toBe(false);
    await expect(summarizeJobs(t.db, await actorByEmail(t, "ana@example.com"))).rejects.toThrow(/admin.jobs/);
  });

  it("says which query parameter is wrong", async () => {
    const bad = await list("?state=exploded");
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("state");
    const cur = await list("?cursor=abc");
    expect(cur.status).toBe(400);
    expect(JSON.stringify(cur.body)).not.toContain("abc");
  });
});
