import { count, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { campaignTemplates, campaigns } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { cronInWords, cronProblem, nextSlot } from "@/lib/jobs/cron";
import { campaignDefinitionSchema, resolveDefinition } from "./definition";
import type { CampaignStatus, TemplateDefinition } from "./model";
import { requireActorUser, usersById, type UserRef } from "./views";

/**
 * Recurring campaigns: a campaign definition without a due date, a five-field
 * UTC cron and a duration. At each slot the job engine creates an instance due
 * `durationDays` later and launches it (template-instances.ts). Every change
 * is audited; the creator owns the template and every instance.
 */

const DAY = 86_400_000;
/** A template runs at most once a day: instances are reviews that take days, and each one notifies its reviewers. */
const MIN_GAP_MS = DAY;

const cronField = z
  .string()
  .trim()
  .min(1, "is required")
  .max(120, "at most 120 characters")
  .superRefine((s, ctx) => {
    const problem = cronProblem(s, MIN_GAP_MS, "runs more than once a day; a recurring campaign runs at most daily");
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const durationField = z.number().int("must be a whole number of days").min(1, "must be from 1 to 365 days").max(365, "must be from 1 to 365 days");

/** The definition a template keeps: a campaign definition without its due date; the name leaves room for an instance's period. */
export const templateDefinitionSchema = campaignDefinitionSchema
  .omit({ dueAt: true })
  .extend({ name: z.string().trim().min(1, "is required").max(160, "at most 160 characters (an instance adds its period)") })
  .strict();

/** POST /api/v1/campaign-templates: a campaign definition (without dueAt) with its schedule. */
export const createTemplateSchema = templateDefinitionSchema.extend({ cron: cronField, durationDays: durationField, enabled: z.boolean().optional() }).strict();
export type CreateTemplateInput = z.input<typeof createTemplateSchema>;

const DEFINITION_KEYS = Object.keys(templateDefinitionSchema.shape) as (keyof typeof templateDefinitionSchema.shape)[];

/**
 * PATCH /api/v1/campaign-templates/{id}: any of the fields; a definition field
 * replaces the stored one (null removes an optional one), and the merged
 * definition is checked again as a whole.
 */
export const updateTemplateSchema = z
  .object({
    ...Object.fromEntries(DEFINITION_KEYS.map((k) => [k, z.unknown()])),
    cron: cronField,
    durationDays: durationField,
    enabled: z.boolean(),
  })
  .partial()
  .strict();

export type TemplateRow = typeof campaignTemplates.$inferSelect;

export interface TemplateView {
  id: string;
  name: string;
  cron: string;
  /** The schedule in words, e.g. "Quarterly: at 09:00 UTC, on the first Monday of the month, only in January, April, July, and October". */
  schedule: string;
  scheduleWarning: string | null;
  durationDays: number;
  enabled: boolean;
  /** As entered: node references and user ids or e-mails are resolved again for each instance. */
  definition: TemplateDefinition;
  owner: UserRef | null;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastError: string | null;
  lastCampaign: { id: string; name: string; status: CampaignStatus; launchError: string | null } | null;
  instances: number;
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** JSON with object keys sorted, so two definitions compare by content, not key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}

function words(cron: string): { schedule: string; scheduleWarning: string | null } {
  try {
    const w = cronInWords(cron);
    return { schedule: w.text, scheduleWarning: w.warning };
  } catch {
    return { schedule: `cron "${cron}" (UTC)`, scheduleWarning: "not a valid cron expression" };
  }
}

export async function templateViews(db: Db, rows: TemplateRow[]): Promise<TemplateView[]> {
  if (rows.length === 0) return [];
  const users = await usersById(
    db,
    rows.map((r) => r.ownerId),
  );
  const lastIds = rows.map((r) => r.lastCampaignId).filter((id): id is string => !!id);
  const last = lastIds.length
    ? await db
        .select({ id: campaigns.id, name: campaigns.name, status: campaigns.status, launchError: campaigns.launchError })
        .from(campaigns)
        .where(inArray(campaigns.id, lastIds))
    : [];
  const lastById = new Map(last.map((c) => [c.id, c]));
  const counts = await db
    .select({ id: campaigns.templateId, n: count() })
    .from(campaigns)
    .where(
      inArray(
        campaigns.templateId,
        rows.map((r) => r.id),
      ),
    )
    .groupBy(campaigns.templateId);
  const countById = new Map(counts.map((c) => [c.id, c.n]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    cron: r.cron,
    ...words(r.cron),
    durationDays: r.durationDays,
    enabled: r.enabled,
    definition: r.definition,
    owner: users.get(r.ownerId) ?? null,
    nextRunAt: iso(r.nextRunAt),
    lastRunAt: iso(r.lastRunAt),
    lastError: r.lastError,
    lastCampaign: r.lastCampaignId ? (lastById.get(r.lastCampaignId) ?? null) : null,
    instances: countById.get(r.id) ?? 0,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }));
}

export interface TemplateActionOptions {
  requestId?: string;
  /** The instant the action happens at (tests move the clock; the API never sets it). */
  now?: Date;
}

/**
 * Checks a template's definition as an instance created now would be: every
 * node and user reference resolves, sources exist. Problems are 400s naming
 * their field (`scope.targets[0]`, `reviewerStrategy.reviewer`).
 */
export async function checkTemplateDefinition(db: Db, definition: TemplateDefinition, durationDays: number, now: Date): Promise<void> {
  await resolveDefinition(db, { ...definition, dueAt: new Date(now.getTime() + durationDays * DAY).toISOString() }, now);
}

/** The definition part of a parsed input, without schedule fields or absent keys. */
function definitionOf(input: Record<string, unknown>): TemplateDefinition {
  return Object.fromEntries(Object.entries(input).filter(([k, v]) => (DEFINITION_KEYS as string[]).includes(k) && v !== undefined));
}

/** Creates a template owned by the caller; enabled by default, its first slot is the next one after now. */
export async function createTemplate(db: Db, actor: Actor, input: unknown, opts: TemplateActionOptions = {}): Promise<TemplateView> {
  requirePermission(actor, "campaign.manage");
  const ownerId = requireActorUser(actor, "owning a campaign template");
  const now = opts.now ?? new Date();
  const parsed = parseInput(createTemplateSchema, input);
  const definition = definitionOf(parsed);
  await checkTemplateDefinition(db, definition, parsed.durationDays, now);
  const enabled = parsed.enabled ?? true;
  const id = newId("tpl");
  const row = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(campaignTemplates)
      .values({
        id,
        name: parsed.name,
        definition,
        cron: parsed.cron,
        durationDays: parsed.durationDays,
        enabled,
        ownerId,
        nextRunAt: enabled ? nextSlot(parsed.cron, now) : null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await emitAudit(tx, actor, {
      action: "campaign_template.create",
      target: { type: "campaign_template", id },
      after: { name: parsed.name, cron: parsed.cron, durationDays: parsed.durationDays, enabled, definition },
      requestId: opts.requestId,
    });
    return created!;
  });
  return (await templateViews(db, [row]))[0]!;
}

export async function loadTemplate(db: Db, id: string, lock = false): Promise<TemplateRow> {
  const q = db.select().from(campaignTemplates).where(eq(campaignTemplates.id, id));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new AppError("not_found", "campaign template not found");
  return row;
}

/** GET /api/v1/campaign-templates: every template, newest first (campaign.read). */
export async function listTemplates(db: Db, actor: Actor): Promise<{ items: TemplateView[]; total: number; nextCursor: null }> {
  requirePermission(actor, "campaign.read");
  const rows = await db.select().from(campaignTemplates).orderBy(desc(campaignTemplates.createdAt)).limit(500);
  const items = await templateViews(db, rows);
  return { items, total: items.length, nextCursor: null };
}

export async function getTemplate(db: Db, actor: Actor, id: string): Promise<TemplateView> {
  requirePermission(actor, "campaign.read");
  return (await templateViews(db, [await loadTemplate(db, id)]))[0]!;
}

/**
 * Changes a template. A new cron, or enabling it, sets the next slot from now
 * (slots missed while disabled are not made up); disabling clears it.
 * Audited as campaign_template.enable / .disable when only `enabled` changes,
 * campaign_template.update otherwise, with the fields before and after.
 */
export async function updateTemplate(db: Db, actor: Actor, id: string, input: unknown, opts: TemplateActionOptions = {}): Promise<TemplateView> {
  requirePermission(actor, "campaign.manage");
  const now = opts.now ?? new Date();
  const patch = parseInput(updateTemplateSchema, input) as Record<string, unknown> & { cron?: string; durationDays?: number; enabled?: boolean };
  if (Object.keys(patch).length === 0)
    throw new AppError("validation", "name at least one field to change", [{ path: "(body)", message: "name at least one field to change" }]);
  const row = await db.transaction(async (tx) => {
    // Merged under the row lock, so two concurrent changes of different fields both stay.
    const before = await loadTemplate(tx, id, true);
    const merged: Record<string, unknown> = { ...before.definition };
    for (const k of DEFINITION_KEYS) {
      if (!(k in patch)) continue;
      if (patch[k] === null) delete merged[k];
      else merged[k] = patch[k];
    }
    const definition = definitionOf(parseInput(templateDefinitionSchema, merged));
    const durationDays = patch.durationDays ?? before.durationDays;
    const cron = patch.cron ?? before.cron;
    const enabled = patch.enabled ?? before.enabled;
    // A new definition, or an enabled template, must resolve now; disabling one that no longer does is always possible.
    if (enabled || DEFINITION_KEYS.some((k) => k in patch)) await checkTemplateDefinition(tx, definition, durationDays, now);
    const rescheduled = cron !== before.cron || (enabled && !before.enabled);
    const nextRunAt = !enabled ? null : rescheduled ? nextSlot(cron, now) : before.nextRunAt;
    const [updated] = await tx
      .update(campaignTemplates)
      .set({ name: String(definition.name), definition, cron, durationDays, enabled, nextRunAt, updatedAt: now })
      .where(eq(campaignTemplates.id, id))
      .returning();
    const was: Record<string, unknown> = {
      name: before.name,
      cron: before.cron,
      durationDays: before.durationDays,
      enabled: before.enabled,
      definition: before.definition,
    };
    const now_: Record<string, unknown> = { name: updated!.name, cron, durationDays, enabled, definition };
    const changed = Object.keys(was).filter((k) => canonical(was[k]) !== canonical(now_[k]));
    const onlyEnabled = changed.length === 1 && changed[0] === "enabled";
    await emitAudit(tx, actor, {
      action: onlyEnabled ? (enabled ? "campaign_template.enable" : "campaign_template.disable") : "campaign_template.update",
      target: { type: "campaign_template", id },
      before: Object.fromEntries(changed.map((k) => [k, was[k]])),
      after: { ...Object.fromEntries(changed.map((k) => [k, now_[k]])), nextRunAt: iso(nextRunAt) },
      requestId: opts.requestId,
    });
    return updated!;
  });
  return (await templateViews(db, [row]))[0]!;
}

/** Enables or disables a template (PATCH { enabled }). */
export function setTemplateEnabled(db: Db, actor: Actor, id: string, enabled: boolean, opts: TemplateActionOptions = {}): Promise<TemplateView> {
  return updateTemplate(db, actor, id, { enabled }, opts);
}

/**
 * DELETE /api/v1/campaign-templates/{id}: a template that made instances is
 * disabled and kept (its instances name it, and evidence shows where they came
 * from); one that made none is removed. Both audited.
 */
export async function deleteTemplate(
  db: Db,
  actor: Actor,
  id: string,
  opts: TemplateActionOptions = {},
): Promise<{ deleted: boolean; template: TemplateView | null }> {
  requirePermission(actor, "campaign.manage");
  const now = opts.now ?? new Date();
  const result = await db.transaction(async (tx) => {
    const t = await loadTemplate(tx, id, true);
    const [{ n } = { n: 0 }] = await tx.select({ n: count() }).from(campaigns).where(eq(campaigns.templateId, id));
    if (n > 0) {
      const [updated] = await tx
        .update(campaignTemplates)
        .set({ enabled: false, nextRunAt: null, updatedAt: now })
        .where(eq(campaignTemplates.id, id))
        .returning();
      if (t.enabled)
        await emitAudit(tx, actor, {
          action: "campaign_template.disable",
          target: { type: "campaign_template", id },
          before: { enabled: true },
          after: { enabled: false, reason: `delete asked; kept because it made ${n} instance${n === 1 ? "" : "s"}` },
          requestId: opts.requestId,
        });
      return { deleted: false, row: updated! };
    }
    await tx.delete(campaignTemplates).where(eq(campaignTemplates.id, id));
    await emitAudit(tx, actor, {
      action: "campaign_template.delete",
      target: { type: "campaign_template", id },
      before: { name: t.name, cron: t.cron, durationDays: t.durationDays, enabled: t.enabled, definition: t.definition },
      requestId: opts.requestId,
    });
    return { deleted: true, row: null };
  });
  return { deleted: result.deleted, template: result.row ? (await templateViews(db, [result.row]))[0]! : null };
}

/** For a campaign page: the template an instance came from and the instance before it (names for links; null when gone). */
export async function instanceLinks(
  db: Db,
  actor: Actor,
  c: { templateId: string | null; previousCampaignId: string | null },
): Promise<{ template: { id: string; name: string } | null; previous: { id: string; name: string } | null }> {
  requirePermission(actor, "campaign.read");
  const [template] = c.templateId
    ? await db.select({ id: campaignTemplates.id, name: campaignTemplates.name }).from(campaignTemplates).where(eq(campaignTemplates.id, c.templateId))
    : [];
  const [previous] = c.previousCampaignId
    ? await db.select({ id: campaigns.id, name: campaigns.name }).from(campaigns).where(eq(campaigns.id, c.previousCampaignId))
    : [];
  return { template: template ?? null, previous: previous ?? null };
}
