import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { readPdpStateVersion } from "@/lib/db/pdp-state";
import type { NodeKind } from "@/lib/graph/model";
import { riskOfToolAttributes } from "@/lib/graph/tool-risk";
import { isDepartedStatus } from "@/lib/ownership/owner-state";
import { DEFAULT_POLICY, policySchema, type PdpPolicy } from "./policy";
import { accessKey, addNode, emptyFacts, grantKey, removeNode, type DecisionFacts, type GraphFacts, type ToolFacts } from "./state";

/** The newest policy version (0 = none stored: the defaults). */
export async function readPolicy(db: Db): Promise<{ version: number; policy: PdpPolicy }> {
  const [row] = await rows<{ version: number; policy: unknown }>(db, sql`select version, policy from pdp_policies order by version desc limit 1`);
  if (!row) return { version: 0, policy: DEFAULT_POLICY };
  const parsed = policySchema.safeParse(row.policy);
  // A stored row was validated when written; one that no longer parses (a knob removed) falls back to the defaults
  // rather than failing every decision.
  return { version: Number(row.version), policy: parsed.success ? parsed.data : DEFAULT_POLICY };
}

/**
 * The latest campaign decision per access (subject, edge kind, target): an open campaign's item decision counts at
 * once; a closed campaign's outcome (which combines levels and "no response") counts from its close. Rows with
 * `at` after `since` only, when given (the incremental reload).
 */
async function latestDecisions(db: Db, since: Date | null) {
  const filter = since ? sql`and (ri.decided_at > ${since.toISOString()}::timestamptz or c.closed_at > ${since.toISOString()}::timestamptz)` : sql``;
  return rows<{ subject_id: string; edge_kind: string; target_id: string; eff: "approve" | "revoke"; at: Date | string }>(
    db,
    sql`select distinct on (subject_id, edge_kind, target_id) subject_id, edge_kind, target_id, eff, at from (
          select ri.subject_id, ri.edge_kind, ri.target_id,
                 case when c.status in ('closed', 'signed_off') and ri.outcome in ('approve', 'revoke') then ri.outcome else ri.decision end as eff,
                 case when c.status in ('closed', 'signed_off') and ri.outcome in ('approve', 'revoke') then c.closed_at else ri.decided_at end as at
            from review_items ri join campaigns c on c.id = ri.campaign_id
           where (ri.decision in ('approve', 'revoke') or ri.outcome in ('approve', 'revoke')) ${filter}
        ) x where eff in ('approve', 'revoke') and at is not null
        order by subject_id, edge_kind, target_id, at desc`,
  );
}

export interface DecisionCursor {
  /** Latest campaign decision per access key: its effect and when. */
  latest: Map<string, { revoke: boolean; at: number }>;
  /** The database's clock at the previous read (the incremental read starts a margin before it). */
  readAt: Date | null;
}

/** Transactions that decided before the previous read but committed after it are caught by reading this far back. */
const SINCE_MARGIN_MS = 5 * 60_000;

/**
 * The decision half of the state, read in one snapshot. Campaign decisions are read incrementally after the first
 * load (only items decided, or campaigns closed, since the previous read less a margin), so a revoke costs a small
 * read whatever the number of review items.
 */
export async function loadDecisionFacts(db: Db, cursor: DecisionCursor): Promise<DecisionFacts> {
  return db.transaction(
    async (tx) => {
      const version = await readPdpStateVersion(tx);
      const [{ now }] = (await rows<{ now: Date | string }>(tx, sql`select now() as now`)) as [{ now: Date | string }];
      const since = cursor.readAt ? new Date(cursor.readAt.getTime() - SINCE_MARGIN_MS) : null;
      for (const r of await latestDecisions(tx, since)) {
        const key = accessKey(r.subject_id, r.edge_kind, r.target_id);
        const at = new Date(r.at).getTime();
        const seen = cursor.latest.get(key);
        if (!seen || seen.at <= at) cursor.latest.set(key, { revoke: r.eff === "revoke", at });
      }
      cursor.readAt = new Date(now);
      const revoked = new Set<string>();
      for (const [k, v] of cursor.latest) if (v.revoke) revoked.add(k);
      const grants = new Map<string, number>();
      for (const g of await rows<{ subject_id: string; tool_id: string; until: Date | string }>(
        tx,
        sql`select subject_id, tool_id, grant_expires_at as until from access_requests where status = 'approved' and grant_expires_at > now()`,
      )) {
        const key = grantKey(g.subject_id, g.tool_id);
        grants.set(key, Math.max(grants.get(key) ?? 0, new Date(g.until).getTime()));
      }
      const { version: policyVersion, policy } = await readPolicy(tx);
      return { version, policy, policyVersion, revoked, grants };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** Tools with an open "definition changed since certified" finding (the findings engine decides drift). */
export async function loadDrift(db: Db): Promise<GraphFacts["drifted"]> {
  const out: GraphFacts["drifted"] = new Map();
  const found = await rows<{ subject_id: string; current: string | null; certified: string | null }>(
    db,
    sql`select f.subject_id,
               n.attributes->>'definitionHash' as current,
               (select a->>'value' from jsonb_array_elements(case when jsonb_typeof(f.evidence->'attributes') = 'array' then f.evidence->'attributes' else '[]'::jsonb end) a
                 where a->>'key' = 'certifiedDefinitionHash' limit 1) as certified
          from findings f left join nodes n on n.id = f.subject_id
         where f.rule = 'tool_definition_changed' and f.status = 'open'`,
  );
  for (const r of found) out.set(r.subject_id, { certifiedHash: r.certified, currentHash: r.current });
  return out;
}

const KINDS = "('human', 'service_account', 'agent', 'tool', 'mcp_server', 'resource')";

type NodeRow = {
  id: string;
  kind: NodeKind;
  name: string;
  external_id: string;
  status: string | null;
  source: string;
  email: string | null;
  attrs: Record<string, unknown> | null;
  alive?: boolean;
};
const NODE_SELECT = sql`select n.id, n.kind, n.name, n.external_id, n.status, s.name as source, n.valid_to is null as alive,
                   case when n.kind = 'human' then n.attributes->>'email' end as email,
                   case when n.kind = 'tool' then jsonb_build_object('annotations', n.attributes->'annotations', 'risk', n.attributes->'risk',
                     'riskReason', n.attributes->'riskReason', 'riskReasonCode', n.attributes->'riskReasonCode') end as attrs
              from nodes n join sources s on s.id = n.source_id`;

/** Node ids and edge ids changed past which a full reload is cheaper than the incremental one. */
const DELTA_MAX_IDS = 5000;

/**
 * Brings `prev` to the graph's current version from the change records (graph_changes), when they allow: every
 * version in between recorded, none whole-scope, few ids, and nothing that moves servers or owners (an owns or
 * exposes edge, a membership of an owning group, an owner's own row, a new tool). Then only the listed nodes are
 * re-read; the maps are copied, never changed in place (the previous facts keep answering meanwhile). Null = do a
 * full reload.
 */
export async function updateGraphFacts(db: Db, prev: GraphFacts): Promise<GraphFacts | null> {
  return db.transaction(
    async (tx) => {
      const [{ v }] = (await rows<{ v: number | string }>(tx, sql`select version as v from graph_state where id = 1`)) as [{ v: number | string }];
      const version = Number(v);
      if (version <= prev.graphVersion) return prev;
      const changes = await rows<{ v: number | string; full: boolean; node_ids: string[]; edge_ids: string[] }>(
        tx,
        sql`select graph_version as v, full_scope as full, node_ids, edge_ids from graph_changes where graph_version > ${prev.graphVersion} and graph_version <= ${version}`,
      );
      if (new Set(changes.map((c) => Number(c.v))).size !== version - prev.graphVersion || changes.some((c) => c.full)) return null;
      const nodeIds = [...new Set(changes.flatMap((c) => c.node_ids))];
      const edgeIds = [...new Set(changes.flatMap((c) => c.edge_ids))];
      if (nodeIds.length + edgeIds.length > DELTA_MAX_IDS || nodeIds.some((id) => prev.owners.has(id))) return null;
      // A person leaving (or joining) a group that owns tools changes whether that owner is still active.
      if (nodeIds.length && prev.owners.size) {
        const members = await rows<{ n: number | string }>(
          tx,
          sql`select count(*) as n from edges where kind = 'member_of' and from_id = any(${sql.param(nodeIds)}::text[]) and to_id = any(${sql.param([...prev.owners])}::text[])`,
        );
        if (Number(members[0]?.n ?? 0) > 0) return null;
      }
      if (edgeIds.length) {
        const moved = await rows<{ n: number | string }>(
          tx,
          sql`select count(*) as n from edges where id = any(${sql.param(edgeIds)}::text[])
                and (kind in ('owns', 'exposes') or (kind = 'member_of' and to_id = any(${sql.param([...prev.owners])}::text[])))`,
        );
        if (Number(moved[0]?.n ?? 0) > 0) return null;
      }
      const found = nodeIds.length
        ? await rows<NodeRow>(tx, sql`${NODE_SELECT} where n.id = any(${sql.param(nodeIds)}::text[]) and n.kind in ${sql.raw(KINDS)}`)
        : [];
      const f: GraphFacts = {
        ...prev,
        graphVersion: version,
        nodes: new Map(prev.nodes),
        byRef: new Map(prev.byRef),
        byClaim: new Map(prev.byClaim),
        toolsByName: new Map(prev.toolsByName),
        serversByName: new Map(prev.serversByName),
        tools: new Map(prev.tools),
      };
      for (const r of found) {
        const before = prev.tools.get(r.id);
        if (r.kind === "tool" && r.alive && !before) return null;
        removeNode(f, r.id);
        if (!r.alive) continue;
        addNode(f, { id: r.id, kind: r.kind, name: r.name, source: r.source, externalId: r.external_id, status: r.status }, r.email);
        if (r.kind === "tool" && before) f.tools.set(r.id, { ...before, ...toolShape(r.attrs ?? {}) });
      }
      return f;
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/**
 * The graph half: every current principal, tool, MCP server and resource (id, name, external id, source, status),
 * each tool's annotations as a risk and its servers and owners. One repeatable-read snapshot; off the request path.
 */
export async function loadGraphFacts(db: Db): Promise<GraphFacts> {
  const facts = await db.transaction(
    async (tx) => {
      await tx.execute(sql`set local statement_timeout = '600s'`);
      const [{ v }] = (await rows<{ v: number | string }>(tx, sql`select version as v from graph_state where id = 1`)) as [{ v: number | string }];
      const f = emptyFacts(Number(v));
      const nodeRows = await rows<NodeRow>(tx, sql`${NODE_SELECT} where n.valid_to is null and n.kind in ${sql.raw(KINDS)}`);
      const toolAttrs = new Map<string, Record<string, unknown>>();
      for (const r of nodeRows) {
        addNode(f, { id: r.id, kind: r.kind, name: r.name, source: r.source, externalId: r.external_id, status: r.status }, r.email);
        if (r.kind === "tool") toolAttrs.set(r.id, r.attrs ?? {});
      }
      const servers = new Map<string, string[]>();
      for (const e of await rows<{ from_id: string; to_id: string }>(tx, sql`select from_id, to_id from edges where kind = 'exposes' and valid_to is null`)) {
        const list = servers.get(e.to_id);
        if (list) list.push(e.from_id);
        else servers.set(e.to_id, [e.from_id]);
      }
      // Owners of tools and servers: active human owners (with their app account, for approvals), and whether any
      // owner (a human, or a group with an active member) is active at all. Three plain reads joined here: one join
      // of them all planned badly on PGlite (seconds at S).
      const ownsRows = await rows<{ target: string; owner: string }>(
        tx,
        sql`select to_id as target, from_id as owner from edges where kind = 'owns' and valid_to is null order by to_id, from_id`,
      );
      const owned = ownsRows.filter((o) => {
        const k = f.nodes.get(o.target)?.kind;
        return k === "tool" || k === "mcp_server";
      });
      const ownerGroups = [...new Set(owned.map((o) => o.owner).filter((id) => !f.nodes.has(id)))];
      const activeGroups = new Set(
        ownerGroups.length
          ? (
              await rows<{ id: string }>(
                tx,
                sql`select distinct m.to_id as id from edges m join nodes h on h.id = m.from_id
                     where m.kind = 'member_of' and m.valid_to is null and m.to_id = any(${sql.param(ownerGroups)}::text[])
                       and h.kind = 'human' and h.valid_to is null and coalesce(h.status, 'active') not in ('terminated', 'inactive')`,
              )
            ).map((r) => r.id)
          : [],
      );
      const accounts = new Map(
        (
          await rows<{ id: string; human: string }>(
            tx,
            sql`select id, human_node_id as human from app_users where status = 'active' and human_node_id is not null order by id`,
          )
        ).map((u) => [u.human, u.id]),
      );
      const owners = new Map<string, { active: boolean; humanId: string | null; userId: string | null }>();
      for (const o of owned) {
        f.owners.add(o.owner);
        const human = f.nodes.get(o.owner);
        const humanActive = human?.kind === "human" && !isDepartedStatus(human.status);
        const seen = owners.get(o.target) ?? { active: false, humanId: null, userId: null };
        if (humanActive || activeGroups.has(o.owner)) seen.active = true;
        const account = humanActive ? accounts.get(o.owner) : undefined;
        if (account && !seen.userId) {
          seen.humanId = o.owner;
          seen.userId = account;
        }
        owners.set(o.target, seen);
      }
      for (const [id, attrs] of toolAttrs) {
        const serverIds = servers.get(id) ?? [];
        const own = [owners.get(id), ...serverIds.map((s) => owners.get(s))];
        const approver = own.find((o) => o?.userId);
        f.tools.set(id, {
          ...toolShape(attrs),
          serverIds,
          ownerGone: !own.some((o) => o?.active),
          approverUserId: approver?.userId ?? null,
          approverHumanId: approver?.humanId ?? null,
        });
      }
      return f;
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
  facts.drifted = await loadDrift(db);
  return facts;
}

/** What a tool's annotations say, as the decision rules read them (risk per lib/graph/tool-risk.ts). */
export function toolShape(attrs: Record<string, unknown>): Pick<ToolFacts, "risk" | "declaredDestructive" | "unknownAnnotations" | "openWorldWrite"> {
  const a =
    attrs.annotations && typeof attrs.annotations === "object" && !Array.isArray(attrs.annotations) ? (attrs.annotations as Record<string, unknown>) : null;
  const risk = riskOfToolAttributes(attrs).risk;
  const readOnly = a?.readOnlyHint === true;
  const destructive = a?.destructiveHint;
  return {
    risk,
    declaredDestructive: !readOnly && destructive === true,
    unknownAnnotations: !a || (!readOnly && typeof destructive !== "boolean"),
    openWorldWrite: !!a && !readOnly && a.openWorldHint !== false,
  };
}
