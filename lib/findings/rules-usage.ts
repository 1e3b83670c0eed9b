import { riskAtLeast, DAY_MS, isDisabled, nameList, severityOf, type RuleContext } from "./context";
import { EvidenceBuilder, type FoundFinding } from "./evidence";
import { toolRisks, Walker } from "./reach";

/** Not called for longer than this (and usage data older than this): unused. The reviews' threshold too. */
export const UNUSED_TOOL_DAYS = 90;
/** Principals this rule asks about: identities that act on their own (people are asked in reviews). */
export const UNUSED_ACCESS_KINDS = ["agent", "service_account"] as const;
const SAMPLE = 20;

/**
 * NHI5: an agent or service account that can reach high- or critical-risk tools (lib/graph/tool-risk.ts) it has not
 * called in UNUSED_TOOL_DAYS, counting only tools whose usage data (gateways' tool calls: the decision log and OTLP
 * spans, tool_usage) began more than UNUSED_TOOL_DAYS ago, so a company without telemetry gets no finding. One
 * finding per principal, listing the unused tools (the 20 first by id in the evidence) with their last call.
 * `only`: an incremental evaluation's principals.
 */
export function unusedHighRiskFindings(ctx: RuleContext, only?: ReadonlySet<string>): FoundFinding[] {
  const use = ctx.snap.toolUse;
  if (!use || use.coveredSince.size === 0) return [];
  const { ix } = ctx.snap;
  const cutoff = ctx.now.getTime() - UNUSED_TOOL_DAYS * DAY_MS;
  const risks = toolRisks(ctx);
  const walker = new Walker(ix);
  const out: FoundFinding[] = [];
  const principals = [...ctx.snap.nodes.values()]
    .filter((n) => (!only || only.has(n.id)) && n.current && (UNUSED_ACCESS_KINDS as readonly string[]).includes(n.kind) && !isDisabled(n))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const p of principals) {
    const start = ix.indexOf.get(p.id);
    if (start === undefined) continue;
    const unused: { tool: string; name: string; risk: string; lastUsedAt: string | null; usageSince: string }[] = [];
    for (const r of walker.walk(start, ctx.settings.maxDepth).reached) {
      const risk = risks.get(r.node);
      if (!risk || !riskAtLeast(risk.risk, "high")) continue;
      const toolId = ix.ids[r.node]!;
      const since = use.coveredSince.get(toolId);
      if (!since || since.getTime() > cutoff) continue;
      const last = use.lastUse.get(`${p.id}\u0000${toolId}`);
      if (last && last.getTime() > cutoff) continue;
      unused.push({
        tool: toolId,
        name: ctx.snap.nodes.get(toolId)?.name ?? toolId,
        risk: risk.risk,
        lastUsedAt: last?.toISOString() ?? null,
        usageSince: since.toISOString(),
      });
    }
    if (!unused.length) continue;
    unused.sort((a, b) => (a.tool < b.tool ? -1 : 1));
    const b = new EvidenceBuilder().node(p.id);
    for (const u of unused.slice(0, SAMPLE)) b.node(u.tool).attr(u.tool, "risk", u.risk);
    b.fact("unusedDays", UNUSED_TOOL_DAYS).fact("count", unused.length).fact("unused", unused.slice(0, SAMPLE));
    const names = [...new Set(unused.map((u) => u.name))].sort();
    out.push({
      rule: "unused_high_risk_access",
      key: p.id,
      subjectId: p.id,
      subjectKind: p.kind,
      subjectName: p.name,
      severity: severityOf(ctx, "unused_high_risk_access"),
      title: `${p.name} can call ${unused.length === 1 ? "a high-risk tool" : `${unused.length} high-risk tools`} it has not used in ${UNUSED_TOOL_DAYS} days: ${nameList(names)}`,
      evidence: b.evidence,
    });
  }
  return out;
}
