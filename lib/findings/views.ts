import type { NodeKind } from "@/lib/graph/model";
import type { FindingEvidence } from "./evidence";
import type { FindingCause, GroupScoreParts, ScoreParts } from "./priority";
import type { FindingRule, FindingSeverity, FindingStatus } from "./rules";

/** A finding as the API answers it (and the UI shows it). Pure types: client components import them. */
export interface FindingView {
  id: string;
  rule: FindingRule;
  ruleLabel: string;
  owasp: { id: string; name: string }[];
  severity: FindingSeverity;
  /** The status in force: an accepted finding whose acceptance has expired is open. */
  status: FindingStatus;
  title: string;
  subject: { id: string; kind: NodeKind; name: string };
  firstSeenAt: string;
  /** While open or accepted: the latest evaluation (which found it); once resolved: the last evaluation that did. */
  lastSeenAt: string;
  resolvedAt: string | null;
  reopenedAt: string | null;
  reopenCount: number;
  /** `suppressionId`: the suppression (acceptance by rule and scope) that accepted it, or null for a person's acceptance. */
  acceptance: { reason: string; expiresAt: string; by: string | null; at: string | null; expired: boolean; suppressionId: string | null } | null;
  /** Priority (severity × blast radius × exposure × freshness); 0 until the first evaluation that scores it. */
  score: number;
  /** The score's parts and the cause, or null for a finding not scored yet. */
  scoreParts: ScoreParts | null;
  /** The root cause: the group this finding belongs to (its id is the group's id). */
  cause: Pick<FindingCause, "id" | "kind" | "name" | "resolves"> | null;
}

export interface FindingDetail extends FindingView {
  evidence: FindingEvidence;
  /** The evidence's nodes as the graph describes them now (ended ones say so). */
  nodes: Record<string, { kind: NodeKind; name: string; status: string | null; current: boolean }>;
}

/** The counts the findings page charts and the dashboard card shows. */
export interface FindingsSummary {
  /** Findings by severity, within the status and rule filters. */
  bySeverity: Record<FindingSeverity, number>;
  /** Findings by rule, within the status and severity filters. */
  byRule: Record<FindingRule, number>;
  lastEvaluation: {
    id: string;
    at: string;
    finishedAt: string;
    trigger: string;
    durationMs: number;
    graphVersion: number;
    counts: Record<string, number>;
  } | null;
  /** The latest full evaluation (every rule over the whole graph); the same as lastEvaluation unless that was incremental. */
  lastFullEvaluation: { id: string; at: string; finishedAt: string; trigger: string } | null;
}

/** What to do about a group's cause: one action, where in Attest it is done, and what it is expected to close. */
export interface FindingAction {
  kind: "rotate_credential" | "remove_grant" | "assign_owner" | "reassign_departed" | "recertify_tool" | "review_access" | "secure_server" | "reduce_reach";
  /** Imperative, with the cause's name: "Rotate and vault deploy-token". */
  label: string;
  /** One or two sentences: what to do and why it resolves the group. */
  description: string;
  /** The page where it is done. */
  href: string;
  /** True when the action is a review campaign: POST /api/v1/findings/campaign with `{ group }` drafts it. */
  campaign: boolean;
  /** Members that applying the action is expected to resolve. */
  closes: number;
}

/** A root-cause group (GET /api/v1/findings/groups): its id is the cause's node id. */
export interface FindingGroupView {
  id: string;
  rule: FindingRule;
  ruleLabel: string;
  cause: { id: string; kind: NodeKind; name: string };
  count: number;
  score: number;
  scoreParts: GroupScoreParts;
  action: FindingAction;
  topFindingId: string;
  updatedAt: string;
}
