import { describe, expect, it } from "vitest";
import { toolRisk } from "./tool-risk";

describe("toolRisk", () => {
  it("reads absent hints with the MCP specification's defaults", () => {
    expect(toolRisk({ readOnlyHint: true }).risk).toBe("low");
    // readOnlyHint false alone: destructive and open-world by default.
    expect(toolRisk({ readOnlyHint: false }).risk).toBe("critical");
    expect(toolRisk({ readOnlyHint: false, destructiveHint: false }).risk).toBe("high");
    expect(toolRisk({ readOnlyHint: false, openWorldHint: false }).risk).toBe("high");
    expect(toolRisk({ readOnlyHint: false, destructiveHint: false, openWorldHint: false }).risk).toBe("medium");
    expect(toolRisk({ destructiveHint: true, openWorldHint: true }).risk).toBe("critical");
  });

  it("a read-only tool is low risk even in an open world", () => {
    expect(toolRisk({ readOnlyHint: true, openWorldHint: true, destructiveHint: true }).risk).toBe("low");
  });

  it("no annotations at all is high: unknown, not trusted", () => {
    expect(toolRisk(undefined)).toEqual({ risk: "high", reason: "no annotations: behaviour unknown" });
    expect(toolRisk({}).risk).toBe("high");
    expect(toolRisk({ title: "x" }).risk).toBe("high");
  });
});
