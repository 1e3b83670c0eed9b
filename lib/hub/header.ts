import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { can } from "@/lib/authz/permissions";
import { getAccessIndex } from "@/lib/graph/access-cache";
import { riskOfToolAttributes, type ToolRiskResult } from "@/lib/graph/tool-risk";
import type { NodeView } from "@/lib/graph/nodes";
import { departedHumans } from "@/lib/ownership/orphans";
import { effectiveOwnersOf, isOwnableKind, orphanRules, ORPHAN_RULE_LABEL, type EffectiveOwner, type OrphanRule } from "@/lib/ownership/owner-state";
import { assessRisk, getSensitivity, type RiskLevel } from "@/lib/ownership/risk";
import { hubNode } from "./common";

export interface HubHeader {
  node: NodeView;
  /** Tools: the risk from their MCP annotations, with its stable reason code and the reason in words. */
  toolRisk: ToolRiskResult | null;
  /** Every kind but people and groups: the governance risk from what it is and reaches (lib/ownership/risk.ts), with its factors in words. */
  risk: { level: RiskLevel; score: number; factors: string[] } | null;
  /** Null for people and groups, which are not owned. */
  owners: {
    items: EffectiveOwner[];
    orphan: boolean;
    rules: OrphanRule[];
    /** The orphan rules in words ("no owner", "only departed owners"). */
    why: string[];
  } | null;
  /** What the actor may do here; the page shows only those controls. */
  can: { assignOwners: boolean; findings: boolean; certifications: boolean; audit: boolean };
}

/**
 * The hub's header: the node, its risk (tool risk in words for tools; the
 * ownership risk assessment for the other ownable kinds) and its owners. Reads
 * this node's owns edges and the cached access index and sensitivity; no
 * whole-graph query per request besides the departed people (a few thousand at M).
 */
export async function getHubHeader(db: Db, actor: Actor, rawId: string): Promise<HubHeader> {
  const node = await hubNode(db, actor, rawId, "access");
  const ownable = isOwnableKind(node.kind);
  const toolRisk = node.kind === "tool" ? riskOfToolAttributes(node.attributes) : null;
  let risk: HubHeader["risk"] = null;
  let owners: HubHeader["owners"] = null;
  if (ownable) {
    const ix = await getAccessIndex(db);
    const [ownerMap, sens, departed] = await Promise.all([effectiveOwnersOf(db, [node.id]), getSensitivity(db, ix.version), departedHumans(db)]);
    const items = ownerMap.get(node.id) ?? [];
    const rules = orphanRules(items);
    owners = { items, orphan: rules.length > 0, rules, why: rules.map((r) => ORPHAN_RULE_LABEL[r]) };
    if (node.validTo === null) {
      const a = assessRisk(ix, sens, { id: node.id, kind: node.kind, status: node.status, attributes: node.attributes }, departed);
      risk = { level: a.level, score: a.score, factors: a.factors };
    }
  }
  return {
    node,
    toolRisk,
    risk,
    owners,
    can: {
      assignOwners: ownable && node.validTo === null && can(actor, "owner.assign"),
      findings: can(actor, "findings.read"),
      certifications: can(actor, "campaign.read"),
      audit: can(actor, "audit.read"),
    },
  };
}
