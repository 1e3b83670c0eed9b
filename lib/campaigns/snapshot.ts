import { and, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { campaigns, edges, nodes, reviewItems, sources } from "@/db/schema";
import { getAccessIndex } from "@/lib/graph/access-cache";
import { KIND_CODE, type AccessIndex } from "@/lib/graph/access-index";
import { describeNodes } from "@/lib/graph/access-api";
import type { EdgeKind, NodeKind } from "@/lib/graph/model";
import { riskOfToolAttributes, type ToolRisk } from "@/lib/graph/tool-risk";
import { bfs, DEFAULT_DEPTH, pathTo, whoCanReach } from "@/lib/graph/traverse";
import { credentialBrief, itemFlags, recommend } from "./recommend";
import { loadRecommendationFacts, newFactsCache, UNKNOWN_FACTS } from "./recommend-facts";
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

/** Where a chunked read of candidate accesses resumes: after this (subject, kind, target). */
export type AccessCursor = readonly [subjectId: string, edgeKind: string, targetId: string];

function candidateWhere(db: Db, scope: CampaignScope, subj: typeof nodes, es: typeof sources): SQL[] {
  const where: SQL[] = [inArray(edges.kind, scope.edgeKinds), isNull(edges.validTo), isNull(subj.validTo)];
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
  return where;
}

/**
 * One chunk of current accesses of the scope's kinds whose two ends are current,
 * both ends described: one row per (subject, access kind, target) even when
 * several sources report it (the first seen wins), in (subject id, kind, target
 * id) order after `after` — a keyset read along edges_from_kind_to_idx.
 */
async function candidateEdges(db: Db, scope: CampaignScope, after: AccessCursor | null, limit: number) {
  const subj = alias(nodes, "subj");
  const tgt = alias(nodes, "tgt");
  const es = alias(sources, "es");
  const ss = alias(sources, "ss");
  const ts = alias(sources, "ts");
  const where = [...candidateWhere(db, scope, subj as unknown as typeof nodes, es as unknown as typeof sources), isNull(tgt.validTo)];
  if (after) where.push(sql`(${edges.fromId}, ${edges.kind}, ${edges.toId}) > (${after[0]}, ${after[1]}, ${after[2]})`);
  return db
    .selectDistinctOn([edges.fromId, edges.kind, edges.toId], {
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
    .orderBy(edges.fromId, edges.kind, edges.toId, edges.firstSeenAt, edges.id)
    .limit(limit);
}
type CandidateRow = Awaited<ReturnType<typeof candidateEdges>>[number];

/** How many distinct (subject, kind, target) accesses the scope selects before its reach filters (targets, minimum risk), by edge kind. */
export async function countCandidates(db: Db, scope: CampaignScope): Promise<Record<string, number>> {
  const subj = alias(nodes, "subj");
  const tgt = alias(nodes, "tgt");
  const es = alias(sources, "es");
  const where = [...candidateWhere(db, scope, subj as unknown as typeof nodes, es as unknown as typeof sources), isNull(tgt.validTo)];
  const distinct = db
    .selectDistinct({ f: edges.fromId, k: sql<string>`${edges.kind}`.as("k"), t: edges.toId })
    .from(edges)
    .innerJoin(subj, eq(subj.id, edges.fromId))
    .innerJoin(tgt, eq(tgt.id, edges.toId))
    .innerJoin(es, eq(es.id, edges.sourceId))
    .where(and(...where))
    .as("d");
  const rows = await db
    .select({ k: distinct.k, n: sql<number>`count(*)::int` })
    .from(distinct)
    .groupBy(distinct.k);
  return Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
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

/** Candidate accesses read per chunk, by default (launch and preview). */
export const DEFAULT_CHUNK = 10_000;
/** Per-target reach and per-node caches are dropped past this many entries (memory stays bounded whatever the scope). */
const CACHE_MAX = 50_000;

function bounded<K, V>(m: Map<K, V>, k: K, v: V): V {
  if (m.size >= CACHE_MAX) m.clear();
  m.set(k, v);
  return v;
}

/** One chunk of a snapshot: its items, how many candidate accesses it examined, and where the next chunk resumes. */
export interface SnapshotChunk {
  items: DraftItem[];
  examined: number;
  next: AccessCursor | null;
}

/**
 * Builds the items a definition produces now, chunk by chunk: one per (subject,
 * access) in scope, with the access path from the access index, tool risk,
 * credentials, owners, flags, a recommendation (with its facts) and a routed
 * reviewer; plus a level-2 item for high-risk access when the definition asks
 * for a second level. Reads only. Per-target facts (reach, risk, credentials,
 * names on paths) are cached across chunks (targets repeat); per-subject
 * governance is read per chunk, set-based. Never holds more than one chunk of items.
 */
export class SnapshotStream {
  private reachCache = new Map<string, Reach>();
  private credCache = new Map<string, CredentialBrief | null>();
  private nameCache = new Map<string, NodeBrief>();
  private groupReach = new Map<string, number>();
  /** Peer groups' holder counts repeat from chunk to chunk: shared by this launch's chunks only. */
  private factsCache = newFactsCache();
  private targets: Set<string>;

  private constructor(
    private db: Db,
    private def: SnapshotDefinition,
    private now: Date,
    readonly ix: AccessIndex,
    private tools: Map<string, { risk: ToolRisk; reason: string; name: string }>,
    readonly directory: ReviewerDirectory,
  ) {
    this.targets = new Set(def.scope.targets ?? []);
  }

  static async open(db: Db, def: SnapshotDefinition, now: Date): Promise<SnapshotStream> {
    const [ix, toolRows, directory] = await Promise.all([
      getAccessIndex(db),
      db
        .select({ id: nodes.id, name: nodes.name, attributes: nodes.attributes })
        .from(nodes)
        .where(and(eq(nodes.kind, "tool"), isNull(nodes.validTo))),
      loadReviewerDirectory(db),
    ]);
    const tools = new Map(toolRows.map((t) => [t.id, { ...riskOfTool(t.attributes), name: t.name }]));
    return new SnapshotStream(db, def, now, ix, tools, directory);
  }

  get graphVersion(): number {
    return this.ix.version;
  }

  private reach(id: string): Reach {
    const hit = this.reachCache.get(id);
    if (hit) return hit;
    const r = reachOf(this.ix, id, this.tools);
    // Only a `targets` scope needs every node reached; drop the set otherwise (it is the large part).
    if (this.targets.size === 0) r.reachedIds = new Set();
    return bounded(this.reachCache, id, r);
  }

  /** The chunks of the whole scope, from the start or after `from` (a restart resumes there). */
  async *chunks(size = DEFAULT_CHUNK, from: AccessCursor | null = null): AsyncGenerator<SnapshotChunk> {
    let after = from;
    for (;;) {
      const rows = await candidateEdges(this.db, this.def.scope, after, size);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!;
      after = [last.s.id, last.edgeKind, last.t.id];
      yield { items: await this.itemsOf(rows), examined: rows.length, next: rows.length < size ? null : after };
      if (rows.length < size) return;
    }
  }

  private async credentials(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.credCache.has(id));
    if (missing.length === 0) return;
    const rows = await this.db.select({ id: nodes.id, name: nodes.name, attributes: nodes.attributes }).from(nodes).where(inArray(nodes.id, missing));
    const found = new Map(rows.map((c) => [c.id, credentialBrief(c.id, c.name, c.attributes, this.now)]));
    for (const id of missing) bounded(this.credCache, id, found.get(id) ?? null);
  }

  private async names(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.nameCache.has(id));
    if (missing.length === 0) return;
    const described = await describeNodes(this.db, missing);
    for (const id of missing) {
      const d = described.get(id);
      bounded(this.nameCache, id, { id, kind: (d?.kind ?? "resource") as NodeKind, name: d?.name ?? id });
    }
  }

  private async itemsOf(rows: CandidateRow[]): Promise<DraftItem[]> {
    const { def, ix, directory } = this;
    const targets = this.targets;
    const inScope = rows.filter((r) => {
      const rr = this.reach(r.t.id);
      if (targets.size && !(targets.has(r.t.id) || (r.edgeKind !== "owns" && [...targets].some((t) => rr.reachedIds.has(t))))) return false;
      if (def.scope.minToolRisk && !riskAtLeast(rr.top?.risk, def.scope.minToolRisk)) return false;
      return true;
    });
    if (inScope.length === 0) return [];

    const subjectIds = [...new Set(inScope.map((r) => r.s.id))];
    const targetIds = [...new Set(inScope.map((r) => r.t.id))];
    const [owners, managers, actsFor, certified, facts] = await Promise.all([
      governance(this.db, "owns", "into", [...new Set([...subjectIds, ...targetIds])]),
      governance(
        this.db,
        "manages",
        "into",
        subjectIds.filter((id) => inScope.some((r) => r.s.id === id && r.s.kind === "human")),
      ),
      governance(
        this.db,
        "acts_for",
        "from",
        subjectIds.filter((id) => inScope.some((r) => r.s.id === id && r.s.kind === "agent")),
      ),
      lastCertifications(
        this.db,
        inScope.map((r) => r.edgeId),
      ),
      loadRecommendationFacts(
        this.db,
        inScope.map((r) => ({ edgeId: r.edgeId, edgeKind: r.edgeKind, subjectId: r.s.id, subjectKind: r.s.kind, targetId: r.t.id })),
        this.factsCache,
      ),
    ]);

    const credIds: string[] = [];
    const pathIds: string[] = [];
    for (const r of inScope) {
      if (r.t.kind === "credential") credIds.push(r.t.id);
      const rr = this.reach(r.t.id);
      credIds.push(...rr.credentialIds);
      pathIds.push(...(rr.top?.path.nodes ?? rr.nearestResource?.nodes ?? []));
    }
    await Promise.all([this.credentials(credIds), this.names(pathIds)]);
    const brief = (id: string): NodeBrief => this.nameCache.get(id) ?? { id, kind: "resource", name: id };
    const cred = (id: string) => this.credCache.get(id) ?? null;

    const items: DraftItem[] = [];
    let n = 0;
    for (const r of inScope) {
      // A launch runs in the app's process: let requests through between slices of a chunk.
      if (++n % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      const rr = this.reach(r.t.id);
      const tail = rr.top?.path ?? rr.nearestResource ?? { nodes: [r.t.id], edges: [] };
      const path = {
        nodes: [{ id: r.s.id, kind: r.s.kind, name: r.s.name }, { id: r.t.id, kind: r.t.kind, name: r.t.name }, ...tail.nodes.slice(1).map(brief)],
        edges: [r.edgeKind, ...tail.edges],
      };
      const targetCredential = r.t.kind === "credential" ? cred(r.t.id) : null;
      const reachedCredentials = rr.credentialIds
        .map(cred)
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
        facts: facts.get(r.edgeId) ?? UNKNOWN_FACTS,
      };
      const flags = itemFlags(input);
      const rec = recommend(input, flags, this.now);
      let principalsAffected: number | undefined;
      if (r.s.kind === "group") {
        if (!this.groupReach.has(r.s.id)) {
          const gi = ix.indexOf.get(r.s.id);
          bounded(this.groupReach, r.s.id, gi === undefined ? 0 : whoCanReach(ix, gi, DEFAULT_DEPTH).reached.length);
        }
        principalsAffected = this.groupReach.get(r.s.id);
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
        ...(rec.evidence ? { evidence: rec.evidence } : {}),
      };
      const routing: RoutingFacts = { subject: r.s, targetOwners, subjectOwners, subjectActsFor, managers: managers.get(r.s.id) ?? [] };
      const candidate = strategyCandidate(directory, def.reviewerStrategy, routing);
      const fallbacks = [def.fallbackReviewerId, def.ownerId];
      const routed = routeItem(directory, routing, candidate, fallbacks);
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
          routing,
          { user: named, reason: named ? "second-level reviewer" : "the second-level reviewer may no longer review" },
          fallbacks,
          exclude,
        );
        items.push({ ...base, level: 2, reviewerId: second.reviewerId, reviewerReason: second.reason });
      }
    }
    return items;
  }
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

const sampleOrder = (
  a: { subject: { name: string }; access?: string; edge?: { kind: string }; target: { name: string } },
  b: { subject: { name: string }; access?: string; edge?: { kind: string }; target: { name: string } },
) =>
  a.subject.name.localeCompare(b.subject.name) ||
  (a.access ?? a.edge?.kind ?? "").localeCompare(b.access ?? b.edge?.kind ?? "") ||
  a.target.name.localeCompare(b.target.name);

/** Counts a preview shows, accumulated chunk by chunk: items, reviewers, the unassigned, splits by kind, risk and recommendation, a sample. */
export class Summariser {
  items = 0;
  secondLevelItems = 0;
  unassigned = 0;
  private byReviewer = new Map<string, number>();
  private byEdgeKind: Record<string, number> = {};
  private byRisk: Record<string, number> = {};
  private byRecommendation: Record<string, number> = {};
  private unassignedSample: { subject: string; access: string; target: string; reason: string }[] = [];
  private sample: PreviewSummary["sample"] = [];

  constructor(private dir: ReviewerDirectory) {}

  add(items: DraftItem[]): void {
    const inc = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
    for (const i of items) {
      if (i.reviewerId) this.byReviewer.set(i.reviewerId, (this.byReviewer.get(i.reviewerId) ?? 0) + 1);
      else {
        this.unassigned++;
        if (this.unassignedSample.length < 10)
          this.unassignedSample.push({ subject: i.subject.name, access: i.edge.kind, target: i.target.name, reason: i.reviewerReason });
      }
      if (i.level === 2) {
        this.secondLevelItems++;
        continue;
      }
      this.items++;
      inc(this.byEdgeKind, i.edge.kind);
      inc(this.byRisk, i.toolRisk ?? "none");
      inc(this.byRecommendation, i.recommendation);
      // The sample: the first 12 items by subject, access and target name (chunks come in id order).
      const last = this.sample[this.sample.length - 1];
      if (this.sample.length < 12 || (last && sampleOrder(i, last) < 0)) {
        this.sample.push({
          subject: { id: i.subject.id, kind: i.subject.kind, name: i.subject.name },
          access: i.edge.kind,
          target: { id: i.target.id, kind: i.target.kind, name: i.target.name },
          toolRisk: i.toolRisk,
          recommendation: i.recommendation,
          recommendationReason: i.recommendationReason,
          reviewer: i.reviewerId ? (this.dir.byId.get(i.reviewerId)?.name ?? i.reviewerId) : null,
          reviewerReason: i.reviewerReason,
        });
        this.sample.sort(sampleOrder);
        if (this.sample.length > 12) this.sample.pop();
      }
    }
  }

  /** The summary; with `estimate`, every count is scaled from the accesses examined to all of them. */
  result(estimate: { examined: number; of: number } | null = null): PreviewSummary {
    const f = estimate && estimate.examined > 0 ? estimate.of / estimate.examined : 1;
    const scale = (n: number) => Math.round(n * f);
    const scaleAll = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, n]) => [k, scale(n)]));
    const dir = this.dir;
    return {
      items: scale(this.items),
      secondLevelItems: scale(this.secondLevelItems),
      reviewers: [...this.byReviewer.entries()]
        .map(([id, n]) => ({ id, name: dir.byId.get(id)?.name ?? id, email: dir.byId.get(id)?.email ?? "", items: scale(n) }))
        .sort((a, b) => b.items - a.items || a.name.localeCompare(b.name)),
      unassigned: scale(this.unassigned),
      unassignedSample: this.unassignedSample,
      byEdgeKind: scaleAll(this.byEdgeKind),
      byRisk: scaleAll(this.byRisk),
      byRecommendation: scaleAll(this.byRecommendation),
      sample: this.sample,
      estimate,
    };
  }
}

export interface PreviewSummary {
  items: number;
  secondLevelItems: number;
  reviewers: { id: string; name: string; email: string; items: number }[];
  unassigned: number;
  unassignedSample: { subject: string; access: string; target: string; reason: string }[];
  byEdgeKind: Record<string, number>;
  byRisk: Record<string, number>;
  byRecommendation: Record<string, number>;
  sample: {
    subject: NodeBrief;
    access: string;
    target: NodeBrief;
    toolRisk: string | null;
    recommendation: Recommendation;
    recommendationReason: string;
    reviewer: string | null;
    reviewerReason: string;
  }[];
  /** Null when every access in scope was examined; otherwise the counts are scaled from the first `examined` of `of` accesses. */
  estimate: { examined: number; of: number } | null;
}

/** Above this many candidate accesses a preview examines only the first PREVIEW_SAMPLE and scales its counts. */
export const PREVIEW_FULL = 20_000;
export const PREVIEW_SAMPLE = 5_000;

/** What launching a definition now would produce: exact up to PREVIEW_FULL accesses; beyond, counted by SQL and estimated from a sample. */
export async function previewSnapshot(db: Db, def: SnapshotDefinition, now: Date): Promise<PreviewSummary> {
  const counts = await countCandidates(db, def.scope);
  const of = Object.values(counts).reduce((a, b) => a + b, 0);
  const stream = await SnapshotStream.open(db, def, now);
  const sum = new Summariser(stream.directory);
  let examined = 0;
  const full = of <= PREVIEW_FULL;
  for await (const chunk of stream.chunks(full ? DEFAULT_CHUNK : PREVIEW_SAMPLE)) {
    sum.add(chunk.items);
    examined += chunk.examined;
    if (!full) break;
  }
  if (full || examined >= of) return sum.result();
  const r = sum.result({ examined, of });
  // Without reach filters every candidate is an item: the item counts by kind are exact (SQL), not scaled.
  if (!def.scope.targets?.length && !def.scope.minToolRisk) return { ...r, items: of, byEdgeKind: counts };
  return r;
}
