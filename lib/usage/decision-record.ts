/**
 * One runtime decision as the decision log keeps it (issue #20). The decision point (lib/pdp) hands every decision
 * to the log (lib/usage/decision-log.ts) without waiting for a write; the log batches, samples allows, always keeps
 * denies, chains each batch into the audit log, and exports as OCSF API Activity. Nothing here is a secret: refs
 * are the request's subject/resource type and id, bounded in length; no token or claim value beyond ids.
 */
export interface DecisionRecord {
  decidedAt: Date;
  /** The request's X-Request-ID (or the evaluation's own id in a batch), when it sent one. */
  requestId: string | null;
  /** The PDP client: the API token id that called. */
  clientId: string | null;
  /** The subject's node id, when the request named a node Attest knows. */
  subjectId: string | null;
  /** `type:id` as the request named the subject (at most 300 characters). */
  subjectRef: string;
  /** The principal the subject acts for, when known. */
  actingForId: string | null;
  /** `tools/call`, `resources/read`, `prompts/get`, … */
  action: string;
  resourceId: string | null;
  /** `type:id` as the request named the resource (at most 300 characters). */
  resourceRef: string;
  decision: boolean;
  /** The rule that decided (lib/pdp reason codes). */
  reasonCode: string;
  graphVersion: number;
  pdpStateVersion: number;
  /** The explanation as answered (`context` of the AuthZEN response), bounded. */
  context: Record<string, unknown>;
}
