import { describe, expect, it } from "vitest";
import { judgePage, median, pageSummary, pageTable, type PageMeasure } from "./page-report";

const measure = (over: Partial<PageMeasure> = {}): PageMeasure => ({
  visit: { route: "/mcp", path: "/mcp", visitor: "admin", label: "" },
  finalPath: "/mcp",
  status: 200,
  samplesMs: [300, 200, 900],
  heightPx: 4000,
  viewportPx: 800,
  ...over,
});

describe("the page benchmark's verdicts", () => {
  it("takes the median of the timed requests", () => {
    expect(median([300, 200, 900])).toBe(300);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("passes a page under a second and at most ten screens tall", () => {
    const r = judgePage(measure());
    expect(r).toMatchObject({ medianMs: 300, screens: 5, pass: true, misses: [] });
    expect(judgePage(measure({ heightPx: 8000 })).pass).toBe(true);
  });

  it("fails a slow or tall page, saying which target it misses", () => {
    expect(judgePage(measure({ samplesMs: [1000, 1200, 3000] })).misses).toEqual(["1200 ms ≥ 1000 ms"]);
    expect(judgePage(measure({ heightPx: 195_000 })).misses).toEqual(["243.8 screens > 10"]);
    expect(judgePage(measure({ status: 500 })).misses).toEqual(["HTTP 500"]);
    expect(judgePage(measure({ error: "timed out", samplesMs: [], heightPx: 0 }))).toMatchObject({ pass: false, misses: ["timed out"] });
  });

  it("prints one row per visit, with the redirect and the verdict", () => {
    const results = [
      judgePage(measure()),
      judgePage(
        measure({
          visit: { route: "/nodes/[id]", path: "/nodes/grp_1", visitor: "reviewer", label: "a big group" },
          finalPath: "/ownership/mine?x=1",
          heightPx: 16_000,
        }),
      ),
    ];
    const lines = pageTable(results).split("\n");
    expect(lines[0]).toMatch(/^page\s+as\s+redirect\s+ms\s+screens\s+result$/);
    expect(lines[2]).toMatch(/^\/mcp\s+admin\s+300\s+5\.0\s+pass$/);
    expect(lines[3]).toMatch(/^\/nodes\/\[id\] \(a big group\)\s+reviewer\s+→ \/ownership\/mine\s+300\s+20\.0\s+FAIL: 20\.0 screens > 10$/);
    expect(pageSummary(results)).toEqual({ pages: 2, passed: 1, failed: ["/nodes/[id] (a big group) as reviewer"] });
  });
});
