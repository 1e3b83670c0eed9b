import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaigns, reviewItems } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { resolveDefinition } from "./definition";
import { buildSnapshot, summarise, type PreviewSummary } from "./snapshot";
import { campaignViews, requireActorUser, type CampaignRow, type CampaignView } from "./views";

export interface ActionOptions {
  requestId?: string;
  /** The instant the action happens at (tests move the clock; the API never sets it). */
  now?: Date;
}

/**
 * Creates a campaign as a draft owned by the caller (who alone signs it off).
 * Nothing is snapshotted until launch.
 */
export async function createCampaign(db: Db, actor: Actor, input: unknown, opts: ActionOptions = {}): Promise<CampaignView> {
  requirePermission(actor, "campaign.manage");
  const ownerId = requireActorUser(actor, "owning a campaign");
  const now = opts.now ?? new Date();
  const d = await resolveDefinition(db, input, now);
  const id = newId("cmp");
  const row = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(campaigns)
      .values({ id, ...d, ownerId, status: "draft", createdAt: now, updatedAt: now })
      .returning();
    await emitAudit(tx, actor, {
      action: "campaign.create",
      target: { type: "campaign", id },
      after: {
        name: d.name,
        control: d.control,
        scope: d.scope,
        reviewerStrategy: d.reviewerStrategy,
        fallbackReviewerId: d.fallbackReviewerId,
        dueAt: d.dueAt.toISOString(),
        secondLevel: d.secondLevel,
        revokeOnNoResponse: d.revokeOnNoResponse,
      },
      requestId: opts.requestId,
    });
    return created!;
  });
  return (await campaignViews(db, [row]))[0]!;
}

/** How many items and reviewers a definition would produce now, before anything is written. */
export async function previewDefinition(db: Db, actor: Actor, input: unknown, opts: ActionOptions = {}): Promise<PreviewSummary> {
  requirePermission(actor, "campaign.manage");
  const ownerId = requireActorUser(actor, "previewing a campaign");
  const d = await resolveDefinition(db, input, opts.now ?? new Date());
  const snap = await buildSnapshot(db, { ...d, ownerId }, opts.now ?? new Date());
  return summarise(snap.items, snap.directory);
}

async function loadCampaign(db: Db, id: string): Promise<CampaignRow> {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  if (!row) throw new AppError("not_found", "campaign not found");
  return row;
}

/** The preview of a saved draft (what launching it now would produce). */
export async function previewCampaign(db: Db, actor: Actor, id: string, opts: ActionOptions = {}): Promise<PreviewSummary> {
  requirePermission(actor, "campaign.read");
  const c = await loadCampaign(db, id);
  const snap = await buildSnapshot(db, c, opts.now ?? new Date());
  return summarise(snap.items, snap.directory);
}

const BATCH = 500;

/**
 * Launches a draft: snapshots one review item per (subject, access) in scope,
 * each routed to its reviewer, in one transaction with one audit event. Refuses
 * (409) a scope that selects nothing, an item no one may review, or a due date
 * that has passed.
 */
export async function launchCampaign(db: Db, actor: Actor, id: string, opts: ActionOptions = {}): Promise<CampaignView> {
  requirePermission(actor, "campaign.manage");
  const now = opts.now ?? new Date();
  const c = await loadCampaign(db, id);
  if (c.status !== "draft") throw new AppError("conflict", `the campaign is ${c.status}; only a draft can be launched`);
  if (c.dueAt.getTime() <= now.getTime()) throw new AppError("conflict", "the due date has passed; create the campaign again with a later due date");
  // Read the graph before the write transaction: the index is one consistent version, recorded with the items.
  const snap = await buildSnapshot(db, c, now);
  const level1 = snap.items.filter((i) => i.level === 1).length;
  if (level1 === 0) throw new AppError("conflict", "the scope selects no access to review; widen it before launching");
  const unassigned = snap.items.filter((i) => !i.reviewerId);
  if (unassigned.length) {
    throw new AppError(
      "conflict",
      `${unassigned.length} item${unassigned.length === 1 ? " has" : "s have"} no reviewer: name a fallback reviewer who is not their subject`,
      unassigned.slice(0, 20).map((i) => ({ path: `${i.subject.name} ${i.edge.kind} ${i.target.name}`, message: i.reviewerReason })),
    );
  }
  const row = await db.transaction(async (tx) => {
    const [locked] = await tx.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (locked?.status !== "draft") throw new AppError("conflict", "the campaign was launched meanwhile");
    const ids = new Map<string, string>();
    const values = snap.items.map((i) => {
      const itemId = newId("itm");
      if (i.level === 1) ids.set(i.key, itemId);
      return {
        id: itemId,
        campaignId: id,
        level: i.level,
        firstLevelItemId: i.level === 2 ? (ids.get(i.key) ?? null) : null,
        subjectId: i.subject.id,
        subjectKind: i.subject.kind,
        subjectName: i.subject.name,
        subjectSource: i.subject.source,
        subjectExternalId: i.subject.externalId,
        subjectStatus: i.subject.status,
        edgeId: i.edge.id,
        edgeKind: i.edge.kind,
        edgeSource: i.edge.source,
        targetId: i.target.id,
        targetKind: i.target.kind,
        targetName: i.target.name,
        targetSource: i.target.source,
        targetExternalId: i.target.externalId,
        accessFirstSeenAt: i.edge.firstSeenAt,
        toolRisk: i.toolRisk,
        riskReason: i.riskReason,
        highRisk: i.highRisk,
        context: i.context,
        recommendation: i.recommendation,
        recommendationReason: i.recommendationReason,
        reviewerId: i.reviewerId!,
        reviewerReason: i.reviewerReason,
        assignedReviewerId: i.reviewerId!,
        createdAt: now,
        updatedAt: now,
      };
    });
    for (let k = 0; k < values.length; k += BATCH) await tx.insert(reviewItems).values(values.slice(k, k + BATCH));
    const [launched] = await tx
      .update(campaigns)
      .set({ status: "active", launchedAt: now, launchedBy: actorLabel(actor), launchGraphVersion: snap.graphVersion, updatedAt: now })
      .where(eq(campaigns.id, id))
      .returning();
    const summary = summarise(snap.items, snap.directory);
    await emitAudit(tx, actor, {
      action: "campaign.launch",
      target: { type: "campaign", id },
      before: { status: "draft" },
      after: {
        status: "active",
        items: summary.items,
        secondLevelItems: summary.secondLevelItems,
        reviewers: summary.reviewers.map((r) => ({ id: r.id, items: r.items })),
        graphVersion: snap.graphVersion,
      },
      requestId: opts.requestId,
    });
    return launched!;
  });
  return (await campaignViews(db, [row]))[0]!;
}
