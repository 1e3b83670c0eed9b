/**
 * The vocabulary of recertification campaigns: statuses, decisions, outcomes,
 * the snapshot an item carries, and the rule that combines a two-level review.
 * Pure: no database, so the schema, the UI and the tests share it.
 */
import { ACCESS_EDGE_KINDS, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { TOOL_RISKS, type ToolRisk } from "@/lib/graph/tool-risk";

export const CAMPAIGN_STATUSES = ["draft", "launching", "active", "closed", "signed_off"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** What a reviewer may answer. */
export const DECISIONS = ["approve", "revoke", "abstain"] as const;
export type Decision = (typeof DECISIONS)[number];

/** What an item ends as when the campaign closes. */
export const OUTCOMES = ["approve", "revoke", "abstain", "no_response"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const RECOMMENDATIONS = ["approve", "revoke", "review"] as const;
export type Recommendation = (typeof RECOMMENDATIONS)[number];

/** Edges a campaign may review: every access edge, and ownership itself. */
export const REVIEWABLE_EDGE_KINDS = [...ACCESS_EDGE_KINDS, "owns"] as const satisfies readonly EdgeKind[];
export type ReviewableEdgeKind = (typeof REVIEWABLE_EDGE_KINDS)[number];

export const REVIEWER_STRATEGIES = ["target_owner", "subject_owner", "manager"] as const;
export type ReviewerStrategy = (typeof REVIEWER_STRATEGIES)[number] | { reviewer: string };

export const ESCALATION_TARGETS = ["reviewer_manager", "campaign_owner"] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];

/**
 * How a second-level answer combines with the first:
 * - any_revoke: one revoke revokes; approval needs both levels to approve.
 * - second_level_final: the second level's approve or revoke stands; otherwise the first level's answer.
 */
export const SECOND_LEVEL_RULES = ["any_revoke", "second_level_final"] as const;
export type SecondLevelRule = (typeof SECOND_LEVEL_RULES)[number];

/** How far a launch has got: items written of the items the scope selects (null until counted). */
export interface LaunchProgress {
  total: number | null;
  done: number;
  error: string | null;
}

export const TASK_STATUSES = ["open", "done", "verified"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** The scope as stored: node references already resolved to ids. */
export interface CampaignScope {
  edgeKinds: ReviewableEdgeKind[];
  subjectKinds?: NodeKind[];
  sources?: string[];
  minToolRisk?: ToolRisk;
  /** Items whose access reaches (or is) one of these nodes: an MCP server, resource, entitlement… */
  targets?: string[];
  /** Items whose subject is owned by one of these humans or groups. */
  ownedBy?: string[];
  /** Items whose subject is one of these nodes (a micro-certification names exactly whose access it reviews). */
  subjects?: string[];
}

export interface SecondLevel {
  reviewerId: string;
  minRisk: ToolRisk;
  rule: SecondLevelRule;
}

export interface NodeBrief {
  id: string;
  kind: NodeKind;
  name: string;
}

export interface OwnerBrief {
  id: string;
  name: string;
  kind: NodeKind;
  role: string | null;
  status: string | null;
}

export interface CredentialBrief {
  id: string;
  name: string;
  storage: string | null;
  /** Days since last rotation (or issue), at launch. */
  ageDays: number | null;
  expiresAt: string | null;
  expired: boolean;
}

export type FlagTone = "danger" | "warn" | "info";
export interface ItemFlag {
  code: string;
  tone: FlagTone;
  message: string;
}

/** What a reviewer sees beside an item, frozen at launch. */
export interface ItemContext {
  /** From the subject through this access to the riskiest thing it opens. */
  path: { nodes: NodeBrief[]; edges: EdgeKind[] };
  reach: { tools: number; resources: number; mcpServers: number; credentials: number };
  /** For a group subject: how many principals get this access through it. */
  principalsAffected?: number;
  targetOwners: OwnerBrief[];
  subjectOwners: OwnerBrief[];
  /** For an agent subject: the people or service accounts it acts for (their access is its access). */
  subjectActsFor: OwnerBrief[];
  credentials: CredentialBrief[];
  flags: ItemFlag[];
  lastCertified?: { campaignId: string; campaignName: string; at: string } | null;
  /** The evidence behind the recommendation, each part explained (absent on items launched before it existed). */
  evidence?: RecommendationEvidence;
}

/** What a recommendation rests on; "unknown" where Attest has no data, never a guess. */
export interface RecommendationEvidence {
  /** Share of the subject's peer group (same manager or team; same agent blueprint) holding this access. */
  peers: { basis: string; groupSize: number; holding: number; share: number } | null;
  /** Last use of the access where a source or the runtime decision log reports it; null when unknown. */
  lastUsedAt: string | null;
  lastUseSource: string | null;
  /**
   * What `lastUsedAt` is the last use of: this access itself, or the whole account (the subject's last sign-in in the
   * source that reports the access) or credential (shared by several principals). The last two bound the access's
   * use from above: they can show it unused, never that this subject used it recently.
   */
  lastUseScope?: LastUseScope | null;
  /**
   * Since when gateways' tool-call usage (the decision log and OTLP spans, lib/usage) is seen for the tools this access
   * reaches: before it Attest has no telemetry, so "not used" means something only after it. Null or absent: none.
   */
  usageCoveredSince?: string | null;
  /** Open findings on the subject or target, most severe first (at most 5). */
  findings: { id: string; rule: string; severity: string; title: string; firstSeenAt?: string }[];
  /** The target is marked privileged by its source (an admin role, an owner entitlement). */
  privileged?: boolean;
  /** One line per factor, as shown to the reviewer. */
  reasons: string[];
  /** How each reason weighs (same order as `reasons`): for approving, against, or neutral. */
  reasonTones?: ReasonTone[];
}
export type LastUseScope = "access" | "account" | "credential";
export type ReasonTone = "for" | "against" | "neutral";

export const CAMPAIGN_ORIGINS = ["manual", "template", "trigger"] as const;
export type CampaignOrigin = (typeof CAMPAIGN_ORIGINS)[number];

/** A reviewer strategy as entered: a strategy name or a named reviewer (user id or e-mail). */
export type ReviewerStrategyInput = (typeof REVIEWER_STRATEGIES)[number] | { reviewer: string };

/** A template's definition: a campaign definition as entered (see definition.ts), without its due date. */
export type TemplateDefinition = Record<string, unknown>;

/** Events a trigger rule can turn into a micro-certification. */
export const TRIGGER_KINDS = ["tool_definition_changed", "new_critical_path", "owner_departed", "hard_coded_secret", "ssf_event"] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export interface TriggerFilter {
  /** For ssf_event: the event type URIs (or their last path segment, e.g. "session-revoked") the rule takes; all when absent. */
  eventTypes?: string[];
  /** For new_critical_path and tool_definition_changed: the least tool risk that fires. */
  minRisk?: ToolRisk;
}

/** What fired a micro-certification, as stored on its campaign (no secret values). */
export interface TriggerEventSummary {
  kind: TriggerKind;
  /** One line a reviewer reads: "tool X's definition changed after certification". */
  summary: string;
  /** The node the event is about. */
  nodeId?: string | null;
  /** For an SSF event: its type URIs, issuer and jti. */
  eventTypes?: string[];
  issuer?: string;
  jti?: string;
  at: string;
}

const RISK_RANK = new Map<string, number>(TOOL_RISKS.map((r, i) => [r, i]));
export function riskRank(r: string | null | undefined): number {
  return r ? (RISK_RANK.get(r) ?? -1) : -1;
}
export function riskAtLeast(r: string | null | undefined, min: ToolRisk): boolean {
  return riskRank(r) >= riskRank(min);
}

/** An item is high-risk when its access reaches a high or critical tool; approving it needs a justification. */
export function isHighRisk(r: string | null | undefined): boolean {
  return riskAtLeast(r, "high");
}

/** The decisions for which a justification is required on an item. */
export function justificationRequired(decision: Decision, highRisk: boolean): boolean {
  return decision === "revoke" || (decision === "approve" && highRisk);
}

/**
 * The final outcome of one (subject, access) at close, from its level-1
 * answer and, for items with a second level, its level-2 answer.
 */
export function combineOutcome(
  level1: Decision | null,
  level2: Decision | null | undefined,
  rule: SecondLevelRule | null,
  revokeOnNoResponse: boolean,
): { outcome: Outcome; reason: string } {
  let outcome: Outcome;
  let reason: string;
  if (level2 === undefined || rule === null) {
    outcome = level1 ?? "no_response";
    reason = level1 ? `reviewer answered ${level1}` : "no answer by close";
  } else if (rule === "any_revoke") {
    if (level1 === "revoke" || level2 === "revoke") {
      outcome = "revoke";
      reason = `one revoke revokes (${level1 === "revoke" ? "first" : "second"} level)`;
    } else if (level1 === "approve" && level2 === "approve") {
      outcome = "approve";
      reason = "both levels approved";
    } else if (level1 === null || level2 === null) {
      outcome = "no_response";
      reason = level1 === null && level2 === null ? "no answer at either level by close" : `no ${level1 === null ? "first" : "second"}-level answer by close`;
    } else {
      outcome = "abstain";
      reason = "a level abstained and none revoked";
    }
  } else if (level2 === "approve" || level2 === "revoke") {
    outcome = level2;
    reason = `second level answered ${level2}`;
  } else {
    outcome = level1 ?? (level2 === "abstain" ? "abstain" : "no_response");
    reason = level1
      ? `first level answered ${level1}; second level ${level2 ?? "did not answer"}`
      : level2 === "abstain"
        ? "second level abstained, first did not answer"
        : "no answer at either level by close";
  }
  if (outcome === "no_response" && revokeOnNoResponse) return { outcome: "revoke", reason: `${reason}; revoked on no response` };
  return { outcome, reason };
}

export const EDGE_VERB: Record<string, string> = {
  member_of: "member of",
  has_entitlement: "has entitlement",
  grants: "grants",
  connects_to: "connects to",
  exposes: "exposes",
  acts_on: "acts on",
  uses_credential: "uses credential",
  credential_for: "credential for",
  acts_for: "acts for",
  owns: "owns",
  manages: "manages",
};

export const CONTROL_SUGGESTIONS = [
  "SOX ITGC — user access review",
  "SOC 2 CC6.2 — access provisioning and removal",
  "SOC 2 CC6.3 — role-based access, least privilege",
  "ISO 27001 A.5.18 — access rights",
  "ISO 27001 A.8.2 — privileged access rights",
  "OWASP NHI — non-human identity review",
] as const;
