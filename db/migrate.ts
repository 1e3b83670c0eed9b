import path from "node:path";
import type { Database } from "./client";
import * as schema from "./schema";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");
const MIGRATION_LOCK = 727274;

/**
 * Applies the committed drizzle migrations. On PostgreSQL a session advisory lock,
 * held on one dedicated connection, makes concurrent starts of several app
 * instances apply them exactly once.
 */
export async function migrate(database: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (database.kind === "pglite" || !database.pool) {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await run(database.db as any, config);
    return;
  }
  const { migrate: run } = await import("drizzle-orm/node-postgres/migrator");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const client = await database.pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await run(drizzle({ client, schema }), config);
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
