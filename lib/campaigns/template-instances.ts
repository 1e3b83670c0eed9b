import { and, desc, eq, isNotNull, isNull, lte } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaignTemplates, campaigns } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { isAppError } from "@/lib/errors";
import { cadenceOf, nextSlot, previousSlot } from "@/lib/jobs/cron";
import { enqueueLaunch } from "./jobs";
import { createCampaign, launchCampaign } from "./launch-campaign";
import { loadTemplate, type TemplateActionOptions, type TemplateRow } from "./templates";
import type { CampaignView } from "./views";

/**
 * Instances of recurring templates: the minute tick claims each due slot once
 * and creates its instance (a campaign linked to the template and to the
 * instance before it), then requests its launch, which the job engine runs.
 */

const DAY = 86_400_000;
const templateActor = systemActor("campaign template");
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** How an instance is named after its slot: "2027 Q1" for a quarterly template, "January 2027" monthly, "2027" yearly, the date otherwise. */
export function periodLabel(cron: string, slot: Date): string {
  const y = slot.getUTCFullYear();
  const m = slot.getUTCMonth();
  switch (cadenceOf(cron, new Date(slot.getTime() - 1))) {
    case "quarterly":
      return `${y} Q${Math.floor(m / 3) + 1}`;
    case "half-yearly":
      return `${y} H${m < 6 ? 1 : 2}`;
    case "monthly":
      return `${MONTHS[m]} ${y}`;
    case "yearly":
      return String(y);
    default:
      return slot.toISOString().slice(0, 10);
  }
}

/** The latest instance of a template that launched: what "since last time" compares with. */
async function previousInstance(db: Db, templateId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: campaigns.id })
    .from(campaigns)
    .where(and(eq(campaigns.templateId, templateId), isNotNull(campaigns.launchedAt)))
    .orderBy(desc(campaigns.launchedAt))
    .limit(1);
  return row?.id ?? null;
}

/** Records on the template why an instance could not be made (audited); the next slot still comes. */
async function recordFailure(db: Db, t: TemplateRow, error: string, slot: Date | null, now: Date, campaignId: string | null): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(campaignTemplates)
      .set({ lastError: error, lastRunAt: now, ...(campaignId ? { lastCampaignId: campaignId } : {}), updatedAt: now })
      .where(eq(campaignTemplates.id, t.id));
    await emitAudit(tx, templateActor, {
      action: "campaign_template.instance_failed",
      target: { type: "campaign_template", id: t.id },
      after: { slot: slot?.toISOString() ?? null, error, campaignId },
    });
  });
}

/**
 * Creates one instance of a template and requests its launch: the definition
 * is resolved again now (a reviewer who left, a node deleted fail here, named
 * in the error), due `durationDays` after now (a slot run late still gets its
 * full review time), owned by the template's owner, linked to the template and
 * its latest launched instance. A failure is recorded on the template and thrown.
 */
async function createInstance(db: Db, actor: Actor, t: TemplateRow, slot: Date | null, opts: TemplateActionOptions & { now: Date }): Promise<CampaignView> {
  const now = opts.now;
  const label = slot ? periodLabel(t.cron, slot) : `run ${now.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  let createdId: string | null = null;
  try {
    const previousCampaignId = await previousInstance(db, t.id);
    const input = { ...t.definition, name: `${t.name} — ${label}`, dueAt: new Date(now.getTime() + t.durationDays * DAY).toISOString() };
    const created = await createCampaign(db, actor, input, {
      ownerId: t.ownerId,
      from: { origin: "template", templateId: t.id, previousCampaignId },
      now,
      requestId: opts.requestId,
    });
    createdId = created.id;
    const launching = await launchCampaign(db, actor, created.id, { now, requestId: opts.requestId });
    await db.transaction(async (tx) => {
      await tx
        .update(campaignTemplates)
        .set({ lastRunAt: now, lastCampaignId: created.id, lastError: null, updatedAt: now })
        .where(eq(campaignTemplates.id, t.id));
      await emitAudit(tx, actor, {
        action: "campaign_template.instance",
        target: { type: "campaign_template", id: t.id },
        after: { campaignId: created.id, name: created.name, slot: slot?.toISOString() ?? null, previousCampaignId },
        requestId: opts.requestId,
      });
    });
    return launching;
  } catch (e) {
    const message = isAppError(e) ? e.message : "unexpected error (see the server log)";
    if (!isAppError(e)) console.error("[campaign templates] instance of %s failed:", t.id, e);
    await recordFailure(db, t, message, slot, now, createdId);
    throw e;
  }
}

/**
 * POST /api/v1/campaign-templates/{id}/run: an instance now, outside the
 * schedule (named by the minute; the next slot is unchanged), even of a disabled
 * template. Answers the campaign `launching`; the launch job snapshots it.
 */
export async function runTemplateNow(db: Db, actor: Actor, id: string, opts: TemplateActionOptions = {}): Promise<CampaignView> {
  requirePermission(actor, "campaign.manage");
  const t = await loadTemplate(db, id);
  const c = await createInstance(db, actor, t, null, { ...opts, now: opts.now ?? new Date() });
  await enqueueLaunch(c.id);
  return c;
}

/** A launch that failed after the tick (nothing in scope, items without a reviewer) is recorded on its template once, audited. */
async function recordLaunchFailures(db: Db, now: Date): Promise<void> {
  const failed = await db
    .select({ template: campaignTemplates, name: campaigns.name, error: campaigns.launchError })
    .from(campaignTemplates)
    .innerJoin(campaigns, eq(campaigns.id, campaignTemplates.lastCampaignId))
    .where(and(isNull(campaignTemplates.lastError), eq(campaigns.status, "draft"), isNotNull(campaigns.launchError)));
  for (const f of failed) await recordFailure(db, f.template, `the instance "${f.name}" did not launch: ${f.error}`, null, now, null);
}

export interface TickResult {
  /** Campaigns created (and asked to launch). */
  created: string[];
  /** Templates whose instance failed (see their last_error). */
  failed: string[];
}

/**
 * One minute tick (`campaigns.templates-tick`): each enabled template whose
 * next slot has come gets one instance. The slot is claimed by a
 * compare-and-set on next_run_at, so two ticks never make the same slot twice;
 * after downtime, slots missed make one instance (for the latest), not one each.
 */
export async function runTemplateTick(db: Db, now = new Date()): Promise<TickResult> {
  await recordLaunchFailures(db, now);
  const due = await db
    .select()
    .from(campaignTemplates)
    .where(and(eq(campaignTemplates.enabled, true), isNotNull(campaignTemplates.nextRunAt), lte(campaignTemplates.nextRunAt, now)));
  const result: TickResult = { created: [], failed: [] };
  for (const t of due) {
    let slot: Date;
    let next: Date;
    try {
      slot = previousSlot(t.cron, now);
      next = nextSlot(t.cron, now);
    } catch {
      continue; // checked when saved; a row edited by hand is skipped, not fatal to the others
    }
    const claimed = await db
      .update(campaignTemplates)
      .set({ nextRunAt: next })
      .where(and(eq(campaignTemplates.id, t.id), eq(campaignTemplates.enabled, true), eq(campaignTemplates.nextRunAt, t.nextRunAt!)))
      .returning({ id: campaignTemplates.id });
    if (!claimed.length) continue;
    try {
      const c = await createInstance(db, templateActor, t, slot, { now });
      await enqueueLaunch(c.id);
      result.created.push(c.id);
    } catch {
      result.failed.push(t.id); // recorded on the template and audited by createInstance
    }
  }
  return result;
}
