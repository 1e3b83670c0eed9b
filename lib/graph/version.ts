import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { graphState } from "@/db/schema";

/** The channel every graph change is announced on (lib/graph/graph-feed.ts listens). Payload: the new version. */
export const GRAPH_VERSION_CHANNEL = "attest_graph_version";

/**
 * Marks the graph changed; call inside the transaction that changed it. Every
 * writer (imports, SCIM, ownership) calls it, so it lives with the graph, not
 * with any one writer: in-memory indexes in every instance compare this version.
 *
 * The same statement sends `pg_notify(attest_graph_version, <new version>)`: PostgreSQL delivers a notification
 * only when its transaction commits, so a listener never learns of a version before its rows are visible, and a
 * rolled-back change announces nothing. One round trip, as before.
 */
export async function bumpGraphVersion(tx: Db): Promise<number> {
  const result = await tx.execute(sql`
    with bumped as (
      update ${graphState} set version = version + 1, updated_at = now() where id = 1 returning version
    )
    select version, pg_notify(${GRAPH_VERSION_CHANNEL}, version::text) from bumped`);
  const row = (result as unknown as { rows: { version: number | string }[] }).rows[0];
  return row ? Number(row.version) : 0;
}

/** The committed graph version as `db` sees it now (one round trip). */
export async function readGraphVersion(db: Db): Promise<number> {
  const [row] = await db.select({ version: graphState.version }).from(graphState).where(eq(graphState.id, 1));
  return row?.version ?? 0;
}
