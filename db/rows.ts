import type { SQL } from "drizzle-orm";
import type { Db } from "./client";

/**
 * The rows of a raw SQL query. drizzle's `execute` answers `{ rows }` on both
 * drivers (PGlite and node-postgres) but types it per driver; this is the one
 * place that says so, instead of a cast beside every raw query.
 */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}
