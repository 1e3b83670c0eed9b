import { describe, expect, it } from "vitest";
import { newId, ulid } from "./ids";

describe("ids", () => {
  it("are prefixed, 26 Crockford characters, time-sortable, and distinct across many pool refills", () => {
    const seen = new Set<string>();
    let prev = "";
    for (let i = 0; i < 5000; i++) {
      const id = newId("tst");
      expect(id).toMatch(/^tst_[0-9a-hjkmnp-tv-z]{26}$/);
      const body = id.slice(4, 14);
      expect(body >= prev).toBe(true);
      prev = body;
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
  });

  it("puts the given time first, so ids made later sort after", () => {
    expect(ulid(1_000).slice(0, 10) < ulid(2_000).slice(0, 10)).toBe(true);
    expect(ulid(0).slice(0, 10)).toBe("0000000000");
  });

  it("draws random parts that vary in every position (no byte reused across ids)", () => {
    const rand = Array.from({ length: 600 }, () => ulid(0).slice(10));
    // Consecutive ids from one pool never share their random part or its halves.
    for (let i = 1; i < rand.length; i++) {
      expect(rand[i]!.slice(0, 8)).not.toBe(rand[i - 1]!.slice(0, 8));
      expect(rand[i]!.slice(8)).not.toBe(rand[i - 1]!.slice(8));
    }
    for (let p = 0; p < 16; p++) expect(new Set(rand.map((r) => r[p])).size).toBeGreaterThan(20);
  });
});
