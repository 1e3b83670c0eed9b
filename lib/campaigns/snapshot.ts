import { and, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { campaigns, edges, nodes, reviewItems, sources } from "@/db/schema";
import { getAccessIndex } from "@/lib/graph/access-cache";
import { KIND_CODE, type AccessIndex } from "@/lib/graph/access-index";
import { describeNodes } from "@/lib/graph/access-api";
import { AppError } from "@/lib/errors";
import type { EdgeKind, NodeKind } from "@/lib/graph/model";
import { riskOfToolAttributes, type ToolRisk } from "@/lib/graph/tool-risk";
import { bfs, DEFAULT_DEPTH, pathTo, whoCanReach } from "@/lib/graph/traverse";
import { credentialBrief, itemFlags, recommend } from "./recommend";
import { loadRecommendationFacts, UNKNOWN_FACTS } from "./recommend-facts";
import {
  isHighRisk,
  riskAtLeast,
  riskRank,
  type CampaignScope,
  type CredentialBrief,
  type ItemContext,
  type NodeBrief,
  type OwnerBrief,
  type Recommendation,
  type ReviewerStrategy,
  type SecondLevel,
} from "./model";
import { loadReviewerDirectory, routeItem, strategyCandidate, type ReviewerDirectory, type RoutingFacts } from "./reviewers";

/** The part of a campaign definition that decides which items exist and who reviews them. */
export interface SnapshotDefinition {
  scope: CampaignScope;
  reviewerStrategy: ReviewerStrategy;
  fallbackReviewerId: string | null;
  ownerId: string;
  secondLevel: SecondLevel | null;
}

interface NodeFacts {
  id: string;
  kind: NodeKind;
  name: string;
  source: string;
  externalId: string;
  status: string | null;
}

/** One item as launch would write it. */
export interface DraftItem {
  level: 1 | 2;
  key: string;
  subject: NodeFacts;
  edge: { id: string; kind: EdgeKind; source: string; firstSeenAt: Date };
  target: NodeFacts;
  toolRisk: ToolRisk | null;
  riskReason: string | null;
  highRisk: boolean;
  context: ItemContext;
  recommendation: Recommendation;
  recommendationReason: string;
  reviewerId: string | null;
  reviewerReason: string;
}

export interface Snapshot {
  items: DraftItem[];
  graphVersion: number;
  directory: ReviewerDirectory;
}

const MAX_ITEMS = 20_000;

/** Current edges of the scope's kinds whose two ends are current, with both ends described. */
async function candidateEdges(db: Db, scope: CampaignScope) {
  const subj = alias(nodes, "subj");
  const tgt = alias(nodes, "tgt");
  const es = alias(sources, "es");
  const ss = alias(sources, "ss");
  const ts = alias(sources, "ts");
  const where: SQL[] = [inArray(edges.kind, scope.edgeKinds), isNull(edges.validTo), isNull(subj.validTo), isNull(tgt.validTo)];
  if (scope.sources?.length) where.push(inArray(es.name, scope.sources));
  if (scope.subjectKinds?.length) where.push(inArray(subj.kind, scope.subjectKinds));
  if (scope.ownedBy?.length) {
    const ownedIds = db
      .select({ id: edges.toId })
      .from(edges)
      .where(and(eq(edges.kind, "owns"), isNull(edges.validTo), inArray(edges.fromId, scope.ownedBy)));
    where.push(inArray(subj.id, ownedIds));
  }
  // Trigger rules (lib/campaigns/triggers): exactly these subjects.
  if (scope.subjects?.length) where.push(inArray(subj.id, scope.subjects));
  return db
    .select({
      edgeId: edges.id,
      edgeKind: edges.kind,
      edgeSource: es.name,
      firstSeenAt: edges.firstSeenAt,
      updatedAt: edges.updatedAt,
      s: { id: subj.id, kind: subj.kind, name: subj.name, source: ss.name, externalId: subj.externalId, status: subj.status },
      t: { id: tgt.id, kind: tgt.kind, name: tgt.name, source: ts.name, externalId: tgt.externalId, status: tgt.status },
    })
    .from(edges)
    .innerJoin(subj, eq(subj.id, edges.fromId))
    .innerJoin(tgt, eq(tgt.id, edges.toId))
    .innerJoin(es, eq(es.id, edges.sourceId))
    .innerJoin(ss, eq(ss.id, subj.sourceId))
    .innerJoin(ts, eq(ts.id, tgt.sourceId))
    .where(and(...where))
    .orderBy(subj.name, edges.kind, tgt.name, edges.firstSeenAt)
    .limit(MAX_ITEMS + 1);
}

/** Governance edges (owns, manages, acts_for) into or out of a set of nodes, with the other end described. */
async function governance(db: Db, kind: "owns" | "manages" | "acts_for", direction: "into" | "from", ids: string[]): Promise<Map<string, OwnerBrief[]>> {
  const out = new Map<string, OwnerBrief[]>();
  if (ids.length === 0) return out;
  const other = alias(nodes, "other");
  const here = direction === "into" ? edges.toId : edges.fromId;
  const there = direction === "into" ? edges.fromId : edges.toId;
  const rows = await db
    .select({ at: here, id: other.id, name: other.name, kind: other.kind, status: other.status, attrs: edges.attributes })
    .from(edges)
    .innerJoin(other, eq(other.id, there))
    .where(and(eq(edges.kind, kind), isNull(edges.validTo), isNull(other.validTo), inArray(here, ids)));
  for (const r of rows) {
    const list = out.get(r.at) ?? [];
    list.push({ id: r.id, name: r.name, kind: r.kind, role: typeof r.attrs.role === "string" ? r.attrs.role : null, status: r.status });
    out.set(r.at, list);
  }
  return out;
}

/** A tool's risk: the `risk` attribute imports and discovery set, else derived from its MCP annotations. */
function riskOfTool(attrs: Record<string, unknown>): { risk: ToolRisk; reason: string } {
  return riskOfToolAttributes(attrs);
}

const KIND = { resource: KIND_CODE.get("resource"), mcp_server: KIND_CODE.get("mcp_server"), credential: KIND_CODE.get("credential") };

interface Reach {
  tools: number;
  resources: number;
  mcpServers: number;
  credentialIds: string[];
  reachedIds: Set<string>;
  /** The riskiest tool reached (or the target itself), and the path to it from the target. */
  top: { risk: ToolRisk; reason: string; toolName: string; path: { nodes: string[]; edges: EdgeKind[] } } | null;
  nearestResource: { nodes: string[]; edges: EdgeKind[] } | null;
}

/** What a node opens through access edges: counts by kind, credentials on the way, and the riskiest tool. */
function reachOf(ix: AccessIndex, nodeId: string, tools: Map<string, { risk: ToolRisk; reason: string; name: string }>): Reach {
  const start = ix.indexOf.get(nodeId);
  const empty: Reach = { tools: 0, resources: 0, mcpServers: 0, credentialIds: [], reachedIds: new Set([nodeId]), top: null, nearestResource: null };
  if (start === undefined) return empty;
  const search = bfs(ix, start, "out", DEFAULT_DEPTH);
  const reach = empty;
  const self = tools.get(nodeId);
  if (self) reach.top = { risk: self.risk, reason: self.reason, toolName: self.name, path: { nodes: [nodeId], edges: [] } };
  let topIdx = -1;
  let resourceIdx = -1;
  for (const r of search.reached) {
    const id = ix.ids[r.node]!;
    reach.reachedIds.add(id);
    const tool = tools.get(id);
    if (tool) {
      reach.tools++;
      if (!reach.top || riskRank(tool.risk) > riskRank(reach.top.risk)) {
        reach.top = { risk: tool.risk, reason: tool.reason, toolName: tool.name, path: { nodes: [], edges: [] } };
        topIdx = r.node;
      }
    } else if (ix.kinds[r.node] === KIND.resource) {
      reach.resources++;
      if (resourceIdx < 0) resourceIdx = r.node;
    } else if (ix.kinds[r.node] === KIND.mcp_server) reach.mcpServers++;
    else if (ix.kinds[r.node] === KIND.credential) reach.credentialIds.push(id);
  }
  if (reach.top && topIdx >= 0) reach.top.path = pathTo(ix, search, topIdx, "out");
  if (resourceIdx >= 0) reach.nearestResource = pathTo(ix, search, resourceIdx, "out");
  return reach;
}

/**
 * Builds the items a definition produces now: one per (subject, access) in
 * scope, with the access path from the access index, tool risk, credentials,
 * owners, flags, a recommendation and a routed reviewer; plus a level-2 item
 * for high-risk access when the definition asks for a second level. Reads only.
 */
export async function buildSnapshot(db: Db, def: SnapshotDefinition, now: Date): Promise<Snapshot> {
  const ix = await getAccessIndex(db);
  const rows = await candidateEdges(db, def.scope);
  if (rows.length > MAX_ITEMS)
    throw new AppError("validation", `the scope selects more than ${MAX_ITEMS} items; narrow it`, [{ path: "scope", message: "too many items" }]);

  // One item per (subject, access kind, target), even when several sources report the same access.
  const seen = new Set<string>();
  const picked = rows.filter((r) => {
    const key = `${r.s.id}|${r.edgeKind}|${r.t.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });

  const toolRows = await db
    .select({ id: nodes.id, name: nodes.name, attributes: nodes.attributes })
    .from(nodes)
    .where(and(eq(nodes.kind, "tool"), isNull(nodes.validTo)));
  const tools = new Map(toolRows.map((t) => [t.id, { ...riskOfTool(t.attributes), name: t.name }]));

  const reachCache = new Map<string, Reach>();
  const reach = (id: string) => {
    let r = reachCache.get(id);
    if (!r) reachCache.set(id, (r = reachOf(ix, id, tools)));
    return r;
  };

  const targets = new Set(def.scope.targets ?? []);
  const inScope = picked.filter((r) => {
    const rr = reach(r.t.id);
    if (targets.size && !(targets.has(r.t.id) || (r.edgeKind !== "owns" && [...targets].some((t) => rr.reachedIds.has(t))))) return false;
    if (def.scope.minToolRisk && !riskAtLeast(rr.top?.risk, def.scope.minToolRisk)) return false;
    return true;
  });

  const subjectIds = [...new Set(inScope.map((r) => r.s.id))];
  const targetIds = [...new Set(inScope.map((r) => r.t.id))];
  const [owners, managers, actsFor, directory] = await Promise.all([
    governance(db, "owns", "into", [...new Set([...subjectIds, ...targetIds])]),
    governance(
      db,
      "manages",
      "into",
      inScope.filter((r) => r.s.kind === "human").map((r) => r.s.id),
    ),
    governance(
      db,
      "acts_for",
      "from",
      inScope.filter((r) => r.s.kind === "agent").map((r) => r.s.id),
    ),
    loadReviewerDirectory(db),
  ]);

  const credIds = new Set<string>();
  for (const r of inScope) {
    if (r.t.kind === "credential") credIds.add(r.t.id);
    for (const c of reach(r.t.id).credentialIds) credIds.add(c);
  }
  const credRows = credIds.size
    ? await db
        .select({ id: nodes.id, name: nodes.name, attributes: nodes.attributes })
        .from(nodes)
        .where(inArray(nodes.id, [...credIds]))
    : [];
  const creds = new Map<string, CredentialBrief>(credRows.map((c) => [c.id, credentialBrief(c.id, c.name, c.attributes, now)]));

  const pathIds = new Set<string>();
  for (const r of inScope) {
    const rr = reach(r.t.id);
    for (const id of rr.top?.path.nodes ?? rr.nearestResource?.nodes ?? []) pathIds.add(id);
  }
  const described = await describeNodes(db, [...pathIds]);
  const brief = (id: string): NodeBrief => {
    const d = described.get(id);
    return { id, kind: (d?.kind ?? "resource") as NodeKind, name: d?.name ?? id };
  };

  const certified = await lastCertifications(
    db,
    inScope.map((r) => r.edgeId),
  );
  const groupReach = new Map<string, number>();
  // --- Recommendation facts (issue #18, recs): one set-based load for the in-scope accesses. When launch streams
  // chunks, this call moves into the chunk loop (one call per chunk); `facts` feeds recommend() and context.evidence.
  const recFacts = await loadRecommendationFacts(
    db,
    inScope.map((r) => ({ edgeId: r.edgeId, edgeKind: r.edgeKind, subjectId: r.s.id, subjectKind: r.s.kind, targetId: r.t.id })),
  );
  // --- end recommendation facts

  const items: DraftItem[] = [];
  for (const r of inScope) {
    const rr = reach(r.t.id);
    const tail = rr.top?.path ?? rr.nearestResource ?? { nodes: [r.t.id], edges: [] };
    const path = {
      nodes: [{ id: r.s.id, kind: r.s.kind, name: r.s.name }, { id: r.t.id, kind: r.t.kind, name: r.t.name }, ...tail.nodes.slice(1).map(brief)],
      edges: [r.edgeKind, ...tail.edges],
    };
    const targetCredential = r.t.kind === "credential" ? (creds.get(r.t.id) ?? null) : null;
    const reachedCredentials = rr.credentialIds
      .map((id) => creds.get(id))
      .filter((c): c is CredentialBrief => !!c)
      .slice(0, 5);
    const targetOwners = owners.get(r.t.id) ?? [];
    const subjectOwners = owners.get(r.s.id) ?? [];
    const subjectActsFor = actsFor.get(r.s.id) ?? [];
    const cert = certified.get(r.edgeId);
    const lastCertified =
      cert && cert.closedAt >= r.updatedAt && cert.subjectStatus === r.s.status
        ? { campaignId: cert.campaignId, campaignName: cert.campaignName, at: cert.closedAt.toISOString() }
        : null;
    const input = {
      subject: r.s,
      edgeKind: r.edgeKind,
      target: r.t,
      toolRisk: rr.top?.risk ?? null,
      targetCredential,
      reachedCredentials,
      targetOwners,
      subjectOwners,
      subjectActsFor,
      lastCertified,
      facts: recFacts.get(r.edgeId) ?? UNKNOWN_FACTS,
    };
    const flags = itemFlags(input);
    const rec = recommend(input, flags, now);
    let principalsAffected: number | undefined;
    if (r.s.kind === "group") {
      if (!groupReach.has(r.s.id)) {
        const gi = ix.indexOf.get(r.s.id);
        groupReach.set(r.s.id, gi === undefined ? 0 : whoCanReach(ix, gi, DEFAULT_DEPTH).reached.length);
      }
      principalsAffected = groupReach.get(r.s.id);
    }
    const context: ItemContext = {
      path,
      reach: { tools: rr.tools, resources: rr.resources, mcpServers: rr.mcpServers, credentials: rr.credentialIds.length },
      ...(principalsAffected !== undefined ? { principalsAffected } : {}),
      targetOwners,
      subjectOwners,
      subjectActsFor,
      credentials: [...(targetCredential ? [targetCredential] : []), ...reachedCredentials],
      flags,
      lastCertified,
      evidence: rec.evidence,
    };
    const facts: RoutingFacts = { subject: r.s, targetOwners, subjectOwners, subjectActsFor, managers: managers.get(r.s.id) ?? [] };
    const candidate = strategyCandidate(directory, def.reviewerStrategy, facts);
    const fallbacks = [def.fallbackReviewerId, def.ownerId];
    const routed = routeItem(directory, facts, candidate, fallbacks);
    const base = {
      key: `${r.s.id}|${r.edgeKind}|${r.t.id}`,
      subject: r.s,
      edge: { id: r.edgeId, kind: r.edgeKind, source: r.edgeSource, firstSeenAt: r.firstSeenAt },
      target: r.t,
      toolRisk: rr.top?.risk ?? null,
      riskReason: rr.top ? `${rr.top.toolName}: ${rr.top.reason}` : null,
      highRisk: isHighRisk(rr.top?.risk),
      context,
      recommendation: rec.recommendation,
      recommendationReason: rec.reason,
    };
    items.push({ ...base, level: 1, reviewerId: routed.reviewerId, reviewerReason: routed.reason });
    if (def.secondLevel && riskAtLeast(rr.top?.risk, def.secondLevel.minRisk)) {
      const named = directory.byId.get(def.secondLevel.reviewerId) ?? null;
      const exclude = new Set(routed.reviewerId ? [routed.reviewerId] : []);
      const second = routeItem(
        directory,
        facts,
        { user: named, reason: named ? "second-level reviewer" : "the second-level reviewer may no longer review" },
        fallbacks,
        exclude,
      );
      items.push({ ...base, level: 2, reviewerId: second.reviewerId, reviewerReason: second.reason });
    }
  }
  return { items, graphVersion: ix.version, directory };
}

/** The latest approval of each edge in a closed campaign: "unchanged since last certified" needs the same edge period. */
async function lastCertifications(db: Db, edgeIds: string[]) {
  const out = new Map<string, { campaignId: string; campaignName: string; closedAt: Date; subjectStatus: string | null }>();
  if (edgeIds.length === 0) return out;
  const rows = await db
    .select({
      edgeId: reviewItems.edgeId,
      campaignId: campaigns.id,
      campaignName: campaigns.name,
      closedAt: campaigns.closedAt,
      subjectStatus: reviewItems.subjectStatus,
    })
    .from(reviewItems)
    .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
    .where(
      and(
        inArray(reviewItems.edgeId, edgeIds),
        eq(reviewItems.level, 1),
        eq(reviewItems.outcome, "approve"),
        inArray(campaigns.status, ["closed", "signed_off"]),
        sql`${campaigns.closedAt} is not null`,
      ),
    )
    .orderBy(desc(campaigns.closedAt));
  for (const r of rows)
    if (!out.has(r.edgeId) && r.closedAt)
      out.set(r.edgeId, { campaignId: r.campaignId, campaignName: r.campaignName, closedAt: r.closedAt, subjectStatus: r.subjectStatus });
  return out;
}

/** Counts a preview shows: items, reviewers, the unassigned, and how items split by kind, risk and recommendation. */
export function summarise(items: DraftItem[], dir: ReviewerDirectory) {
  const first = items.filter((i) => i.level === 1);
  const byReviewer = new Map<string, number>();
  for (const i of items) if (i.reviewerId) byReviewer.set(i.reviewerId, (byReviewer.get(i.reviewerId) ?? 0) + 1);
  const count = <K extends string>(f: (i: DraftItem) => K) => {
    const m: Record<string, number> = {};
    for (const i of first) m[f(i)] = (m[f(i)] ?? 0) + 1;
    return m;
  };
  const unassigned = items.filter((i) => !i.reviewerId);
  return {
    items: first.length,
    secondLevelItems: items.length - first.length,
    reviewers: [...byReviewer.entries()]
      .map(([id, n]) => ({ id, name: dir.byId.get(id)?.name ?? id, email: dir.byId.get(id)?.email ?? "", items: n }))
      .sort((a, b) => b.items - a.items || a.name.localeCompare(b.name)),
    unassigned: unassigned.length,
    unassignedSample: unassigned.slice(0, 10).map((i) => ({ subject: i.subject.name, access: i.edge.kind, target: i.target.name, reason: i.reviewerReason })),
    byEdgeKind: count((i) => i.edge.kind),
    byRisk: count((i) => i.toolRisk ?? "none"),
    byRecommendation: count((i) => i.recommendation),
    sample: first.slice(0, 12).map((i) => ({
      subject: { id: i.subject.id, kind: i.subject.kind, name: i.subject.name },
      access: i.edge.kind,
      target: { id: i.target.id, kind: i.target.kind, name: i.target.name },
      toolRisk: i.toolRisk,
      recommendation: i.recommendation,
      recommendationReason: i.recommendationReason,
      reviewer: i.reviewerId ? (dir.byId.get(i.reviewerId)?.name ?? i.reviewerId) : null,
      reviewerReason: i.reviewerReason,
    })),
  };
}
export type PreviewSummary = ReturnType<typeof summarise>;
