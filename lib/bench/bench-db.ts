import { randomBytes } from "node:crypto";
import { openDatabase, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";

export interface BenchDatabase {
  database: Database;
  /** The PostgreSQL database name, or "memory" for PGlite. */
  name: string;
  /** Closes the connection; on PostgreSQL also drops the database (unless kept). */
  drop(opts?: { keep?: boolean }): Promise<void>;
}

/**
 * A fresh, migrated database for one benchmark run: in-memory PGlite, or a
 * new PostgreSQL database `attest_bench_<random>` created beside `adminUrl`
 * (same server, same credentials), dropped again by drop().
 */
export async function createBenchDatabase(kind: "pglite" | "postgres", adminUrl?: string): Promise<BenchDatabase> {
  if (kind === "pglite") {
    const database = await openDatabase({ dataDir: "memory://" });
    await migrate(database);
    return { database, name: "memory", drop: () => database.close() };
  }
  if (!adminUrl) throw new Error("a PostgreSQL benchmark needs a connection URL (BENCH_DATABASE_URL or TEST_DATABASE_URL)");
  const { Client } = await import("pg");
  const name = `attest_bench_${randomBytes(5).toString("hex")}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let database: Database;
  try {
    database = await openDatabase({ url: url.toString() });
    await migrate(database);
  } catch (e) {
    await dropPostgres(adminUrl, name);
    throw e;
  }
  return {
    database,
    name,
    async drop(opts = {}) {
      await database.close();
      if (!opts.keep) await dropPostgres(adminUrl, name);
    },
  };
}

async function dropPostgres(adminUrl: string, name: string): Promise<void> {
  const { Client } = await import("pg");
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`drop database if exists ${name} with (force)`);
  } finally {
    await c.end();
  }
}
