import { and, asc, count, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { campaigns, edges, remediationTasks, sources } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, systemActor, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { toCsv } from "@/lib/api/csv";
import type { ActionOptions } from "./launch-campaign";
import { TASK_STATUSES } from "./model";
import { requireActorUser } from "./views";

export type TaskRow = typeof remediationTasks.$inferSelect;

export const listTasksQuerySchema = z
  .object({
    campaign: z.string().max(64).optional(),
    status: z.enum([...TASK_STATUSES, "not_effective"]).optional(),
    limit: z
      .string()
      .regex(/^\d+$/, "limit must be a whole number from 1 to 500")
      .transform(Number)
      .pipe(z.number().int().min(1, "limit must be from 1 to 500").max(500, "limit must be from 1 to 500"))
      .default(100),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export const exportTasksQuerySchema = listTasksQuerySchema.omit({ limit: true, cursor: true });

export const completeTaskSchema = z.object({ note: z.string().trim().max(2000).optional(), ticket: z.string().trim().max(200).optional() }).strict();

export interface TaskView {
  id: string;
  campaignId: string;
  campaignName: string;
  itemId: string;
  reason: string;
  subject: { id: string; kind: string; name: string };
  access: { kind: string; edgeId: string; source: string };
  target: { id: string; kind: string; name: string };
  status: "open" | "done" | "verified";
  notEffective: boolean;
  doneAt: string | null;
  doneBy: string | null;
  doneNote: string | null;
  ticket: string | null;
  verifiedAt: string | null;
  verifiedImportId: string | null;
  verifiedVia: string | null;
  notEffectiveAt: string | null;
  notEffectiveImportId: string | null;
  createdAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function taskView(t: TaskRow, campaignName: string): TaskView {
  return {
    id: t.id,
    campaignId: t.campaignId,
    campaignName,
    itemId: t.itemId,
    reason: t.reason,
    subject: { id: t.subjectId, kind: t.subjectKind, name: t.subjectName },
    access: { kind: t.edgeKind, edgeId: t.edgeId, source: t.sourceName },
    target: { id: t.targetId, kind: t.targetKind, name: t.targetName },
    status: t.status,
    notEffective: t.status === "done" && t.notEffectiveAt !== null,
    doneAt: iso(t.doneAt),
    doneBy: t.doneBy,
    doneNote: t.doneNote,
    ticket: t.ticket,
    verifiedAt: iso(t.verifiedAt),
    verifiedImportId: t.verifiedImportId,
    verifiedVia: t.verifiedVia,
    notEffectiveAt: iso(t.notEffectiveAt),
    notEffectiveImportId: t.notEffectiveImportId,
    createdAt: t.createdAt.toISOString(),
  };
}

function taskFilters(q: { campaign?: string; status?: string }): SQL[] {
  const where: SQL[] = [];
  if (q.campaign) where.push(eq(remediationTasks.campaignId, q.campaign));
  if (q.status === "not_effective") where.push(and(eq(remediationTasks.status, "done"), sql`${remediationTasks.notEffectiveAt} is not null`)!);
  else if (q.status) where.push(eq(remediationTasks.status, q.status as TaskRow["status"]));
  return where;
}

const isOffset = (v: unknown): v is { o: number } =>
  typeof v === "object" && v !== null && Number.isInteger((v as { o: unknown }).o) && (v as { o: number }).o >= 0;

/** Remediation tasks, open first, newest first (GET /api/v1/remediation/tasks). */
export async function listRemediationTasks(
  db: Db,
  actor: Actor,
  q: z.infer<typeof listTasksQuerySchema>,
): Promise<{ items: TaskView[]; total: number; nextCursor: string | null; counts: Record<string, number> }> {
  requirePermission(actor, "campaign.read");
  const where = and(...taskFilters(q));
  const offset = q.cursor ? decodeCursor(q.cursor, isOffset).o : 0;
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(remediationTasks).where(where);
  const rows = await db
    .select({ t: remediationTasks, campaignName: campaigns.name })
    .from(remediationTasks)
    .innerJoin(campaigns, eq(campaigns.id, remediationTasks.campaignId))
    .where(where)
    .orderBy(sql`case ${remediationTasks.status} when 'open' then 0 when 'done' then 1 else 2 end`, desc(remediationTasks.createdAt), asc(remediationTasks.id))
    .limit(q.limit)
    .offset(offset);
  const countRows = await db
    .select({ status: remediationTasks.status, notEffective: sql<boolean>`${remediationTasks.notEffectiveAt} is not null`, n: count() })
    .from(remediationTasks)
    .where(q.campaign ? eq(remediationTasks.campaignId, q.campaign) : undefined)
    .groupBy(remediationTasks.status, sql`${remediationTasks.notEffectiveAt} is not null`);
  const counts: Record<string, number> = { open: 0, done: 0, verified: 0, not_effective: 0 };
  for (const r of countRows) {
    counts[r.status] = (counts[r.status] ?? 0) + r.n;
    if (r.status === "done" && r.notEffective) counts.not_effective! += r.n;
  }
  return {
    items: rows.map((r) => taskView(r.t, r.campaignName)),
    total,
    nextCursor: offset + q.limit < total ? encodeCursor({ o: offset + q.limit }) : null,
    counts,
  };
}

/**
 * Marks a task done: whoever carried out the revocation says so (with a ticket
 * or a note). Done is not verified: the next import of the access's source
 * that no longer shows the access verifies it. A task flagged "not effective"
 * can be marked done again after another attempt.
 */
export async function completeRemediationTask(db: Db, actor: Actor, id: string, input: unknown = {}, opts: ActionOptions = {}): Promise<TaskView> {
  requirePermission(actor, "campaign.manage");
  const userId = requireActorUser(actor, "completing a remediation task");
  const body = parseInput(completeTaskSchema, input ?? {});
  const now = opts.now ?? new Date();
  return db.transaction(async (tx) => {
    const [t] = await tx.select().from(remediationTasks).where(eq(remediationTasks.id, id)).for("update");
    if (!t) throw new AppError("not_found", "remediation task not found");
    if (t.status === "verified") throw new AppError("conflict", "the task is already verified: an import showed the access gone");
    if (t.status === "done" && !t.notEffectiveAt) throw new AppError("conflict", "the task is already marked done and awaits verification by the next import");
    const [row] = await tx
      .update(remediationTasks)
      .set({
        status: "done",
        doneAt: now,
        doneById: userId,
        doneBy: actorLabel(actor),
        doneNote: body.note ?? null,
        ticket: body.ticket ?? t.ticket,
        notEffectiveAt: null,
        notEffectiveImportId: null,
        updatedAt: now,
      })
      .where(eq(remediationTasks.id, id))
      .returning();
    await emitAudit(tx, actor, {
      action: "remediation.done",
      target: { type: "remediation_task", id },
      before: { status: t.status, notEffectiveAt: iso(t.notEffectiveAt) },
      after: { status: "done", note: body.note ?? null, ticket: body.ticket ?? t.ticket },
      requestId: opts.requestId,
    });
    const [c] = await tx.select({ name: campaigns.name }).from(campaigns).where(eq(campaigns.id, t.campaignId));
    return taskView(row!, c?.name ?? "");
  });
}

const CSV_COLUMNS = [
  "task_id",
  "status",
  "not_effective",
  "campaign",
  "subject_kind",
  "subject",
  "subject_id",
  "access",
  "target_kind",
  "target",
  "target_id",
  "source",
  "reason",
  "created_at",
  "done_at",
  "done_by",
  "ticket",
  "note",
  "verified_at",
  "verified_import_id",
];

/** Tasks as RFC 4180 CSV for a ticketing system (GET /api/v1/remediation/tasks/export). */
export async function exportRemediationCsv(db: Db, actor: Actor, q: z.infer<typeof exportTasksQuerySchema>): Promise<string> {
  requirePermission(actor, "campaign.read");
  const rows = await db
    .select({ t: remediationTasks, campaignName: campaigns.name })
    .from(remediationTasks)
    .innerJoin(campaigns, eq(campaigns.id, remediationTasks.campaignId))
    .where(and(...taskFilters(q)))
    .orderBy(asc(remediationTasks.createdAt), asc(remediationTasks.id));
  const records = rows.map(({ t, campaignName }) => [
    t.id,
    t.status,
    t.status === "done" && t.notEffectiveAt ? "yes" : "",
    campaignName,
    t.subjectKind,
    t.subjectName,
    t.subjectId,
    t.edgeKind,
    t.targetKind,
    t.targetName,
    t.targetId,
    t.sourceName,
    t.reason,
    t.createdAt.toISOString(),
    iso(t.doneAt) ?? "",
    t.doneBy ?? "",
    t.ticket ?? "",
    t.doneNote ?? "",
    iso(t.verifiedAt) ?? "",
    t.verifiedImportId ?? "",
  ]);
  // Names come from imported data: the one formula-safe writer neutralises cells a spreadsheet would run.
  return toCsv(CSV_COLUMNS, records);
}

export interface VerificationResult {
  verified: string[];
  notEffective: string[];
}

/**
 * Closes the loop after a graph write from `sourceName` (an import, or later a
 * SCIM write): call inside that write's transaction, after the graph is
 * written. Open or done tasks of that source whose access no longer exists in
 * any source are verified with `importId`; done tasks whose access this write
 * still reported are flagged "revocation not effective". Each change is audited.
 */
export async function verifyRemediation(
  tx: Db,
  importId: string | null,
  sourceName: string,
  opts: { via?: "import" | "scim"; at?: Date } = {},
): Promise<VerificationResult> {
  const result: VerificationResult = { verified: [], notEffective: [] };
  const tasks = await tx
    .select()
    .from(remediationTasks)
    .where(and(eq(remediationTasks.sourceName, sourceName), inArray(remediationTasks.status, ["open", "done"])))
    .for("update");
  if (tasks.length === 0) return result;
  const [src] = await tx.select({ id: sources.id, lastImportAt: sources.lastImportAt }).from(sources).where(eq(sources.name, sourceName));
  const reportedAt = opts.at ?? src?.lastImportAt ?? new Date();
  const live = await tx
    .select({ kind: edges.kind, fromId: edges.fromId, toId: edges.toId, sourceId: edges.sourceId, lastSeenAt: edges.lastSeenAt })
    .from(edges)
    .where(
      and(
        isNull(edges.validTo),
        inArray(edges.fromId, [...new Set(tasks.map((t) => t.subjectId))]),
        inArray(edges.toId, [...new Set(tasks.map((t) => t.targetId))]),
      ),
    );
  const now = new Date();
  const actor = systemActor(opts.via === "scim" ? "scim" : "import");
  for (const t of tasks) {
    const still = live.filter((e) => e.kind === t.edgeKind && e.fromId === t.subjectId && e.toId === t.targetId);
    if (still.length === 0) {
      await tx
        .update(remediationTasks)
        .set({ status: "verified", verifiedAt: now, verifiedImportId: importId, verifiedVia: opts.via ?? "import", updatedAt: now })
        .where(eq(remediationTasks.id, t.id));
      await emitAudit(tx, actor, {
        action: "remediation.verify",
        target: { type: "remediation_task", id: t.id },
        before: { status: t.status },
        after: { status: "verified", importId, source: sourceName },
      });
      result.verified.push(t.id);
    } else if (t.status === "done" && !t.notEffectiveAt && src && still.some((e) => e.sourceId === src.id && e.lastSeenAt.getTime() >= reportedAt.getTime())) {
      await tx.update(remediationTasks).set({ notEffectiveAt: now, notEffectiveImportId: importId, updatedAt: now }).where(eq(remediationTasks.id, t.id));
      await emitAudit(tx, actor, {
        action: "remediation.not_effective",
        target: { type: "remediation_task", id: t.id },
        before: { status: "done" },
        after: { status: "done", notEffective: true, importId, source: sourceName },
      });
      result.notEffective.push(t.id);
    }
  }
  return result;
}
