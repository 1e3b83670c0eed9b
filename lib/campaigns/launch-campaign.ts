import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaigns, reviewItems } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, systemActor, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";
import type { TriggerEventSummary } from "./model";
import { newId } from "@/lib/ids";
import { resolveDefinition } from "./definition";
import { buildSnapshot, summarise, type PreviewSummary } from "./snapshot";
import { campaignViews, requireActorUser, type CampaignRow, type CampaignView } from "./views";

export interface ActionOptions {
  requestId?: string;
  /** The instant the action happens at (tests move the clock; the API never sets it). */
  now?: Date;
}

/** Where a campaign comes from, when not made by hand (templates and trigger rules set it). */
export interface CampaignSource {
  origin: "template" | "trigger";
  templateId?: string | null;
  previousCampaignId?: string | null;
  triggerRuleId?: string | null;
  triggerEvent?: TriggerEventSummary | null;
}

export interface CreateOptions extends ActionOptions {
  /** The owner when the actor is the system (a template's or a rule's owner); by default the acting user. */
  ownerId?: string;
  from?: CampaignSource;
}

/**
 * Creates a campaign as a draft owned by the caller (who alone signs it off),
 * or, for background work, by the template's or rule's owner.
 * Nothing is snapshotted until launch.
 */
export async function createCampaign(db: Db, actor: Actor, input: unknown, opts: CreateOptions = {}): Promise<CampaignView> {
  requirePermission(actor, "campaign.manage");
  const ownerId = opts.ownerId ?? requireActorUser(actor, "owning a campaign");
  const now = opts.now ?? new Date();
  const d = await resolveDefinition(db, input, now);
  const id = newId("cmp");
  const from = opts.from;
  const row = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(campaigns)
      .values({
        id,
        ...d,
        ownerId,
        status: "draft",
        origin: from?.origin ?? "manual",
        templateId: from?.templateId ?? null,
        previousCampaignId: from?.previousCampaignId ?? null,
        triggerRuleId: from?.triggerRuleId ?? null,
        triggerEvent: from?.triggerEvent ?? null,
        createdAt: now,
        updatedAt: now,
      })
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
        ...(from
          ? { origin: from.origin, templateId: from.templateId ?? null, triggerRuleId: from.triggerRuleId ?? null, trigger: from.triggerEvent ?? null }
          : {}),
        ...(opts.ownerId ? { ownerId } : {}),
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
 * Asks for a draft to be launched (POST /api/v1/campaigns/{id}/launch): the
 * campaign turns `launching` at once and the job `campaigns.launch` snapshots
 * its items in the background (runLaunch). Refuses (409) a campaign that is not
 * a draft or whose due date has passed; what only the snapshot can tell (an
 * empty scope, an item no one may review) fails the launch, which returns the
 * campaign to draft with the reason in `launch.error`.
 */
export async function launchCampaign(db: Db, actor: Actor, id: string, opts: ActionOptions = {}): Promise<CampaignView> {
  requirePermission(actor, "campaign.manage");
  const now = opts.now ?? new Date();
  const row = await db.transaction(async (tx) => {
    const [c] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (!c) throw new AppError("not_found", "campaign not found");
    if (c.status !== "draft") throw new AppError("conflict", `the campaign is ${c.status}; only a draft can be launched`);
    if (c.dueAt.getTime() <= now.getTime()) throw new AppError("conflict", "the due date has passed; create the campaign again with a later due date");
    const [updated] = await tx
      .update(campaigns)
      .set({ status: "launching", launchRequestedAt: now, launchedBy: actorLabel(actor), launchTotal: null, launchDone: 0, launchError: null, updatedAt: now })
      .where(eq(campaigns.id, id))
      .returning();
    await emitAudit(tx, actor, {
      action: "campaign.launch_requested",
      target: { type: "campaign", id },
      before: { status: "draft" },
      after: { status: "launching" },
      requestId: opts.requestId,
    });
    return updated!;
  });
  return (await campaignViews(db, [row]))[0]!;
}

export interface LaunchResult {
  status: "active" | "draft";
  items: number;
  error: string | null;
}

const launchActor = systemActor("campaign launch");

/** Returns a launching campaign to draft with the reason (audited); its items, if any were written, are removed. */
async function failLaunch(db: Db, id: string, error: string, now: Date): Promise<LaunchResult> {
  await db.transaction(async (tx) => {
    const [c] = await tx.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (c?.status !== "launching") return;
    await tx.delete(reviewItems).where(eq(reviewItems.campaignId, id));
    await tx.update(campaigns).set({ status: "draft", launchError: error, launchDone: 0, launchTotal: null, updatedAt: now }).where(eq(campaigns.id, id));
    await emitAudit(tx, launchActor, {
      action: "campaign.launch_failed",
      target: { type: "campaign", id },
      before: { status: "launching" },
      after: { status: "draft", error },
    });
  });
  return { status: "draft", items: 0, error };
}

/**
 * The launch itself (the job `campaigns.launch`; tests call it directly):
 * snapshots one review item per (subject, access) in scope, each routed to its
 * reviewer, then turns the campaign active with one audit event. Restartable:
 * a launch that was interrupted starts again from nothing. A campaign that is
 * no longer launching is left alone.
 */
export async function runLaunch(db: Db, id: string, opts: ActionOptions = {}): Promise<LaunchResult | null> {
  const now = opts.now ?? new Date();
  const c = await loadCampaign(db, id);
  if (c.status !== "launching") return null;
  await db.delete(reviewItems).where(eq(reviewItems.campaignId, id));
  // Read the graph before the write transaction: the index is one consistent version, recorded with the items.
  const snap = await buildSnapshot(db, c, now);
  const level1 = snap.items.filter((i) => i.level === 1).length;
  if (level1 === 0) return failLaunch(db, id, "the scope selects no access to review; widen it before launching", now);
  const unassigned = snap.items.filter((i) => !i.reviewerId);
  if (unassigned.length) {
    const sample = unassigned
      .slice(0, 5)
      .map((i) => `${i.subject.name} ${i.edge.kind} ${i.target.name}: ${i.reviewerReason}`)
      .join("; ");
    return failLaunch(
      db,
      id,
      `${unassigned.length} item${unassigned.length === 1 ? " has" : "s have"} no reviewer: name a fallback reviewer who is not their subject (${sample})`,
      now,
    );
  }
  await db.update(campaigns).set({ launchTotal: snap.items.length }).where(eq(campaigns.id, id));
  const launched = await db.transaction(async (tx) => {
    const [locked] = await tx.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (locked?.status !== "launching") return false;
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
    await tx
      .update(campaigns)
      .set({ status: "active", launchedAt: now, launchGraphVersion: snap.graphVersion, launchDone: values.length, updatedAt: now })
      .where(eq(campaigns.id, id));
    const summary = summarise(snap.items, snap.directory);
    await emitAudit(tx, launchActor, {
      action: "campaign.launch",
      target: { type: "campaign", id },
      before: { status: "launching" },
      after: {
        status: "active",
        requestedBy: c.launchedBy,
        items: summary.items,
        secondLevelItems: summary.secondLevelItems,
        reviewers: summary.reviewers.map((r) => ({ id: r.id, items: r.items })),
        graphVersion: snap.graphVersion,
      },
    });
    return true;
  });
  if (!launched) return null;
  await afterLaunch(db, id);
  return { status: "active", items: snap.items.length, error: null };
}

/** Work that follows a launch (the new-items digest, …): registered by other parts of the campaigns area. */
type AfterLaunchHook = (db: Db, campaignId: string) => Promise<void>;
const g = globalThis as typeof globalThis & { __attestAfterLaunch?: Map<string, AfterLaunchHook> };
const afterLaunchHooks = (g.__attestAfterLaunch ??= new Map());

/** Registers follow-up work run after every successful launch (by name: the last registration wins). */
export function onCampaignLaunched(name: string, hook: AfterLaunchHook): void {
  afterLaunchHooks.set(name, hook);
}

async function afterLaunch(db: Db, campaignId: string): Promise<void> {
  for (const hook of afterLaunchHooks.values()) await hook(db, campaignId);
}

/**
 * Requests a launch and runs it in this process at once, for callers that are
 * themselves background work (the demo seed, templates, trigger rules, tests).
 * Throws the launch failure as a 409, as a synchronous launch would.
 */
export async function launchNow(db: Db, actor: Actor, id: string, opts: ActionOptions = {}): Promise<CampaignView> {
  await launchCampaign(db, actor, id, opts);
  const r = await runLaunch(db, id, opts);
  if (r?.error) throw new AppError("conflict", r.error);
  return (await campaignViews(db, [await loadCampaign(db, id)]))[0]!;
}
