import { afterEach, describe, expect, it } from "vitest";
import {
  allowSampleRateFromEnv,
  allowWeight,
  configureDecisionSampling,
  FLUSH_AT,
  MAX_PENDING,
  onDecisionsWaiting,
  pendingDecisions,
  recordDecision,
  resetDecisionLogForTests,
  returnDecisions,
  takeDecisions,
} from "./decision-log";
import { decision } from "./test-decision";

/** A small seeded generator (mulberry32), so the sampling test is exact and never flaky. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

afterEach(() => resetDecisionLogForTests());

describe("sampling of allows", () => {
  it("reads ATTEST_PDP_ALLOW_SAMPLE as a number in 0..1 and refuses anything else, naming the variable", () => {
    expect(allowSampleRateFromEnv({})).toBe(1);
    expect(allowSampleRateFromEnv({ ATTEST_PDP_ALLOW_SAMPLE: "0.25" })).toBe(0.25);
    expect(allowSampleRateFromEnv({ ATTEST_PDP_ALLOW_SAMPLE: "0" })).toBe(0);
    for (const bad of ["1.5", "-0.1", "half", "0x1", "NaN", "Infinity"])
      expect(() => allowSampleRateFromEnv({ ATTEST_PDP_ALLOW_SAMPLE: bad })).toThrow(/ATTEST_PDP_ALLOW_SAMPLE/);
  });

  it("a kept allow carries weight round(1/rate); rate 1 keeps all with weight 1, rate 0 keeps none", () => {
    expect(allowWeight(1)).toBe(1);
    expect(allowWeight(0.1)).toBe(10);
    expect(allowWeight(0.3)).toBe(3);
    expect(allowWeight(0.7)).toBe(1);
    expect(allowWeight(0)).toBe(0);
  });

  it("at rate 0.1, about one allow in ten is kept with weight 10, so the weights add up to the allows; every deny is kept with weight 1", () => {
    configureDecisionSampling({ allowRate: 0.1, random: seeded(20) });
    for (let i = 0; i < 10_000; i++) recordDecision(decision({ decision: true }));
    for (let i = 0; i < 50; i++) recordDecision(decision({ decision: false, reasonCode: "no_path" }));
    const { records, sampledOut } = takeDecisions(MAX_PENDING);
    const allows = records.filter((r) => r.decision);
    const denies = records.filter((r) => !r.decision);
    expect(denies).toHaveLength(50);
    expect(denies.every((r) => r.weight === 1)).toBe(true);
    expect(allows.every((r) => r.weight === 10)).toBe(true);
    // Binomial(10 000, 0.1): mean 1 000, sd 30; this seed's draw is fixed, the bound is ±4 sd.
    expect(allows.length).toBeGreaterThan(880);
    expect(allows.length).toBeLessThan(1120);
    expect(allows.length + sampledOut).toBe(10_000);
    const estimate = allows.reduce((n, r) => n + r.weight, 0);
    expect(Math.abs(estimate - 10_000)).toBeLessThan(1_200);
  });

  it("at rate 0 no allow is kept, and each is counted as sampled out", () => {
    configureDecisionSampling({ allowRate: 0 });
    for (let i = 0; i < 5; i++) recordDecision(decision());
    recordDecision(decision({ decision: false }));
    expect(takeDecisions(100)).toMatchObject({ records: [{ decision: false, weight: 1 }], sampledOut: 5, dropped: 0 });
  });
});

describe("the intake is bounded", () => {
  it(`keeps at most ${MAX_PENDING} waiting records and counts the rest as dropped, reported once`, () => {
    for (let i = 0; i < MAX_PENDING + 25; i++) recordDecision(decision({ decision: false }));
    expect(pendingDecisions()).toBe(MAX_PENDING);
    const first = takeDecisions(10);
    expect(first.records).toHaveLength(10);
    expect(first.dropped).toBe(25);
    expect(takeDecisions(10).dropped).toBe(0);
  });

  it("wakes the writer when FLUSH_AT records wait", () => {
    let woken = 0;
    onDecisionsWaiting(() => woken++);
    for (let i = 0; i < FLUSH_AT - 1; i++) recordDecision(decision());
    expect(woken).toBe(0);
    recordDecision(decision());
    expect(woken).toBe(1);
  });

  it("a batch given back goes ahead of newer records, and its counters come back with it", () => {
    recordDecision(decision({ requestId: "old" }));
    const batch = takeDecisions(10);
    recordDecision(decision({ requestId: "new" }));
    returnDecisions({ ...batch, dropped: 2, sampledOut: 3 });
    const again = takeDecisions(10);
    expect(again.records.map((r) => r.requestId)).toEqual(["old", "new"]);
    expect(again).toMatchObject({ dropped: 2, sampledOut: 3 });
  });
});
