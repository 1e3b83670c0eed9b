import { bfs } from "@/lib/graph/traverse";
import { day, KIND, nameOf, severityOf, type RuleContext } from "./context";
import { EvidenceBuilder, type FoundFinding } from "./evidence";
import type { Certification, SnapNode } from "./snapshot";

/** A tool's current definition hash, when discovery recorded one. */
function definitionHash(n: SnapNode): string | null {
  const h = n.attributes.definitionHash;
  return typeof h === "string" && h.length > 0 ? h : null;
}

/** Tools whose current definition hash is not the last one recorded: the history rows this evaluation adds. */
export function newToolDefinitions(ctx: RuleContext): { toolId: string; hash: string }[] {
  const out: { toolId: string; hash: string }[] = [];
  for (const n of ctx.snap.nodes.values()) {
    if (n.kind !== "tool" || !n.current) continue;
    const hash = definitionHash(n);
    if (!hash) continue;
    const last = ctx.snap.toolHistory.get(n.id)?.at(-1);
    if (!last || last.hash !== hash) out.push({ toolId: n.id, hash });
  }
  return out.sort((a, b) => (a.toolId < b.toolId ? -1 : 1));
}

/** The latest certification reaching each tool (any subject), through the items' targets. */
function lastCertificationByTool(ctx: RuleContext): Map<number, Certification> {
  const { ix } = ctx.snap;
  const byTarget = new Map<string, Certification>();
  for (const c of ctx.snap.certifications) {
    const seen = byTarget.get(c.targetId);
    if (!seen || c.closedAt > seen.closedAt) byTarget.set(c.targetId, c);
  }
  const out = new Map<number, Certification>();
  for (const [targetId, c] of byTarget) {
    const i = ix.indexOf.get(targetId);
    if (i === undefined) continue;
    for (const node of [i, ...bfs(ix, i, "out", ctx.settings.maxDepth).reached.map((r) => r.node)]) {
      if (ix.kinds[node] !== KIND.tool) continue;
      const seen = out.get(node);
      if (!seen || c.closedAt > seen.closedAt) out.set(node, c);
    }
  }
  return out;
}

/**
 * The definition a certification approved: the hash the review item recorded,
 * when it recorded one; otherwise the hash in force when the campaign closed
 * according to the definition history (or the earliest known, when the history
 * starts after the certification).
 */
function certifiedHash(ctx: RuleContext, toolId: string, c: Certification): { hash: string; source: "review_item" | "definition_history" } | null {
  const fromItem = c.toolDefinitions?.[toolId];
  if (typeof fromItem === "string") return { hash: fromItem, source: "review_item" };
  const history = ctx.snap.toolHistory.get(toolId);
  if (!history?.length) return null;
  let atCert = history[0]!;
  for (const h of history) if (h.firstSeenAt.getTime() <= c.closedAt.getTime()) atCert = h;
  return { hash: atCert.hash, source: "definition_history" };
}

/** NHI3: a tool whose definition changed since its access was last certified. */
export function changedToolFindings(ctx: RuleContext): FoundFinding[] {
  const { ix } = ctx.snap;
  const out: FoundFinding[] = [];
  for (const [node, c] of lastCertificationByTool(ctx)) {
    const tool = ctx.snap.nodes.get(ix.ids[node]!)!;
    const current = definitionHash(tool);
    if (!current) continue;
    const certified = certifiedHash(ctx, tool.id, c);
    if (!certified || certified.hash === current) continue;
    const b = new EvidenceBuilder().node(tool.id);
    for (const e of ctx.snap.edges) if (e.kind === "exposes" && e.to === tool.id) b.edge(e);
    b.node(c.subjectId).node(c.targetId);
    // The certified access itself, when it is still in the graph: the picture shows who was approved to reach what.
    for (const e of ctx.snap.edges) if (e.kind === c.edgeKind && e.from === c.subjectId && e.to === c.targetId) b.edge(e);
    b.attr(tool.id, "definitionHash", current).attr(tool.id, "certifiedDefinitionHash", certified.hash);
    b.fact("certification", {
      itemId: c.itemId,
      campaignId: c.campaignId,
      campaignName: c.campaignName,
      closedAt: c.closedAt.toISOString(),
      subjectId: c.subjectId,
      edgeKind: c.edgeKind,
      targetId: c.targetId,
    });
    b.fact("certifiedHashFrom", certified.source);
    out.push({
      rule: "tool_definition_changed",
      key: tool.id,
      subjectId: tool.id,
      subjectKind: "tool",
      subjectName: tool.name,
      severity: severityOf(ctx, "tool_definition_changed"),
      title: `${tool.name}${typeof tool.attributes.server === "string" ? ` (${tool.attributes.server})` : ""} changed after access to it was certified in "${c.campaignName}" on ${day(c.closedAt)} (${nameOf(ctx.snap, c.subjectId)} → ${nameOf(ctx.snap, c.targetId)})`,
      evidence: b.evidence,
    });
  }
  return out;
}

/** Loopback hosts: plain HTTP that never leaves the machine is not a finding. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The URL when it is plain HTTP to another machine, else null. */
export function plainHttpUrl(url: unknown): string | null {
  if (typeof url !== "string") return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  return u.protocol === "http:" && !isLoopback(u.hostname) ? url : null;
}

/**
 * NHI3 / NHI4: an MCP server reached over plain HTTP (not loopback), or
 * launched from an unpinned package (`pinned: false`; `pinned: null`, "not
 * launched from a registry package", is not a finding).
 */
export function insecureServerFindings(ctx: RuleContext): FoundFinding[] {
  const out: FoundFinding[] = [];
  for (const s of ctx.snap.nodes.values()) {
    if (s.kind !== "mcp_server" || !s.current) continue;
    const a = s.attributes;
    const http = plainHttpUrl(a.url);
    const unpinned = a.pinned === false;
    if (!http && !unpinned) continue;
    const b = new EvidenceBuilder().node(s.id);
    const reasons: { code: string; owasp: string }[] = [];
    const parts: string[] = [];
    if (http) {
      reasons.push({ code: "plain_http", owasp: "NHI4" });
      parts.push(`is reached over plain HTTP (${http})`);
      b.attr(s.id, "url", http).attr(s.id, "transport", a.transport ?? null);
    }
    if (unpinned) {
      reasons.push({ code: "unpinned_package", owasp: "NHI3" });
      const pkg = typeof a.package === "string" ? a.package : "its package";
      const launcher = typeof a.launcher === "string" ? a.launcher : typeof a.command === "string" ? a.command : null;
      parts.push(
        `is launched from an unpinned package (${launcher ? `${launcher} ` : ""}${pkg}${typeof a.packageVersion === "string" ? `@${a.packageVersion}` : ", no version"})`,
      );
      for (const k of ["command", "args", "package", "packageVersion", "pinned"]) if (a[k] !== undefined) b.attr(s.id, k, a[k]);
    }
    b.fact("reasons", reasons);
    out.push({
      rule: "insecure_mcp_server",
      key: s.id,
      subjectId: s.id,
      subjectKind: "mcp_server",
      subjectName: s.name,
      severity: severityOf(ctx, "insecure_mcp_server"),
      title: `${s.name} ${parts.join(" and ")}`,
      evidence: b.evidence,
    });
  }
  return out;
}
