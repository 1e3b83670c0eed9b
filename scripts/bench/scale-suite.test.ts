import { describe, expect, it } from "vitest";
import { measureInProcess, parseScaleArgs } from "./scale-suite";

const fail = (m: string): never => {
  throw new Error(m);
};

describe("the scale suite's options", () => {
  it("reads the flags, and refuses what it does not know", () => {
    const o = parseScaleArgs(
      ["--size", "l", "--url", "postgres://x/y", "--reuse-db", "attest_l", "--no-import", "--skip-waiting-changes", "--no-http-decode", "--queries=50"],
      fail,
    );
    expect(o).toMatchObject({ size: "L", reuseDb: "attest_l", import: false, skipWaiting: true, httpDecode: false, queries: 50 });
    expect(() => parseScaleArgs(["--url", "postgres://x/y", "--size", "XL"], fail)).toThrow("--size must be S, M or L");
    expect(() => parseScaleArgs(["--url", "postgres://x/y", "--reuse-db", "attest-l; drop"], fail)).toThrow(/--reuse-db must name a database/);
    expect(() => parseScaleArgs(["--url", "postgres://x/y", "--frob"], fail)).toThrow("unknown flag --frob");
  });
});

describe("measureInProcess", () => {
  it("reports a step's peak memory at least what it held, and its failure without throwing", async () => {
    const before = process.memoryUsage().rss;
    const r = await measureInProcess("hold", async () => {
      const held = Buffer.alloc(64 * 2 ** 20, 1);
      await new Promise((res) => setTimeout(res, 250));
      return held.length;
    });
    expect(r.value).toBe(64 * 2 ** 20);
    expect(r.result.peakRssBytes).toBeGreaterThanOrEqual(before + 60 * 2 ** 20);
    const bad = await measureInProcess("fails", async () => {
      throw new Error("statement timeout");
    });
    expect(bad.result.error).toBe("statement timeout");
    expect(bad.value).toBeUndefined();
  });
});
