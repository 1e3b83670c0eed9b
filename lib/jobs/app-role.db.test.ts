import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Db } from "@/db/client";
import { eventually, startTestEngine } from "@/lib/testing/jobs";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import type { JobEngine } from "./engine";
import { registerHandler } from "./registry";

/**
 * A PostgreSQL deployment connects as attest_app (migration 0004), which may
 * create schemas in the database: pg-boss installs its own schema as that role
 * at first start, and our migrations' grants do not get in its way.
 */
let t: TestDatabase;
let app: Database;
let engine: JobEngine;
let ran = 0;
registerHandler("test.as-app-role", async () => void ran++);

beforeAll(async () => {
  t = await createTestDatabase();
  if (testTarget() === "postgres") {
    const { Pool } = await import("pg");
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const url = (t.pool as unknown as { options: { connectionString: string } }).options.connectionString;
    const pool = new Pool({ connectionString: url, max: 4, options: "-c role=attest_app" });
    const schema = await import("@/db/schema");
    app = { db: drizzle({ client: pool, schema }) as unknown as Db, kind: "postgres", pool, close: () => pool.end() };
  } else {
    await t.db.execute(sql`set role attest_app`);
    app = t;
  }
  engine = await startTestEngine(app);
});
afterAll(async () => {
  await engine.stop();
  if (app !== t) await app.close();
  else await t.db.execute(sql`reset role`);
  await t.cleanup();
});

describe(`the job engine as attest_app (${testTarget()})`, () => {
  it("installs pg-boss's schema as the app role and runs a job", async () => {
    const owner = (await app.db.execute(sql`select nspowner::regrole::text as o, current_user as u from pg_namespace where nspname = 'pgboss'`)) as unknown as {
      rows: { o: string; u: string }[];
    };
    expect(owner.rows[0]).toEqual({ o: "attest_app", u: "attest_app" });
    await engine.enqueue("test.as-app-role", {});
    await eventually("the job to run", async () => ran === 1);
  });
});
