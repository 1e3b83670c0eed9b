import { EventEmitter } from "node:events";
import { and, isNotNull, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { graphChanges, type GraphChangeOrigin } from "@/db/schema";

/**
 * The after-change outbox. A writer (import, SCIM, ownership, campaign close)
 * records what it changed with recordGraphChange INSIDE its own transaction,
 * so the record commits or rolls back with the change, and calls
 * notifyGraphChanged() after commit. Follow-up work (offboarding, remediation
 * verification, findings, coverage, access index) runs later, out of the
 * request, in lib/pipeline/process-changes.ts; writers never call it.
 */

/** Ids listed per change above which a change is recorded as whole-scope (the follow-ups do their full variant). */
export const MAX_LISTED_IDS = 10_000;

export interface GraphChangeInput {
  origin: GraphChangeOrigin;
  /** What caused it: an import id, a campaign id, a SCIM source name… */
  ref?: string | null;
  nodeIds?: readonly string[];
  edgeIds?: readonly string[];
  sourceIds?: readonly string[];
  /** Too big to list: consumers do their full variant. Set automatically past MAX_LISTED_IDS. */
  full?: boolean;
}

/** What the pipeline hands its follow-ups: the union of the waiting changes. */
export interface ChangeSet {
  nodeIds: string[];
  edgeIds: string[];
  sourceIds: string[];
  full: boolean;
  /** The newest graph_changes id merged in. */
  upToId: number;
  /** Import ids among the changes (remediation verification records which import verified a task). */
  importRefs: { ref: string; sourceIds: string[] }[];
}

/**
 * The graph version this transaction produced, read inside the insert: graph_state's version when this transaction
 * itself updated that row (bumpGraphVersion takes the row's lock, so the version is this transaction's alone), else
 * null. So a writer that records before it bumps, or records without bumping, never claims a version that another
 * transaction produced: in-memory indexes then see a version with no change record and rebuild (slow, never wrong).
 * xmin is the 32-bit transaction id of the row's last writer; txid_current() is the same id with an epoch above.
 */
const VERSION_THIS_TX_PRODUCED = sql<
  number | null
>`(select gs.version from graph_state gs where gs.id = 1 and gs.xmin::text::bigint = txid_current() % 4294967296)`;

/**
 * Records one committed-with-the-caller graph change. Call with the writer's transaction, AFTER bumpGraphVersion
 * (the record carries the version the bump produced; see VERSION_THIS_TX_PRODUCED).
 */
export async function recordGraphChange(tx: Db, change: GraphChangeInput): Promise<void> {
  const nodeIds = [...new Set(change.nodeIds ?? [])];
  const edgeIds = [...new Set(change.edgeIds ?? [])];
  const sourceIds = [...new Set(change.sourceIds ?? [])];
  const full = change.full === true || nodeIds.length + edgeIds.length > MAX_LISTED_IDS;
  if (!full && nodeIds.length + edgeIds.length + sourceIds.length === 0) return;
  await tx.insert(graphChanges).values({
    origin: change.origin,
    ref: change.ref ?? null,
    // A whole-scope change names its sources only: listing a million ids would cost more than the follow-up saves.
    nodeIds: full ? [] : nodeIds,
    edgeIds: full ? [] : edgeIds,
    sourceIds,
    fullScope: full,
    graphVersion: VERSION_THIS_TX_PRODUCED,
  });
}

const g = globalThis as typeof globalThis & { __attestGraphChanged?: EventEmitter };
const signal: EventEmitter = (g.__attestGraphChanged ??= new EventEmitter().setMaxListeners(50));

/**
 * Tells listeners in this process (the job engine) that a change was committed.
 * No work of its own, and never throws: a missed signal is caught by the
 * engine's periodic sweep, since the outbox row is already durable.
 */
export function notifyGraphChanged(): void {
  try {
    signal.emit("changed");
  } catch (e) {
    console.error("[graph] a graph-changed listener failed:", e instanceof Error ? e.message : e);
  }
}

/** Subscribes to notifyGraphChanged; returns the unsubscribe function. */
export function onGraphChanged(listener: () => void): () => void {
  signal.on("changed", listener);
  return () => signal.off("changed", listener);
}

/** Committed changes whose follow-ups have not run yet (the "evaluating…" badge). */
export async function pendingChanges(db: Db): Promise<{ count: number; oldestAt: Date | null }> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int`, oldestAt: sql<string | null>`min(${graphChanges.at})` })
    .from(graphChanges)
    .where(isNull(graphChanges.processedAt));
  return { count: row?.count ?? 0, oldestAt: row?.oldestAt ? new Date(row.oldestAt) : null };
}

/**
 * Deletes processed changes older than `keepDays` (a nightly job's work): the outbox is a queue, not a history;
 * the audit log keeps what happened. Waiting rows are never deleted, however old.
 */
export async function pruneGraphChanges(db: Db, keepDays = 30, now: Date = new Date()): Promise<number> {
  const before = new Date(now.getTime() - keepDays * 86_400_000);
  const gone = await db
    .delete(graphChanges)
    .where(and(isNotNull(graphChanges.processedAt), lt(graphChanges.processedAt, before)))
    .returning({ id: graphChanges.id });
  return gone.length;
}
