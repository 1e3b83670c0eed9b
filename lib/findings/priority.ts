import type { NodeKind } from "@/lib/graph/model";
import type { FindingRule, FindingSeverity } from "./rules";

/**
 * Root causes and the priority score: pure types and arithmetic, shared by the
 * engine (causes.ts, score.ts), the schema, the API and the UI.
 *
 * A finding's **cause** is the node whose removal or fix resolves it: for a
 * finding about what a principal reaches, the node that dominates most of the
 * risky paths behind it (every shortest path from the principal to those
 * targets passes through it: a choke point); for a finding with no path behind
 * it (a hard-coded secret, an expired credential, a changed tool), its subject;
 * for an agent of a person who left, that person. Findings with the same cause
 * are one group.
 *
 * The **score** is severity × blast radius × exposure × freshness, each part
 * kept so the product can say why a finding ranks where it does.
 */

export interface FindingCause {
  id: string;
  kind: NodeKind;
  name: string;
  /**
   * Whether removing or fixing the cause alone resolves the finding (as far as
   * the evaluation can tell: the cause lies on every shortest risky path). False
   * when the cause is only the largest single lever.
   */
  resolves: boolean;
  /** How the cause was chosen, in words ("on every path to 14 of 14 risky tools"). */
  why: string;
}

/** The exposure factors: each one present multiplies the score. */
export const EXPOSURES = ["hard_coded", "unrotated", "unowned", "departed_owner", "uncertified", "changed_since_certified"] as const;
export type Exposure = (typeof EXPOSURES)[number];

export const EXPOSURE_WEIGHT: Record<Exposure, number> = {
  hard_coded: 1,
  unrotated: 0.5,
  unowned: 0.5,
  departed_owner: 0.75,
  uncertified: 0.5,
  changed_since_certified: 3,
};

export const EXPOSURE_LABEL: Record<Exposure, string> = {
  hard_coded: "a hard-coded secret on the way",
  unrotated: "a credential past rotation on the way",
  unowned: "no active owner",
  departed_owner: "an owner or principal who left",
  uncertified: "access nobody certified",
  changed_since_certified: "changed since it was certified",
};

export const SEVERITY_WEIGHT: Record<FindingSeverity, number> = { critical: 8, high: 4, medium: 2, low: 1 };

/** What the blast radius counts: weights per reached target. */
export const TOOL_RISK_WEIGHT = { low: 1, medium: 2, high: 4, critical: 8 } as const;
export const SENSITIVITY_WEIGHT = { public: 0.5, internal: 1, confidential: 2, restricted: 4, secret: 4 } as const;

/** Freshness: a finding first seen in the last week counts 1.5×, in the last month 1.2×, older 1×. */
export const FRESHNESS_STEPS: readonly { days: number; factor: number; label: string }[] = [
  { days: 7, factor: 1.5, label: "new this week" },
  { days: 30, factor: 1.2, label: "new this month" },
];

export interface BlastRadius {
  /** Weighted count of what is at stake (see `describe`). */
  weight: number;
  /** Risky tools reached (or, for a tool, principals that reach it), by risk. */
  tools: number;
  resources: number;
  /** Principals exposed (for a tool, a credential, a group, a server). */
  principals: number;
  /** In words: "reaches 12 high-risk tools and 40 resources". */
  describe: string;
}

export interface ScoreParts {
  severity: { value: FindingSeverity; factor: number };
  blastRadius: BlastRadius & { factor: number };
  exposure: { factors: Exposure[]; factor: number };
  freshness: { firstSeenAt: string; factor: number; label: string };
  cause: FindingCause;
}

/** 1 + log2(1 + weight): a finding reaching 1,000 times more counts about 10× more, not 1,000×. */
export function blastFactor(weight: number): number {
  return round2(1 + Math.log2(1 + Math.max(0, weight)));
}

export function exposureFactor(factors: readonly Exposure[]): number {
  return round2(factors.reduce((f, e) => f * (1 + EXPOSURE_WEIGHT[e]), 1));
}

export function freshnessOf(firstSeenAt: Date, now: Date): { factor: number; label: string } {
  const ageDays = (now.getTime() - firstSeenAt.getTime()) / 86_400_000;
  for (const s of FRESHNESS_STEPS) if (ageDays < s.days) return { factor: s.factor, label: s.label };
  return { factor: 1, label: "older than a month" };
}

export function scoreOf(p: Pick<ScoreParts, "severity" | "blastRadius" | "exposure" | "freshness">): number {
  return round2(p.severity.factor * p.blastRadius.factor * p.exposure.factor * p.freshness.factor);
}

/** The score in words, one sentence per part. */
export function explainScore(p: ScoreParts): string[] {
  const lines = [
    `Severity ${p.severity.value}: ×${p.severity.factor}.`,
    `Blast radius: ${p.blastRadius.describe} (weight ${p.blastRadius.weight}): ×${p.blastRadius.factor}.`,
    p.exposure.factors.length
      ? `Exposure: ${p.exposure.factors.map((e) => EXPOSURE_LABEL[e]).join(", ")}: ×${p.exposure.factor}.`
      : "Exposure: nothing that makes it easier to abuse: ×1.",
    `Freshness: ${p.freshness.label}: ×${p.freshness.factor}.`,
  ];
  return lines;
}

/**
 * A group's score: its members' scores with diminishing returns — the highest
 * counts in full, the second half, the third a third (s₁ + s₂/2 + s₃/3 + …) —
 * so a cause behind thousands of findings ranks high without burying a single
 * critical one. A member the cause does not resolve alone counts half (pass
 * its score halved). `impact` (the plain sum) is what fixing the cause removes.
 * groups.ts computes the same in SQL.
 */
export function groupScore(memberScoresDesc: readonly number[]): number {
  let s = 0;
  memberScoresDesc.forEach((x, i) => (s += x / (i + 1)));
  return round2(s);
}

/** A member's weight in its group's score: in full when the cause alone resolves it, else half. */
export function memberWeight(score: number, resolves: boolean): number {
  return resolves ? score : score / 2;
}

/** The parts of a group's score, as the API answers them. */
export interface GroupScoreParts {
  /** The highest member score. */
  top: number;
  /** The plain sum of member scores: the priority fixing the cause removes. */
  impact: number;
  count: number;
  /** Members that fixing the cause alone resolves. */
  resolves: number;
  bySeverity: Partial<Record<FindingSeverity, number>>;
  byRule: Partial<Record<FindingRule, number>>;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
