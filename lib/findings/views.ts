import type { NodeKind } from "@/lib/graph/model";
import type { FindingEvidence } from "./evidence";
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
  acceptance: { reason: string; expiresAt: string; by: string | null; at: string | null; expired: boolean } | null;
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
