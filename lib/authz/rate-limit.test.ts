import { describe, expect, it } from "vitest";
import { enforceRateLimit, rateLimit } from "./rate-limit";

describe("rateLimit", () => {
  it("allows up to the limit per window, then refuses until the window ends", () => {
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) expect(rateLimit("k1", 5, 60_000, t0 + i)).toBe(true);
    expect(rateLimit("k1", 5, 60_000, t0 + 10)).toBe(false);
    expect(rateLimit("k2", 5, 60_000, t0 + 10)).toBe(true);
    expect(rateLimit("k1", 5, 60_000, t0 + 60_001)).toBe(true);
  });

  it("enforceRateLimit answers 429", () => {
    for (let i = 0; i < 3; i++) enforceRateLimit("k3", 3, 60_000, "attempts");
    expect(() => enforceRateLimit("k3", 3, 60_000, "attempts")).toThrow(expect.objectContaining({ code: "rate_limited", status: 429 }));
  });
});
