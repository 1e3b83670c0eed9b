import type { NodeKind } from "@/lib/graph/model";
import type { FindingRule, SuppressionScope } from "./rules";

/**
 * Where a suppression stands: `applying` until the job has accepted the open findings it matched when created,
 * `active` while it accepts them, `expired` once past its expiry (the evaluation reopens its findings), `revoking`
 * until the job has reopened them after a revocation, then `revoked`.
 */
export type SuppressionStatus = "applying" | "active" | "expired" | "revoking" | "revoked";

/** A suppression as the API answers it (and the UI shows it). Pure types: client components import them. */
export interface SuppressionView {
  id: string;
  /** null: every rule. */
  rule: FindingRule | null;
  ruleLabel: string;
  scope: { kind: SuppressionScope; node: { id: string; kind: NodeKind; name: string } };
  reason: string;
  expiresAt: string;
  createdBy: string;
  createdAt: string;
  revokedBy: string | null;
  revokedAt: string | null;
  /** The findings it accepts (recounted whenever it accepts more); once revoked, what it had accepted. */
  matched: number;
  status: SuppressionStatus;
}

/** The words for a scope, with the node's name: "findings about deploy-bot". */
export function scopeText(kind: SuppressionScope, nodeName: string): string {
  if (kind === "subject") return `findings about ${nodeName}`;
  if (kind === "via") return `findings whose evidence passes through ${nodeName}`;
  return `findings caused by ${nodeName}`;
}
