import { and, eq, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { findings, findingSuppressions } from "@/db/schema";
import { rows } from "@/db/rows";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { refreshGroups } from "./groups";
import type { FindingRule, SuppressionScope } from "./rules";

/**
 * Acceptance by rule and scope (finding_suppressions): the behaviour. While a
 * suppression is active (not revoked, not past its expiry), the open findings
 * it matches are accepted with its reason (prefixed, so it reads as a rule's
 * acceptance), its expiry as acceptedUntil, its creator as acceptedBy and its id
 * as suppression_id:
 * - existing findings, by the job findings.apply-suppression (applySuppression,
 *   one set-based UPDATE; a scope can match tens of thousands);
 * - new, reopened and expired findings, by the evaluation that writes them
 *   (loadSuppressionMatcher + acceptBySuppressions, called from reconcile);
 * - at its expiry the evaluations reopen them as any expired acceptance;
 * - revoked, the same job reopens the findings it accepted (releaseSuppression).
 * Every write here runs under the evaluations' lock, so an evaluation never
 * overwrites an acceptance it did not read, and refreshes the cause groups of
 * the findings it opened or closed.
 */

/** The evaluations' lock (evaluate.ts, evaluate-incremental.ts): one writer of findings at a time. */
const FINDINGS_LOCK = 727_276;

/** The acceptance reason a suppression writes on the findings it accepts. */
export const acceptanceReason = (reason: string) => `Accepted by rule: ${reason}`;

export interface ActiveSuppression {
  id: string;
  rule: FindingRule | null;
  scopeKind: SuppressionScope;
  nodeId: string;
  reason: string;
  expiresAt: Date;
  createdBy: string;
}

/** What a suppression matches a finding on. */
export interface SuppressionMatchInput {
  rule: FindingRule;
  subjectId: string;
  causeId: string | null;
  evidenceNodes: readonly string[];
}

export type SuppressionMatcher = (f: SuppressionMatchInput) => ActiveSuppression | null;

const activeAt = (now: Date) => and(isNull(findingSuppressions.revokedAt), sql`${findingSuppressions.expiresAt} > ${now.toISOString()}::timestamptz`);

/**
 * The suppressions active at `now`, as a matcher: the oldest one that matches a
 * finding's rule and scope, or null. In memory (the active ones are few), so an
 * evaluation matches every finding it writes without a query per finding.
 */
export async function loadSuppressionMatcher(tx: Db, now: Date): Promise<SuppressionMatcher> {
  const active: ActiveSuppression[] = await tx
    .select({
      id: findingSuppressions.id,
      rule: findingSuppressions.rule,
      scopeKind: findingSuppressions.scopeKind,
      nodeId: findingSuppressions.nodeId,
      reason: findingSuppressions.reason,
      expiresAt: findingSuppressions.expiresAt,
      createdBy: findingSuppressions.createdBy,
    })
    .from(findingSuppressions)
    .where(activeAt(now))
    .orderBy(findingSuppressions.createdAt, findingSuppressions.id);
  if (active.length === 0) return () => null;
  const order = new Map(active.map((s, i) => [s.id, i]));
  const byScope = new Map<string, ActiveSuppression[]>();
  for (const s of active) {
    const k = `${s.scopeKind}\u0000${s.nodeId}`;
    byScope.set(k, [...(byScope.get(k) ?? []), s]);
  }
  const hasVia = active.some((s) => s.scopeKind === "via");
  return (f) => {
    let best: ActiveSuppression | null = null;
    const consider = (list: ActiveSuppression[] | undefined) => {
      for (const s of list ?? []) {
        if (s.rule !== null && s.rule !== f.rule) continue;
        if (!best || order.get(s.id)! < order.get(best.id)!) best = s;
      }
    };
    consider(byScope.get(`subject\u0000${f.subjectId}`));
    if (f.causeId) consider(byScope.get(`cause\u0000${f.causeId}`));
    if (hasVia) for (const n of f.evidenceNodes) consider(byScope.get(`via\u0000${n}`));
    return best;
  };
}

/**
 * The evaluation's hook: of the findings it just wrote open (new, reopened, or
 * whose acceptance ran out), those an active suppression matches are accepted
 * by it, in one statement; the suppressions' matched counts follow. Call it in
 * the evaluation's transaction after the findings are written and before the
 * cause groups are refreshed (accepted findings are in no group). Returns the
 * ids it accepted.
 */
export async function acceptBySuppressions(
  tx: Db,
  match: SuppressionMatcher,
  written: readonly (SuppressionMatchInput & { id: string })[],
  now: Date,
): Promise<string[]> {
  const pairs: [string, string][] = [];
  for (const f of written) {
    const s = match(f);
    if (s) pairs.push([f.id, s.id]);
  }
  if (pairs.length === 0) return [];
  const iso = now.toISOString();
  await tx.execute(sql`
    update ${findings} f set
      status = 'accepted', accepted_reason = ${acceptanceReason("")} || s.reason, accepted_until = s.expires_at,
      accepted_by = s.created_by, accepted_at = ${iso}::timestamptz, suppression_id = s.id, updated_at = ${iso}::timestamptz
    from unnest(${sql.param(pairs.map((p) => p[0]))}::text[], ${sql.param(pairs.map((p) => p[1]))}::text[]) as m(finding_id, suppression_id)
    join ${findingSuppressions} s on s.id = m.suppression_id
    where f.id = m.finding_id and f.status = 'open'`);
  await recountMatched(tx, [...new Set(pairs.map((p) => p[1]))]);
  return pairs.map((p) => p[0]);
}

async function recountMatched(tx: Db, ids: string[]): Promise<void> {
  await tx.execute(sql`
    update ${findingSuppressions} s set matched = (select count(*)::int from ${findings} f where f.suppression_id = s.id and f.status = 'accepted')
    where s.id = any(${sql.param(ids)}::text[])`);
}

/** The findings a suppression's rule and scope select, in SQL (the `via` scope on findings_evidence_nodes_idx). */
function matchesScope(s: ActiveSuppression): SQL {
  const scope =
    s.scopeKind === "subject"
      ? sql`f.subject_id = ${s.nodeId}`
      : s.scopeKind === "cause"
        ? sql`f.cause_id = ${s.nodeId}`
        : sql`(f.evidence->'nodes') ? ${s.nodeId}`;
  return s.rule ? sql`f.rule = ${s.rule} and ${scope}` : scope;
}

/** What a job run did to one suppression. */
export type Settled = { id: string; did: "applied" | "released"; findings: number } | { id: string; did: "nothing" };

/**
 * The job's work for one suppression, idempotent (a redelivery finds it settled
 * and does nothing): a new one is applied to the open findings it matches, a
 * revoked one reopens the findings it accepted. Each in one transaction with its
 * audit event and the refreshed groups of the causes touched.
 */
export async function settleSuppression(db: Db, id: string, opts: { now?: Date; requestId?: string } = {}): Promise<Settled> {
  const now = opts.now ?? new Date();
  const iso = now.toISOString();
  const actor = systemActor("findings");
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FINDINGS_LOCK})`);
    const [s] = await tx.select().from(findingSuppressions).where(eq(findingSuppressions.id, id)).for("update");
    if (!s) return { id, did: "nothing" } as const;
    if (s.revokedAt && !s.releasedAt) {
      const [r] = await rows<{ n: number; causes: string[] }>(
        tx,
        sql`with u as (
          update ${findings} f set status = 'open', accepted_reason = null, accepted_until = null, accepted_by = null, accepted_at = null,
            suppression_id = null, updated_at = ${iso}::timestamptz
          where f.suppression_id = ${id} and f.status = 'accepted'
          returning f.cause_id
        ) select count(*)::int as n, coalesce(array_agg(distinct cause_id) filter (where cause_id is not null), '{}') as causes from u`,
      );
      await refreshGroups(tx, r!.causes, now);
      await tx.update(findingSuppressions).set({ releasedAt: now }).where(eq(findingSuppressions.id, id));
      await emitAudit(tx, actor, {
        action: "finding.suppression.release",
        target: { type: "finding_suppression", id },
        after: { reopened: r!.n, causes: r!.causes.length },
        requestId: opts.requestId,
      });
      return { id, did: "released", findings: r!.n } as const;
    }
    if (s.revokedAt || s.appliedAt) return { id, did: "nothing" } as const;
    // Past its expiry before the job came: nothing to accept (the evaluation would reopen it at once).
    if (s.expiresAt.getTime() <= now.getTime()) {
      await tx.update(findingSuppressions).set({ appliedAt: now }).where(eq(findingSuppressions.id, id));
      return { id, did: "nothing" } as const;
    }
    const [r] = await rows<{ n: number; causes: string[] }>(
      tx,
      sql`with u as (
        update ${findings} f set status = 'accepted', accepted_reason = ${acceptanceReason(s.reason)}, accepted_until = ${s.expiresAt.toISOString()}::timestamptz,
          accepted_by = ${s.createdBy}, accepted_at = ${iso}::timestamptz, suppression_id = ${id}, updated_at = ${iso}::timestamptz
        where (f.status = 'open' or (f.status = 'accepted' and f.accepted_until <= ${iso}::timestamptz)) and ${matchesScope(s)}
        returning f.cause_id
      ) select count(*)::int as n, coalesce(array_agg(distinct cause_id) filter (where cause_id is not null), '{}') as causes from u`,
    );
    await refreshGroups(tx, r!.causes, now);
    await tx.update(findingSuppressions).set({ appliedAt: now }).where(eq(findingSuppressions.id, id));
    await recountMatched(tx, [id]);
    await emitAudit(tx, actor, {
      action: "finding.suppression.apply",
      target: { type: "finding_suppression", id },
      after: { accepted: r!.n, causes: r!.causes.length, rule: s.rule, scope: s.scopeKind, nodeId: s.nodeId },
      requestId: opts.requestId,
    });
    return { id, did: "applied", findings: r!.n } as const;
  });
}

/** Settles every suppression still waiting for the job (the every-minute catch-up: an enqueue lost after a commit). */
export async function settlePendingSuppressions(db: Db, now?: Date): Promise<Settled[]> {
  const pending = await db
    .select({ id: findingSuppressions.id })
    .from(findingSuppressions)
    .where(
      or(
        and(isNull(findingSuppressions.revokedAt), isNull(findingSuppressions.appliedAt)),
        and(isNotNull(findingSuppressions.revokedAt), isNull(findingSuppressions.releasedAt)),
      ),
    )
    .orderBy(findingSuppressions.createdAt, findingSuppressions.id);
  const out: Settled[] = [];
  for (const p of pending) out.push(await settleSuppression(db, p.id, { now }));
  return out;
}
