import { describe, expect, it } from "vitest";
import { RISK_REASON_CODES, riskRank, toolRisk } from "./tool-risk";

const code = (a: Record<string, unknown> | undefined | null) => {
  const r = toolRisk(a);
  return `${r.risk}/${r.reasonCode}`;
};

describe("toolRisk: a level and a reason", () => {
  it("a tool that declares itself destructive is critical, in a closed world too", () => {
    expect(code({ readOnlyHint: false, destructiveHint: true, openWorldHint: true })).toBe("critical/declared_destructive_open_world");
    expect(code({ readOnlyHint: false, destructiveHint: true, openWorldHint: false })).toBe("critical/declared_destructive");
    expect(toolRisk({ readOnlyHint: false, destructiveHint: true, openWorldHint: false }).reason).toBe("declares itself destructive, closed world");
  });

  it("a writing tool that leaves destructiveHint out is high, below one that declares itself destructive", () => {
    expect(code({ readOnlyHint: false, openWorldHint: false })).toBe("high/destructive_unknown");
    expect(code({ readOnlyHint: false, openWorldHint: true })).toBe("high/destructive_unknown_open_world");
    const declared = toolRisk({ readOnlyHint: false, destructiveHint: true, openWorldHint: false });
    const unknown = toolRisk({ readOnlyHint: false, openWorldHint: false });
    expect(riskRank(declared)).toBeGreaterThan(riskRank(unknown));
    expect(unknown.reason).toMatch(/does not say whether it is destructive/);
  });

  it("writing to an open world is high even when the tool says it is not destructive", () => {
    expect(code({ readOnlyHint: false, destructiveHint: false, openWorldHint: true })).toBe("high/open_world_write");
  });

  it("writing, not destructive, closed world is medium", () => {
    expect(code({ readOnlyHint: false, destructiveHint: false, openWorldHint: false })).toBe("medium/write");
  });

  it("read-only is low, and says whether it reaches an open world; destructiveHint does not count then", () => {
    expect(code({ readOnlyHint: true, openWorldHint: false })).toBe("low/read_only");
    expect(code({ readOnlyHint: true, openWorldHint: true })).toBe("low/read_only_open_world");
    expect(code({ readOnlyHint: true, destructiveHint: true, openWorldHint: false })).toBe("low/read_only");
  });

  it("no annotations at all is high: unknown, not trusted", () => {
    expect(toolRisk(undefined)).toEqual({ risk: "high", reasonCode: "no_annotations", reason: "no annotations: behaviour unknown" });
    expect(code(null)).toBe("high/no_annotations");
    expect(code({})).toBe("high/no_annotations");
    // A title is not a behaviour hint.
    expect(code({ title: "x" })).toBe("high/no_annotations");
  });
});

describe("toolRisk reads absent hints with the MCP specification's defaults", () => {
  it("absent readOnlyHint is false: the tool writes", () => {
    expect(code({ destructiveHint: false, openWorldHint: false })).toBe("medium/write");
    expect(toolRisk({ destructiveHint: false, openWorldHint: false }).reason).toMatch(/readOnlyHint absent/);
  });

  it("absent destructiveHint is true: may destroy (high), but below a declared destructive tool", () => {
    expect(code({ readOnlyHint: false, openWorldHint: false })).toBe("high/destructive_unknown");
    expect(toolRisk({ readOnlyHint: false, openWorldHint: false }).reason).toMatch(/destructiveHint absent: destructive by the MCP default/);
  });

  it("absent openWorldHint is true: open world", () => {
    expect(code({ readOnlyHint: false, destructiveHint: true })).toBe("critical/declared_destructive_open_world");
    expect(toolRisk({ readOnlyHint: false, destructiveHint: true }).reason).toMatch(/openWorldHint absent: open by the MCP default/);
    expect(code({ readOnlyHint: false, destructiveHint: false })).toBe("high/open_world_write");
    expect(code({ readOnlyHint: true })).toBe("low/read_only_open_world");
  });

  it("only readOnlyHint false (or only idempotentHint): every default applies", () => {
    expect(code({ readOnlyHint: false })).toBe("high/destructive_unknown_open_world");
    expect(code({ idempotentHint: true })).toBe("high/destructive_unknown_open_world");
  });

  it("a hint that is not a boolean is not said", () => {
    expect(code({ readOnlyHint: "true", destructiveHint: "no", openWorldHint: 0 })).toBe("high/destructive_unknown_open_world");
  });
});

describe("riskRank", () => {
  it("orders the reasons in the documented order, level first", () => {
    const samples: Record<string, Record<string, unknown> | undefined> = {
      declared_destructive_open_world: { readOnlyHint: false, destructiveHint: true },
      declared_destructive: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
      destructive_unknown_open_world: { readOnlyHint: false },
      no_annotations: undefined,
      destructive_unknown: { readOnlyHint: false, openWorldHint: false },
      open_world_write: { readOnlyHint: false, destructiveHint: false },
      write: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
      read_only_open_world: { readOnlyHint: true },
      read_only: { readOnlyHint: true, openWorldHint: false },
    };
    const ranks = RISK_REASON_CODES.map((c) => {
      const r = toolRisk(samples[c]);
      expect(r.reasonCode).toBe(c);
      return riskRank(r);
    });
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  it("a risk a source declared ranks first within its level", () => {
    expect(riskRank({ risk: "high", reasonCode: "declared_by_source" })).toBeGreaterThan(
      riskRank({ risk: "high", reasonCode: "destructive_unknown_open_world" }),
    );
    expect(riskRank({ risk: "high", reasonCode: "declared_by_source" })).toBeLessThan(riskRank({ risk: "critical", reasonCode: "declared_destructive" }));
  });
});
