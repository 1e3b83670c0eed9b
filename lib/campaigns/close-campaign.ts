import { eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { campaigns, remediationTasks, reviewItems } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { bumpPdpState } from "@/lib/db/pdp-state";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { notifyGraphChanged, recordGraphChange } from "@/lib/graph/after-change";
import { newId } from "@/lib/ids";
import type { ActionOptions } from "./launch-campaign";
import { combineOutcome, type Outcome } from "./model";
import { campaignViews, requireActorUser, type CampaignView } from "./views";

export const closeSchema = z
  .object({
    /** Overrides the definition's policy for this close: undecided items become revokes. */
    revokeOnNoResponse: z.boolean().optional(),
  })
  .strict();

export const signOffSchema = z.object({ statement: z.string().trim().max(4000).optional() }).strict();

export interface CloseResult {
  campaign: CampaignView;
  outcomes: Record<Outcome, number>;
  remediationTasks: number;
}

/**
 * Closes an active campaign, when every item is decided or once the due date
 * has passed: each (subject, access) gets its final outcome (combining the two
 * levels by the campaign's rule; undecided ones recorded as no_response, or
 * revoked under "revoke on no response"), and every revoke opens a remediation
 * task. Decisions can no longer change afterwards (they answer 409).
 */
export async function closeCampaign(db: Db, actor: Actor, id: string, input: unknown = {}, opts: ActionOptions = {}): Promise<CloseResult> {
  requirePermission(actor, "campaign.manage");
  const body = parseInput(closeSchema, input ?? {});
  const now = opts.now ?? new Date();
  const result = await db.transaction(async (tx) => {
    // FOR UPDATE waits for decisions in flight (they hold the row FOR SHARE) and keeps new ones out.
    const [c] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (!c) throw new AppError("not_found", "campaign not found");
    if (c.status !== "active") throw new AppError("conflict", `the campaign is ${c.status}; only an active campaign can be closed`);
    // Only what outcomes, tasks and the graph change need (not the snapshotted context): a campaign may hold a million items.
    const items = await tx
      .select({
        id: reviewItems.id,
        level: reviewItems.level,
        firstLevelItemId: reviewItems.firstLevelItemId,
        decision: reviewItems.decision,
        subjectId: reviewItems.subjectId,
        subjectName: reviewItems.subjectName,
        subjectKind: reviewItems.subjectKind,
        edgeKind: reviewItems.edgeKind,
        edgeId: reviewItems.edgeId,
        edgeSource: reviewItems.edgeSource,
        targetId: reviewItems.targetId,
        targetName: reviewItems.targetName,
        targetKind: reviewItems.targetKind,
      })
      .from(reviewItems)
      .where(eq(reviewItems.campaignId, id));
    const undecided = items.filter((i) => !i.decision).length;
    if (undecided > 0 && now.getTime() < c.dueAt.getTime()) {
      throw new AppError(
        "conflict",
        `${undecided} item${undecided === 1 ? " is" : "s are"} still undecided and the due date (${c.dueAt.toISOString().slice(0, 10)}) has not passed; close when complete or at the deadline`,
      );
    }
    const revokeOnNoResponse = body.revokeOnNoResponse ?? c.revokeOnNoResponse;
    const second = new Map(items.filter((i) => i.level === 2 && i.firstLevelItemId).map((i) => [i.firstLevelItemId!, i]));
    const outcomes: Record<Outcome, number> = { approve: 0, revoke: 0, abstain: 0, no_response: 0 };
    const tasks: (typeof remediationTasks.$inferInsert)[] = [];
    const byOutcome = new Map<string, { outcome: Outcome; reason: string; ids: string[] }>();
    for (const item of items.filter((i) => i.level === 1)) {
      const l2 = second.get(item.id);
      const { outcome, reason } = combineOutcome(
        item.decision,
        l2 ? l2.decision : undefined,
        l2 ? (c.secondLevel?.rule ?? "any_revoke") : null,
        revokeOnNoResponse,
      );
      outcomes[outcome]++;
      const group = byOutcome.get(`${outcome}\u0000${reason}`) ?? { outcome, reason, ids: [] };
      group.ids.push(item.id, ...(l2 ? [l2.id] : []));
      byOutcome.set(`${outcome}\u0000${reason}`, group);
      if (outcome === "revoke") {
        tasks.push({
          id: newId("rem"),
          campaignId: id,
          itemId: item.id,
          reason,
          subjectId: item.subjectId,
          subjectName: item.subjectName,
          subjectKind: item.subjectKind,
          edgeKind: item.edgeKind,
          edgeId: item.edgeId,
          sourceName: item.edgeSource,
          targetId: item.targetId,
          targetName: item.targetName,
          targetKind: item.targetKind,
          status: "open",
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    for (const g of byOutcome.values()) {
      for (let k = 0; k < g.ids.length; k += 1000) {
        await tx
          .update(reviewItems)
          .set({ outcome: g.outcome, outcomeReason: g.reason, updatedAt: now })
          .where(inArray(reviewItems.id, g.ids.slice(k, k + 1000)));
      }
    }
    for (let k = 0; k < tasks.length; k += 500) await tx.insert(remediationTasks).values(tasks.slice(k, k + 500));
    const [closed] = await tx
      .update(campaigns)
      .set({ status: "closed", closedAt: now, closedBy: actorLabel(actor), revokeOnNoResponse, updatedAt: now })
      .where(eq(campaigns.id, id))
      .returning();
    await emitAudit(tx, actor, {
      action: "campaign.close",
      target: { type: "campaign", id },
      before: { status: "active", undecided },
      after: { status: "closed", outcomes, revokeOnNoResponse, remediationTasks: tasks.map((t) => t.id) },
      requestId: opts.requestId,
    });
    // Outcomes revoke access, or approve access a campaign revoked before: runtime decisions follow at once (lib/pdp).
    if (outcomes.revoke > 0 || outcomes.approve > 0) await bumpPdpState(tx);
    // Outcomes certify or revoke access: findings about those subjects and targets follow (lib/pipeline).
    const level1 = items.filter((i) => i.level === 1);
    await recordGraphChange(tx, {
      origin: "campaign",
      ref: id,
      nodeIds: level1.flatMap((i) => [i.subjectId, i.targetId]),
      edgeIds: level1.flatMap((i) => (i.edgeId ? [i.edgeId] : [])),
    });
    return { campaign: (await campaignViews(tx, [closed!]))[0]!, outcomes, remediationTasks: tasks.length };
  });
  notifyGraphChanged();
  return result;
}

/** The campaign owner signs a closed campaign off: the statement an auditor reads with the evidence. */
export async function signOffCampaign(db: Db, actor: Actor, id: string, input: unknown = {}, opts: ActionOptions = {}): Promise<CampaignView> {
  requirePermission(actor, "campaign.manage");
  const userId = requireActorUser(actor, "signing off a campaign");
  const body = parseInput(signOffSchema, input ?? {});
  const now = opts.now ?? new Date();
  return db.transaction(async (tx) => {
    const [c] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (!c) throw new AppError("not_found", "campaign not found");
    if (c.ownerId !== userId) throw new AppError("forbidden", "only the campaign owner (who created it) signs it off");
    if (c.status !== "closed")
      throw new AppError(
        "conflict",
        c.status === "signed_off" ? "the campaign is already signed off" : `the campaign is ${c.status}; close it before signing off`,
      );
    const statement = body.statement || `I have reviewed the outcomes of "${c.name}" and sign the campaign off.`;
    const [signed] = await tx
      .update(campaigns)
      .set({ status: "signed_off", signedOffAt: now, signedOffBy: actorLabel(actor), signOffStatement: statement, updatedAt: now })
      .where(eq(campaigns.id, id))
      .returning();
    await emitAudit(tx, actor, {
      action: "campaign.sign_off",
      target: { type: "campaign", id },
      before: { status: "closed" },
      after: { status: "signed_off", statement },
      requestId: opts.requestId,
    });
    return (await campaignViews(tx, [signed!]))[0]!;
  });
}
