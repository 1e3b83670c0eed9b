import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { campaigns, reviewDecisions, reviewItems } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { bumpPdpState } from "@/lib/db/pdp-state";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { can, requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { newId } from "@/lib/ids";
import type { ActionOptions } from "./launch-campaign";
import { DECISIONS, justificationRequired, type Decision } from "./model";
import { conflictOf, loadReviewerDirectory, requireReviewer } from "./reviewers";
import { itemViews, requireActorUser, usersById, type ItemRow, type ItemView } from "./views";

const justification = z.string().trim().max(4000, "at most 4000 characters").optional();
const version = z.number({ error: "version is required: the item version you decided on" }).int().min(1);

export const decisionSchema = z.object({ decision: z.enum(DECISIONS), justification, version }).strict();
export const delegationSchema = z
  .object({
    delegateTo: z.string().trim().min(1, "is required").max(320),
    reason: z.string().trim().min(1, "a reason is required").max(2000),
    version: version.optional(),
  })
  .strict();
export const bulkDecisionSchema = z
  .object({
    items: z
      .array(z.object({ id: z.string().min(1).max(64), version }).strict())
      .min(1, "select at least one item")
      .max(500, "at most 500 items at once"),
    decision: z.enum(DECISIONS),
    justification,
  })
  .strict();

/** Loads an item the actor may act on: their own; anyone else's is "not found" unless they may read the campaign. */
async function ownItem(tx: Db, actor: Actor, userId: string, itemId: string): Promise<ItemRow> {
  const [item] = await tx.select().from(reviewItems).where(eq(reviewItems.id, itemId));
  if (!item) throw new AppError("not_found", "review item not found");
  if (item.reviewerId !== userId) {
    if (can(actor, "campaign.read")) throw new AppError("forbidden", "this item is assigned to another reviewer");
    throw new AppError("not_found", "review item not found");
  }
  return item;
}

/** Locks the campaign against closing while a decision is written (close takes the row FOR UPDATE). */
async function requireOpen(tx: Db, campaignId: string): Promise<void> {
  const [c] = await tx.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaignId)).for("share");
  if (c?.status !== "active") throw new AppError("conflict", `the campaign is ${c?.status ?? "gone"}: decisions can no longer change`);
}

function checkJustification(decision: Decision, text: string | undefined, highRisk: boolean, path = "justification"): void {
  if (justificationRequired(decision, highRisk) && !text) {
    const why = decision === "revoke" ? "a revoke needs a justification" : "approving high-risk access needs a justification";
    throw new AppError("validation", why, [{ path, message: why }]);
  }
}

async function conflictAnswer(tx: Db, itemId: string, sent: number): Promise<AppError> {
  const [cur] = await tx.select().from(reviewItems).where(eq(reviewItems.id, itemId));
  const users = await usersById(tx, [cur?.decidedById, cur?.reviewerId]);
  const state = cur?.decision
    ? `${cur.decision} by ${users.get(cur.decidedById ?? "")?.name ?? "someone"}`
    : cur?.reviewerId
      ? `undecided, with ${users.get(cur.reviewerId)?.name ?? "another reviewer"}`
      : "changed";
  return new AppError("conflict", `the item changed since version ${sent}: it is now version ${cur?.version ?? "?"} (${state}); reload and decide again`, [
    { path: "version", message: `current version is ${cur?.version ?? "unknown"}` },
  ]);
}

/**
 * Writes one decision if the item is still at `version`: a conditional UPDATE
 * (… WHERE version = $v) so of concurrent decisions on one version exactly one
 * changes the row; the others change nothing and answer 409. History row and
 * audit event are written in the same transaction.
 */
async function applyDecision(
  tx: Db,
  actor: Actor,
  userId: string,
  item: ItemRow,
  d: { decision: Decision; justification?: string; version: number },
  now: Date,
  requestId?: string,
): Promise<ItemRow | null> {
  const [updated] = await tx
    .update(reviewItems)
    .set({
      decision: d.decision,
      justification: d.justification ?? null,
      decidedById: userId,
      decidedAt: now,
      version: sql`${reviewItems.version} + 1`,
      updatedAt: now,
    })
    .where(and(eq(reviewItems.id, item.id), eq(reviewItems.version, d.version), eq(reviewItems.reviewerId, userId)))
    .returning();
  if (!updated) return null;
  await tx.insert(reviewDecisions).values({
    id: newId("dec"),
    itemId: item.id,
    campaignId: item.campaignId,
    version: updated.version,
    kind: "decision",
    decision: d.decision,
    justification: d.justification ?? null,
    actorId: actor.id,
    actorLabel: actorLabel(actor),
    requestId: requestId ?? null,
    at: now,
  });
  // A revoke is enforced by every instance's decision point at once (lib/pdp), and so is one reversed — this item's
  // own earlier revoke, or a revoke of the same access in any campaign that this approval certifies again.
  if (d.decision === "revoke" || item.decision === "revoke" || (d.decision === "approve" && (await everRevoked(tx, item)))) await bumpPdpState(tx);
  await emitAudit(tx, actor, {
    action: "review.decide",
    target: { type: "review_item", id: item.id },
    before: { decision: item.decision, justification: item.justification, version: d.version },
    after: { decision: d.decision, justification: d.justification ?? null, version: updated.version, campaignId: item.campaignId },
    requestId,
  });
  return updated;
}

/** Whether any campaign ever revoked this access (subject, edge kind, target): one probe of review_items_access_idx. */
async function everRevoked(tx: Db, item: ItemRow): Promise<boolean> {
  const [hit] = await tx
    .select({ id: reviewItems.id })
    .from(reviewItems)
    .where(
      and(
        eq(reviewItems.subjectId, item.subjectId),
        eq(reviewItems.edgeKind, item.edgeKind),
        eq(reviewItems.targetId, item.targetId),
        or(eq(reviewItems.decision, "revoke"), eq(reviewItems.outcome, "revoke")),
      ),
    )
    .limit(1);
  return !!hit;
}

/**
 * POST /review-items/{id}/decision: `{ decision, justification, version }`, or
 * `{ delegateTo, reason }` to hand the item to another reviewer. Only the
 * item's reviewer may act; a decision may change until the campaign closes.
 */
export async function decideItem(db: Db, actor: Actor, itemId: string, input: unknown, opts: ActionOptions = {}): Promise<ItemView> {
  requirePermission(actor, "review.decide");
  const userId = requireActorUser(actor, "deciding a review item");
  if (input && typeof input === "object" && "delegateTo" in input) return delegateItem(db, actor, userId, itemId, parseInput(delegationSchema, input), opts);
  const d = parseInput(decisionSchema, input);
  const now = opts.now ?? new Date();
  const row = await db.transaction(async (tx) => {
    const item = await ownItem(tx, actor, userId, itemId);
    await requireOpen(tx, item.campaignId);
    checkJustification(d.decision, d.justification, item.highRisk);
    if (actor.humanNodeId && actor.humanNodeId === item.subjectId)
      throw new AppError("forbidden", "separation of duties: you cannot decide on your own access");
    const updated = await applyDecision(tx, actor, userId, item, d, now, opts.requestId);
    if (!updated) throw await conflictAnswer(tx, itemId, d.version);
    return updated;
  });
  return (await itemViews(db, [row]))[0]!;
}

async function delegateItem(db: Db, actor: Actor, userId: string, itemId: string, d: z.infer<typeof delegationSchema>, opts: ActionOptions): Promise<ItemView> {
  const now = opts.now ?? new Date();
  const dir = await loadReviewerDirectory(db);
  const to = requireReviewer(dir, d.delegateTo, "delegateTo");
  if (to.id === userId) throw new AppError("validation", "the item is already yours", [{ path: "delegateTo", message: "is you" }]);
  const row = await db.transaction(async (tx) => {
    const item = await ownItem(tx, actor, userId, itemId);
    await requireOpen(tx, item.campaignId);
    if (item.decision) throw new AppError("conflict", "the item is already decided; change the decision instead of delegating it");
    const conflict = conflictOf(to, {
      subject: { id: item.subjectId, kind: item.subjectKind, name: item.subjectName },
      subjectOwners: item.context.subjectOwners,
      subjectActsFor: item.context.subjectActsFor ?? [],
    });
    if (conflict) throw new AppError("validation", `separation of duties: ${conflict}`, [{ path: "delegateTo", message: conflict }]);
    if (item.level === 2 || item.firstLevelItemId === null) {
      // The two levels of one access must stay with two different people.
      const [other] = await tx
        .select({ reviewerId: reviewItems.reviewerId })
        .from(reviewItems)
        .where(item.level === 2 ? eq(reviewItems.id, item.firstLevelItemId ?? "") : eq(reviewItems.firstLevelItemId, item.id));
      if (other?.reviewerId === to.id)
        throw new AppError("validation", `${to.name} already reviews this access at the other level`, [
          { path: "delegateTo", message: "reviews the other level" },
        ]);
    }
    const sent = d.version ?? item.version;
    const [updated] = await tx
      .update(reviewItems)
      .set({ reviewerId: to.id, reviewerReason: `delegated by ${actorLabel(actor)}: ${d.reason}`, version: sql`${reviewItems.version} + 1`, updatedAt: now })
      .where(and(eq(reviewItems.id, itemId), eq(reviewItems.version, sent), eq(reviewItems.reviewerId, userId), isNull(reviewItems.decision)))
      .returning();
    if (!updated) throw await conflictAnswer(tx, itemId, sent);
    await tx.insert(reviewDecisions).values({
      id: newId("dec"),
      itemId,
      campaignId: item.campaignId,
      version: updated.version,
      kind: "delegation",
      justification: d.reason,
      fromReviewerId: userId,
      toReviewerId: to.id,
      actorId: actor.id,
      actorLabel: actorLabel(actor),
      requestId: opts.requestId ?? null,
      at: now,
    });
    await emitAudit(tx, actor, {
      action: "review.delegate",
      target: { type: "review_item", id: itemId },
      before: { reviewerId: userId, version: sent },
      after: { reviewerId: to.id, reason: d.reason, version: updated.version, campaignId: item.campaignId },
      requestId: opts.requestId,
    });
    return updated;
  });
  return (await itemViews(db, [row]))[0]!;
}

export interface BulkResult {
  items: { id: string; status: "decided" | "conflict"; version: number; message?: string }[];
  decided: number;
  conflicts: number;
}

/**
 * One decision over a selection of the caller's items, in one transaction: every
 * item is checked first (ownership, open campaign, justification), so a bad
 * selection changes nothing; items another decision moved meanwhile are
 * reported as conflicts and left as they are. One audit event per item decided.
 */
export async function bulkDecide(db: Db, actor: Actor, input: unknown, opts: ActionOptions = {}): Promise<BulkResult> {
  requirePermission(actor, "review.decide");
  const userId = requireActorUser(actor, "deciding review items");
  const d = parseInput(bulkDecisionSchema, input);
  const now = opts.now ?? new Date();
  const ids = [...new Set(d.items.map((i) => i.id))];
  if (ids.length !== d.items.length) throw new AppError("validation", "an item is named twice", [{ path: "items", message: "duplicate item ids" }]);
  return db.transaction(async (tx) => {
    const rows = await tx.select().from(reviewItems).where(inArray(reviewItems.id, ids));
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [n, sel] of d.items.entries()) {
      const item = byId.get(sel.id);
      if (!item || item.reviewerId !== userId)
        throw new AppError("not_found", `items[${n}]: review item not found`, [{ path: `items[${n}].id`, message: "not one of your items" }]);
      checkJustification(d.decision, d.justification, item.highRisk, "justification");
      if (actor.humanNodeId && actor.humanNodeId === item.subjectId)
        throw new AppError("forbidden", "separation of duties: you cannot decide on your own access");
    }
    for (const campaignId of new Set(rows.map((r) => r.campaignId))) await requireOpen(tx, campaignId);
    const out: BulkResult["items"] = [];
    for (const sel of d.items) {
      const item = byId.get(sel.id)!;
      const updated = await applyDecision(
        tx,
        actor,
        userId,
        item,
        { decision: d.decision, justification: d.justification, version: sel.version },
        now,
        opts.requestId,
      );
      if (updated) out.push({ id: sel.id, status: "decided", version: updated.version });
      else {
        const [cur] = await tx.select({ version: reviewItems.version }).from(reviewItems).where(eq(reviewItems.id, sel.id));
        out.push({ id: sel.id, status: "conflict", version: cur?.version ?? sel.version, message: `changed since version ${sel.version}; reload` });
      }
    }
    return { items: out, decided: out.filter((o) => o.status === "decided").length, conflicts: out.filter((o) => o.status === "conflict").length };
  });
}
