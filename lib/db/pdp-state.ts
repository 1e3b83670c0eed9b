import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { pdpState } from "@/db/schema";

/** The channel every instance's decision point listens on (issue #20): the payload is the new pdp_state version. */
export const PDP_STATE_CHANNEL = "attest_pdp_state";

/**
 * Marks the runtime decision state changed: call inside the transaction that changed it — a campaign revoke or a
 * reversed revoke, an access request approved, denied or expired, a policy edit. Like the graph version
 * (lib/graph/version.ts), the notification is delivered only on commit, so no instance reloads before the rows are
 * visible and a rolled-back change announces nothing. It lives here, below every writer, because writers in
 * several areas (campaigns, requests, pdp) call it.
 */
export async function bumpPdpState(tx: Db): Promise<number> {
  const result = await tx.execute(sql`
    with bumped as (
      update ${pdpState} set version = version + 1, updated_at = now() where id = 1 returning version
    )
    select version, pg_notify(${PDP_STATE_CHANNEL}, version::text) from bumped`);
  const row = (result as unknown as { rows: { version: number | string }[] }).rows[0];
  return row ? Number(row.version) : 0;
}

/** The committed decision-state version as `db` sees it now (one round trip). */
export async function readPdpStateVersion(db: Db): Promise<number> {
  const result = await db.execute(sql`select version from ${pdpState} where id = 1`);
  const row = (result as unknown as { rows: { version: number | string }[] }).rows[0];
  return row ? Number(row.version) : 0;
}
