import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appUsers, auditEvents, campaigns, imports, remediationTasks, reviewDecisions, reviewItems } from "@/db/schema";
import { auditEventView, type AuditEventView } from "@/lib/audit/audit-api";
import { verifyAuditChain, type ChainVerification } from "@/lib/audit/emit-audit";
import { conflictOf } from "@/lib/campaigns/reviewers";
import { campaignViews, type CampaignView } from "@/lib/campaigns/views";
import { AppError } from "@/lib/errors";

/**
 * One instant of everything a campaign's evidence is made of, and the facts
 * derived from it. Everything derives from stored rows (never from the clock
 * for a closed campaign), so exporting it again gives the same files.
 */

export interface Person {
  id: string;
  name: string;
  email: string;
  humanNodeId: string | null;
}

type ItemRow = typeof reviewItems.$inferSelect;
type DecisionRow = typeof reviewDecisions.$inferSelect;
type TaskRow = typeof remediationTasks.$inferSelect;

export interface CampaignSnapshot {
  campaign: CampaignView;
  items: ItemRow[];
  decisions: DecisionRow[];
  tasks: TaskRow[];
  people: Map<string, Person>;
  /** Imports that verified (or found not effective) a remediation task. */
  proofImports: Map<string, { id: string; sourceName: string | null; finishedAt: string | null }>;
  /** Every source the items come from, with its last successful import finished before launch. */
  sources: { name: string; lastImportBeforeLaunch: string | null; importId: string | null }[];
  audit: AuditEventView[];
  chain: ChainVerification;
}

/** Reads the snapshot inside the caller's (repeatable-read) transaction. */
export async function readSnapshot(tx: Db, id: string): Promise<CampaignSnapshot> {
  const [row] = await tx.select().from(campaigns).where(eq(campaigns.id, id));
  if (!row) throw new AppError("not_found", "campaign not found");
  if (row.status === "draft") throw new AppError("conflict", "the campaign is a draft: it has no items or decisions to evidence until it is launched");
  const [campaign] = await campaignViews(tx, [row]);
  const items = await tx
    .select()
    .from(reviewItems)
    .where(eq(reviewItems.campaignId, id))
    .orderBy(asc(reviewItems.subjectName), asc(reviewItems.edgeKind), asc(reviewItems.targetName), asc(reviewItems.level), asc(reviewItems.id));
  const decisions = await tx
    .select()
    .from(reviewDecisions)
    .where(eq(reviewDecisions.campaignId, id))
    .orderBy(asc(reviewDecisions.at), asc(reviewDecisions.itemId), asc(reviewDecisions.version));
  const tasks = await tx
    .select()
    .from(remediationTasks)
    .where(eq(remediationTasks.campaignId, id))
    .orderBy(asc(remediationTasks.createdAt), asc(remediationTasks.id));

  const userIds = new Set<string>([row.ownerId]);
  for (const i of items) for (const u of [i.reviewerId, i.assignedReviewerId, i.decidedById]) if (u) userIds.add(u);
  for (const d of decisions) for (const u of [d.fromReviewerId, d.toReviewerId]) if (u) userIds.add(u);
  for (const t of tasks) if (t.doneById) userIds.add(t.doneById);
  const people = new Map<string, Person>();
  const ids = [...userIds];
  for (let k = 0; k < ids.length; k += 1000) {
    for (const p of await tx
      .select({ id: appUsers.id, name: appUsers.name, email: appUsers.email, humanNodeId: appUsers.humanNodeId })
      .from(appUsers)
      .where(inArray(appUsers.id, ids.slice(k, k + 1000))))
      people.set(p.id, p);
  }

  const importIds = [...new Set(tasks.flatMap((t) => [t.verifiedImportId, t.notEffectiveImportId]).filter((x): x is string => !!x))];
  const proofImports = new Map(
    (importIds.length
      ? await tx.select({ id: imports.id, sourceName: imports.sourceName, finishedAt: imports.finishedAt }).from(imports).where(inArray(imports.id, importIds))
      : []
    ).map((i) => [i.id, { id: i.id, sourceName: i.sourceName, finishedAt: i.finishedAt?.toISOString() ?? null }]),
  );

  const sourceNames = [...new Set([...items.flatMap((i) => [i.subjectSource, i.edgeSource, i.targetSource]), ...(row.scope.sources ?? [])])].sort();
  const sources = await sourcesBeforeLaunch(tx, sourceNames, row.launchedAt);

  // The campaign's own events, its items' and its remediation tasks'. Exports of its evidence are
  // audited under another target type (campaign_evidence), so they never change this extract.
  const itemIds = items.map((i) => i.id);
  const taskIds = tasks.map((t) => t.id);
  const audit = await tx
    .select()
    .from(auditEvents)
    .where(
      sql`(${auditEvents.targetType} = 'campaign' and ${auditEvents.targetId} = ${id})
        or (${auditEvents.targetType} = 'review_item' and ${auditEvents.targetId} = any(${sql.param(itemIds)}::text[]))
        or (${auditEvents.targetType} = 'remediation_task' and ${auditEvents.targetId} = any(${sql.param(taskIds)}::text[]))`,
    )
    .orderBy(asc(auditEvents.seq));
  const chain = await verifyAuditChain(tx);
  return { campaign: campaign!, items, decisions, tasks, people, proofImports, sources, audit: audit.map(auditEventView), chain };
}

/** Every source with its last successful import finished before launch. */
export async function sourcesBeforeLaunch(tx: Db, sourceNames: string[], launchedAt: Date | null): Promise<CampaignSnapshot["sources"]> {
  const launched = launchedAt ?? new Date(0);
  const lastImports = sourceNames.length
    ? await tx
        .selectDistinctOn([imports.sourceName], { sourceName: imports.sourceName, id: imports.id, finishedAt: imports.finishedAt })
        .from(imports)
        .where(and(inArray(imports.sourceName, sourceNames), eq(imports.status, "succeeded"), lte(imports.finishedAt, launched)))
        .orderBy(asc(imports.sourceName), sql`${imports.finishedAt} desc`, asc(imports.id))
    : [];
  const lastBySource = new Map(lastImports.map((l) => [l.sourceName, l]));
  const sources = sourceNames.map((name) => ({
    name,
    lastImportBeforeLaunch: lastBySource.get(name)?.finishedAt?.toISOString() ?? null,
    importId: lastBySource.get(name)?.id ?? null,
  }));

  return sources;
}

/** Reads everything the evidence needs in one repeatable-read, read-only transaction: one instant of the database. */
export function loadCampaignSnapshot(db: Db, id: string): Promise<CampaignSnapshot> {
  return db.transaction((tx) => readSnapshot(tx, id), { isolationLevel: "repeatable read", accessMode: "read only" });
}

// ---------------------------------------------------------------------------
// Derived facts
// ---------------------------------------------------------------------------

export interface IndependenceFinding {
  itemId: string;
  who: "reviewer" | "decided by";
  person: string;
  finding: string;
}

/** Reviewer ≠ subject (nor its owner, nor the principal an agent acts for), for the reviewer of record and whoever decided. */
export function reviewerIndependence(s: CampaignSnapshot): { checked: number; exceptions: IndependenceFinding[]; unlinked: number } {
  const exceptions: IndependenceFinding[] = [];
  let unlinked = 0;
  for (const i of s.items) {
    const facts = {
      subject: { id: i.subjectId, kind: i.subjectKind, name: i.subjectName },
      subjectOwners: i.context.subjectOwners ?? [],
      subjectActsFor: i.context.subjectActsFor ?? [],
    };
    const seen = new Set<string>();
    for (const [who, uid] of [
      ["reviewer", i.reviewerId],
      ["decided by", i.decidedById],
    ] as const) {
      const p = uid ? s.people.get(uid) : undefined;
      if (!p || seen.has(p.id)) continue;
      seen.add(p.id);
      if (!p.humanNodeId) {
        if (who === "reviewer") unlinked++;
        continue;
      }
      const conflict = conflictOf({ ...p }, facts);
      if (conflict) exceptions.push({ itemId: i.id, who, person: `${p.name} <${p.email}>`, finding: conflict });
    }
  }
  return { checked: s.items.length, exceptions, unlinked };
}

export interface Totals {
  items: number;
  accesses: number;
  approved: number;
  revoked: number;
  abstained: number;
  undecided: number;
  delegated: number;
  overdue: number;
  percentComplete: number;
  outcomes: Record<"approve" | "revoke" | "abstain" | "no_response", number> | null;
}

/**
 * Counts over items (both levels). Overdue: items not decided by the due date,
 * once it has passed, judged at close for a closed campaign (so it never
 * changes afterwards) and at `now` for an active one.
 */
export function campaignTotals(s: CampaignSnapshot, now: Date): Totals {
  const c = s.campaign;
  const due = new Date(c.dueAt).getTime();
  const judgedAt = c.closedAt ? new Date(c.closedAt).getTime() : now.getTime();
  const delegatedItems = new Set(s.decisions.filter((d) => d.kind === "delegation").map((d) => d.itemId));
  const t: Totals = {
    items: s.items.length,
    accesses: 0,
    approved: 0,
    revoked: 0,
    abstained: 0,
    undecided: 0,
    delegated: delegatedItems.size,
    overdue: 0,
    percentComplete: 0,
    outcomes: null,
  };
  const outcomes = { approve: 0, revoke: 0, abstain: 0, no_response: 0 };
  for (const i of s.items) {
    if (i.level === 1) t.accesses++;
    if (i.decision === "approve") t.approved++;
    else if (i.decision === "revoke") t.revoked++;
    else if (i.decision === "abstain") t.abstained++;
    else t.undecided++;
    if (judgedAt > due && (!i.decidedAt || i.decidedAt.getTime() > due)) t.overdue++;
    if (i.level === 1 && i.outcome) outcomes[i.outcome]++;
  }
  t.percentComplete = t.items ? Math.round(((t.items - t.undecided) / t.items) * 1000) / 10 : 100;
  if (c.closedAt) t.outcomes = outcomes;
  return t;
}
