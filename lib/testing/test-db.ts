import { randomBytes } from "node:crypto";
import { openDatabase, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";

export interface TestDatabase extends Database {
  /** Closes the connection and drops the database (PostgreSQL) or frees it (PGlite). */
  cleanup(): Promise<void>;
}

/** Which engine the integration suite runs on: PGlite by default, PostgreSQL when asked. */
export function testTarget(): "pglite" | "postgres" {
  return process.env.ATTEST_TEST_DB === "postgres" ? "postgres" : "pglite";
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or with
 * ATTEST_TEST_DB=postgres a new database created next to TEST_DATABASE_URL,
 * so test runs never see each other's rows.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testTarget() === "pglite") {
    const database = await openDatabase({ dataDir: "memory://" });
    await migrate(database);
    return { ...database, cleanup: () => database.close() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("ATTEST_TEST_DB=postgres needs TEST_DATABASE_URL");
  const { Client } = await import("pg");
  const name = `attest_t_${randomBytes(6).toString("hex")}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  await migrate(database);
  return {
    ...database,
    async cleanup() {
      await database.close();
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
