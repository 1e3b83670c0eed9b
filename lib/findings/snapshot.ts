import { and, asc, eq, inArray, isNotNull, isNull, ne, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaigns, edges, findingToolDefinitions, nodes, reviewItems, toolUsage } from "@/db/schema";
import { graphVersion } from "@/lib/graph/access-cache";
import { buildAccessIndex, type AccessIndex } from "@/lib/graph/access-index";
import { ACCESS_EDGE_KINDS, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { isDepartedStatus, type OrphanRule } from "@/lib/ownership/owner-state";

export interface SnapNode {
  id: string;
  kind: NodeKind;
  name: string;
  status: string | null;
  /** The node's attributes, without the bulky tool description and schemas. */
  attributes: Record<string, unknown>;
  /** False for an ended node that a current edge still names. */
  current: boolean;
}

export interface SnapEdge {
  id: string;
  kind: EdgeKind;
  from: string;
  to: string;
}

/** An owner of a node without an active owner: who, through which owns edge, and why they do not count. */
export interface SnapOwner {
  edgeId: string;
  ownerId: string;
  kind: "human" | "group";
  /** For a group: its active human members, nested groups included. */
  activeMembers: number | null;
  reason: OrphanRule;
}

/** An approved level-1 review item of a closed (or signed-off) campaign: an access someone certified. */
export interface Certification {
  itemId: string;
  subjectId: string;
  targetId: string;
  edgeKind: string;
  campaignId: string;
  campaignName: string;
  closedAt: Date;
  /** Tool definition hashes the item's snapshot recorded, when it recorded them (toolId → hash). */
  toolDefinitions: Record<string, string> | null;
}

/** Everything an evaluation reads, from one snapshot of the database. */
export interface GraphSnapshot {
  version: number;
  nodes: Map<string, SnapNode>;
  /** Current edges whose ends are both known. */
  edges: SnapEdge[];
  /** Current access edges by their `from` node, to name the edges of a path. */
  accessOut: Map<string, SnapEdge[]>;
  ix: AccessIndex;
  /** Agents, service accounts, MCP servers and credentials without an active owner, with the owners they do have. */
  orphans: Map<string, SnapOwner[]>;
  certifications: Certification[];
  /** Each tool's recorded definition hashes, oldest first. */
  toolHistory: Map<string, { hash: string; firstSeenAt: Date }[]>;
  /** Gateways' tool-call usage (tool_usage) of the snapshot's principals and tools; absent: none read. */
  toolUse?: ToolUseFacts;
}

/** What tool_usage says: each (subject, tool)'s last call, and since when any call of each tool is seen. */
export interface ToolUseFacts {
  /** `${subjectId}\u0000${toolId}` → last call. */
  lastUse: Map<string, Date>;
  /** toolId → the first call by anyone: before it there is no usage data for the tool. */
  coveredSince: Map<string, Date>;
}

/** Tool usage rows as ToolUseFacts. */
export function toToolUse(rows: { subjectId: string; toolId: string; firstUsedAt: Date; lastUsedAt: Date }[]): ToolUseFacts {
  const lastUse = new Map<string, Date>();
  const coveredSince = new Map<string, Date>();
  for (const r of rows) {
    lastUse.set(`${r.subjectId}\u0000${r.toolId}`, new Date(r.lastUsedAt));
    const c = coveredSince.get(r.toolId);
    if (!c || r.firstUsedAt < c) coveredSince.set(r.toolId, new Date(r.firstUsedAt));
  }
  return { lastUse, coveredSince };
}

export const ORPHAN_KINDS = ["agent", "service_account", "mcp_server", "credential"] as const;
const ACCESS = new Set<string>(ACCESS_EDGE_KINDS);

/**
 * Reads the graph and what the rules need about it (owners, certifications,
 * tool definition history) in one repeatable-read snapshot, so no evaluation
 * mixes two versions of the graph, and builds the access index from it.
 */
export async function loadSnapshot(db: Db): Promise<GraphSnapshot> {
  return db.transaction(
    async (tx) => {
      const version = await graphVersion(tx);
      const nodeRows = await tx
        .select({
          id: nodes.id,
          kind: nodes.kind,
          name: nodes.name,
          status: nodes.status,
          // Only credentials, tools and servers have attributes a rule reads; tools without their bulky schemas.
          attributes: sql<
            Record<string, unknown>
          >`case when ${nodes.kind} in ('credential', 'tool', 'mcp_server') then ${nodes.attributes} - 'inputSchema' - 'outputSchema' - 'description' else '{}'::jsonb end`,
        })
        .from(nodes)
        .where(isNull(nodes.validTo));
      const edgeRows = await tx
        .select({ id: edges.id, kind: edges.kind, from: edges.fromId, to: edges.toId })
        .from(edges)
        .where(and(isNull(edges.validTo), ne(edges.kind, "manages")));
      // Ended people still named by a current delegation or ownership: they left.
      const endedRows = await tx
        .select({ id: nodes.id, kind: nodes.kind, name: nodes.name, status: nodes.status, attributes: nodes.attributes })
        .from(nodes)
        .where(
          and(
            isNotNull(nodes.validTo),
            sql`${nodes.id} in (select ${edges.toId} from ${edges} where ${edges.validTo} is null and ${edges.kind} = 'acts_for' union select ${edges.fromId} from ${edges} where ${edges.validTo} is null and ${edges.kind} = 'owns')`,
          ),
        );

      const { nodeMap, edgeList, accessOut, ix } = assembleGraph(version, nodeRows, endedRows, edgeRows);
      const orphans = findOrphans(nodeMap, edgeList);

      const certRows = await certificationRows(tx);
      const certifications = toCertifications(certRows);

      const history = await tx
        .select({ toolId: findingToolDefinitions.toolId, hash: findingToolDefinitions.definitionHash, firstSeenAt: findingToolDefinitions.firstSeenAt })
        .from(findingToolDefinitions)
        .orderBy(asc(findingToolDefinitions.toolId), asc(findingToolDefinitions.firstSeenAt), asc(findingToolDefinitions.id));
      const toolHistory = toToolHistory(history);
      const toolUse = toToolUse(
        await tx
          .select({ subjectId: toolUsage.subjectId, toolId: toolUsage.toolId, firstUsedAt: toolUsage.firstUsedAt, lastUsedAt: toolUsage.lastUsedAt })
          .from(toolUsage),
      );

      return { version, nodes: nodeMap, edges: edgeList, accessOut, ix, orphans, certifications, toolHistory, toolUse };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

type NodeRow = Omit<SnapNode, "current" | "attributes"> & { attributes: Record<string, unknown> | null };
type EdgeRow = SnapEdge;

/**
 * The snapshot's graph from its rows: current nodes, ended ones still named, and the current edges whose ends are
 * both known, all in id order, with an access index of its own. Shared by the full snapshot and the partial one an
 * incremental evaluation reads (scope.ts), so both index a neighbourhood the same way and find the same paths.
 */
export function assembleGraph(version: number, nodeRows: NodeRow[], endedRows: NodeRow[], edgeRows: EdgeRow[]) {
  // Everything in id order, so rules meet nodes and edges in the same order on every evaluation.
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  nodeRows.sort((a, b) => byId(a.id, b.id));
  edgeRows.sort((a, b) => byId(a.id, b.id));
  const nodeMap = new Map<string, SnapNode>();
  for (const n of nodeRows) nodeMap.set(n.id, { ...n, attributes: n.attributes ?? {}, current: true });
  for (const n of endedRows) nodeMap.set(n.id, { ...n, attributes: n.attributes ?? {}, current: false });
  const edgeList: SnapEdge[] = [];
  const accessOut = new Map<string, SnapEdge[]>();
  for (const e of edgeRows) {
    if (!nodeMap.has(e.from) || !nodeMap.has(e.to)) continue;
    edgeList.push(e);
    if (!ACCESS.has(e.kind)) continue;
    const list = accessOut.get(e.from);
    if (list) list.push(e);
    else accessOut.set(e.from, [e]);
  }
  // An index of our own, from rows in id order: breadth-first searches then meet neighbours in the same
  // order whatever order the database returned rows in, so the same graph always yields the same paths
  // (and evidence). The shared index (lib/graph/access-cache) keeps the database's order.
  const accessRows = edgeList.filter((e) => ACCESS.has(e.kind)).sort((a, b) => byId(a.from, b.from) || byId(a.to, b.to) || byId(a.kind, b.kind));
  const ix = buildAccessIndex(
    nodeRows.map((n) => ({ id: n.id, kind: n.kind })),
    accessRows.map((e) => ({ fromId: e.from, toId: e.to, kind: e.kind })),
    version,
  );

  return { nodeMap, edgeList, accessOut, ix };
}

/** Approved level-1 items of closed (or signed-off) campaigns, optionally only those matching `where`. */
export function certificationRows(tx: Db, where?: SQL) {
  return tx
    .select({
      itemId: reviewItems.id,
      subjectId: reviewItems.subjectId,
      targetId: reviewItems.targetId,
      edgeKind: reviewItems.edgeKind,
      campaignId: campaigns.id,
      campaignName: campaigns.name,
      closedAt: campaigns.closedAt,
      toolDefinitions: sql<Record<string, string> | null>`${reviewItems.context}->'toolDefinitions'`,
    })
    .from(reviewItems)
    .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
    .where(
      and(
        eq(reviewItems.level, 1),
        eq(reviewItems.outcome, "approve"),
        inArray(campaigns.status, ["closed", "signed_off"]),
        isNotNull(campaigns.closedAt),
        where,
      ),
    );
}

type CertRow = Omit<Certification, "closedAt" | "toolDefinitions"> & { closedAt: Date | null; toolDefinitions: unknown };

export function toCertifications(certRows: CertRow[]): Certification[] {
  return certRows.map((r) => ({
    ...r,
    closedAt: r.closedAt!,
    toolDefinitions:
      r.toolDefinitions && typeof r.toolDefinitions === "object" && !Array.isArray(r.toolDefinitions) ? (r.toolDefinitions as Record<string, string>) : null,
  }));
}

export function toToolHistory(history: { toolId: string; hash: string; firstSeenAt: Date }[]): Map<string, { hash: string; firstSeenAt: Date }[]> {
  const toolHistory = new Map<string, { hash: string; firstSeenAt: Date }[]>();
  for (const h of history) {
    const list = toolHistory.get(h.toolId) ?? [];
    list.push({ hash: h.hash, firstSeenAt: h.firstSeenAt });
    toolHistory.set(h.toolId, list);
  }
  return toolHistory;
}

/**
 * lib/ownership's "active owner" rule (owner-state.ts), applied to the
 * snapshot in memory: an owner is the `from` end of a current owns edge; a
 * human owner is active while current and not terminated or inactive; a group
 * owner while it has at least one active human member, directly or through
 * nested groups. (Its SQL form walks every owner group's nesting and takes
 * tens of seconds on the benchmark graphs; this walk is linear.) Returns the
 * agents, service accounts, MCP servers and credentials with no active owner.
 */
export function findOrphans(nodeMap: Map<string, SnapNode>, edgeList: SnapEdge[]): Map<string, SnapOwner[]> {
  const ownsInto = new Map<string, SnapEdge[]>();
  const membersOf = new Map<string, string[]>();
  for (const e of edgeList) {
    if (e.kind === "owns") {
      const l = ownsInto.get(e.to);
      if (l) l.push(e);
      else ownsInto.set(e.to, [e]);
    } else if (e.kind === "member_of") {
      const l = membersOf.get(e.to);
      if (l) l.push(e.from);
      else membersOf.set(e.to, [e.from]);
    }
  }
  const activeHuman = (n: SnapNode | undefined) => !!n && n.kind === "human" && n.current && !isDepartedStatus(n.status);
  const memberCount = new Map<string, number>();
  const activeMembers = (groupId: string): number => {
    let n = memberCount.get(groupId);
    if (n !== undefined) return n;
    const seen = new Set<string>([groupId]);
    const humans = new Set<string>();
    const stack = [groupId];
    while (stack.length) {
      for (const m of membersOf.get(stack.pop()!) ?? []) {
        if (seen.has(m)) continue;
        seen.add(m);
        const node = nodeMap.get(m);
        if (activeHuman(node)) humans.add(m);
        else if (node?.kind === "group") stack.push(m);
      }
    }
    n = humans.size;
    memberCount.set(groupId, n);
    return n;
  };
  const out = new Map<string, SnapOwner[]>();
  for (const n of nodeMap.values()) {
    if (!n.current || !(ORPHAN_KINDS as readonly string[]).includes(n.kind)) continue;
    const owners: SnapOwner[] = [];
    let active = false;
    for (const e of ownsInto.get(n.id) ?? []) {
      const o = nodeMap.get(e.from);
      if (!o || (o.kind !== "human" && o.kind !== "group")) continue;
      if (o.kind === "human") {
        if (activeHuman(o)) active = true;
        else owners.push({ edgeId: e.id, ownerId: o.id, kind: "human", activeMembers: null, reason: "inactive_owners" });
      } else {
        const members = o.current ? activeMembers(o.id) : 0;
        if (members > 0) active = true;
        else owners.push({ edgeId: e.id, ownerId: o.id, kind: "group", activeMembers: members, reason: o.current ? "empty_owner_group" : "inactive_owners" });
      }
      if (active) break;
    }
    if (!active) out.set(n.id, owners);
  }
  return out;
}
