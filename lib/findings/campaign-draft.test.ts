import { describe, expect, it } from "vitest";
import { campaignDefinitionFor, MAX_TARGETS } from "./campaign-draft";
import type { FindingEvidence } from "./evidence";

const evidence = (facts: Record<string, unknown> = {}, edges: FindingEvidence["edges"] = []): FindingEvidence => ({ nodes: [], edges, attributes: [], facts });
const now = new Date("2026-11-25T10:00:00Z");

describe("a campaign from findings", () => {
  it("reviews who uses a leaked credential, and an agent's access to the tools nobody certified", () => {
    const { definition } = campaignDefinitionFor(
      [
        { id: "fnd_1", rule: "hardcoded_secret", severity: "critical", subjectId: "cred_1", subjectKind: "credential", evidence: evidence() },
        {
          id: "fnd_2",
          rule: "uncertified_risky_tool",
          severity: "high",
          subjectId: "agt_1",
          subjectKind: "agent",
          evidence: evidence({ minRisk: "high", sample: [{ tool: "tool_1" }, { tool: "tool_2" }] }),
        },
      ],
      now,
    );
    expect(definition).toMatchObject({
      reviewerStrategy: "target_owner",
      dueAt: "2026-12-09",
      control: "OWASP NHI — non-human identity review",
      name: "Findings review: 2 findings",
    });
    expect(definition.scope.targets).toEqual(["cred_1", "tool_1", "tool_2"]);
    expect(definition.scope.edgeKinds).toEqual(expect.arrayContaining(["uses_credential", "connects_to", "has_entitlement", "acts_for"]));
    // One finding has no subject kind restriction, so the merged scope has none.
    expect(definition.scope.subjectKinds).toBeUndefined();
  });

  it("keeps the most severe findings' targets when there are more than a scope takes", () => {
    const many = Array.from({ length: MAX_TARGETS + 5 }, (_, i) => ({
      id: `fnd_${String(i).padStart(3, "0")}`,
      rule: "insecure_mcp_server" as const,
      severity: i === 54 ? ("critical" as const) : ("medium" as const),
      subjectId: `mcp_${i}`,
      subjectKind: "mcp_server",
      evidence: evidence(),
    }));
    const { definition, clippedTargets } = campaignDefinitionFor(many, now);
    expect(definition.scope.targets).toHaveLength(MAX_TARGETS);
    expect(definition.scope.targets![0]).toBe("mcp_54");
    expect(clippedTargets).toBe(5);
    expect(definition.name).toBe("Findings review: Insecure MCP server");
  });
});
