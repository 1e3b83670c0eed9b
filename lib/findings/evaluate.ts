import { createHash } from "node:crypto";
import { desc, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { findingEvaluations, findings, findingToolDefinitions, nodes } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { newId } from "@/lib/ids";
import { DEFINITION_KEYS } from "@/lib/ingest/tool-attributes";
import { recordCurrentCoverage } from "@/lib/ownership/coverage";
import type { RuleContext } from "./context";
import type { FoundFinding } from "./evidence";
import type { ScoreParts } from "./priority";
import { FINDING_RULES, type FindingRule } from "./rules";
import { changedToolFindings, insecureServerFindings, newToolDefinitions } from "./rules-mcp";
import { hardcodedSecrets, rotationFindings, sharedCredentials } from "./rules-credentials";
import { departedPrincipalFindings, ownerlessFindings } from "./rules-ownership";
import { blastRadiusFindings, principalReachFindings } from "./rules-reach";
import { unusedHighRiskFindings } from "./rules-usage";
import { refreshGroups } from "./groups";
import { toolRisks } from "./reach";
import { finalScore, indexExposedCounter, prioritize } from "./score";
import { loadSettings } from "./settings";
import { loadSnapshot } from "./snapshot";
import { acceptBySuppressions, loadSuppressionMatcher } from "./suppressions";

/** Serialises evaluations' writes across instances (two imports finishing together). */
const FINDINGS_LOCK = 727_276;
const BATCH = 500;
const AUDIT_ID_SAMPLE = 100;

/** "change": an incremental evaluation of one graph change (evaluate-incremental.ts); the others are full ("schedule": the nightly one). */
export type EvaluationTrigger = "manual" | "import" | "ownership" | "seed" | "bench" | "schedule" | "change";

export interface EvaluateOptions {
  trigger?: EvaluationTrigger;
  importId?: string;
  requestId?: string;
  /** The instant evaluated at (tests move the clock; the API never sets it). */
  now?: Date;
}

export interface EvaluationCounts {
  /** Findings the rules report now. */
  found: number;
  new: number;
  /** Still found, with different evidence, title or severity. */
  updated: number;
  unchanged: number;
  resolved: number;
  reopened: number;
  /** Accepted findings whose acceptance ran out: open again. */
  expired: number;
}

export interface EvaluationResult {
  id: string;
  trigger: EvaluationTrigger;
  graphVersion: number;
  startedAt: string;
  durationMs: number;
  counts: EvaluationCounts;
  /** Findings reported now, per rule. */
  byRule: Record<FindingRule, number>;
  /** True when a newer graph version had already been evaluated: this (older) result was not written. */
  superseded: boolean;
}

/** Runs every enabled rule over one snapshot. Pure apart from the clock it is given. */
export function runRules(ctx: RuleContext): FoundFinding[] {
  const on = (r: FindingRule) => ctx.settings.rules[r].enabled;
  const found: FoundFinding[] = [];
  if (on("hardcoded_secret")) found.push(...hardcodedSecrets(ctx));
  if (on("credential_rotation")) found.push(...rotationFindings(ctx));
  if (on("shared_credential")) found.push(...sharedCredentials(ctx));
  if (on("no_active_owner")) found.push(...ownerlessFindings(ctx));
  if (on("agent_inactive_principal")) found.push(...departedPrincipalFindings(ctx));
  if (on("uncertified_risky_tool") || on("dual_access_path") || on("over_broad_reach")) {
    found.push(...principalReachFindings(ctx, { uncertified: on("uncertified_risky_tool"), dual: on("dual_access_path"), overBroad: on("over_broad_reach") }));
  }
  if (on("over_broad_reach")) found.push(...blastRadiusFindings(ctx));
  if (on("tool_definition_changed")) found.push(...changedToolFindings(ctx));
  if (on("insecure_mcp_server")) found.push(...insecureServerFindings(ctx));
  if (on("unused_high_risk_access")) found.push(...unusedHighRiskFindings(ctx));
  return found;
}

/** What tells a changed finding from an unchanged one. */
export function fingerprintOf(f: FoundFinding): string {
  // Rules build evidence in a fixed key order, so plain JSON is deterministic (and much faster than canonical JSON here).
  return createHash("sha256")
    .update(JSON.stringify([f.severity, f.title, f.subjectName, f.evidence]))
    .digest("hex");
}

/**
 * Evaluates every rule over the current graph and reconciles the stored
 * findings: new ones are opened, ones no longer found are resolved, resolved
 * ones found again are reopened, accepted ones whose acceptance expired are
 * open again. Idempotent: evaluating an unchanged graph writes no finding.
 * One audit event per evaluation, with the counts.
 * Analysts and admins (findings.manage); also called by the seed and the benchmark.
 */
export async function evaluateFindings(db: Db, actor: Actor, opts: EvaluateOptions = {}): Promise<EvaluationResult> {
  requirePermission(actor, "findings.manage");
  return runEvaluation(db, actor, opts);
}

/**
 * Evaluation after a successful import, once its transaction has committed.
 * The import stands whatever happens here: a failure is logged with the import
 * id, and the next import or an evaluation on demand catches up.
 */
export async function evaluateAfterImport(db: Db, importId: string, requestId?: string): Promise<EvaluationResult | null> {
  try {
    return await runEvaluation(db, systemActor("findings"), { trigger: "import", importId, requestId });
  } catch (e) {
    console.error(`[findings] evaluation after import ${importId} failed; findings are stale until the next evaluation:`, e);
    return null;
  }
}

/**
 * Evaluation after an ownership change in Attest (assignments, reassignments),
 * once its transaction has committed: a finding the change fixed (no active
 * owner, an agent owned by someone who left) resolves at once. Best effort, as
 * after an import.
 */
export async function evaluateAfterOwnershipChange(db: Db, requestId?: string): Promise<EvaluationResult | null> {
  try {
    return await runEvaluation(db, systemActor("findings"), { trigger: "ownership", requestId });
  } catch (e) {
    console.error("[findings] evaluation after an ownership change failed; findings are stale until the next evaluation:", e);
    return null;
  }
}

/** The full evaluation, without a permission check (callers: the API after requirePermission, the pipeline, the schedule). */
export async function runEvaluation(db: Db, actor: Actor, opts: EvaluateOptions): Promise<EvaluationResult> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const trigger = opts.trigger ?? "manual";
  const { settings } = await loadSettings(db);
  const snap = await loadSnapshot(db);
  const ctx: RuleContext = { snap, settings, now };
  const found = runRules(ctx);
  await prioritize(ctx, found, indexExposedCounter(ctx), toolRisks(ctx));
  const definitions = newToolDefinitions(ctx);
  const byRule = Object.fromEntries(FINDING_RULES.map((r) => [r, 0])) as Record<FindingRule, number>;
  for (const f of found) byRule[f.rule]++;

  const id = newId("fev");
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FINDINGS_LOCK})`);
    const [previous] = await tx
      .select({ graphVersion: findingEvaluations.graphVersion, startedAt: findingEvaluations.startedAt })
      .from(findingEvaluations)
      .orderBy(desc(findingEvaluations.startedAt), desc(findingEvaluations.id))
      .limit(1);
    const counts: EvaluationCounts = { found: found.length, new: 0, updated: 0, unchanged: 0, resolved: 0, reopened: 0, expired: 0 };
    const changed: Record<"new" | "resolved" | "reopened" | "expired", string[]> = { new: [], resolved: [], reopened: [], expired: [] };
    // An evaluation of an older graph than one already written would undo it: record it, write nothing.
    const superseded = !!previous && previous.graphVersion > snap.version;
    if (!superseded) await reconcile(tx, found, definitions, now, previous?.startedAt ?? null, counts, changed);
    const durationMs = Math.round(performance.now() - started);
    await tx.insert(findingEvaluations).values({
      id,
      trigger,
      importId: opts.importId ?? null,
      actorId: actor.id,
      graphVersion: snap.version,
      startedAt: now,
      finishedAt: new Date(),
      durationMs,
      counts: { ...counts, superseded: superseded ? 1 : 0 },
    });
    const sample = (ids: string[]) => ids.slice(0, AUDIT_ID_SAMPLE);
    await emitAudit(tx, actor, {
      action: "findings.evaluate",
      target: { type: "findings_evaluation", id },
      after: {
        trigger,
        importId: opts.importId ?? null,
        graphVersion: snap.version,
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
  if (!result.superseded) await recordCoverageAfter(db, now);
  return {
    id,
    trigger,
    graphVersion: snap.version,
    startedAt: now.toISOString(),
    durationMs: result.durationMs,
    counts: result.counts,
    byRule,
    superseded: result.superseded,
  };
}

/**
 * The day's ownership coverage point (a person's status is overwritten in place, so past coverage cannot be
 * recomputed): evaluations follow every import and ownership change. Its own step after the findings commit, so a
 * slow coverage query on a very large graph (it can meet the statement timeout) never costs the findings.
 */
async function recordCoverageAfter(db: Db, now: Date): Promise<void> {
  try {
    await recordCurrentCoverage(db, now);
  } catch (e) {
    console.error("[findings] recording the day's ownership coverage failed; the trend misses this point:", e instanceof Error ? e.message : e);
  }
}

/** An incremental evaluation's reach: only stored findings about these subjects, with (rule, key) in scope, are reconciled. */
export interface ReconcileScope {
  subjects: string[];
  has(rule: FindingRule, key: string): boolean;
}

interface StoredRow {
  id: string;
  rule: FindingRule;
  key: string;
  status: "open" | "accepted" | "resolved";
  fingerprint: string;
  acceptedUntil: Date | null;
  lastSeenAt: Date;
  firstSeenAt: Date;
  reopenedAt: Date | null;
  causeId: string | null;
  causeName: string | null;
  causeResolves: boolean;
  score: number;
}

interface Update {
  id: string;
  f: FoundFinding;
  fingerprint: string;
  status: "open" | "accepted";
  clearAcceptance: boolean;
  reopen: boolean;
}

/** A finding's priority as written: the cause columns and the score with its parts. */
interface Priority {
  causeId: string | null;
  causeKind: string | null;
  causeName: string | null;
  causeResolves: boolean;
  score: number;
  scoreParts: ScoreParts | null;
}

/** The priority of a finding first seen (or reopened) at `since`, evaluated at `now`. */
function priorityOf(f: FoundFinding, since: Date, now: Date): Priority {
  const s = finalScore(f, since, now);
  return {
    causeId: f.cause?.id ?? null,
    causeKind: f.cause?.kind ?? null,
    causeName: f.cause?.name ?? null,
    causeResolves: f.cause?.resolves ?? false,
    score: s?.score ?? 0,
    scoreParts: s?.parts ?? null,
  };
}

const samePriority = (r: StoredRow, p: Priority) =>
  r.causeId === p.causeId && r.causeName === p.causeName && r.causeResolves === p.causeResolves && r.score === p.score;

export async function reconcile(
  tx: Db,
  found: FoundFinding[],
  definitions: { toolId: string; hash: string }[],
  now: Date,
  previousAt: Date | null,
  counts: EvaluationCounts,
  changed: Record<"new" | "resolved" | "reopened" | "expired", string[]>,
  scope?: ReconcileScope,
): Promise<void> {
  const all: StoredRow[] = await tx
    .select({
      id: findings.id,
      rule: findings.rule,
      key: findings.key,
      status: findings.status,
      fingerprint: findings.fingerprint,
      acceptedUntil: findings.acceptedUntil,
      lastSeenAt: findings.lastSeenAt,
      firstSeenAt: findings.firstSeenAt,
      reopenedAt: findings.reopenedAt,
      causeId: findings.causeId,
      causeName: findings.causeName,
      causeResolves: findings.causeResolves,
      score: findings.score,
    })
    .from(findings)
    .where(scope ? sql`${findings.subjectId} = any(${sql.param(scope.subjects)}::text[])` : undefined);
  const stored = scope ? all.filter((r) => scope.has(r.rule, r.key)) : all;
  const byKey = new Map(stored.map((r) => [`${r.rule}\u0000${r.key}`, r]));
  const inserts: (typeof findings.$inferInsert)[] = [];
  const updates: Update[] = [];
  const priorities = new Map<string, Priority>();
  const rescored: string[] = [];
  const causes = new Set<string>();
  const seen = new Set<string>();
  for (const f of found) {
    const k = `${f.rule}\u0000${f.key}`;
    if (seen.has(k)) continue; // a rule reports each key once; be safe against a bug reporting it twice
    seen.add(k);
    const fp = fingerprintOf(f);
    const row = byKey.get(k);
    if (!row) {
      const fid = newId("fnd");
      inserts.push({
        id: fid,
        rule: f.rule,
        key: f.key,
        subjectId: f.subjectId,
        subjectKind: f.subjectKind,
        subjectName: f.subjectName,
        severity: f.severity,
        title: f.title,
        evidence: f.evidence,
        fingerprint: fp,
        status: "open",
        firstSeenAt: now,
        lastSeenAt: now,
        createdAt: now,
        updatedAt: now,
        ...priorityOf(f, now, now),
      });
      if (f.cause) causes.add(f.cause.id);
      changed.new.push(fid);
      continue;
    }
    if (row.causeId) causes.add(row.causeId);
    if (f.cause) causes.add(f.cause.id);
    if (row.status === "resolved") {
      updates.push({ id: row.id, f, fingerprint: fp, status: "open", clearAcceptance: true, reopen: true });
      priorities.set(row.id, priorityOf(f, now, now));
      changed.reopened.push(row.id);
      continue;
    }
    // Freshness counts from when the finding was first seen, or last came back.
    const since = row.reopenedAt && row.reopenedAt > row.firstSeenAt ? row.reopenedAt : row.firstSeenAt;
    const priority = priorityOf(f, since, now);
    priorities.set(row.id, priority);
    const expired = row.status === "accepted" && row.acceptedUntil !== null && row.acceptedUntil.getTime() <= now.getTime();
    if (expired) changed.expired.push(row.id);
    if (expired || row.fingerprint !== fp) {
      updates.push({ id: row.id, f, fingerprint: fp, status: expired ? "open" : row.status, clearAcceptance: expired, reopen: false });
      if (row.fingerprint !== fp) counts.updated++;
      else counts.unchanged++;
    } else {
      counts.unchanged++;
      if (!samePriority(row, priority)) rescored.push(row.id);
    }
  }
  const resolve = stored.filter((r) => r.status !== "resolved" && !seen.has(`${r.rule}\u0000${r.key}`)).map((r) => r.id);
  changed.resolved.push(...resolve);
  for (const r of stored) if (r.causeId && r.status !== "resolved" && !seen.has(`${r.rule}\u0000${r.key}`)) causes.add(r.causeId);
  counts.new = inserts.length;
  counts.resolved = resolve.length;
  counts.reopened = changed.reopened.length;
  counts.expired = changed.expired.length;

  for (let i = 0; i < inserts.length; i += BATCH) await tx.insert(findings).values(inserts.slice(i, i + BATCH));
  for (let i = 0; i < updates.length; i += BATCH) await applyUpdates(tx, updates.slice(i, i + BATCH), priorities, now);
  for (let i = 0; i < rescored.length; i += BATCH) await applyPriorities(tx, rescored.slice(i, i + BATCH), priorities);
  for (let i = 0; i < resolve.length; i += BATCH) {
    // Last seen: the previous evaluation, the last one that still found it.
    await tx
      .update(findings)
      .set({
        status: "resolved",
        resolvedAt: now,
        lastSeenAt: sql`greatest(${findings.lastSeenAt}, ${(previousAt ?? now).toISOString()}::timestamptz)`,
        updatedAt: now,
      })
      .where(inArray(findings.id, resolve.slice(i, i + BATCH)));
  }
  // #16 suppressions (lib/findings/suppressions.ts): new, reopened and expired findings an active suppression matches are
  // accepted at once. Keep it after the findings are written and before the cause groups are refreshed.
  await acceptBySuppressions(
    tx,
    await loadSuppressionMatcher(tx, now),
    [
      ...inserts.map((r) => ({ id: r.id, rule: r.rule, subjectId: r.subjectId, causeId: r.causeId ?? null, evidenceNodes: r.evidence.nodes })),
      ...updates
        .filter((u) => u.reopen || u.clearAcceptance)
        .map((u) => ({
          id: u.id,
          rule: u.f.rule,
          subjectId: u.f.subjectId,
          causeId: u.f.cause?.id ?? null,
          evidenceNodes: u.f.evidence.nodes,
        })),
    ],
    now,
  );
  for (let i = 0; i < definitions.length; i += BATCH) await recordDefinitions(tx, definitions.slice(i, i + BATCH), now);
  // The groups of every cause touched, old and new (a full evaluation recounts them all: it also repairs any drift).
  await refreshGroups(tx, scope ? [...causes] : "all", now);
}

/** Rows whose content is unchanged but whose cause or score moved (a neighbour changed, or freshness stepped down). */
async function applyPriorities(tx: Db, ids: string[], priorities: Map<string, Priority>): Promise<void> {
  const col = <T>(f: (p: Priority) => T) => sql.param(ids.map((id) => f(priorities.get(id)!)));
  await tx.execute(sql`
    update ${findings} f set
      cause_id = u.cause_id, cause_kind = u.cause_kind, cause_name = u.cause_name, cause_resolves = u.cause_resolves,
      score = u.score, score_parts = u.score_parts::jsonb
    from unnest(
      ${sql.param(ids)}::text[], ${col((p) => p.causeId)}::text[], ${col((p) => p.causeKind)}::text[], ${col((p) => p.causeName)}::text[],
      ${col((p) => p.causeResolves)}::boolean[], ${col((p) => p.score)}::float8[], ${col((p) => (p.scoreParts ? JSON.stringify(p.scoreParts) : null))}::text[]
    ) as u(id, cause_id, cause_kind, cause_name, cause_resolves, score, score_parts)
    where f.id = u.id`);
}

/**
 * Adds definition history rows, each with the definition itself copied from the tool node (when the node still
 * holds that hash), so a later change can be shown as a diff of the texts. The snapshot leaves descriptions and
 * schemas out; this copies them inside the database, without reading them into the evaluation.
 */
async function recordDefinitions(tx: Db, batch: { toolId: string; hash: string }[], now: Date): Promise<void> {
  const ids = sql.param(batch.map(() => newId("tdh")));
  const tools = sql.param(batch.map((d) => d.toolId));
  const hashes = sql.param(batch.map((d) => d.hash));
  await tx.execute(sql`
    insert into ${findingToolDefinitions} (id, tool_id, definition_hash, first_seen_at, definition)
    select v.id, v.tool_id, v.hash, ${now.toISOString()}::timestamptz,
      case when n.attributes->>'definitionHash' = v.hash then (
        select jsonb_object_agg(a.key, a.value) from jsonb_each(n.attributes) a
        where a.key in (${sql.join(
          DEFINITION_KEYS.map((k) => sql`${k}`),
          sql`, `,
        )}) and a.value <> 'null'::jsonb
      ) end
    from unnest(${ids}::text[], ${tools}::text[], ${hashes}::text[]) as v(id, tool_id, hash)
    left join ${nodes} n on n.id = v.tool_id`);
}

/** One statement per batch: content, status, and the reopen / acceptance bookkeeping. */
async function applyUpdates(tx: Db, batch: Update[], priorities: Map<string, Priority>, now: Date): Promise<void> {
  const col = <T>(f: (u: Update) => T) => sql.param(batch.map(f));
  const pri = <T>(f: (p: Priority) => T) => sql.param(batch.map((u) => f(priorities.get(u.id)!)));
  const iso = now.toISOString();
  await tx.execute(sql`
    update ${findings} f set
      severity = u.severity, title = u.title, subject_name = u.subject_name, evidence = u.evidence::jsonb, fingerprint = u.fingerprint,
      status = u.status,
      accepted_reason = case when u.clear_acceptance then null else f.accepted_reason end,
      accepted_until = case when u.clear_acceptance then null else f.accepted_until end,
      accepted_by = case when u.clear_acceptance then null else f.accepted_by end,
      accepted_at = case when u.clear_acceptance then null else f.accepted_at end,
      suppression_id = case when u.clear_acceptance then null else f.suppression_id end,
      resolved_at = case when u.reopen then null else f.resolved_at end,
      reopened_at = case when u.reopen then ${iso}::timestamptz else f.reopened_at end,
      reopen_count = f.reopen_count + case when u.reopen then 1 else 0 end,
      last_seen_at = case when u.reopen then ${iso}::timestamptz else f.last_seen_at end,
      cause_id = u.cause_id, cause_kind = u.cause_kind, cause_name = u.cause_name, cause_resolves = u.cause_resolves,
      score = u.score, score_parts = u.score_parts::jsonb,
      updated_at = ${iso}::timestamptz
    from unnest(
      ${col((u) => u.id)}::text[], ${col((u) => u.f.severity)}::text[], ${col((u) => u.f.title)}::text[], ${col((u) => u.f.subjectName)}::text[],
      ${col((u) => JSON.stringify(u.f.evidence))}::text[], ${col((u) => u.fingerprint)}::text[], ${col((u) => u.status)}::text[],
      ${col((u) => u.clearAcceptance)}::boolean[], ${col((u) => u.reopen)}::boolean[],
      ${pri((p) => p.causeId)}::text[], ${pri((p) => p.causeKind)}::text[], ${pri((p) => p.causeName)}::text[],
      ${pri((p) => p.causeResolves)}::boolean[], ${pri((p) => p.score)}::float8[], ${pri((p) => (p.scoreParts ? JSON.stringify(p.scoreParts) : null))}::text[]
    ) as u(id, severity, title, subject_name, evidence, fingerprint, status, clear_acceptance, reopen,
      cause_id, cause_kind, cause_name, cause_resolves, score, score_parts)
    where f.id = u.id`);
}
