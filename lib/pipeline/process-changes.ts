import { and, asc, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { graphChanges } from "@/db/schema";
import type { ChangeSet } from "@/lib/graph/after-change";
import { evaluateChanges, offboardDeparted, recordCoveragePoint, refreshAccessIndex, verifyImportedSources } from "./follow-ups";

/** How long a run may hold its claimed rows; a run that died gives them up when this runs out. */
export const CLAIM_LEASE_MS = 10 * 60_000;
export const DEFAULT_LIMIT = 500;

export interface PipelineRun {
  /** Outbox rows processed by this run (0: nothing waiting, or another run holds them). */
  changes: number;
  change: ChangeSet | null;
  offboarded: number;
  verified: number;
  evaluation: { id: string; superseded: boolean } | null;
}

type ClaimedRow = { id: number; origin: string; ref: string | null; node_ids: string[]; edge_ids: string[]; source_ids: string[]; full_scope: boolean };

/**
 * Drains the after-change outbox: claims the oldest waiting rows (up to
 * `limit`), merges them into one ChangeSet and runs the follow-ups, in order:
 * offboarding people who left, remediation verification of imported sources,
 * findings (incremental), the day's coverage point, the access index. Then marks the rows processed.
 *
 * Safe to run twice at once, here or in another instance: rows are claimed
 * with a lease in one short statement (`FOR UPDATE SKIP LOCKED`), so a second
 * run takes other rows or none; a run that dies keeps its rows until the lease
 * runs out, then another run does them again, which is harmless since every
 * follow-up is idempotent. A follow-up that fails gives the claim back and
 * throws, so the job is retried; nothing is marked processed.
 * Called by the job `graph.after-change` (lib/pipeline/jobs.ts) and by tests.
 */
export async function processGraphChanges(db: Db, opts: { limit?: number; onStep?: (step: string, ms: number) => void } = {}): Promise<PipelineRun> {
  const claimed = await claim(db, opts.limit ?? DEFAULT_LIMIT);
  if (claimed.length === 0) return { changes: 0, change: null, offboarded: 0, verified: 0, evaluation: null };
  const ids = claimed.map((r) => r.id);
  const change = mergeChanges(claimed);
  try {
    let mark = performance.now();
    const step = <T>(name: string, value: T): T => {
      const now = performance.now();
      opts.onStep?.(name, now - mark);
      mark = now;
      return value;
    };
    const queued = step("offboarding", await offboardDeparted(db, change));
    const verified = step("remediation", await verifyImportedSources(db, change));
    const evaluation = step("findings", await evaluateChanges(db, change));
    step("coverage", await recordCoveragePoint(db, change));
    step("access index", await refreshAccessIndex(db));
    await db
      .update(graphChanges)
      .set({ processedAt: new Date(), claimedUntil: null })
      .where(and(inArray(graphChanges.id, ids), isNull(graphChanges.processedAt)));
    return {
      changes: ids.length,
      change,
      offboarded: queued.length,
      verified: verified.verified.length,
      evaluation: { id: evaluation.id, superseded: evaluation.superseded },
    };
  } catch (e) {
    await db
      .update(graphChanges)
      .set({ claimedUntil: null })
      .where(and(inArray(graphChanges.id, ids), isNull(graphChanges.processedAt)))
      .catch(() => undefined);
    throw e;
  }
}

async function claim(db: Db, limit: number): Promise<ClaimedRow[]> {
  const until = new Date(Date.now() + CLAIM_LEASE_MS).toISOString();
  const claimed = await rows<ClaimedRow>(
    db,
    sql`update graph_changes set claimed_until = ${until}::timestamptz
        where id in (
          select id from graph_changes
          where processed_at is null and (claimed_until is null or claimed_until < now())
          order by id limit ${limit}
          for update skip locked
        )
        returning id, origin, ref, node_ids, edge_ids, source_ids, full_scope`,
  );
  return claimed.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id);
}

/** The union of the claimed changes; any whole-scope change makes the set whole-scope. */
export function mergeChanges(list: ClaimedRow[]): ChangeSet {
  const nodeIds = new Set<string>();
  const edgeIds = new Set<string>();
  const sourceIds = new Set<string>();
  const importRefs: ChangeSet["importRefs"] = [];
  let full = false;
  for (const r of list) {
    r.node_ids.forEach((id) => nodeIds.add(id));
    r.edge_ids.forEach((id) => edgeIds.add(id));
    r.source_ids.forEach((id) => sourceIds.add(id));
    full ||= r.full_scope;
    if (r.origin === "import" && r.ref) importRefs.push({ ref: r.ref, sourceIds: r.source_ids });
  }
  return { nodeIds: [...nodeIds], edgeIds: [...edgeIds], sourceIds: [...sourceIds], full, upToId: Math.max(...list.map((r) => r.id)), importRefs };
}

/** Outbox rows still waiting, oldest first (tests and the admin view). */
export async function waitingChanges(db: Db, limit = 100) {
  return db.select().from(graphChanges).where(isNull(graphChanges.processedAt)).orderBy(asc(graphChanges.id)).limit(limit);
}
