import { describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs script without type declarations
import { auditVerdict } from "./audit-verdict.mjs";

const report = (vulnerabilities: Record<string, unknown>) => JSON.stringify({ auditReportVersion: 2, vulnerabilities });
const advisory = (url: string, severity: string) => ({ source: 1, name: "x", title: "t", url, severity });

describe("the npm audit step of npm test", () => {
  it("fails on a high or critical advisory that the allow-list does not explain, naming it", () => {
    const v = auditVerdict(report({ pkg: { severity: "critical", via: [advisory("https://github.com/advisories/GHSA-aaaa", "critical")] } }), "", {});
    expect(v.serious).toEqual(["pkg (critical): https://github.com/advisories/GHSA-aaaa"]);
  });

  it("passes an explained one, moderate ones, and packages vulnerable only through another", () => {
    const v = auditVerdict(
      report({
        pkg: { severity: "high", via: [advisory("https://github.com/advisories/GHSA-aaaa", "high")] },
        dep: { severity: "high", via: ["pkg"] },
        low: { severity: "moderate", via: [advisory("https://github.com/advisories/GHSA-bbbb", "moderate")] },
      }),
      "",
      { "GHSA-aaaa": "not reachable: we never call the affected API" },
    );
    expect(v).toMatchObject({ ran: true, serious: [] });
    expect(v.message).toContain("3 advisories of any severity");
  });

  it("says so when the registry has no advisory endpoint, as on this project's machines", () => {
    const v = auditVerdict(
      JSON.stringify({ message: "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk", statusCode: 405 }),
      "",
      {},
    );
    expect(v).toMatchObject({ ran: false, serious: [] });
    expect(v.message).toContain("405 Method Not Allowed");
    expect(auditVerdict("", "npm error code ENOTFOUND", {}).message).toContain("ENOTFOUND");
  });
});
