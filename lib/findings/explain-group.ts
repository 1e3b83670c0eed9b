import type { GroupScoreParts } from "./priority";
import { FINDING_SEVERITIES } from "./rules";

/** "2 critical, 1 high": a group's members by severity, most severe first. Pure: client components use it. */
export function severityBreakdown(parts: Pick<GroupScoreParts, "bySeverity">): string {
  return FINDING_SEVERITIES.filter((s) => parts.bySeverity[s])
    .map((s) => `${parts.bySeverity[s]} ${s}`)
    .join(", ");
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/**
 * A group's score in words (the counterpart of explainScore for one finding): its highest member, what its members
 * add up to, and how the diminishing returns turn that into the group's score.
 */
export function explainGroupScore(parts: GroupScoreParts, score: number): string[] {
  const sev = severityBreakdown(parts);
  if (parts.count === 1) return [`One finding${sev ? ` (${sev})` : ""}, scoring ${parts.top}: the group scores the same.`];
  return [
    `Its highest finding scores ${parts.top}.`,
    `${plural(parts.count, "finding")}${sev ? ` (${sev})` : ""} add up to ${parts.impact}: what fixing the cause removes.`,
    `With diminishing returns (the highest in full, the second half, the third a third…) the group scores ${score}.`,
  ];
}

/** The same in one short line, for a row of the work queue: "3 findings (1 critical, 2 medium): highest 46.4, 62 in all". */
export function summarizeGroupScore(parts: GroupScoreParts): string {
  const sev = severityBreakdown(parts);
  if (parts.count === 1) return `one ${sev.replace(/^1 /, "")} finding`;
  return `${plural(parts.count, "finding")}${sev ? ` (${sev})` : ""}: highest ${parts.top}, ${parts.impact} in all`;
}
