import { and, count, desc, lt, lte, max } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { toCsv, type Cell } from "@/lib/api/csv";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { auditChanges, type AuditChange } from "./audit-diff";
import { auditEventView, auditFilter, listAuditQuerySchema, type AuditEventView } from "./audit-api";
import { resolveAuditNames, tokenIdOf, type AuditName } from "./audit-names";
import { emitAudit } from "./emit-audit";

export const exportAuditQuerySchema = listAuditQuerySchema
  .omit({ limit: true, cursor: true })
  .extend({ format: z.enum(["csv", "json"], { error: 'must be "csv" or "json"' }) })
  .strict();
export type ExportAuditQuery = z.infer<typeof exportAuditQuerySchema>;

/** The CSV's columns, in order. Names are as they are at export time; ids and hashes are as the chain holds them. */
export const AUDIT_CSV_HEADER = [
  "seq",
  "id",
  "occurred_at",
  "actor_type",
  "actor_id",
  "actor_label",
  "actor_name",
  "action",
  "target_type",
  "target_id",
  "target_name",
  "changes",
  "before",
  "after",
  "request_id",
  "prev_hash",
  "hash",
] as const;

/** An event with what its ids stand for and its changes in words: one row of the page and of the exports. */
export interface NamedAuditEvent extends AuditEventView {
  actorName: string | null;
  targetName: string | null;
  changes: AuditChange[];
}

/** Rows read per page while streaming: names are resolved per page, so memory stays flat however long the log is. */
const PAGE = 500;

/** The actor's name: the app user's (and the token's, for a token), else the label the event recorded. */
function actorName(e: AuditEventView, names: Record<string, AuditName>): string | null {
  const user = names[e.actorId]?.name;
  const tokenId = tokenIdOf(e.actorLabel);
  const token = tokenId ? names[tokenId]?.name : undefined;
  if (user && token) return `${user} (token “${token}”)`;
  return user ?? null;
}

/** Adds names and changes to a page of events. */
export async function nameAuditEvents(db: Db, events: AuditEventView[]): Promise<{ items: NamedAuditEvent[]; names: Record<string, AuditName> }> {
  const names = await resolveAuditNames(db, events);
  const items = events.map((e) => ({
    ...e,
    actorName: actorName(e, names),
    targetName: e.targetId ? (names[e.targetId]?.name ?? null) : null,
    changes: auditChanges(e.before, e.after),
  }));
  return { items, names };
}

/** A change as one line of text, for the CSV's `changes` column. */
export function changeText(c: AuditChange): string {
  switch (c.kind) {
    case "added":
      return `${c.field}: added ${c.after}`;
    case "removed":
      return `${c.field}: removed ${c.before}`;
    case "changed":
      return `${c.field}: ${c.before} → ${c.after}`;
    case "list":
      return `${c.field}: ${[...c.added.map((x) => `+${x}`), ...c.removed.map((x) => `−${x}`)].join(", ")}`;
  }
}

function csvRow(e: NamedAuditEvent): Cell[] {
  return [
    e.seq,
    e.id,
    e.occurredAt,
    e.actorType,
    e.actorId,
    e.actorLabel,
    e.actorName,
    e.action,
    e.targetType,
    e.targetId,
    e.targetName,
    e.changes.map(changeText).join("\n"),
    e.before === null || e.before === undefined ? null : JSON.stringify(e.before),
    e.after === null || e.after === undefined ? null : JSON.stringify(e.after),
    e.requestId,
    e.prevHash,
    e.hash,
  ];
}

export interface AuditExport {
  filename: string;
  contentType: string;
  rows: number;
  body: ReadableStream<Uint8Array>;
}

/**
 * Exports the audit events a filter selects (GET /api/v1/audit/events/export),
 * newest first, as CSV or JSON, streamed in pages. Needs audit.read, like the
 * audit page. The export itself is audited (audit.export, with the filters and
 * row count) before any row is read; the rows are those committed before it,
 * so the file is the view the reader asked for, not including its own event.
 */
export async function exportAuditEvents(db: Db, actor: Actor, q: ExportAuditQuery, requestId?: string, now: Date = new Date()): Promise<AuditExport> {
  requirePermission(actor, "audit.read");
  const { format, ...filters } = q;
  const filter = auditFilter(filters);
  const [{ top } = { top: null }] = await db.select({ top: max(auditEvents.seq) }).from(auditEvents);
  const bound = top ?? 0;
  const [{ n } = { n: 0 }] = await db
    .select({ n: count() })
    .from(auditEvents)
    .where(and(filter, lte(auditEvents.seq, bound)));
  await db.transaction((tx) =>
    emitAudit(tx, actor, {
      action: "audit.export",
      target: { type: "audit_log", id: "audit_events" },
      after: { format, filters, rows: n, throughSeq: bound },
      requestId,
    }),
  );

  const enc = new TextEncoder();
  let cursor = bound + 1;
  let first = true;
  let done = false;
  const headerText = toCsv(AUDIT_CSV_HEADER, []);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      const rows = await db
        .select()
        .from(auditEvents)
        .where(and(filter, lt(auditEvents.seq, cursor)))
        .orderBy(desc(auditEvents.seq))
        .limit(PAGE);
      const { items } = await nameAuditEvents(db, rows.map(auditEventView));
      let chunk = "";
      if (format === "csv") {
        chunk = (first ? headerText : "") + (items.length ? toCsv(AUDIT_CSV_HEADER, items.map(csvRow)).slice(headerText.length) : "");
      } else {
        if (first) chunk += `{"exportedAt":${JSON.stringify(now.toISOString())},"filters":${JSON.stringify(filters)},"total":${n},"items":[`;
        chunk += items.map((e, i) => (first && i === 0 ? "" : ",") + JSON.stringify(e)).join("");
      }
      first = false;
      if (rows.length < PAGE) {
        done = true;
        if (format === "json") chunk += "]}";
      } else cursor = rows[rows.length - 1]!.seq;
      if (chunk) controller.enqueue(enc.encode(chunk));
      if (done) controller.close();
    },
  });
  const stamp = now.toISOString().slice(0, 10);
  return {
    filename: `attest-audit-log-${stamp}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
    rows: n,
    body,
  };
}
