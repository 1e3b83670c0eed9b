import { describe, expect, it } from "vitest";
import { explainGroupScore, severityBreakdown, summarizeGroupScore } from "./explain-group";
import { groupScore } from "./priority";

const parts = { top: 40, impact: 100, count: 3, resolves: 2, bySeverity: { medium: 2, high: 1 }, byRule: { over_broad_reach: 3 } };

describe("a group's score in words", () => {
  it("names the members by severity, most severe first, and skips severities without members", () => {
    expect(severityBreakdown(parts)).toBe("1 high, 2 medium");
    expect(severityBreakdown({ bySeverity: { low: 1, critical: 3 } })).toBe("3 critical, 1 low");
  });

  it("says the highest member, the sum fixing the cause removes, and the diminishing-returns score", () => {
    const score = groupScore([40, 30, 30]);
    expect(explainGroupScore(parts, score)).toEqual([
      "Its highest finding scores 40.",
      "3 findings (1 high, 2 medium) add up to 100: what fixing the cause removes.",
      `With diminishing returns (the highest in full, the second half, the third a third…) the group scores ${score}.`,
    ]);
    expect(summarizeGroupScore(parts)).toBe("3 findings (1 high, 2 medium): highest 40, 100 in all");
  });

  it("says a group of one scores what its finding scores", () => {
    const one = { ...parts, top: 12.5, impact: 12.5, count: 1, bySeverity: { critical: 1 } };
    expect(explainGroupScore(one, 12.5)).toEqual(["One finding (1 critical), scoring 12.5: the group scores the same."]);
    expect(summarizeGroupScore(one)).toBe("one critical finding");
  });
});
