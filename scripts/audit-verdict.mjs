/**
 * Reads `npm audit --json` output: which high or critical advisories are not explained in the allow-list
 * (keys are advisory ids or URLs, values the reason), or why the audit could not run.
 * @param {string} stdout @param {string} stderr @param {Record<string, string>} allowed
 * @returns {{ ran: boolean, serious: string[], message: string }}
 */
export function auditVerdict(stdout, stderr, allowed) {
  let report = null;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = null;
  }
  if (!report || typeof report !== "object" || !report.vulnerabilities) {
    const why = report?.error?.summary ?? report?.message ?? ((stderr || "no answer").trim().split("\n").pop() || "no answer");
    return { ran: false, serious: [], message: `npm audit could not run here (${why}); advisories not checked.` };
  }
  const serious = [];
  for (const [name, v] of Object.entries(report.vulnerabilities)) {
    if (v.severity !== "high" && v.severity !== "critical") continue;
    // A package vulnerable only through another (`via` names a package) is reported under that package.
    const ids = (v.via ?? []).filter((x) => x && typeof x === "object").map((x) => String(x.url ?? x.source));
    const unexplained = ids.filter((id) => !Object.keys(allowed).some((a) => id.includes(a)));
    if (unexplained.length) serious.push(`${name} (${v.severity}): ${unexplained.join(", ")}`);
  }
  const total = Object.keys(report.vulnerabilities).length;
  return {
    ran: true,
    serious,
    message: serious.length
      ? `npm audit: ${serious.length} unexplained high or critical advisories`
      : `npm audit: no unexplained high or critical advisory (${total} advisories of any severity).`,
  };
}
