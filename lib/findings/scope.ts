import { and, asc, isNotNull, isNull, ne, or, sql, type Column, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { edges, findings, findingToolDefinitions, nodes, reviewItems, toolUsage } from "@/db/schema";
import { graphVersion } from "@/lib/graph/access-cache";
import { ACCESS_EDGE_KINDS, type NodeKind } from "@/lib/graph/model";
import { FINDING_RULES, type FindingRule } from "./rules";
import type { FindingSettings } from "./settings";
import { UNUSED_ACCESS_KINDS } from "./rules-usage";
import { assembleGraph, certificationRows, findOrphans, ORPHAN_KINDS, toCertifications, toToolHistory, toToolUse, type GraphSnapshot } from "./snapshot";

/** What a committed graph change touched (lib/graph/after-change's ChangeSet, without its outbox bookkeeping). */
export interface GraphChange {
  nodeIds: string[];
  edgeIds: string[];
  sourceIds: string[];
  full: boolean;
}

/** Per rule, the subjects (node ids) whose findings an incremental evaluation re-checks. */
export type RuleScope = Record<FindingRule, Set<string>>;

/**
 * Rules (or variants) refreshed only by a full evaluation (on demand, nightly): their answer depends on a ranking
 * over the whole graph, so no bounded neighbourhood of a change decides it. over_broad_reach's blast-radius variant
 * (the groups and credentials with the largest blast radius, keys `blast:<id>`) is the one today; its principal
 * variant (a threshold on one principal's own reach, keys `reach:<id>`) is incremental.
 */
export const NIGHTLY_ONLY = [{ rule: "over_broad_reach", keyPrefix: "blast:" }] as const satisfies readonly { rule: FindingRule; keyPrefix: string }[];

/** A finding's key from its rule and subject, for the rules an incremental evaluation re-checks. */
export function scopedKey(rule: FindingRule, subjectId: string): string {
  return rule === "over_broad_reach" ? `reach:${subjectId}` : subjectId;
}

const ACCESS = [...ACCESS_EDGE_KINDS] as string[];
/** Kinds whose attributes or names the reach rules read about nodes a principal reaches. */
const REACH_READ_KINDS = ["tool", "resource", "mcp_server", "credential", "entitlement"] as const;
const ACCESS_SET = new Set(ACCESS);
const texts = (ids: Iterable<string>) => sql`${sql.param([...ids])}::text[]`;
/** `col = any($1)`: one parameter whatever the list's length (an IN list is one per id, and PostgreSQL allows 65,535). */
const anyOf = (col: Column, ids: Iterable<string>): SQL => sql`${col} = any(${texts(ids)})`;

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}

/** Kinds (and currency) of nodes, read once each. */
class Kinds {
  readonly kind = new Map<string, NodeKind>();
  readonly current = new Map<string, boolean>();
  constructor(private readonly tx: Db) {}
  async load(ids: Iterable<string>): Promise<void> {
    const missing = [...ids].filter((id) => !this.kind.has(id));
    if (!missing.length) return;
    for (const r of await this.tx
      .select({ id: nodes.id, kind: nodes.kind, current: sql<boolean>`${nodes.validTo} is null` })
      .from(nodes)
      .where(anyOf(nodes.id, missing))) {
      this.kind.set(r.id, r.kind);
      this.current.set(r.id, r.current);
    }
  }
  of(ids: Iterable<string>, kinds: readonly string[]): string[] {
    return [...ids].filter((id) => kinds.includes(this.kind.get(id) ?? ""));
  }
}

/**
 * Breadth-first along current edges of `kinds` into current nodes, one bounded query per level (the seeds
 * themselves may have ended: stepping from one finds what it used to join). Returns every node reached, seeds excluded.
 */
async function walk(tx: Db, seeds: Iterable<string>, dir: "out" | "in", depth: number, kinds: string[] = ACCESS): Promise<Set<string>> {
  const seen = new Set(seeds);
  const reached = new Set<string>();
  let frontier = [...seen];
  const [near, far] = dir === "out" ? [sql.raw("from_id"), sql.raw("to_id")] : [sql.raw("to_id"), sql.raw("from_id")];
  for (let d = 1; d <= depth && frontier.length; d++) {
    const next: string[] = [];
    for (const r of await rows<{ id: string }>(
      tx,
      sql`select distinct e.${far} as id from edges e join nodes n on n.id = e.${far} and n.valid_to is null
          where e.valid_to is null and e.kind = any(${texts(kinds)}) and e.${near} = any(${texts(frontier)})`,
    )) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      reached.add(r.id);
      next.push(r.id);
    }
    frontier = next;
  }
  return reached;
}

/** Nodes joined to any of `ids` by one current edge (manages aside: no rule reads it), both directions. */
async function neighbours(tx: Db, ids: Set<string>): Promise<{ from: string; to: string; kind: string }[]> {
  if (!ids.size) return [];
  const list = [...ids];
  return tx
    .select({ from: edges.fromId, to: edges.toId, kind: edges.kind })
    .from(edges)
    .where(and(isNull(edges.validTo), ne(edges.kind, "manages"), or(anyOf(edges.fromId, list), anyOf(edges.toId, list))));
}

/**
 * Enough of a group's membership to decide, as findOrphans does, whether it has an active person: the nested groups
 * walked and the first active person met (the rule needs one; a big group's thousands of members need not be read),
 * or, when it has none, every nested group (its count, 0, is then exact).
 */
async function activeWitness(tx: Db, group: string): Promise<string[]> {
  const seen = new Set([group]);
  let frontier = [group];
  while (frontier.length) {
    const [active] = await rows<{ id: string }>(
      tx,
      sql`select e.from_id as id from edges e join nodes n on n.id = e.from_id and n.valid_to is null
          where e.valid_to is null and e.kind = 'member_of' and e.to_id = any(${texts(frontier)})
            and n.kind = 'human' and (n.status is null or n.status not in ('terminated', 'inactive')) limit 1`,
    );
    if (active) return [...seen, active.id];
    const next: string[] = [];
    for (const r of await rows<{ id: string }>(
      tx,
      sql`select distinct e.from_id as id from edges e join nodes n on n.id = e.from_id and n.valid_to is null
          where e.valid_to is null and e.kind = 'member_of' and e.to_id = any(${texts(frontier)}) and n.kind = 'group'`,
    )) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      next.push(r.id);
    }
    frontier = next;
  }
  return [...seen];
}

export interface ScopedSnapshot {
  snap: GraphSnapshot;
  scope: RuleScope;
  /** Every subject in scope, for reading the stored findings about them. */
  subjects: string[];
}

/**
 * What a change can affect, and the part of the graph that decides it, read in one repeatable-read snapshot.
 * Each rule's scope (which subjects to re-check) is derived from the changed nodes and the ends of the changed
 * edges (the seeds) with bounded queries: credential rules, "agent of a departed person" and "no active owner"
 * look one edge around a seed (owners also through the groups a changed person or group belongs to, nesting
 * followed); the reach rules look back up to maxDepth access edges for principals reaching a seed; "tool changed
 * since certified" looks forward up to maxDepth from the ends of changed access edges (and ended nodes); insecure
 * servers only at the seeds; and any stored finding whose evidence names a seed (a renamed tool in a title) is
 * re-checked too. The snapshot then holds each subject's neighbourhood, closed enough that the rules give the same
 * answer (and evidence) about it as over the whole graph: one edge around every subject, maxDepth forward from
 * principals and their certified targets, maxDepth back from tools with a definition hash (the certifications
 * reaching them), and the full membership of owner groups.
 */
export async function loadScopedSnapshot(
  db: Db,
  change: GraphChange,
  settings: FindingSettings,
  phase: (name: string) => void = () => {},
): Promise<ScopedSnapshot> {
  return db.transaction(
    async (tx) => {
      const version = await graphVersion(tx);
      const depth = settings.maxDepth;
      const k = new Kinds(tx);
      // Changed nodes: anything about them (status, attributes, name, end) may have changed.
      const seeds = new Set(change.nodeIds);
      await k.load(seeds);
      const structural = new Set<string>(); // reach through these changed: ends of changed access edges, ended nodes
      const ended = new Set<string>();
      for (const id of seeds)
        if (k.current.get(id) === false) {
          structural.add(id);
          ended.add(id);
        }
      // Changed edges: only what their kind can affect (an owns edge changes its target's owners, nothing's reach).
      const reachTails = new Set<string>();
      const byEdge = { credential: new Set<string>(), agent: new Set<string>(), owned: new Set<string>(), group: new Set<string>(), tool: new Set<string>() };
      if (change.edgeIds.length) {
        for (const e of await tx.select({ from: edges.fromId, to: edges.toId, kind: edges.kind }).from(edges).where(anyOf(edges.id, change.edgeIds))) {
          if (ACCESS_SET.has(e.kind)) {
            structural.add(e.from).add(e.to);
            reachTails.add(e.from);
          }
          if (e.kind === "uses_credential") byEdge.credential.add(e.to);
          else if (e.kind === "credential_for") byEdge.credential.add(e.from);
          else if (e.kind === "acts_for") byEdge.agent.add(e.from);
          else if (e.kind === "owns") byEdge.owned.add(e.to);
          else if (e.kind === "member_of") byEdge.group.add(e.to);
          else if (e.kind === "exposes") byEdge.tool.add(e.to);
        }
      }
      const around = new Set(seeds);
      for (const e of await neighbours(tx, seeds)) around.add(e.from).add(e.to);
      await k.load([...around, ...structural, ...byEdge.owned]);

      const scope = Object.fromEntries(FINDING_RULES.map((r) => [r, new Set<string>()])) as RuleScope;
      const add = (rule: FindingRule, ids: Iterable<string>) => {
        for (const id of ids) scope[rule].add(id);
      };
      for (const r of ["hardcoded_secret", "credential_rotation", "shared_credential"] as const)
        add(r, [...k.of(around, ["credential"]), ...byEdge.credential]);
      add("agent_inactive_principal", [...k.of(around, ["agent"]), ...byEdge.agent, ...k.of(byEdge.owned, ["agent"])]);
      add("insecure_mcp_server", k.of(seeds, ["mcp_server"]));
      add("tool_definition_changed", [...k.of(seeds, ["tool"]), ...k.of(structural, ["tool"]), ...byEdge.tool]);
      // Owners: a changed person or group changes the active members of every group it belongs to, nesting followed.
      const people = [...k.of(seeds, ["human", "group"]), ...byEdge.group];
      await k.load(people);
      const groups = new Set([...k.of(people, ["group"]), ...(await walk(tx, people, "out", Number.MAX_SAFE_INTEGER, ["member_of"]))]);
      add("no_active_owner", [...k.of(around, ORPHAN_KINDS), ...k.of(byEdge.owned, ORPHAN_KINDS)]);
      if (groups.size) {
        const owned = await tx
          .select({ to: edges.toId })
          .from(edges)
          .where(and(isNull(edges.validTo), sql`${edges.kind} = 'owns'`, anyOf(edges.fromId, [...groups])));
        const ids = owned.map((o) => o.to);
        await k.load(ids);
        add("no_active_owner", k.of(ids, ORPHAN_KINDS));
      }
      // Principals reaching the tail of a changed access edge, an ended node, or a changed node whose risk or name their
      // findings read (tools, resources, servers, credentials, entitlements: a rename can move one into a title's sample).
      // A current person, group, agent or account changed in place changes no one else's reach: only its own is re-checked.
      // Not the head of a changed edge: an edge a → b adds or removes paths only for those reaching a (b's own reach and
      // that of everyone reaching b alone are what they were). With the head, one person joining a large group re-checked
      // every principal reaching that group: 8,066 of S's 9,582 nodes read, 9.4 s, for one membership (issue #19).
      const from = new Set([...reachTails, ...ended, ...k.of(seeds, REACH_READ_KINDS)]);
      const back = new Set([...seeds, ...from, ...(await walk(tx, from, "in", depth))]);
      await k.load(back);
      add("uncertified_risky_tool", k.of(back, ["agent"]));
      add("dual_access_path", k.of(back, settings.dualPathPrincipalKinds));
      add("over_broad_reach", k.of(back, settings.overBroadPrincipalKinds));
      // Unused high-risk access reads a principal's reach like the rules above (usage and the clock alone change it
      // too: the nightly full evaluation picks those up).
      add("unused_high_risk_access", k.of(back, UNUSED_ACCESS_KINDS));
      // Tools whose certified reach may have changed: downstream of a changed access edge or an ended node.
      if (structural.size) {
        const down = await walk(tx, structural, "out", depth);
        await k.load(down);
        add("tool_definition_changed", k.of(down, ["tool"]));
      }
      // Stored findings whose evidence names a seed (titles carry names, evidence carries attributes).
      if (seeds.size) {
        for (const f of await tx
          .select({ rule: findings.rule, key: findings.key, subjectId: findings.subjectId })
          .from(findings)
          .where(and(ne(findings.status, "resolved"), sql`${findings.evidence}->'nodes' ?| ${texts(seeds)}`))) {
          if (NIGHTLY_ONLY.some((n) => n.rule === f.rule && f.key.startsWith(n.keyPrefix))) continue;
          scope[f.rule].add(f.subjectId);
        }
      }

      phase("scope");
      const snap = await loadNeighbourhood(tx, version, scope, settings, k);
      phase("neighbourhood");
      const subjects = new Set<string>();
      for (const r of FINDING_RULES) for (const id of scope[r]) subjects.add(id);
      return { snap, scope, subjects: [...subjects] };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

async function loadNeighbourhood(tx: Db, version: number, scope: RuleScope, settings: FindingSettings, k: Kinds): Promise<GraphSnapshot> {
  const depth = settings.maxDepth;
  const load = new Set<string>();
  const local = new Set<string>();
  for (const r of FINDING_RULES) for (const id of scope[r]) load.add(id);
  for (const r of [
    "hardcoded_secret",
    "credential_rotation",
    "shared_credential",
    "no_active_owner",
    "agent_inactive_principal",
    "tool_definition_changed",
  ] as const) {
    for (const id of scope[r]) local.add(id);
  }
  const localEdges = await neighbours(tx, local);
  for (const e of localEdges) load.add(e.from).add(e.to);
  // Owner groups: whether one counts as an active owner is whether it has an active person, nesting followed.
  const ownerGroups = localEdges.filter((e) => e.kind === "owns" && scope.no_active_owner.has(e.to)).map((e) => e.from);
  await k.load(ownerGroups);
  for (const g of new Set(k.of(ownerGroups, ["group"]))) for (const id of await activeWitness(tx, g)) load.add(id);

  // Certifications: of the agents in scope (their approvals), and of anything reaching a tool in scope with a definition hash.
  const principals = new Set([...scope.uncertified_risky_tool, ...scope.dual_access_path, ...scope.over_broad_reach, ...scope.unused_high_risk_access]);
  const tools = [...scope.tool_definition_changed];
  const hashed = tools.length
    ? (
        await tx
          .select({ id: nodes.id })
          .from(nodes)
          .where(and(anyOf(nodes.id, tools), isNull(nodes.validTo), sql`coalesce(${nodes.attributes}->>'definitionHash', '') <> ''`))
      ).map((r) => r.id)
    : [];
  const towardTools = new Set([...hashed, ...(hashed.length ? await walk(tx, hashed, "in", depth) : [])]);
  for (const id of towardTools) load.add(id);
  const certWhere = [
    scope.uncertified_risky_tool.size ? anyOf(reviewItems.subjectId, [...scope.uncertified_risky_tool]) : undefined,
    towardTools.size ? anyOf(reviewItems.targetId, [...towardTools]) : undefined,
  ].filter((w) => w !== undefined);
  const certRows = certWhere.length ? await certificationRows(tx, or(...certWhere)) : [];
  const byItem = new Map(certRows.map((c) => [c.itemId, c]));
  const certifications = toCertifications([...byItem.values()].sort((a, b) => (a.itemId < b.itemId ? -1 : 1)));
  const forwardFrom = new Set(principals);
  for (const c of certifications) {
    load.add(c.subjectId).add(c.targetId);
    forwardFrom.add(c.targetId);
  }
  for (const id of forwardFrom) load.add(id);
  for (const id of await walk(tx, forwardFrom, "out", depth)) load.add(id);

  const ids = [...load];
  const nodeRows = await tx
    .select({
      id: nodes.id,
      kind: nodes.kind,
      name: nodes.name,
      status: nodes.status,
      attributes: sql<
        Record<string, unknown>
      >`case when ${nodes.kind} in ('credential', 'tool', 'mcp_server') then ${nodes.attributes} - 'inputSchema' - 'outputSchema' - 'description' else '{}'::jsonb end`,
    })
    .from(nodes)
    .where(and(isNull(nodes.validTo), anyOf(nodes.id, ids)));
  const endedRows = await tx
    .select({ id: nodes.id, kind: nodes.kind, name: nodes.name, status: nodes.status, attributes: nodes.attributes })
    .from(nodes)
    .where(
      and(
        isNotNull(nodes.validTo),
        anyOf(nodes.id, ids),
        sql`${nodes.id} in (select ${edges.toId} from ${edges} where ${edges.validTo} is null and ${edges.kind} = 'acts_for' and ${edges.toId} = any(${texts(ids)})
                            union select ${edges.fromId} from ${edges} where ${edges.validTo} is null and ${edges.kind} = 'owns' and ${edges.fromId} = any(${texts(ids)}))`,
      ),
    );
  const edgeRows = await tx
    .select({ id: edges.id, kind: edges.kind, from: edges.fromId, to: edges.toId })
    .from(edges)
    .where(and(isNull(edges.validTo), ne(edges.kind, "manages"), anyOf(edges.fromId, ids), anyOf(edges.toId, ids)));
  const { nodeMap, edgeList, accessOut, ix } = assembleGraph(version, nodeRows, endedRows, edgeRows);
  const history = tools.length
    ? await tx
        .select({ toolId: findingToolDefinitions.toolId, hash: findingToolDefinitions.definitionHash, firstSeenAt: findingToolDefinitions.firstSeenAt })
        .from(findingToolDefinitions)
        .where(anyOf(findingToolDefinitions.toolId, tools))
        .orderBy(asc(findingToolDefinitions.toolId), asc(findingToolDefinitions.firstSeenAt), asc(findingToolDefinitions.id))
    : [];
  // Tool usage: since when each tool in the neighbourhood is seen called (by anyone: one row per tool), and the calls of
  // the principals in scope of the unused-access rule.
  const usageTools = nodeRows.filter((n) => n.kind === "tool").map((n) => n.id);
  const asked = scope.unused_high_risk_access.size > 0 && usageTools.length > 0;
  const covered = asked
    ? await tx
        .select({ toolId: toolUsage.toolId, first: sql<Date | string>`min(${toolUsage.firstUsedAt})` })
        .from(toolUsage)
        .where(anyOf(toolUsage.toolId, usageTools))
        .groupBy(toolUsage.toolId)
    : [];
  const mine = asked
    ? await tx
        .select({ subjectId: toolUsage.subjectId, toolId: toolUsage.toolId, firstUsedAt: toolUsage.firstUsedAt, lastUsedAt: toolUsage.lastUsedAt })
        .from(toolUsage)
        .where(and(anyOf(toolUsage.subjectId, scope.unused_high_risk_access), anyOf(toolUsage.toolId, usageTools)))
    : [];
  const toolUse = toToolUse(mine);
  for (const c of covered) toolUse.coveredSince.set(c.toolId, new Date(c.first));
  return {
    version,
    nodes: nodeMap,
    edges: edgeList,
    accessOut,
    ix,
    orphans: findOrphans(nodeMap, edgeList),
    certifications,
    toolHistory: toToolHistory(history),
    toolUse,
  };
}

/**
 * Principals reaching each node within `depth` (a finding's exposure, score.ts), read from the database: an
 * incremental evaluation's snapshot holds only a neighbourhood, too little to count who reaches a tool or credential.
 */
export function databaseExposedCounter(db: Db, depth: number): (ids: readonly string[]) => Promise<Map<string, number>> {
  return async (ids) => {
    const out = new Map<string, number>();
    for (const id of ids) {
      const reached = await walk(db, [id], "in", depth);
      if (!reached.size) {
        out.set(id, 0);
        continue;
      }
      const [row] = await rows<{ n: number }>(
        db,
        sql`select count(*)::int as n from nodes where id = any(${texts(reached)}) and kind in ('human', 'service_account', 'agent')`,
      );
      out.set(id, row?.n ?? 0);
    }
    return out;
  };
}
