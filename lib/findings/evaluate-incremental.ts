import { and, desc, eq, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { findingEvaluations, findings } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor, type Actor } from "@/lib/authz/actor";
import { newId } from "@/lib/ids";
import type { RuleContext } from "./context";
import { reconcile, runEvaluation, type EvaluationCounts, type EvaluationResult, type EvaluationTrigger, type ReconcileScope } from "./evaluate";
import type { FoundFinding } from "./evidence";
import { FINDING_RULES, type FindingRule } from "./rules";
import { changedToolFindings, insecureServerFindings, newToolDefinitions } from "./rules-mcp";
import { hardcodedSecrets, rotationFindings, sharedCredentials } from "./rules-credentials";
import { departedPrincipalFindings, ownerlessFindings } from "./rules-ownership";
import { principalReachFindings } from "./rules-reach";
import { unusedHighRiskFindings } from "./rules-usage";
import { refreshGroups } from "./groups";
import { toolRisks } from "./reach";
import { prioritize } from "./score";
import { databaseExposedCounter, loadScopedSnapshot, NIGHTLY_ONLY, scopedKey, type GraphChange, type RuleScope } from "./scope";
import { loadSettings } from "./settings";
import { acceptBySuppressions, loadSuppressionMatcher } from "./suppressions";

/** The same lock as the full evaluation's (evaluate.ts): one evaluation writes at a time. */
const FINDINGS_LOCK = 727_276;
const AUDIT_ID_SAMPLE = 100;

export type { GraphChange } from "./scope";
export { NIGHTLY_ONLY } from "./scope";

export interface IncrementalOptions {
  actor?: Actor;
  /** Who asked (the pipeline's trigger); "change" unless said. */
  trigger?: EvaluationTrigger;
  requestId?: string;
  /** The instant evaluated at (tests move the clock). */
  now?: Date;
  /** Told each phase's duration in ms (the benchmark reports them). */
  onPhase?: (name: string, ms: number) => void;
}

/** Runs the enabled rules over a scoped snapshot and keeps only what they say about the subjects in scope. */
export function runScopedRules(ctx: RuleContext, scope: RuleScope): FoundFinding[] {
  const on = (r: FindingRule) => ctx.settings.rules[r].enabled && scope[r].size > 0;
  const found: FoundFinding[] = [];
  if (on("hardcoded_secret")) found.push(...hardcodedSecrets(ctx));
  if (on("credential_rotation")) found.push(...rotationFindings(ctx));
  if (on("shared_credential")) found.push(...sharedCredentials(ctx));
  if (on("no_active_owner")) found.push(...ownerlessFindings(ctx));
  if (on("agent_inactive_principal")) found.push(...departedPrincipalFindings(ctx));
  if (on("uncertified_risky_tool") || on("dual_access_path") || on("over_broad_reach")) {
    const only = new Set([...scope.uncertified_risky_tool, ...scope.dual_access_path, ...scope.over_broad_reach]);
    found.push(
      ...principalReachFindings(ctx, { uncertified: on("uncertified_risky_tool"), dual: on("dual_access_path"), overBroad: on("over_broad_reach"), only }),
    );
  }
  // No blastRadiusFindings: a ranking over the whole graph (NIGHTLY_ONLY).
  if (on("tool_definition_changed")) found.push(...changedToolFindings(ctx));
  if (on("insecure_mcp_server")) found.push(...insecureServerFindings(ctx));
  if (on("unused_high_risk_access")) found.push(...unusedHighRiskFindings(ctx, scope.unused_high_risk_access));
  return found.filter((f) => scope[f.rule].has(f.subjectId) && f.key === scopedKey(f.rule, f.subjectId));
}

/**
 * Re-evaluates only what a committed graph change can affect (scope.ts derives
 * each rule's subjects and their neighbourhood with bounded queries), then
 * reconciles the stored findings about those subjects with the full
 * evaluation's semantics: opened, updated, resolved by themselves, reopened;
 * and, whatever the scope, accepted findings whose acceptance ran out are open
 * again. One finding_evaluations row and one audit event (trigger "change")
 * per call. `full: true` (a change too big to list) runs the full evaluation.
 *
 * Not refreshed here, so the nightly full evaluation catches them: NIGHTLY_ONLY
 * rules (the largest blast radius), what changes with the clock alone (a
 * credential passing its expiry or rotation due date, a certification ageing
 * past the policy, a tool's last call passing 90 days), new tool usage (gateways' calls are not graph changes),
 * certifications written by closing a campaign unless the
 * change names the items' subjects and targets, and settings changes.
 * `sourceIds` alone widen nothing: the pipeline lists the nodes and edges.
 */
export async function evaluateIncremental(db: Db, change: GraphChange, opts: IncrementalOptions = {}): Promise<EvaluationResult & { snapshotNodes?: number }> {
  const actor = opts.actor ?? systemActor("findings");
  if (change.full) return runEvaluation(db, actor, { trigger: opts.trigger ?? "change", requestId: opts.requestId, now: opts.now });
  const started = performance.now();
  const now = opts.now ?? new Date();
  const trigger = opts.trigger ?? "change";
  let mark = started;
  const phase = (name: string) => {
    const t = performance.now();
    opts.onPhase?.(name, t - mark);
    mark = t;
  };
  const { settings } = await loadSettings(db);
  const { snap, scope, subjects } = await loadScopedSnapshot(db, change, settings, phase);
  const ctx: RuleContext = { snap, settings, now };
  const found = runScopedRules(ctx, scope);
  await prioritize(ctx, found, databaseExposedCounter(db, settings.maxDepth), toolRisks(ctx));
  phase("rules");
  const definitions = newToolDefinitions(ctx).filter((d) => scope.tool_definition_changed.has(d.toolId));
  const byRule = Object.fromEntries(FINDING_RULES.map((r) => [r, 0])) as Record<FindingRule, number>;
  for (const f of found) byRule[f.rule]++;
  const inScope: ReconcileScope = {
    subjects,
    has: (rule, key) => {
      if (NIGHTLY_ONLY.some((n) => n.rule === rule && key.startsWith(n.keyPrefix))) return false;
      const subject = rule === "over_broad_reach" ? key.slice("reach:".length) : key;
      return scope[rule].has(subject) && key === scopedKey(rule, subject);
    },
  };

  const id = newId("fev");
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FINDINGS_LOCK})`);
    const [previous] = await tx
      .select({ graphVersion: findingEvaluations.graphVersion, startedAt: findingEvaluations.startedAt, trigger: findingEvaluations.trigger })
      .from(findingEvaluations)
      .orderBy(desc(findingEvaluations.startedAt), desc(findingEvaluations.id))
      .limit(1);
    const counts: EvaluationCounts = { found: found.length, new: 0, updated: 0, unchanged: 0, resolved: 0, reopened: 0, expired: 0 };
    const changed: Record<"new" | "resolved" | "reopened" | "expired", string[]> = { new: [], resolved: [], reopened: [], expired: [] };
    // Only a full evaluation of a newer graph makes this one moot: another incremental one covered another scope.
    const superseded = !!previous && previous.trigger !== "change" && previous.graphVersion > snap.version;
    if (!superseded) {
      await reconcile(tx, found, definitions, now, previous?.startedAt ?? null, counts, changed, inScope);
      await expireAcceptances(tx, now, counts, changed);
    }
    const durationMs = Math.round(performance.now() - started);
    await tx.insert(findingEvaluations).values({
      id,
      trigger,
      importId: null,
      actorId: actor.id,
      graphVersion: snap.version,
      startedAt: now,
      finishedAt: new Date(),
      durationMs,
      counts: { ...counts, superseded: superseded ? 1 : 0, subjects: subjects.length },
    });
    const sample = (ids: string[]) => ids.slice(0, AUDIT_ID_SAMPLE);
    await emitAudit(tx, actor, {
      action: "findings.evaluate",
      target: { type: "findings_evaluation", id },
      after: {
        trigger,
        incremental: true,
        graphVersion: snap.version,
        change: { nodes: change.nodeIds.length, edges: change.edgeIds.length, sources: change.sourceIds.length },
        subjects: subjects.length,
        counts,
        superseded,
        byRule,
        newIds: sample(changed.new),
        resolvedIds: sample(changed.resolved),
        reopenedIds: sample(changed.reopened),
        expiredIds: sample(changed.expired),
      },
      requestId: opts.requestId,
    });
    return { counts, superseded, durationMs };
  });
  phase("write");
  return {
    id,
    trigger,
    graphVersion: snap.version,
    startedAt: now.toISOString(),
    durationMs: result.durationMs,
    counts: result.counts,
    byRule,
    superseded: result.superseded,
    snapshotNodes: snap.nodes.size,
  };
}

/**
 * Accepted findings outside the scope whose acceptance ran out: open again, as a full evaluation would leave them
 * (outside the scope nothing changed, so they are still found, with the same content). Indexed by status.
 */
async function expireAcceptances(tx: Db, now: Date, counts: EvaluationCounts, changed: Record<"expired", string[]>): Promise<void> {
  const rows = await tx
    .update(findings)
    .set({ status: "open", acceptedReason: null, acceptedUntil: null, acceptedBy: null, acceptedAt: null, suppressionId: null, updatedAt: now })
    .where(and(eq(findings.status, "accepted"), lte(findings.acceptedUntil, now)))
    .returning({ id: findings.id, rule: findings.rule, subjectId: findings.subjectId, causeId: findings.causeId, evidence: findings.evidence });
  // #16 suppressions (lib/findings/suppressions.ts): an active suppression matching one accepts it again at once, as
  // reconcile does; before the groups are refreshed.
  await acceptBySuppressions(
    tx,
    await loadSuppressionMatcher(tx, now),
    rows.map((r) => ({ ...r, evidenceNodes: r.evidence.nodes })),
    now,
  );
  for (const r of rows) changed.expired.push(r.id);
  await refreshGroups(tx, [...new Set(rows.flatMap((r) => (r.causeId ? [r.causeId] : [])))], now);
  counts.expired += rows.length;
  counts.unchanged += rows.length;
}
