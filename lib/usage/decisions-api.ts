import { and, asc, desc, eq, gt, gte, inArray, lt, lte, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { decisionLog, nodes } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";
import type { DecisionRow } from "./decision-batch";
import { toOcsf } from "./ocsf";

const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const instant = (name: string) =>
  z
    .string()
    .max(40)
    .refine((s) => DATE_TIME_RE.test(s) && !Number.isNaN(Date.parse(s)), `${name} must be an ISO 8601 date or date-time`)
    .transform((s) => new Date(s));

const filters = {
  /** A subject's node id, or the ref the request named (`agent:…`), exact. */
  subject: z.string().trim().min(1, "subject must not be empty").max(300, "subject must be at most 300 characters").optional(),
  /** A tool's node id, or the ref the request named, exact. */
  tool: z.string().trim().min(1, "tool must not be empty").max(300, "tool must be at most 300 characters").optional(),
  decision: z.enum(["allow", "deny"], { error: 'decision must be "allow" or "deny"' }).optional(),
  /** From this instant on (inclusive). */
  from: instant("from").optional(),
  /** Before this instant (exclusive). */
  to: instant("to").optional(),
};

const checkRange = (q: { from?: Date; to?: Date }, ctx: z.RefinementCtx) => {
  if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: "custom", path: ["from"], message: "from must not be after to" });
};

export const listDecisionsQuerySchema = z
  .object({
    ...filters,
    limit: z
      .string()
      .regex(/^\d+$/, "limit must be a whole number from 1 to 500")
      .transform(Number)
      .pipe(z.number().int().min(1, "limit must be from 1 to 500").max(500, "limit must be from 1 to 500"))
      .default(100),
    cursor: z.string().max(200, "cursor is not one this API issued").optional(),
  })
  .strict()
  .superRefine(checkRange);
export type ListDecisionsQuery = z.infer<typeof listDecisionsQuerySchema>;

export const exportDecisionsQuerySchema = z
  .object({ ...filters, format: z.enum(["ocsf"], { error: 'format must be "ocsf"' }) })
  .strict()
  .superRefine(checkRange);
export type ExportDecisionsQuery = z.infer<typeof exportDecisionsQuerySchema>;

export interface DecisionView {
  id: string;
  decidedAt: string;
  requestId: string | null;
  clientId: string | null;
  subject: { id: string | null; ref: string; name: string | null };
  actingForId: string | null;
  action: string;
  tool: { id: string | null; ref: string; name: string | null };
  decision: "allow" | "deny";
  reasonCode: string;
  graphVersion: number;
  pdpStateVersion: number;
  /** A sampled allow stands for this many decisions. */
  weight: number;
  /** The audit event chaining the batch the row was written in. */
  batchAuditId: string | null;
  context: Record<string, unknown>;
}

/**
 * A node id (no colon) is matched on the indexed id column; a ref as the request named it (`type:id`, always with a
 * colon) on the ref column, which only the time index narrows.
 */
function where(q: Partial<Pick<ListDecisionsQuery, "subject" | "tool" | "decision" | "from" | "to">>): SQL[] {
  const w: SQL[] = [];
  if (q.subject) w.push(q.subject.includes(":") ? eq(decisionLog.subjectRef, q.subject) : eq(decisionLog.subjectId, q.subject));
  if (q.tool) w.push(q.tool.includes(":") ? eq(decisionLog.resourceRef, q.tool) : eq(decisionLog.resourceId, q.tool));
  if (q.decision) w.push(eq(decisionLog.decision, q.decision === "allow"));
  if (q.from) w.push(gte(decisionLog.decidedAt, q.from));
  if (q.to) w.push(lt(decisionLog.decidedAt, q.to));
  return w;
}

/** Names of the subjects and tools a page of rows names (one query per page). */
async function namesFor(db: Db, rows: DecisionRow[]): Promise<Record<string, string>> {
  const ids = [...new Set(rows.flatMap((r) => [r.subjectId, r.resourceId]).filter((x): x is string => !!x))];
  if (!ids.length) return {};
  const found = await db.select({ id: nodes.id, name: nodes.name }).from(nodes).where(inArray(nodes.id, ids));
  return Object.fromEntries(found.map((n) => [n.id, n.name]));
}

function view(r: DecisionRow, names: Record<string, string>): DecisionView {
  return {
    id: r.id,
    decidedAt: r.decidedAt.toISOString(),
    requestId: r.requestId,
    clientId: r.clientId,
    subject: { id: r.subjectId, ref: r.subjectRef, name: (r.subjectId && names[r.subjectId]) || null },
    actingForId: r.actingForId,
    action: r.action,
    tool: { id: r.resourceId, ref: r.resourceRef, name: (r.resourceId && names[r.resourceId]) || null },
    decision: r.decision ? "allow" : "deny",
    reasonCode: r.reasonCode,
    graphVersion: r.graphVersion,
    pdpStateVersion: r.pdpStateVersion,
    weight: r.weight,
    batchAuditId: r.batchAuditId,
    context: r.context,
  };
}

const isCursor = (v: unknown): v is { t: string; id: string } =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as { t: unknown }).t === "string" &&
  !Number.isNaN(Date.parse((v as { t: string }).t)) &&
  typeof (v as { id: unknown }).id === "string";

/**
 * GET /api/v1/pdp/decisions: the decision log, newest first, paged by cursor, filtered by subject, tool, decision
 * and time range. Needs usage.read (admins, analysts, auditors).
 */
export async function listDecisions(db: Db, actor: Actor, q: ListDecisionsQuery): Promise<{ items: DecisionView[]; nextCursor: string | null }> {
  requirePermission(actor, "usage.read");
  const w = where(q);
  if (q.cursor) {
    const c = decodeCursor(q.cursor, isCursor);
    const t = new Date(c.t);
    w.push(or(lt(decisionLog.decidedAt, t), and(eq(decisionLog.decidedAt, t), lt(decisionLog.id, c.id)))!);
  }
  const rows = await db
    .select()
    .from(decisionLog)
    .where(and(...w))
    .orderBy(desc(decisionLog.decidedAt), desc(decisionLog.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const names = await namesFor(db, page);
  const last = page.at(-1);
  return {
    items: page.map((r) => view(r, names)),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ t: last.decidedAt.toISOString(), id: last.id }) : null,
  };
}

/** Rows read per page while streaming the export. */
const EXPORT_PAGE = 1_000;

/**
 * GET /api/v1/pdp/decisions/export?format=ocsf: the decisions a filter selects as OCSF API Activity events, one
 * JSON object per line (JSON Lines), oldest first, streamed in pages so memory stays flat. Needs audit.read (admins,
 * auditors). The export is audited (`pdp.decisions.export`, with its filters) before any row is read.
 */
export async function exportDecisions(
  db: Db,
  actor: Actor,
  q: ExportDecisionsQuery,
  requestId?: string,
  now: Date = new Date(),
): Promise<{ filename: string; contentType: string; body: ReadableStream<Uint8Array> }> {
  requirePermission(actor, "audit.read");
  const { format, ...f } = q;
  if (format !== "ocsf") throw new AppError("validation", 'format must be "ocsf"', [{ path: "format", message: "unsupported" }]);
  // Rows written after the export began are not in it: the upper bound is fixed now.
  const upTo = f.to && f.to < now ? f.to : now;
  await db.transaction((tx) =>
    emitAudit(tx, actor, {
      action: "pdp.decisions.export",
      target: { type: "decision_log", id: "decision_log" },
      after: {
        format,
        subject: f.subject ?? null,
        tool: f.tool ?? null,
        decision: f.decision ?? null,
        from: f.from?.toISOString() ?? null,
        to: upTo.toISOString(),
      },
      requestId,
    }),
  );
  const base = where({ ...f, to: undefined });
  base.push(lte(decisionLog.decidedAt, upTo));
  if (f.to && f.to <= now) base.push(lt(decisionLog.decidedAt, f.to));
  const enc = new TextEncoder();
  let after: { t: Date; id: string } | null = null;
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      const w = [...base];
      if (after) w.push(or(gt(decisionLog.decidedAt, after.t), and(eq(decisionLog.decidedAt, after.t), gt(decisionLog.id, after.id)))!);
      const rows = await db
        .select()
        .from(decisionLog)
        .where(and(...w))
        .orderBy(asc(decisionLog.decidedAt), asc(decisionLog.id))
        .limit(EXPORT_PAGE);
      const names = await namesFor(db, rows);
      const chunk = rows.map((r) => `${JSON.stringify(toOcsf(r, names))}\n`).join("");
      const last = rows.at(-1);
      if (last) after = { t: last.decidedAt, id: last.id };
      if (rows.length < EXPORT_PAGE) done = true;
      if (chunk) controller.enqueue(enc.encode(chunk));
      if (done) controller.close();
    },
  });
  return { filename: `attest-decisions-${now.toISOString().slice(0, 10)}.ocsf.jsonl`, contentType: "application/x-ndjson; charset=utf-8", body };
}
