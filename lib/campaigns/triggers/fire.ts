import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaignTriggerFirings, campaignTriggerRules } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { isAppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { resolveDefinition } from "../definition";
import { createCampaign, launchNow } from "../launch-campaign";
import type { TriggerEventSummary } from "../model";
import { SnapshotStream } from "../snapshot";
import type { TriggerEvent } from "./events";
import type { TriggerRuleRow } from "./rules";

export const triggerActor = systemActor("campaign triggers");

export type FiringOutcome = "opened" | "no_access" | "failed" | "skipped";

export interface FiringResult {
  outcome: FiringOutcome;
  campaignId: string | null;
  reason: string | null;
}

const DAY_MS = 86_400_000;

/** Whether the scope selects at least one access to review now (the launch would fail on an empty scope). */
async function selectsAccess(db: Db, rule: TriggerRuleRow, input: Record<string, unknown>, now: Date): Promise<boolean> {
  const d = await resolveDefinition(db, input, now);
  const stream = await SnapshotStream.open(db, { ...d, ownerId: rule.ownerId }, now);
  // A micro-certification's scope is small; stop at the first chunk that yields an item.
  for await (const chunk of stream.chunks()) if (chunk.items.some((i) => i.level === 1)) return true;
  return false;
}

/** The name of a micro-certification: what fired it, in the room a campaign name has. */
function campaignName(summary: string): string {
  const name = `Micro-certification: ${summary}`;
  return name.length > 200 ? `${name.slice(0, 199)}…` : name;
}

/**
 * Acts on one event for one rule, once: the firing row (unique per rule and
 * dedupe key) is claimed first, so a redelivered event, a second run or a
 * concurrent one does nothing. Then a micro-campaign over exactly the access
 * concerned is created (owned by the rule's owner, marked as fired by this
 * event) and launched; an event that touches nothing reviewable records
 * no_access and opens nothing. The outcome is audited with the firing.
 */
export async function fireEvent(db: Db, rule: TriggerRuleRow, ev: TriggerEvent, now = new Date()): Promise<FiringResult> {
  const firingId = newId("tfr");
  const claimed = await db
    .insert(campaignTriggerFirings)
    .values({
      id: firingId,
      ruleId: rule.id,
      dedupeKey: ev.dedupeKey,
      outcome: "failed",
      // Until the outcome is written: a run that dies here leaves this, and the event is not fired twice.
      detail: { ...ev.detail, summary: ev.summary, reason: "interrupted before the campaign was opened" },
      at: now,
    })
    .onConflictDoNothing()
    .returning({ id: campaignTriggerFirings.id });
  if (claimed.length === 0) return { outcome: "skipped", campaignId: null, reason: null };

  const trigger: TriggerEventSummary = {
    kind: rule.kind,
    summary: ev.summary,
    nodeId: ev.nodeId,
    at: ev.at.toISOString(),
    ...(ev.eventTypes ? { eventTypes: ev.eventTypes } : {}),
    ...(ev.issuer ? { issuer: ev.issuer } : {}),
    ...(ev.jti ? { jti: ev.jti } : {}),
  };
  const definition: Record<string, unknown> = {
    name: campaignName(ev.summary),
    description: `Opened by the trigger rule "${rule.name}" when ${ev.summary}.`,
    scope: {
      edgeKinds: ev.scope.edgeKinds,
      ...(ev.scope.subjects ? { subjects: ev.scope.subjects } : {}),
      ...(ev.scope.targets ? { targets: ev.scope.targets } : {}),
    },
    reviewerStrategy: rule.reviewerStrategy,
    ...(rule.fallbackReviewerId ? { fallbackReviewer: rule.fallbackReviewerId } : {}),
    dueAt: new Date(now.getTime() + rule.durationDays * DAY_MS).toISOString(),
  };

  let result: FiringResult;
  try {
    if (ev.scope.subjects?.length === 0 || !(await selectsAccess(db, rule, definition, now))) {
      result = { outcome: "no_access", campaignId: null, reason: "the event touches no access to review" };
    } else {
      const created = await createCampaign(db, triggerActor, definition, {
        ownerId: rule.ownerId,
        now,
        from: { origin: "trigger", triggerRuleId: rule.id, triggerEvent: trigger },
      });
      try {
        await launchNow(db, triggerActor, created.id, { now });
        result = { outcome: "opened", campaignId: created.id, reason: null };
      } catch (e) {
        // The campaign stays a draft with the launch's reason, for the rule's owner to fix and launch.
        result = { outcome: "failed", campaignId: created.id, reason: isAppError(e) ? e.message : "the launch failed" };
        if (!isAppError(e)) console.error(`[triggers] launch of ${created.id} failed`, e);
      }
    }
  } catch (e) {
    result = { outcome: "failed", campaignId: null, reason: isAppError(e) ? e.message : "the campaign could not be created" };
    if (!isAppError(e)) console.error(`[triggers] rule ${rule.id} event ${ev.dedupeKey} failed`, e);
  }

  await db.transaction(async (tx) => {
    await tx
      .update(campaignTriggerFirings)
      .set({
        outcome: result.outcome as "opened" | "no_access" | "failed",
        campaignId: result.campaignId,
        detail: { ...ev.detail, summary: ev.summary, ...(result.reason ? { reason: result.reason } : {}) },
      })
      .where(eq(campaignTriggerFirings.id, firingId));
    if (result.outcome === "opened")
      await tx
        .update(campaignTriggerRules)
        .set({
          lastFiredAt: sql`greatest(coalesce(${campaignTriggerRules.lastFiredAt}, ${now.toISOString()}::timestamptz), ${now.toISOString()}::timestamptz)`,
        })
        .where(eq(campaignTriggerRules.id, rule.id));
    await emitAudit(tx, triggerActor, {
      action: "campaign_trigger.fired",
      target: { type: "campaign_trigger_rule", id: rule.id },
      after: {
        firingId,
        dedupeKey: ev.dedupeKey,
        outcome: result.outcome,
        campaignId: result.campaignId,
        event: trigger,
        ...(result.reason ? { reason: result.reason } : {}),
      },
    });
  });
  return result;
}
