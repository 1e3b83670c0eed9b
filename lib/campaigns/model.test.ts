import { describe, expect, it } from "vitest";
import { combineOutcome, justificationRequired, riskAtLeast } from "./model";

describe("combining answers into an outcome", () => {
  it("a single-level item ends as its answer, or no_response when unanswered", () => {
    expect(combineOutcome("approve", undefined, null, false).outcome).toBe("approve");
    expect(combineOutcome(null, undefined, null, false)).toEqual({ outcome: "no_response", reason: "no answer by close" });
  });

  it("revoke on no response turns an unanswered item into a revoke, and says so", () => {
    const r = combineOutcome(null, undefined, null, true);
    expect(r.outcome).toBe("revoke");
    expect(r.reason).toContain("revoked on no response");
  });

  it("under any_revoke one revoke revokes, and approval needs both levels", () => {
    expect(combineOutcome("approve", "revoke", "any_revoke", false).outcome).toBe("revoke");
    expect(combineOutcome("revoke", null, "any_revoke", false).outcome).toBe("revoke");
    expect(combineOutcome("approve", "approve", "any_revoke", false).outcome).toBe("approve");
    expect(combineOutcome("approve", null, "any_revoke", false).outcome).toBe("no_response");
    expect(combineOutcome("approve", "abstain", "any_revoke", false).outcome).toBe("abstain");
  });

  it("under second_level_final the second level's approve or revoke stands", () => {
    expect(combineOutcome("revoke", "approve", "second_level_final", false).outcome).toBe("approve");
    expect(combineOutcome("approve", "revoke", "second_level_final", false).outcome).toBe("revoke");
    expect(combineOutcome("approve", null, "second_level_final", false).outcome).toBe("approve");
    expect(combineOutcome(null, null, "second_level_final", true).outcome).toBe("revoke");
  });
});

describe("justification rules", () => {
  it("a revoke always needs a justification; an approval only on high-risk access", () => {
    expect(justificationRequired("revoke", false)).toBe(true);
    expect(justificationRequired("approve", false)).toBe(false);
    expect(justificationRequired("approve", true)).toBe(true);
    expect(justificationRequired("abstain", true)).toBe(false);
  });

  it("risk levels compare in order, and no risk is below every level", () => {
    expect(riskAtLeast("critical", "high")).toBe(true);
    expect(riskAtLeast("medium", "high")).toBe(false);
    expect(riskAtLeast(null, "low")).toBe(false);
  });
});
