import { describe, expect, it } from "vitest";
import { blastFactor, explainScore, exposureFactor, freshnessOf, groupScore, scoreOf, type ScoreParts } from "./priority";

const DAY = 86_400_000;

describe("priority arithmetic", () => {
  it("multiplies severity, blast radius, exposure and freshness", () => {
    const parts: ScoreParts = {
      severity: { value: "high", factor: 4 },
      blastRadius: { weight: 15, tools: 3, resources: 3, principals: 1, describe: "reaches 3 risky tools and 3 resources", factor: blastFactor(15) },
      exposure: { factors: ["hard_coded", "uncertified"], factor: exposureFactor(["hard_coded", "uncertified"]) },
      freshness: { firstSeenAt: "2026-01-01T00:00:00.000Z", factor: 1.2, label: "new this month" },
      cause: { id: "g", kind: "group", name: "G", resolves: true, why: "w" },
    };
    expect(parts.blastRadius.factor).toBe(5); // 1 + log2(16)
    expect(parts.exposure.factor).toBe(3); // (1 + 1) × (1 + 0.5)
    expect(scoreOf(parts)).toBe(72);
    expect(explainScore(parts)).toEqual([
      "Severity high: ×4.",
      "Blast radius: reaches 3 risky tools and 3 resources (weight 15): ×5.",
      "Exposure: a hard-coded secret on the way, access nobody certified: ×3.",
      "Freshness: new this month: ×1.2.",
    ]);
  });

  it("grows the blast radius with what is at stake, but by its logarithm", () => {
    expect(blastFactor(0)).toBe(1);
    expect(blastFactor(1000)).toBeGreaterThan(blastFactor(10));
    expect(blastFactor(1_000_000) / blastFactor(1000)).toBeLessThan(2.1);
  });

  it("steps freshness down with age", () => {
    const now = new Date("2026-06-30T00:00:00Z");
    expect(freshnessOf(new Date(now.getTime() - 2 * DAY), now).factor).toBe(1.5);
    expect(freshnessOf(new Date(now.getTime() - 20 * DAY), now).factor).toBe(1.2);
    expect(freshnessOf(new Date(now.getTime() - 200 * DAY), now).factor).toBe(1);
  });

  it("scores a group with diminishing returns: many findings rank high without burying one severe finding", () => {
    expect(groupScore([30, 20, 10])).toBe(43.33);
    const thousandSmall = groupScore(Array.from({ length: 1000 }, () => 10));
    expect(thousandSmall).toBeGreaterThan(groupScore([60]));
    expect(thousandSmall).toBeLessThan(groupScore([100]));
  });
});
