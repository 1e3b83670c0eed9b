import { count, desc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaigns, reviewItems, reviewItemScopes } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, systemActor, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";
import type { TriggerEventSummary } from "./model";
import { newId } from "@/lib/ids";
import { resolveDefinition } from "./definition";
import { countCandidates, DEFAULT_CHUNK, previewSnapshot, SnapshotStream, type DraftItem, type PreviewSummary } from "./snapshot";
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
  return previewSnapshot(db, { ...d, ownerId }, opts.now ?? new Date());
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
  return previewSnapshot(db, c, opts.now ?? new Date());
}

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

/** Returns a launching campaign to draft with the reason (audited); its items and scope links, if any were written, are removed. */
async function failLaunch(db: Db, id: string, error: string, now: Date): Promise<LaunchResult> {
  await db.transaction(async (tx) => {
    const [c] = await tx.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (c?.status !== "launching") return;
    await clearLaunch(tx, id);
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

/** Removes what an unfinished launch wrote (its items and its links to items of other campaigns). */
async function clearLaunch(db: Db, id: string): Promise<void> {
  await db.delete(reviewItemScopes).where(eq(reviewItemScopes.campaignId, id));
  await db.delete(reviewItems).where(eq(reviewItems.campaignId, id));
}

export interface RunLaunchOptions extends ActionOptions {
  /** Candidate accesses per chunk (tests make it small so that several chunks run). */
  chunkSize?: number;
  /** Called after each chunk is committed (tests interrupt a launch here). */
  afterChunk?: (done: number) => void | Promise<void>;
}

/** The columns an item is inserted with, as one JSON record per item (jsonb_to_recordset). */
function itemRecord(i: DraftItem, itemId: string, firstLevelItemId: string | null) {
  return {
    id: itemId,
    level: i.level,
    first_level_item_id: firstLevelItemId,
    subject_id: i.subject.id,
    subject_kind: i.subject.kind,
    subject_name: i.subject.name,
    subject_source: i.subject.source,
    subject_external_id: i.subject.externalId,
    subject_status: i.subject.status,
    edge_id: i.edge.id,
    edge_kind: i.edge.kind,
    edge_source: i.edge.source,
    target_id: i.target.id,
    target_kind: i.target.kind,
    target_name: i.target.name,
    target_source: i.target.source,
    target_external_id: i.target.externalId,
    access_first_seen_at: i.edge.firstSeenAt.toISOString(),
    tool_risk: i.toolRisk,
    risk_reason: i.riskReason,
    high_risk: i.highRisk,
    context: i.context,
    recommendation: i.recommendation,
    recommendation_reason: i.recommendationReason,
    reviewer_id: i.reviewerId,
    reviewer_reason: i.reviewerReason,
  };
}

/** Inserts a chunk of items in one statement (one JSON parameter, whatever the chunk size). */
async function insertItems(db: Db, campaignId: string, records: ReturnType<typeof itemRecord>[], now: Date): Promise<void> {
  if (records.length === 0) return;
  await db.execute(sql`
    insert into review_items (id, campaign_id, level, first_level_item_id, subject_id, subject_kind, subject_name, subject_source,
      subject_external_id, subject_status, edge_id, edge_kind, edge_source, target_id, target_kind, target_name, target_source,
      target_external_id, access_first_seen_at, tool_risk, risk_reason, high_risk, context, recommendation, recommendation_reason,
      reviewer_id, reviewer_reason, assigned_reviewer_id, created_at, updated_at)
    select x.id, ${campaignId}, x.level, x.first_level_item_id, x.subject_id, x.subject_kind, x.subject_name, x.subject_source,
      x.subject_external_id, x.subject_status, x.edge_id, x.edge_kind, x.edge_source, x.target_id, x.target_kind, x.target_name, x.target_source,
      x.target_external_id, x.access_first_seen_at, x.tool_risk, x.risk_reason, x.high_risk, x.context, x.recommendation, x.recommendation_reason,
      x.reviewer_id, x.reviewer_reason, x.reviewer_id, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as x(id text, level int, first_level_item_id text, subject_id text,
      subject_kind text, subject_name text, subject_source text, subject_external_id text, subject_status text, edge_id text,
      edge_kind text, edge_source text, target_id text, target_kind text, target_name text, target_source text, target_external_id text,
      access_first_seen_at timestamptz, tool_risk text, risk_reason text, high_risk boolean, context jsonb, recommendation text,
      recommendation_reason text, reviewer_id text, reviewer_reason text)`);
}

/**
 * Undecided level-1 items of other active campaigns, not yet due, for the same accesses (subject, kind,
 * target): those accesses are already under review, so this campaign links to that item instead of adding
 * one (the campaign that launched first decides it). A campaign past its due date is about to close with
 * its undecided items as no response: its accesses are reviewed again here. Keyed like DraftItem.key.
 */
async function openItemsElsewhere(db: Db, campaignId: string, keys: { s: string; k: string; t: string }[], now: Date): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const res = (await db.execute(sql`
    select distinct on (ri.subject_id, ri.edge_kind, ri.target_id) ri.id, ri.subject_id, ri.edge_kind, ri.target_id
    from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(s text, k text, t text)
    -- One index lookup per key (review_items_access_idx). "offset 0" keeps the planner from flattening this into a
    -- join it may turn around: with a just-launched campaign's items not yet analyzed it scanned every item of
    -- each active campaign once per key (10,000 keys x 142,291 items at L: past any time limit).
    cross join lateral (
      select ri.* from review_items ri
      where ri.subject_id = k.s and ri.edge_kind = k.k and ri.target_id = k.t and ri.level = 1 and ri.decision is null
      offset 0
    ) ri
    join campaigns c on c.id = ri.campaign_id
    where c.status = 'active' and c.due_at > ${now.toISOString()}::timestamptz and c.id <> ${campaignId}
    order by ri.subject_id, ri.edge_kind, ri.target_id, c.launched_at, c.id`)) as unknown as {
    rows: { id: string; subject_id: string; edge_kind: string; target_id: string }[];
  };
  return new Map(res.rows.map((r) => [`${r.subject_id}|${r.edge_kind}|${r.target_id}`, r.id]));
}

/**
 * The launch itself (the job `campaigns.launch`; tests call it directly):
 * streams the scope in keyset chunks (SnapshotStream): each chunk's items,
 * routed to their reviewers, are written in one statement with the progress
 * (`launch.done` of `launch.total` candidate accesses) in one transaction, so
 * memory holds one chunk whatever the campaign's size. An access already
 * under review (an undecided item in another active campaign) is linked to
 * that item (review_item_scopes) instead of being added again. The campaign
 * stays `launching` — its items invisible to inboxes and lists — until the
 * last chunk, then turns active with one audit event, its counts by SQL. An
 * empty scope or an item no one may review fails the launch (back to draft,
 * items removed). Restartable: a launch that was interrupted starts again from
 * nothing. A campaign that is no longer launching is left alone.
 */
export async function runLaunch(db: Db, id: string, opts: RunLaunchOptions = {}): Promise<LaunchResult | null> {
  const clock = () => opts.now ?? new Date();
  const now = clock();
  const c = await loadCampaign(db, id);
  if (c.status !== "launching") return null;
  await clearLaunch(db, id);
  const counts = await countCandidates(db, c.scope);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  await db.update(campaigns).set({ launchTotal: total, launchDone: 0, updatedAt: clock() }).where(eq(campaigns.id, id));
  // The access index is read once: the graph version it had is recorded with the items.
  const stream = await SnapshotStream.open(db, c, now);
  let done = 0;
  let written = 0;
  let unassigned = 0;
  const unassignedSample: string[] = [];
  for await (const chunk of stream.chunks(opts.chunkSize ?? DEFAULT_CHUNK)) {
    for (const i of chunk.items)
      if (!i.reviewerId) {
        unassigned++;
        if (unassignedSample.length < 5) unassignedSample.push(`${i.subject.name} ${i.edge.kind} ${i.target.name}: ${i.reviewerReason}`);
      }
    done += chunk.examined;
    // Once an item has no reviewer the launch will fail: keep counting them, write nothing more.
    if (unassigned > 0) continue;
    const level1 = chunk.items.filter((i) => i.level === 1);
    const elsewhere = await openItemsElsewhere(
      db,
      id,
      level1.map((i) => ({ s: i.subject.id, k: i.edge.kind, t: i.target.id })),
      now,
    );
    const ids = new Map<string, string>();
    const records: ReturnType<typeof itemRecord>[] = [];
    for (const i of chunk.items) {
      if (elsewhere.has(i.key)) continue;
      const itemId = newId("itm");
      if (i.level === 1) ids.set(i.key, itemId);
      records.push(itemRecord(i, itemId, i.level === 2 ? (ids.get(i.key) ?? null) : null));
    }
    const alive = await db.transaction(async (tx) => {
      const [locked] = await tx.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, id)).for("update");
      if (locked?.status !== "launching") return false;
      await insertItems(tx, id, records, now);
      if (elsewhere.size)
        await tx
          .insert(reviewItemScopes)
          .values([...elsewhere.values()].map((itemId) => ({ campaignId: id, itemId, addedAt: now })))
          .onConflictDoNothing();
      await tx.update(campaigns).set({ launchDone: done, updatedAt: clock() }).where(eq(campaigns.id, id));
      return true;
    });
    if (!alive) return null;
    written += records.length + elsewhere.size;
    await opts.afterChunk?.(done);
  }
  if (unassigned)
    return failLaunch(
      db,
      id,
      `${unassigned} item${unassigned === 1 ? " has" : "s have"} no reviewer: name a fallback reviewer who is not their subject (${unassignedSample.join("; ")})`,
      clock(),
    );
  if (written === 0) return failLaunch(db, id, "the scope selects no access to review; widen it before launching", clock());
  const launched = await db.transaction(async (tx) => {
    const [locked] = await tx.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (locked?.status !== "launching") return null;
    const byReviewer = await tx
      .select({ id: reviewItems.reviewerId, items: count(), firstLevel: sql<number>`count(*) filter (where ${reviewItems.level} = 1)::int` })
      .from(reviewItems)
      .where(eq(reviewItems.campaignId, id))
      .groupBy(reviewItems.reviewerId)
      .orderBy(desc(count()), reviewItems.reviewerId);
    const [scoped] = await tx.select({ n: count() }).from(reviewItemScopes).where(eq(reviewItemScopes.campaignId, id));
    const items = byReviewer.reduce((a, r) => a + Number(r.firstLevel), 0);
    const all = byReviewer.reduce((a, r) => a + Number(r.items), 0);
    await tx
      .update(campaigns)
      .set({ status: "active", launchedAt: now, launchGraphVersion: stream.graphVersion, launchDone: total, updatedAt: clock() })
      .where(eq(campaigns.id, id));
    await emitAudit(tx, launchActor, {
      action: "campaign.launch",
      target: { type: "campaign", id },
      before: { status: "launching" },
      after: {
        status: "active",
        requestedBy: c.launchedBy,
        items,
        secondLevelItems: all - items,
        reviewedElsewhere: scoped?.n ?? 0,
        reviewers: byReviewer.map((r) => ({ id: r.id, items: Number(r.items) })),
        graphVersion: stream.graphVersion,
      },
    });
    return all;
  });
  if (launched === null) return null;
  await afterLaunch(db, id);
  return { status: "active", items: launched, error: null };
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
