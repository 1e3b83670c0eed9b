import { and, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { nodes, sources } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { verifyRemediation } from "@/lib/campaigns/remediation";
import type { EvaluationResult } from "@/lib/findings/evaluate";
import { evaluateIncremental } from "@/lib/findings/evaluate-incremental";
import type { ChangeSet } from "@/lib/graph/after-change";
import { getAccessIndex } from "@/lib/graph/access-cache";
import { warmOrphans } from "@/lib/ownership/orphans";
import { recordCurrentCoverage } from "@/lib/ownership/coverage";
import { offboardHumans, type QueuedItem } from "@/lib/ownership/offboarding";

/*
 * The follow-ups of committed graph changes, run by processGraphChanges out of
 * any request. Each is idempotent, since a run may be repeated after a crash
 * (delivery is at least once): offboarding adds at most one open queue row per
 * edge, verification only moves open/done tasks, evaluation of an unchanged
 * graph changes no finding.
 */

const DEPARTED = ["terminated", "inactive"];

/**
 * People who left in these changes (status terminated or inactive, or a SCIM
 * user deleted): what they own goes into the reassignment queue, agents acting
 * for them are flagged. Same reasons as when it ran inside the write.
 */
export async function offboardDeparted(db: Db, change: ChangeSet): Promise<QueuedItem[]> {
  // Whole-scope: every person of the sources named, plus the people other (listed) changes in the set name.
  const parts = [
    ...(change.nodeIds.length ? [inArray(nodes.id, change.nodeIds)] : []),
    ...(change.full && change.sourceIds.length ? [inArray(nodes.sourceId, change.sourceIds)] : []),
  ];
  if (parts.length === 0) return [];
  const scope = or(...parts);
  const departed = await db
    .select({ id: nodes.id, status: nodes.status, ended: sql<boolean>`${nodes.validTo} is not null`, source: sources.name, sourceType: sources.type })
    .from(nodes)
    .innerJoin(sources, eq(sources.id, nodes.sourceId))
    // An import that stops reporting a person ends them without saying they left; SCIM's DELETE does say so.
    .where(
      and(
        scope,
        eq(nodes.kind, "human"),
        or(and(isNull(nodes.validTo), inArray(nodes.status, DEPARTED)), and(isNotNull(nodes.validTo), eq(sources.type, "scim"))),
      ),
    );
  const byReason = new Map<string, { scim: boolean; ids: string[] }>();
  for (const h of departed) {
    const scim = h.sourceType === "scim";
    const reason = scim ? (h.ended ? "SCIM: user deleted" : "SCIM: active set to false") : `${h.source}: status became ${h.status}`;
    const entry = byReason.get(reason) ?? { scim, ids: [] };
    entry.ids.push(h.id);
    byReason.set(reason, entry);
  }
  const queued: QueuedItem[] = [];
  for (const [reason, { scim, ids }] of byReason) {
    const r = await db.transaction((tx) => offboardHumans(tx, systemActor(scim ? "scim" : "import"), ids, reason, { skipHandled: true }));
    queued.push(...r.queued);
  }
  return queued;
}

/** Closes the loop on revoked access: each import verifies the remediation tasks of its source. */
export async function verifyImportedSources(db: Db, change: ChangeSet): Promise<{ verified: string[]; notEffective: string[] }> {
  const out = { verified: [] as string[], notEffective: [] as string[] };
  for (const imp of change.importRefs) {
    if (imp.sourceIds.length === 0) continue;
    const names = await db.select({ name: sources.name }).from(sources).where(inArray(sources.id, imp.sourceIds));
    for (const { name } of names) {
      const r = await db.transaction((tx) => verifyRemediation(tx, imp.ref, name));
      out.verified.push(...r.verified);
      out.notEffective.push(...r.notEffective);
    }
  }
  return out;
}

/**
 * Findings after a change: only what it can affect (lib/findings/evaluate-incremental.ts);
 * a whole-scope change set runs the full evaluation there.
 */
export async function evaluateChanges(db: Db, change: ChangeSet): Promise<EvaluationResult> {
  return evaluateIncremental(db, { nodeIds: change.nodeIds, edgeIds: change.edgeIds, sourceIds: change.sourceIds, full: change.full }, { trigger: "change" });
}

/**
 * The day's ownership coverage point (node status is overwritten in place, so past coverage cannot be recomputed).
 * The full evaluation records it itself; after an incremental one it is this step. Whole-graph, but out of any request.
 */
export async function recordCoveragePoint(db: Db, change: ChangeSet): Promise<void> {
  if (change.full) return;
  await recordCurrentCoverage(db);
}

/**
 * Rebuilds this process's access index now, so the next query does not pay for it. Other instances notice the
 * bumped graph version on their next query (lib/graph/access-cache.ts), as before.
 */
export async function refreshAccessIndex(db: Db): Promise<void> {
  await getAccessIndex(db);
  // The ranked orphan list is kept beside the index (lib/ownership/orphans.ts): build it too, out of any request.
  // Only on PostgreSQL (DATABASE_URL; db/client.ts): on PGlite this work shares the app's one connection, so it would
  // hold every request behind a whole-graph query, while the orphans page of a demo-sized graph computes it quickly.
  if (process.env.DATABASE_URL) await warmOrphans(db);
}
