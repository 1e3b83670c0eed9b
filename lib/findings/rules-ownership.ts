import { NODE_KIND_LABEL } from "@/lib/graph/model";
import { ORPHAN_RULE_LABEL, type OrphanRule } from "@/lib/ownership/owner-state";
import { isDeparted, nameList, nameOf, severityOf, type RuleContext } from "./context";
import { EvidenceBuilder, type FoundFinding } from "./evidence";

/**
 * NHI1: an agent, service account, MCP server or credential with no active
 * owner. "Active owner" is lib/ownership's rule (see findOrphans): a current
 * human who is not terminated or inactive, or a group with at least one such member.
 */
export function ownerlessFindings(ctx: RuleContext): FoundFinding[] {
  const out: FoundFinding[] = [];
  for (const [id, owners] of ctx.snap.orphans) {
    const n = ctx.snap.nodes.get(id);
    if (!n) continue;
    const reasons: OrphanRule[] = owners.length === 0 ? ["no_owner"] : [...new Set(owners.map((o) => o.reason))].sort();
    const b = new EvidenceBuilder().node(id).fact("reasons", reasons);
    const sorted = [...owners].sort((a, z) => (a.edgeId < z.edgeId ? -1 : 1));
    for (const o of sorted) {
      const owner = ctx.snap.nodes.get(o.ownerId)!;
      b.edge({ id: o.edgeId, kind: "owns", from: o.ownerId, to: id });
      if (o.kind === "group") b.attr(o.ownerId, "activeMembers", o.activeMembers);
      else b.attr(o.ownerId, "status", owner.current ? owner.status : "no longer reported");
    }
    const label = NODE_KIND_LABEL[n.kind];
    const title =
      owners.length === 0
        ? `${label} ${n.name} has no owner`
        : `${label} ${n.name} has no active owner: ${reasons.map((r) => ORPHAN_RULE_LABEL[r]).join(", ")} (${nameList(sorted.map((o) => nameOf(ctx.snap, o.ownerId)))})`;
    out.push({
      rule: "no_active_owner",
      key: id,
      subjectId: id,
      subjectKind: n.kind,
      subjectName: n.name,
      severity: severityOf(ctx, "no_active_owner"),
      title,
      evidence: b.evidence,
    });
  }
  return out;
}

/** NHI1: an agent acting for, or owned by, a terminated or inactive human (or one no source reports any more). */
export function departedPrincipalFindings(ctx: RuleContext): FoundFinding[] {
  const byAgent = new Map<string, { actsFor: typeof ctx.snap.edges; ownedBy: typeof ctx.snap.edges }>();
  for (const e of ctx.snap.edges) {
    const isActsFor = e.kind === "acts_for";
    if (!isActsFor && e.kind !== "owns") continue;
    const agentId = isActsFor ? e.from : e.to;
    const humanId = isActsFor ? e.to : e.from;
    const agent = ctx.snap.nodes.get(agentId);
    const human = ctx.snap.nodes.get(humanId);
    if (agent?.kind !== "agent" || !agent.current || human?.kind !== "human" || !isDeparted(human)) continue;
    const entry = byAgent.get(agentId) ?? { actsFor: [], ownedBy: [] };
    (isActsFor ? entry.actsFor : entry.ownedBy).push(e);
    byAgent.set(agentId, entry);
  }
  const out: FoundFinding[] = [];
  for (const [agentId, { actsFor, ownedBy }] of byAgent) {
    const agent = ctx.snap.nodes.get(agentId)!;
    const b = new EvidenceBuilder().node(agentId);
    const humanIds = new Set<string>();
    for (const e of [...actsFor, ...ownedBy].sort((a, z) => (a.id < z.id ? -1 : 1))) {
      b.edge(e);
      const humanId = e.kind === "acts_for" ? e.to : e.from;
      if (!humanIds.has(humanId)) {
        humanIds.add(humanId);
        const h = ctx.snap.nodes.get(humanId)!;
        b.attr(humanId, "status", h.current ? h.status : "no longer reported");
      }
    }
    const names = (es: typeof actsFor) => nameList([...new Set(es.map((e) => ctx.snap.nodes.get(e.kind === "acts_for" ? e.to : e.from)!.name))].sort());
    const parts = [actsFor.length ? `acts for ${names(actsFor)}` : null, ownedBy.length ? `is owned by ${names(ownedBy)}` : null].filter(Boolean);
    b.fact("actsFor", actsFor.length).fact("ownedBy", ownedBy.length);
    out.push({
      rule: "agent_inactive_principal",
      key: agentId,
      subjectId: agentId,
      subjectKind: "agent",
      subjectName: agent.name,
      severity: severityOf(ctx, "agent_inactive_principal"),
      title: `${agent.name} ${parts.join(" and ")}, who left`,
      evidence: b.evidence,
    });
  }
  return out;
}
