import type { Db } from "@/db/client";
import { graphVersion } from "./access-cache";

/**
 * How an instance learns the graph's version and where it reads from (issue #19).
 *
 * Contract shared by the access index (lib/graph/access-cache.ts), reports and exports:
 * - `knownGraphVersion(db)` answers the newest committed graph version this instance knows of. With the
 *   LISTEN/NOTIFY feed healthy it answers from memory (no round trip); otherwise it reads graph_state
 *   (fallback: a cheap periodic check). `{ refresh: true }` always reads the primary.
 * - `pickReadDb(db, minVersion)` answers a handle to read graph rows at a version ≥ minVersion: the read replica
 *   (DATABASE_READ_URL) when configured and caught up, else the primary `db` itself.
 *
 * This first version has no feed and no replica: every call reads the primary. Filled in by the feed/replica work.
 */
export async function knownGraphVersion(db: Db, _opts: { refresh?: boolean } = {}): Promise<number> {
  return graphVersion(db);
}

export async function pickReadDb(db: Db, _minVersion: number): Promise<Db> {
  return db;
}
