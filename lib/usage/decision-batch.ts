import { createHash } from "node:crypto";
import type { decisionLog } from "@/db/schema";
import { canonicalJson } from "@/lib/audit/canonical-json";

/** The audit action that chains one batch of the decision log. */
export const DECISIONS_LOGGED = "pdp.decisions.logged";

export type DecisionRow = typeof decisionLog.$inferSelect;

/**
 * A row in the canonical form its batch hash covers: every column but `batch_audit_id` (the link itself, checked by
 * selecting the batch's rows through it), timestamps as ISO-8601 UTC. Anyone holding the rows can recompute it.
 */
export function canonicalDecisionRow(r: Omit<DecisionRow, "batchAuditId">): string {
  return canonicalJson({
    id: r.id,
    decidedAt: r.decidedAt.toISOString(),
    requestId: r.requestId,
    clientId: r.clientId,
    subjectId: r.subjectId,
    subjectRef: r.subjectRef,
    actingForId: r.actingForId,
    action: r.action,
    resourceId: r.resourceId,
    resourceRef: r.resourceRef,
    decision: r.decision,
    reasonCode: r.reasonCode,
    graphVersion: r.graphVersion,
    pdpStateVersion: r.pdpStateVersion,
    weight: r.weight,
    context: r.context,
  });
}

/** SHA-256 (hex) over the rows' canonical forms in id order, one per line. */
export function batchHash(rows: Omit<DecisionRow, "batchAuditId">[]): string {
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const h = createHash("sha256");
  for (const r of sorted) h.update(canonicalDecisionRow(r)).update("\n");
  return h.digest("hex");
}

/** What a batch's audit event carries (`after`). */
export interface BatchSummary {
  count: number;
  /** Sum of the rows' weights: the decisions the batch stands for. */
  decisions: number;
  firstDecidedAt: string | null;
  lastDecidedAt: string | null;
  firstId: string | null;
  lastId: string | null;
  sha256: string;
  /** Records refused since the previous batch because the intake was full (or lost after two failed writes). */
  dropped: number;
  /** Allows not kept by sampling since the previous batch. */
  sampledOut: number;
  hash: "sha256 of canonical JSON rows in id order, newline-terminated";
}
