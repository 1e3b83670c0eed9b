import { PRINCIPAL_KINDS, type NodeKind } from "@/lib/graph/model";
import type { ToolRisk } from "@/lib/graph/tool-risk";
import { bfs, pathTo, type PathOut, type Search } from "@/lib/graph/traverse";
import { compareRisk, DAY_MS, isDisabled, KIND, nameList, nameOf, pathEdges, severityOf, type RuleContext } from "./context";
import { nodeCause, PathShares, reachCause } from "./causes";
import { EvidenceBuilder, type FoundFinding } from "./evidence";
import { principalBlast } from "./score";
import { isRisky, joinPaths, MCP_KINDS, McpReach, toolRisks, Walker } from "./reach";
import type { Certification, SnapNode } from "./snapshot";

type Risks = Map<number, { risk: ToolRisk; reason: string }>;

/**
 * The rules that need what a principal reaches, computed from one breadth-first
 * search per principal (plus one that avoids MCP servers and tools, for dual
 * paths): NHI5 uncertified risky tools (agents), dual access paths and
 * over-broad reach. Disabled principals are skipped: their reach is not exercised.
 */
export function principalReachFindings(
  ctx: RuleContext,
  enabled: {
    uncertified: boolean;
    dual: boolean;
    overBroad: boolean;
    /** Only these principals (an incremental evaluation's scope). */ only?: ReadonlySet<string>;
  },
): FoundFinding[] {
  const { ix } = ctx.snap;
  const risks = toolRisks(ctx);
  const mcp = new McpReach(ix, ctx.settings.maxDepth);
  const scratch = new DualScratch(ix.ids.length);
  const walker = new Walker(ix);
  const directWalker = new Walker(ix);
  const certs = new Certifications(ctx);
  const shares = new PathShares(ix);
  const directShares = new PathShares(ix);
  const dualKinds = new Set<NodeKind>(ctx.settings.dualPathPrincipalKinds);
  const broadKinds = new Set<NodeKind>(ctx.settings.overBroadPrincipalKinds);
  const out: FoundFinding[] = [];
  const principals = [...ctx.snap.nodes.values()]
    .filter((n) => (!enabled.only || enabled.only.has(n.id)) && n.current && (PRINCIPAL_KINDS as readonly string[]).includes(n.kind) && !isDisabled(n))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const p of principals) {
    const wantUncertified = enabled.uncertified && p.kind === "agent";
    const wantDual = enabled.dual && dualKinds.has(p.kind);
    const wantBroad = enabled.overBroad && broadKinds.has(p.kind);
    if (!wantUncertified && !wantDual && !wantBroad) continue;
    const start = ix.indexOf.get(p.id);
    if (start === undefined) continue;
    const search = walker.walk(start, ctx.settings.maxDepth);
    // Causes and blast radius are computed only for principals with a finding (path counts once per search).
    let counted = false;
    const paths = () => {
      if (!counted) shares.compute(start, search.reached);
      counted = true;
      return shares;
    };
    const found: FoundFinding[] = [];
    if (wantUncertified) {
      const r = uncertifiedTools(ctx, p, search, risks, certs);
      if (r) {
        const n = r.targets.length;
        r.finding.cause = reachCause(ctx, paths(), start, {
          a: r.targets,
          fixedWhen: (a) => a === 0,
          couldFix: (a) => a >= n,
          what: "uncertified risky tools",
        });
        found.push(r.finding);
      }
    }
    if (wantDual) {
      const r = dualPaths(ctx, p, start, search, mcp, scratch, directWalker);
      if (r) {
        // The direct route is the one to cut (the MCP route is the governed one): paths of the direct search.
        directShares.compute(start, r.direct.reached);
        r.finding.cause = reachCause(ctx, directShares, start, {
          a: r.targets,
          fixedWhen: (a) => a === 0,
          couldFix: (a) => a >= r.targets.length,
          what: "resources reached both ways",
          avoid: MCP_KINDS,
        });
        found.push(r.finding);
      }
    }
    if (wantBroad) {
      const r = overBroad(ctx, p, search, risks);
      if (r) {
        const { tools, resources } = r;
        const t = ctx.settings.overBroadHighRiskTools;
        const m = ctx.settings.overBroadResources;
        r.finding.cause = reachCause(ctx, paths(), start, {
          a: tools,
          b: resources,
          // Fixed when what is left is within both thresholds.
          fixedWhen: (a, b) => a <= t && b <= m,
          couldFix: (a, b) => a >= tools.length - t && b >= resources.length - m,
          what: "risky tools and resources over the thresholds",
        });
        found.push(r.finding);
      }
    }
    if (found.length) {
      const blast = principalBlast(ctx, search, risks);
      for (const f of found) {
        f.blast = blast;
        f.cause ??= nodeCause(ctx, p.id, false, "its own reach");
        out.push(f);
      }
    }
  }
  return out;
}

/** Latest certification of access from a subject to each node, through the items' targets. */
class Certifications {
  private readonly bySubject = new Map<string, Certification[]>();
  private readonly reachCache = new Map<string, Set<number>>();
  constructor(private readonly ctx: RuleContext) {
    for (const c of ctx.snap.certifications) {
      const list = this.bySubject.get(c.subjectId) ?? [];
      list.push(c);
      this.bySubject.set(c.subjectId, list);
    }
  }

  /** What an item's target reaches (itself included): certifying access to it certifies what lies beyond. */
  private reachOf(targetId: string): Set<number> {
    let s = this.reachCache.get(targetId);
    if (!s) {
      const ix = this.ctx.snap.ix;
      const i = ix.indexOf.get(targetId);
      s = new Set(i === undefined ? [] : [i, ...bfs(ix, i, "out", this.ctx.settings.maxDepth).reached.map((r) => r.node)]);
      this.reachCache.set(targetId, s);
    }
    return s;
  }

  /** The latest approval of `subjectId`'s access that reaches node `target` (an index position). */
  latest(subjectId: string, target: number): Certification | null {
    let best: Certification | null = null;
    for (const c of this.bySubject.get(subjectId) ?? []) {
      if ((!best || c.closedAt > best.closedAt) && this.reachOf(c.targetId).has(target)) best = c;
    }
    return best;
  }
}

/** By name, then id: a plain comparison (localeCompare is too slow for thousands of rows per principal). */
function byName(ctx: RuleContext, a: string, b: string): number {
  const na = nameOf(ctx.snap, a);
  const nb = nameOf(ctx.snap, b);
  return na < nb ? -1 : na > nb ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

function addPath(ctx: RuleContext, b: EvidenceBuilder, p: PathOut): { nodes: string[]; edges: string[] } {
  for (const e of pathEdges(ctx.snap, p)) b.edge(e);
  for (const id of p.nodes) b.node(id);
  return { nodes: p.nodes, edges: p.edges };
}

function uncertifiedTools(
  ctx: RuleContext,
  agent: SnapNode,
  search: Search,
  risks: Risks,
  certs: Certifications,
): { finding: FoundFinding; targets: number[] } | null {
  const { ix } = ctx.snap;
  const cutoff = ctx.now.getTime() - ctx.settings.certificationMaxAgeDays * DAY_MS;
  const hits: { node: number; risk: ToolRisk; reason: string; cert: Certification | null }[] = [];
  for (const r of search.reached) {
    const risk = risks.get(r.node);
    if (!isRisky(ctx, risk)) continue;
    const cert = certs.latest(agent.id, r.node);
    if (cert && cert.closedAt.getTime() >= cutoff) continue;
    hits.push({ node: r.node, ...risk!, cert });
  }
  if (hits.length === 0) return null;
  hits.sort((a, z) => compareRisk(z.risk, a.risk) || byName(ctx, ix.ids[a.node]!, ix.ids[z.node]!));
  const b = new EvidenceBuilder().node(agent.id);
  // Examples by id; only the first carries its path (evidence is stored for every finding: it must stay small).
  const sample = hits.slice(0, ctx.settings.evidenceSample).map((h) => {
    const id = ix.ids[h.node]!;
    b.node(id).attr(id, "risk", h.risk);
    return {
      tool: id,
      risk: h.risk,
      reason: h.reason,
      lastCertified: h.cert ? { campaignId: h.cert.campaignId, campaignName: h.cert.campaignName, at: h.cert.closedAt.toISOString() } : null,
    };
  });
  b.fact("path", addPath(ctx, b, pathTo(ix, search, hits[0]!.node, "out")));
  const never = hits.filter((h) => !h.cert).length;
  const byRisk: Record<string, number> = {};
  for (const h of hits) byRisk[h.risk] = (byRisk[h.risk] ?? 0) + 1;
  b.fact("tools", hits.length)
    .fact("neverCertified", never)
    .fact("certifiedTooLongAgo", hits.length - never)
    .fact("byRisk", byRisk);
  b.fact("certificationMaxAgeDays", ctx.settings.certificationMaxAgeDays).fact("minRisk", ctx.settings.riskyToolMinRisk).fact("sample", sample);
  const what =
    never === hits.length
      ? "never certified"
      : never === 0
        ? `last certified over ${ctx.settings.certificationMaxAgeDays} days ago`
        : `never certified (${never}) or certified over ${ctx.settings.certificationMaxAgeDays} days ago (${hits.length - never})`;
  const finding: FoundFinding = {
    rule: "uncertified_risky_tool",
    key: agent.id,
    subjectId: agent.id,
    subjectKind: "agent",
    subjectName: agent.name,
    severity: severityOf(ctx, "uncertified_risky_tool"),
    title: `${agent.name} reaches ${hits.length} ${ctx.settings.riskyToolMinRisk}-risk or riskier tool${hits.length === 1 ? "" : "s"} ${what}: ${nameList(sample.map((s) => nameOf(ctx.snap, s.tool)))}`,
    evidence: b.evidence,
  };
  return { finding, targets: hits.map((h) => h.node) };
}

/** Scratch arrays for dual paths, reused across principals: a stamp per node says "set for this principal". */
class DualScratch {
  private stampNo = 0;
  readonly stamp: Int32Array;
  readonly depth: Int32Array;
  readonly entry: Int32Array;
  constructor(n: number) {
    this.stamp = new Int32Array(n);
    this.depth = new Int32Array(n);
    this.entry = new Int32Array(n);
  }
  next(): number {
    return ++this.stampNo;
  }
}

function dualPaths(
  ctx: RuleContext,
  p: SnapNode,
  start: number,
  search: Search,
  mcp: McpReach,
  scratch: DualScratch,
  directWalker: Walker,
): { finding: FoundFinding; targets: number[]; direct: Search } | null {
  const { ix } = ctx.snap;
  const max = ctx.settings.maxDepth;
  // Resources reachable through an MCP server or tool: entry depth + depth from the entry, within maxDepth.
  const stamp = scratch.next();
  let any = false;
  for (const r of search.reached) {
    if (!MCP_KINDS.has(ix.kinds[r.node]!)) continue;
    for (const res of mcp.resources(r.node)) {
      const d = r.depth + res.depth;
      if (d > max) continue;
      if (scratch.stamp[res.node] !== stamp || d < scratch.depth[res.node]!) {
        scratch.stamp[res.node] = stamp;
        scratch.depth[res.node] = d;
        scratch.entry[res.node] = r.node;
        any = true;
      }
    }
  }
  if (!any) return null;
  const direct = directWalker.walk(start, max, MCP_KINDS);
  const both = direct.reached.filter((r) => ix.kinds[r.node] === KIND.resource && scratch.stamp[r.node] === stamp).map((r) => r.node);
  if (both.length === 0) return null;
  both.sort((a, z) => byName(ctx, ix.ids[a]!, ix.ids[z]!));
  const b = new EvidenceBuilder().node(p.id);
  const sample = both.slice(0, ctx.settings.evidenceSample).map((res) => ({ resource: ix.ids[res]!, mcp: ix.ids[scratch.entry[res]!]! }));
  // Only the first resource's two paths are kept, to compare their kinds: through MCP, and directly.
  const res = both[0]!;
  const entry = scratch.entry[res]!;
  const through = addPath(ctx, b, joinPaths(pathTo(ix, search, entry, "out"), mcp.path(entry, res)));
  const directly = addPath(ctx, b, pathTo(ix, direct, res, "out"));
  const server = through.nodes.find((id) => ctx.snap.nodes.get(id)?.kind === "mcp_server") ?? ix.ids[entry]!;
  const via = directly.nodes.slice(1, -1).filter((id) => ["credential", "entitlement"].includes(ctx.snap.nodes.get(id)?.kind ?? ""));
  for (const x of sample) b.node(x.resource);
  b.fact("resources", both.length).fact("sample", sample).fact("throughMcp", through).fact("direct", directly).fact("directVia", via);
  const directNames = via.map((id) => nameOf(ctx.snap, id));
  const finding: FoundFinding = {
    rule: "dual_access_path",
    key: p.id,
    subjectId: p.id,
    subjectKind: p.kind,
    subjectName: p.name,
    severity: severityOf(ctx, "dual_access_path"),
    title:
      `${p.name} reaches ${nameOf(ctx.snap, ix.ids[res]!)} through ${nameOf(ctx.snap, server)} and directly` +
      (directNames.length ? ` through ${nameList(directNames, 2)}` : "") +
      (both.length > 1 ? ` (and ${both.length - 1} more resource${both.length === 2 ? "" : "s"} both ways)` : ""),
    evidence: b.evidence,
  };
  return { finding, targets: both, direct };
}

function overBroad(ctx: RuleContext, p: SnapNode, search: Search, risks: Risks): { finding: FoundFinding; tools: number[]; resources: number[] } | null {
  const { ix } = ctx.snap;
  const tools: { node: number; risk: ToolRisk }[] = [];
  const resources: number[] = [];
  for (const r of search.reached) {
    const risk = risks.get(r.node);
    if (risk && isRisky(ctx, risk)) tools.push({ node: r.node, risk: risk.risk });
    else if (ix.kinds[r.node] === KIND.resource) resources.push(r.node);
  }
  const overTools = tools.length > ctx.settings.overBroadHighRiskTools;
  const overResources = resources.length > ctx.settings.overBroadResources;
  if (!overTools && !overResources) return null;
  tools.sort((a, z) => compareRisk(z.risk, a.risk) || a.node - z.node);
  const b = new EvidenceBuilder().node(p.id);
  const sampleTools = tools.slice(0, ctx.settings.evidenceSample).map((t) => ({ tool: ix.ids[t.node]!, risk: t.risk }));
  const sampleResources = resources.slice(0, ctx.settings.evidenceSample).map((r) => ({ resource: ix.ids[r]! }));
  for (const x of sampleTools) b.node(x.tool);
  for (const x of sampleResources) b.node(x.resource);
  const top = overTools ? tools[0]!.node : resources[0]!;
  b.fact("path", addPath(ctx, b, pathTo(ix, search, top, "out")));
  b.fact("variant", "principal").fact("riskyTools", tools.length).fact("resources", resources.length);
  b.fact("thresholds", { riskyTools: ctx.settings.overBroadHighRiskTools, resources: ctx.settings.overBroadResources, minRisk: ctx.settings.riskyToolMinRisk });
  b.fact("sampleTools", sampleTools).fact("sampleResources", sampleResources);
  const parts = [
    overTools ? `${tools.length} ${ctx.settings.riskyToolMinRisk}-risk or riskier tools (threshold ${ctx.settings.overBroadHighRiskTools})` : null,
    overResources ? `${resources.length} resources (threshold ${ctx.settings.overBroadResources})` : null,
  ].filter(Boolean);
  const finding: FoundFinding = {
    rule: "over_broad_reach",
    key: `reach:${p.id}`,
    subjectId: p.id,
    subjectKind: p.kind,
    subjectName: p.name,
    severity: severityOf(ctx, "over_broad_reach"),
    title: `${p.name} reaches ${parts.join(" and ")}`,
    evidence: b.evidence,
  };
  return { finding, tools: tools.map((t) => t.node), resources };
}

/** The groups and credentials with the largest blast radius: what a holder of them reaches (tools, resources, MCP servers). */
export function blastRadiusFindings(ctx: RuleContext): FoundFinding[] {
  if (ctx.settings.blastRadiusTop === 0) return [];
  const { ix } = ctx.snap;
  const out: FoundFinding[] = [];
  const walker = new Walker(ix);
  for (const kind of ["group", "credential"] as const) {
    const ranked: { n: SnapNode; radius: number }[] = [];
    for (const n of ctx.snap.nodes.values()) {
      if (n.kind !== kind || !n.current || isDisabled(n)) continue;
      const i = ix.indexOf.get(n.id);
      if (i === undefined) continue;
      let radius = 0;
      for (const r of walker.walk(i, ctx.settings.maxDepth).reached) {
        const k = ix.kinds[r.node];
        if (k === KIND.tool || k === KIND.resource || k === KIND.mcp_server) radius++;
      }
      if (radius >= ctx.settings.blastRadiusMin) ranked.push({ n, radius });
    }
    ranked.sort((a, z) => z.radius - a.radius || (a.n.id < z.n.id ? -1 : 1));
    ranked.slice(0, ctx.settings.blastRadiusTop).forEach(({ n, radius }, rank) => out.push(blastFinding(ctx, n, radius, rank + 1, ranked.length)));
  }
  return out;
}

function blastFinding(ctx: RuleContext, n: SnapNode, radius: number, rank: number, ofRanked: number): FoundFinding {
  const { ix } = ctx.snap;
  const i = ix.indexOf.get(n.id)!;
  const search = bfs(ix, i, "out", ctx.settings.maxDepth);
  const risks = toolRisks(ctx);
  const byKind: Record<string, number> = {};
  const reached = search.reached.filter((r) => [KIND.tool, KIND.resource, KIND.mcp_server].includes(ix.kinds[r.node]!));
  for (const r of reached) {
    const k = ctx.snap.nodes.get(ix.ids[r.node]!)!.kind;
    byKind[k] = (byKind[k] ?? 0) + 1;
  }
  // Who is exposed: principals that reach this group or credential (members, nested; users of the credential).
  const holders = bfs(ix, i, "in", ctx.settings.maxDepth).reached.filter((r) =>
    [KIND.human, KIND.service_account, KIND.agent].includes(ix.kinds[r.node]!),
  ).length;
  const rankOf = (r: { node: number }) =>
    ix.kinds[r.node] === KIND.resource ? 1 : risks.get(r.node) ? 2 + ["low", "medium", "high", "critical"].indexOf(risks.get(r.node)!.risk) : 0;
  const sample = [...reached].sort((a, z) => rankOf(z) - rankOf(a) || a.depth - z.depth || a.node - z.node).slice(0, ctx.settings.evidenceSample);
  const b = new EvidenceBuilder().node(n.id);
  const paths = sample.map((r) => ({ target: ix.ids[r.node]! }));
  for (const x of paths) b.node(x.target);
  if (sample.length) b.fact("path", addPath(ctx, b, pathTo(ix, search, sample[0]!.node, "out")));
  b.fact("variant", "blast_radius")
    .fact("radius", radius)
    .fact("rank", rank)
    .fact("ranked", ofRanked)
    .fact("byKind", byKind)
    .fact("principalsExposed", holders);
  b.fact("thresholds", { top: ctx.settings.blastRadiusTop, min: ctx.settings.blastRadiusMin }).fact("sample", paths);
  const what = n.kind === "group" ? "group" : "credential";
  return {
    rule: "over_broad_reach",
    key: `blast:${n.id}`,
    subjectId: n.id,
    subjectKind: n.kind,
    subjectName: n.name,
    severity: severityOf(ctx, "over_broad_reach"),
    title: `${n.name} is the ${what} with the ${rank === 1 ? "largest" : `#${rank} largest`} blast radius: ${radius} tools, resources and servers${holders ? `, held by ${holders} principal${holders === 1 ? "" : "s"}` : ""}`,
    evidence: b.evidence,
  };
}
