import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditEvents, decisionLog } from "@/db/schema";
import { batchHash, DECISIONS_LOGGED, type BatchSummary } from "./decision-batch";

export interface DecisionLogProblem {
  /** The batch's audit event (null for rows that name no batch event). */
  auditEventId: string | null;
  seq: number | null;
  reason: string;
}

export interface DecisionLogVerification {
  ok: boolean;
  /** Batches (audit events) checked. */
  batches: number;
  /** Rows found under those batches. */
  rows: number;
  /** Records the log says it could not keep (intake full), summed over the batches. */
  dropped: number;
  problems: DecisionLogProblem[];
}

const MAX_PROBLEMS = 100;

/**
 * Recomputes every batch of the decision log from its rows and compares it with the batch's audit event (count and
 * SHA-256): a row changed, deleted, added to or moved between batches shows as a problem. Rows whose batch_audit_id
 * names no batch event (written around the log) are reported too. That the audit events themselves are intact is the
 * audit chain's verification (`npm run audit:verify`); `npm run decisions:verify` runs both.
 * Reads one batch at a time, so memory stays flat however long the log is. `afterSeq` starts after an audit sequence
 * number (batches before it are not checked).
 */
export async function verifyDecisionLog(db: Db, opts: { pageSize?: number; afterSeq?: number } = {}): Promise<DecisionLogVerification> {
  const pageSize = opts.pageSize ?? 500;
  const out: DecisionLogVerification = { ok: true, batches: 0, rows: 0, dropped: 0, problems: [] };
  const problem = (p: DecisionLogProblem) => {
    out.ok = false;
    if (out.problems.length < MAX_PROBLEMS) out.problems.push(p);
  };
  let afterSeq = opts.afterSeq ?? 0;
  for (;;) {
    const events = await db
      .select({ seq: auditEvents.seq, id: auditEvents.id, after: auditEvents.after })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, DECISIONS_LOGGED), gt(auditEvents.seq, afterSeq)))
      .orderBy(asc(auditEvents.seq))
      .limit(pageSize);
    for (const e of events) {
      afterSeq = e.seq;
      out.batches++;
      const summary = e.after as Partial<BatchSummary> | null;
      out.dropped += typeof summary?.dropped === "number" ? summary.dropped : 0;
      const rows = await db.select().from(decisionLog).where(eq(decisionLog.batchAuditId, e.id)).orderBy(asc(decisionLog.id));
      out.rows += rows.length;
      if (!summary || typeof summary.sha256 !== "string" || typeof summary.count !== "number") {
        problem({ auditEventId: e.id, seq: e.seq, reason: "the batch's audit event carries no count and hash" });
        continue;
      }
      if (rows.length !== summary.count)
        problem({ auditEventId: e.id, seq: e.seq, reason: `the batch recorded ${summary.count} rows; ${rows.length} are in the log` });
      else if (batchHash(rows) !== summary.sha256)
        problem({ auditEventId: e.id, seq: e.seq, reason: "the rows do not match the batch's hash (a row was changed)" });
    }
    if (events.length < pageSize) break;
  }
  const stray = (await db.execute(
    sql`select count(*)::int as n from ${decisionLog} d
         where d.batch_audit_id is null
            or not exists (select 1 from ${auditEvents} a where a.action = ${DECISIONS_LOGGED} and a.id = d.batch_audit_id)`,
  )) as unknown as { rows: { n: number }[] };
  const n = Number(stray.rows[0]?.n ?? 0);
  if (n > 0) problem({ auditEventId: null, seq: null, reason: `${n} rows name no batch event (written outside the log's writer)` });
  return out;
}
