import type { Db } from "@/db/client";
import { decisionLog } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { newId } from "@/lib/ids";
import { batchHash, DECISIONS_LOGGED, type BatchSummary, type DecisionRow } from "./decision-batch";
import { countDropped, returnDecisions, takeDecisions, type LoggedDecision, type TakenDecisions } from "./decision-log";
import { upsertToolUsage, type ToolUse } from "./tool-usage";

/** Most rows one transaction writes (one audit event per batch). */
export const BATCH_MAX = 1_000;
const REF_MAX = 300;

export interface FlushResult {
  /** Batches written (each one transaction with its audit event). */
  batches: number;
  rows: number;
  /** Audit event ids of the batches written, oldest first. */
  auditIds: string[];
}

interface WriterState {
  /** A batch whose write failed once: tried again first; a second failure counts its records as dropped. */
  retry: TakenDecisions | null;
}
const g = globalThis as typeof globalThis & { __attestDecisionWriter?: WriterState };
const writer: WriterState = (g.__attestDecisionWriter ??= { retry: null });

/** PostgreSQL text and jsonb refuse U+0000; one such character must not sink a whole batch. */
function clean(s: string, max = 10_000): string {
  return s.replaceAll("\u0000", "").slice(0, max);
}
function cleanJson(v: unknown): unknown {
  if (typeof v === "string") return clean(v);
  if (Array.isArray(v)) return v.map(cleanJson);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [clean(k, 200), cleanJson(x)]));
  return v;
}
const orNull = (s: string | null) => (s === null ? null : clean(s, REF_MAX));

function toRow(r: LoggedDecision): Omit<DecisionRow, "batchAuditId"> {
  return {
    id: newId("dec"),
    decidedAt: new Date(r.decidedAt.getTime()),
    requestId: orNull(r.requestId),
    clientId: orNull(r.clientId),
    subjectId: orNull(r.subjectId),
    subjectRef: clean(r.subjectRef, REF_MAX),
    actingForId: orNull(r.actingForId),
    action: clean(r.action, 100),
    resourceId: orNull(r.resourceId),
    resourceRef: clean(r.resourceRef, REF_MAX),
    decision: r.decision,
    reasonCode: clean(r.reasonCode, 100),
    graphVersion: r.graphVersion,
    pdpStateVersion: r.pdpStateVersion,
    weight: r.weight,
    context: cleanJson(r.context ?? {}) as Record<string, unknown>,
  };
}

/**
 * Writes one batch in one transaction: the rows, ONE audit event (`pdp.decisions.logged`, system actor) whose
 * payload carries the count, first/last decidedAt and the SHA-256 over the rows' canonical form, each row's
 * batch_audit_id set to that event, and for allowed `tools/call` decisions the tool_usage upsert. So the log is
 * chained into the tamper-evident audit chain, and verify-decisions.ts can recompute every batch.
 */
export async function writeDecisionBatch(db: Db, batch: TakenDecisions): Promise<{ auditId: string; rows: number }> {
  const rows = batch.records.map(toRow);
  // ULIDs made in one millisecond are not ordered among themselves: the hash covers id order, the summary too.
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const times = rows.map((r) => r.decidedAt.getTime());
  const summary: BatchSummary = {
    count: rows.length,
    decisions: rows.reduce((n, r) => n + r.weight, 0),
    firstDecidedAt: rows.length ? new Date(Math.min(...times)).toISOString() : null,
    lastDecidedAt: rows.length ? new Date(Math.max(...times)).toISOString() : null,
    firstId: rows[0]?.id ?? null,
    lastId: rows.at(-1)?.id ?? null,
    sha256: batchHash(rows),
    dropped: batch.dropped,
    sampledOut: batch.sampledOut,
    hash: "sha256 of canonical JSON rows in id order, newline-terminated",
  };
  const uses: ToolUse[] = rows
    .filter((r) => r.decision && r.action === "tools/call" && r.subjectId && r.resourceId && r.weight > 0)
    .map((r) => ({ subjectId: r.subjectId!, toolId: r.resourceId!, at: r.decidedAt, calls: r.weight, via: "pdp" }));
  const auditId = await db.transaction(async (tx) => {
    const event = await emitAudit(tx, systemActor("decision-log"), {
      action: DECISIONS_LOGGED,
      target: { type: "decision_log", id: summary.firstId ?? "none" },
      after: summary,
    });
    for (let i = 0; i < rows.length; i += 500) {
      await tx.insert(decisionLog).values(rows.slice(i, i + 500).map((r) => ({ ...r, batchAuditId: event.id })));
    }
    await upsertToolUsage(tx, uses);
    return event.id;
  });
  return { auditId, rows: rows.length };
}

/**
 * Writes what waits in the intake, in batches of at most `BATCH_MAX`, until it is empty (at most `maxBatches`).
 * A batch that fails is given back and tried first next time; failing twice, its records are counted as dropped
 * (and that count is written into the next batch's event). Throws the write's error after giving the batch back.
 * Tests call this directly; the server calls it every second (decision-flusher.ts).
 */
export async function flushDecisions(db: Db, opts: { maxBatches?: number } = {}): Promise<FlushResult> {
  const out: FlushResult = { batches: 0, rows: 0, auditIds: [] };
  const maxBatches = opts.maxBatches ?? 100;
  while (out.batches < maxBatches) {
    const isRetry = writer.retry !== null;
    const batch = writer.retry ?? takeDecisions(BATCH_MAX);
    writer.retry = null;
    if (!batch.records.length && !batch.dropped) {
      // Nothing to write: a count of sampled-out allows alone waits for the next batch rather than making an event.
      returnDecisions(batch);
      break;
    }
    try {
      const w = await writeDecisionBatch(db, batch);
      out.batches++;
      out.rows += w.rows;
      out.auditIds.push(w.auditId);
    } catch (e) {
      if (isRetry) {
        countDropped(batch.records.length);
        returnDecisions({ records: [], dropped: batch.dropped, sampledOut: batch.sampledOut });
      } else writer.retry = batch;
      throw e;
    }
    if (batch.records.length < BATCH_MAX) break;
  }
  return out;
}

/** Tests: forget a batch held for retry. */
export function resetDecisionWriterForTests(): void {
  writer.retry = null;
}
