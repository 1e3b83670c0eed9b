import { desc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { pdpPolicies } from "@/db/schema";

/**
 * Access requests (issue #20): a step-up the decision point answered with `approval_required`, turned into a
 * micro-approval in the reviewer inbox; approved, it is a just-in-time grant of one subject to one tool until
 * `grant_expires_at`. The decision point (lib/pdp) opens them; this area decides, expires and announces them.
 */
export const REQUEST_STATUSES = ["pending", "approved", "denied", "expired", "cancelled"] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const REQUEST_DECISIONS = ["approve", "deny"] as const;
export type RequestDecision = (typeof REQUEST_DECISIONS)[number];

/** A grant's length when the policy says nothing (`jit.grantMinutes`), and the longest any policy may set. */
export const DEFAULT_GRANT_MINUTES = 60;
export const MAX_GRANT_MINUTES = 1440;

/** The lengths the inbox offers (each shown only when the policy allows it; the policy's own length is always offered). */
export const GRANT_CHOICES = [15, 60, 240, 480] as const;

/**
 * The longest grant the policy in force allows: `jit.grantMinutes` of the newest pdp_policies row (the decision
 * point's helper defines the rest of that document), else the default. A value outside 1…1440 is taken as absent:
 * the policy is validated before it is written, so this only guards against a row written some other way.
 */
export async function grantLimitMinutes(db: Db): Promise<number> {
  const [row] = await db.select({ policy: pdpPolicies.policy }).from(pdpPolicies).orderBy(desc(pdpPolicies.version)).limit(1);
  const jit = row?.policy?.jit;
  const minutes = jit && typeof jit === "object" ? (jit as Record<string, unknown>).grantMinutes : undefined;
  return typeof minutes === "number" && Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_GRANT_MINUTES ? minutes : DEFAULT_GRANT_MINUTES;
}

/** The durations to offer for a policy limit: the standard choices up to it, and the limit itself. */
export function grantChoices(limit: number): number[] {
  return [...new Set([...GRANT_CHOICES.filter((m) => m <= limit), limit])].sort((a, b) => a - b);
}

/**
 * Words for the reason codes the decision point gives for asking (lib/pdp owns the codes; this area cannot import
 * it, so unknown codes are shown as their words).
 */
const WHY: Record<string, string> = {
  destructive_tool: "the tool declares itself destructive: each use needs a person's approval",
  approval_required: "the policy asks a person to approve this tool's use",
  open_world_tool: "the tool acts on the open world (outside systems): the policy asks for approval",
  unknown_annotations: "the tool does not say what it does (no annotations): the policy asks for approval",
  high_risk_tool: "the tool is high risk: the policy asks for approval",
  critical_tool: "the tool is critical risk: the policy asks for approval",
  step_up: "the policy asks a person to approve this use",
};

export function whyInWords(reasonCode: string): string {
  return WHY[reasonCode] ?? reasonCode.replace(/[_-]+/g, " ");
}

export function minutesInWords(m: number): string {
  if (m % 60 === 0) return m === 60 ? "1 hour" : `${m / 60} hours`;
  return m === 1 ? "1 minute" : `${m} minutes`;
}
