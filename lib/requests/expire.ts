import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accessRequests } from "@/db/schema";
import { bumpPdpState } from "@/lib/db/pdp-state";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";

/** Rows of each kind one run expires at most; the next run (a minute later) takes the rest. */
export const EXPIRY_BATCH = 500;

export interface ExpiryResult {
  /** Pending requests nobody decided in time. */
  requests: string[];
  /** Approved requests whose just-in-time grant ran out. */
  grants: string[];
  /** Whether a kind filled its batch (more may be waiting). */
  more: boolean;
}

/**
 * The expiry run (job `requests.expire`, every minute): pending requests past `request_expires_at` and approved
 * grants past `grant_expires_at` become `expired`, in one transaction with one audit event for the batch (a system
 * actor) and one `bumpPdpState` when anything changed. Bounded (EXPIRY_BATCH of each kind, oldest first) and
 * incremental (each run starts where the last one ended: what it expired no longer matches). Rows another
 * transaction holds (a decision being written) are skipped and taken next time.
 *
 * A late run is not a security hole: the decision point itself ignores a grant past its `grant_expires_at`, and a
 * request past its `request_expires_at` cannot be approved (lib/requests/decide.ts). This run keeps the statuses
 * true for people and reports, and tells each instance's decision point to drop what it holds.
 */
export async function expireAccessRequests(db: Db, opts: { now?: Date; batch?: number } = {}): Promise<ExpiryResult> {
  const now = opts.now ?? new Date();
  const batch = opts.batch ?? EXPIRY_BATCH;
  return db.transaction(async (tx) => {
    const due = async (status: "pending" | "approved") => {
      const column = status === "pending" ? accessRequests.requestExpiresAt : accessRequests.grantExpiresAt;
      const rows = await tx
        .select({ id: accessRequests.id })
        .from(accessRequests)
        .where(and(eq(accessRequests.status, status), lte(column, now)))
        .orderBy(asc(column), asc(accessRequests.id))
        .limit(batch)
        .for("update", { skipLocked: true });
      return rows.map((r) => r.id);
    };
    const pending = await due("pending");
    const approved = await due("approved");
    const expire = async (ids: string[], from: "pending" | "approved") => {
      if (ids.length === 0) return [];
      const rows = await tx
        .update(accessRequests)
        .set({ status: "expired", version: sql`${accessRequests.version} + 1`, updatedAt: now })
        .where(and(inArray(accessRequests.id, ids), eq(accessRequests.status, from)))
        .returning({ id: accessRequests.id });
      return rows.map((r) => r.id).sort();
    };
    const requests = await expire(pending, "pending");
    const grants = await expire(approved, "approved");
    if (requests.length || grants.length) {
      await emitAudit(tx, systemActor("access request expiry"), {
        action: "access_request.expire",
        after: { requests, grants, at: now.toISOString() },
      });
      await bumpPdpState(tx);
    }
    return { requests, grants, more: pending.length === batch || approved.length === batch };
  });
}
