import { eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appUsers, campaigns, reviewItems, reviewItemScopes } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { AppError } from "@/lib/errors";
import { describeNodes } from "@/lib/graph/access-api";
import type { NodeKind } from "@/lib/graph/model";
import {
  justificationRequired,
  type CampaignOrigin,
  type CampaignScope,
  type CampaignStatus,
  type Decision,
  type ItemContext,
  type LaunchProgress,
  type Outcome,
  type Recommendation,
  type SecondLevel,
  type TriggerEventSummary,
} from "./model";
import type { SinceLast } from "./since-last";

export type CampaignRow = typeof campaigns.$inferSelect;
export type ItemRow = typeof reviewItems.$inferSelect;

export interface UserRef {
  id: string;
  name: string;
  email: string;
}

/** The app user an actor acts as; campaigns and decisions belong to people, not to the bootstrap token. */
export function actorUserId(actor: Actor): string | null {
  return actor.type === "user" || actor.type === "token" ? actor.id : null;
}

export function requireActorUser(actor: Actor, what: string): string {
  const id = actorUserId(actor);
  if (!id) throw new AppError("forbidden", `${what} needs a person: sign in, or use an API token of a user`);
  return id;
}

export async function usersById(db: Db, ids: (string | null | undefined)[]): Promise<Map<string, UserRef>> {
  const list = [...new Set(ids.filter((i): i is string => !!i))];
  if (list.length === 0) return new Map();
  const rows = await db.select({ id: appUsers.id, name: appUsers.name, email: appUsers.email }).from(appUsers).where(inArray(appUsers.id, list));
  return new Map(rows.map((r) => [r.id, r]));
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export interface CampaignView {
  id: string;
  name: string;
  description: string | null;
  control: string | null;
  status: CampaignStatus;
  scope: CampaignScope & {
    targetNodes?: { id: string; kind: NodeKind; name: string }[];
    ownedByNodes?: { id: string; kind: NodeKind; name: string }[];
    subjectNodes?: { id: string; kind: NodeKind; name: string }[];
  };
  reviewerStrategy: string | { reviewer: UserRef | null };
  fallbackReviewer: UserRef | null;
  owner: UserRef | null;
  dueAt: string;
  reminderDays: number[];
  escalateTo: string;
  escalateAfterDays: number;
  secondLevel: (Omit<SecondLevel, "reviewerId"> & { reviewer: UserRef | null }) | null;
  revokeOnNoResponse: boolean;
  launchGraphVersion: number | null;
  createdAt: string;
  launchedAt: string | null;
  launchedBy: string | null;
  closedAt: string | null;
  closedBy: string | null;
  signedOffAt: string | null;
  signedOffBy: string | null;
  signOffStatement: string | null;
  origin: CampaignOrigin;
  templateId: string | null;
  previousCampaignId: string | null;
  triggerRuleId: string | null;
  trigger: TriggerEventSummary | null;
  /** While launching: items written of the total (null until counted); after a failed launch: why. */
  launch: LaunchProgress;
}

/** Campaign rows as answers: user ids become names, scope node ids get names. */
export async function campaignViews(db: Db, rows: CampaignRow[]): Promise<CampaignView[]> {
  const users = await usersById(
    db,
    rows.flatMap((c) => [
      c.ownerId,
      c.fallbackReviewerId,
      typeof c.reviewerStrategy === "object" ? c.reviewerStrategy.reviewer : null,
      c.secondLevel?.reviewerId,
    ]),
  );
  const nodeIds = rows.flatMap((c) => [...(c.scope.targets ?? []), ...(c.scope.ownedBy ?? []), ...(c.scope.subjects ?? [])]);
  const names = await describeNodes(db, [...new Set(nodeIds)]);
  const describe = (ids: string[] | undefined) =>
    ids?.map((id) => ({ id, kind: (names.get(id)?.kind ?? "resource") as NodeKind, name: names.get(id)?.name ?? id }));
  return rows.map((c) => ({
    id: c.id,
    name: c.name,
    description: c.description,
    control: c.control,
    status: c.status,
    scope: {
      ...c.scope,
      ...(c.scope.targets ? { targetNodes: describe(c.scope.targets) } : {}),
      ...(c.scope.ownedBy ? { ownedByNodes: describe(c.scope.ownedBy) } : {}),
      ...(c.scope.subjects ? { subjectNodes: describe(c.scope.subjects) } : {}),
    },
    reviewerStrategy: typeof c.reviewerStrategy === "object" ? { reviewer: users.get(c.reviewerStrategy.reviewer) ?? null } : c.reviewerStrategy,
    fallbackReviewer: c.fallbackReviewerId ? (users.get(c.fallbackReviewerId) ?? null) : null,
    owner: users.get(c.ownerId) ?? null,
    dueAt: c.dueAt.toISOString(),
    reminderDays: c.reminderDays,
    escalateTo: c.escalateTo,
    escalateAfterDays: c.escalateAfterDays,
    secondLevel: c.secondLevel ? { minRisk: c.secondLevel.minRisk, rule: c.secondLevel.rule, reviewer: users.get(c.secondLevel.reviewerId) ?? null } : null,
    revokeOnNoResponse: c.revokeOnNoResponse,
    launchGraphVersion: c.launchGraphVersion,
    createdAt: c.createdAt.toISOString(),
    launchedAt: iso(c.launchedAt),
    launchedBy: c.launchedBy,
    closedAt: iso(c.closedAt),
    closedBy: c.closedBy,
    signedOffAt: iso(c.signedOffAt),
    signedOffBy: c.signedOffBy,
    signOffStatement: c.signOffStatement,
    origin: c.origin,
    templateId: c.templateId,
    previousCampaignId: c.previousCampaignId,
    triggerRuleId: c.triggerRuleId,
    trigger: c.triggerEvent,
    launch: { total: c.launchTotal, done: c.launchDone, error: c.launchError },
  }));
}

export interface ItemView {
  id: string;
  campaignId: string;
  campaignName?: string;
  campaignStatus?: CampaignStatus;
  dueAt?: string;
  level: number;
  firstLevelItemId: string | null;
  subject: { id: string; kind: NodeKind; name: string; source: string; externalId: string; status: string | null };
  access: { edgeId: string; kind: string; source: string; firstSeenAt: string };
  target: { id: string; kind: NodeKind; name: string; source: string; externalId: string };
  toolRisk: string | null;
  riskReason: string | null;
  highRisk: boolean;
  context: ItemContext;
  recommendation: Recommendation;
  recommendationReason: string;
  reviewer: UserRef | null;
  reviewerReason: string;
  assignedReviewer: UserRef | null;
  decision: Decision | null;
  justification: string | null;
  decidedBy: UserRef | null;
  decidedAt: string | null;
  version: number;
  outcome: Outcome | null;
  outcomeReason: string | null;
  /** Decisions that need a justification on this item. */
  justificationRequiredFor: Decision[];
  /** Other campaigns that include this access and rely on this item's decision (review_item_scopes). */
  alsoIn: { id: string; name: string }[];
  /** For an item of a template instance with a previous instance: last time's answer and what changed (since-last.ts). */
  sinceLast?: SinceLast;
}

export function itemView(
  i: ItemRow,
  users: Map<string, UserRef>,
  campaign?: Pick<CampaignRow, "name" | "status" | "dueAt">,
  alsoIn: { id: string; name: string }[] = [],
): ItemView {
  return {
    id: i.id,
    campaignId: i.campaignId,
    ...(campaign ? { campaignName: campaign.name, campaignStatus: campaign.status, dueAt: campaign.dueAt.toISOString() } : {}),
    level: i.level,
    firstLevelItemId: i.firstLevelItemId,
    subject: {
      id: i.subjectId,
      kind: i.subjectKind as NodeKind,
      name: i.subjectName,
      source: i.subjectSource,
      externalId: i.subjectExternalId,
      status: i.subjectStatus,
    },
    access: { edgeId: i.edgeId, kind: i.edgeKind, source: i.edgeSource, firstSeenAt: i.accessFirstSeenAt.toISOString() },
    target: { id: i.targetId, kind: i.targetKind as NodeKind, name: i.targetName, source: i.targetSource, externalId: i.targetExternalId },
    toolRisk: i.toolRisk,
    riskReason: i.riskReason,
    highRisk: i.highRisk,
    context: i.context,
    recommendation: i.recommendation,
    recommendationReason: i.recommendationReason,
    reviewer: users.get(i.reviewerId) ?? null,
    reviewerReason: i.reviewerReason,
    assignedReviewer: users.get(i.assignedReviewerId) ?? null,
    decision: i.decision,
    justification: i.justification,
    decidedBy: i.decidedById ? (users.get(i.decidedById) ?? null) : null,
    decidedAt: iso(i.decidedAt),
    version: i.version,
    outcome: i.outcome,
    outcomeReason: i.outcomeReason,
    justificationRequiredFor: (["approve", "revoke", "abstain"] as const).filter((d) => justificationRequired(d, i.highRisk)),
    alsoIn,
  };
}

export async function itemViews(db: Db, rows: ItemRow[], campaignsById?: Map<string, Pick<CampaignRow, "name" | "status" | "dueAt">>): Promise<ItemView[]> {
  const users = await usersById(
    db,
    rows.flatMap((r) => [r.reviewerId, r.assignedReviewerId, r.decidedById]),
  );
  const scopes = rows.length
    ? await db
        .select({ itemId: reviewItemScopes.itemId, id: campaigns.id, name: campaigns.name })
        .from(reviewItemScopes)
        .innerJoin(campaigns, eq(campaigns.id, reviewItemScopes.campaignId))
        .where(
          inArray(
            reviewItemScopes.itemId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(campaigns.createdAt)
    : [];
  const alsoIn = new Map<string, { id: string; name: string }[]>();
  for (const s of scopes) alsoIn.set(s.itemId, [...(alsoIn.get(s.itemId) ?? []), { id: s.id, name: s.name }]);
  return rows.map((r) => itemView(r, users, campaignsById?.get(r.campaignId), alsoIn.get(r.id)));
}
