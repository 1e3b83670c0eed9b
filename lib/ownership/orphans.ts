import { and, eq, inArray, isNotNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { nodes } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { getAccessIndex, graphVersion } from "@/lib/graph/access-cache";
import type { AccessIndex } from "@/lib/graph/access-index";
import { OWNABLE_KINDS, type NodeKind } from "@/lib/graph/model";
import { effectiveOwnersOf, orphanRules, OWNERSHIP_CTES, ownableKindsSql, wholeGraphRows, type EffectiveOwner, type OrphanRule } from "./owner-state";
import { assessRisk, getSensitivity, type RiskAssessment } from "./risk";

const ORPHAN_RULES = ["no_owner", "inactive_owners", "empty_owner_group"] as const satisfies readonly OrphanRule[];

export const orphansQuerySchema = z
  .object({
    kind: z.enum(OWNABLE_KINDS as [NodeKind, ...NodeKind[]], { error: `must be one of ${OWNABLE_KINDS.join(", ")}` }).optional(),
    source: z.string().trim().min(1).max(200).optional(),
    rule: z.enum(ORPHAN_RULES, { error: `must be one of ${ORPHAN_RULES.join(", ")}` }).optional(),
    q: z.string().trim().max(200, "at most 200 characters").optional(),
    /** true: a tool that is orphaned only because its MCP server is is folded into the server's row. */
    collapseTools: z.enum(["true", "false"]).default("false"),
    limit: z
      .string()
      .regex(/^\d+$/, "must be a whole number from 1 to 200")
      .transform(Number)
      .pipe(z.number().int().min(1, "must be from 1 to 200").max(200, "must be from 1 to 200"))
      .default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();
export type OrphansQuery = z.input<typeof orphansQuerySchema>;

export interface OrphanItem {
  id: string;
  kind: NodeKind;
  name: string;
  source: string;
  status: string | null;
  rules: OrphanRule[];
  /** Its owners, none of them active (departed people, empty groups); inherited ones name the server. */
  owners: EffectiveOwner[];
  /** For a tool without owners of its own: the MCP servers it would inherit owners from. */
  inheritsFrom: { id: string; name: string }[];
  /** On an MCP server row, with collapseTools: how many of its tools are orphaned only through it. */
  inheritingTools: number;
  risk: RiskAssessment;
}

export interface OrphanPage {
  items: OrphanItem[];
  total: number;
  nextCursor: string | null;
  /** Orphans by rule and by kind (within the source filter, folded tools included, before the kind, rule and q filters), for filter chips. */
  counts: { byRule: Record<OrphanRule, number>; byKind: Partial<Record<NodeKind, number>> };
  /** With collapseTools: how many tools are folded into their server's row (and not in `total`). */
  folded: number;
  graphVersion: number;
  /** Where this page starts in the ranked list. */
  offset: number;
}

interface Row {
  id: string;
  kind: NodeKind;
  name: string;
  source: string;
  status: string | null;
  attributes: Record<string, unknown>;
  owners: number;
  has_direct: boolean;
  servers: string[] | null;
}

const isCursor = (v: unknown): v is { o: number; v: number } =>
  typeof v === "object" && v !== null && Number.isInteger((v as { o: unknown }).o) && (v as { o: number }).o >= 0 && Number.isInteger((v as { v: unknown }).v);

/** Humans who left: terminated or inactive, or no longer reported at all. */
export async function departedHumans(db: Db): Promise<Set<string>> {
  const found = await db
    .select({ id: nodes.id })
    .from(nodes)
    .where(and(eq(nodes.kind, "human"), or(inArray(nodes.status, ["terminated", "inactive"]), isNotNull(nodes.validTo))));
  return new Set(found.map((r) => r.id));
}

/**
 * Orphans (GET /api/v1/ownership/orphans): current agents, accounts, servers,
 * tools, entitlements, resources and credentials with no active owner: no
 * owner at all, only departed owners, or an owner group without active
 * members. Ranked by risk (see assessRisk), most dangerous first.
 */
export async function listOrphans(db: Db, actor: Actor, raw: OrphansQuery = {}): Promise<OrphanPage> {
  requirePermission(actor, "owner.read");
  const q = parseInput(orphansQuerySchema, raw, "query");
  const ix = await getAccessIndex(db);
  // Read after the index: an index still being built from before the latest change answers older than this.
  const version = await graphVersion(db);
  let offset = 0;
  if (q.cursor) {
    const c = decodeCursor(q.cursor, isCursor);
    if (c.v !== ix.version) throw new AppError("conflict", "the graph changed since the first page was read; start again without a cursor");
    offset = c.o;
  }
  const collapse = q.collapseTools === "true" && q.kind !== "tool";
  let all = await rankedOrphans(db, ix, version);
  if (q.source) all = all.filter((it) => it.source === q.source);

  // Counts cover every orphan in the source filter, folded tools included, so they match coverage.
  const counts: OrphanPage["counts"] = { byRule: { no_owner: 0, inactive_owners: 0, empty_owner_group: 0 }, byKind: {} };
  for (const it of all) {
    for (const rule of it.rules) counts.byRule[rule]++;
    counts.byKind[it.kind] = (counts.byKind[it.kind] ?? 0) + 1;
  }
  const folded = collapse ? all.filter((it) => it.folds).length : 0;
  let items: OrphanItem[] = (collapse ? all.filter((it) => !it.folds) : all).map(({ folds: _folds, ...it }) => it);
  const needle = q.q?.toLowerCase();
  items = items.filter(
    (it) => (!q.kind || it.kind === q.kind) && (!q.rule || it.rules.includes(q.rule)) && (!needle || it.name.toLowerCase().includes(needle)),
  );
  const page = items.slice(offset, offset + q.limit);
  return {
    items: page,
    total: items.length,
    nextCursor: offset + q.limit < items.length ? encodeCursor({ o: offset + q.limit, v: ix.version }) : null,
    counts,
    folded,
    graphVersion: ix.version,
    offset,
  };
}

type Ranked = OrphanItem & { folds: boolean };
const g = globalThis as typeof globalThis & { __attestOrphans?: WeakMap<AccessIndex, Promise<Ranked[]>> };
const cache = (g.__attestOrphans ??= new WeakMap());

/**
 * Every orphan with its reasons and risk, most dangerous first, for one access
 * index (so one graph version). Computing it reads the ownership of the whole
 * graph and walks the access index from each orphan, so it is kept beside the
 * index, per process, and goes when the index does (every ownership or status
 * change bumps the graph version, and the next query builds a new index). The
 * after-change pipeline warms it (warmOrphans), so a page rarely pays for it.
 */
async function rankedOrphans(db: Db, ix: AccessIndex, version: number): Promise<readonly Ranked[]> {
  // An index older than the graph (built from a snapshot taken before the latest change) must not pin an old
  // answer: who owns what is read afresh then, and the list is not kept.
  if (ix.version !== version) return computeOrphans(db, ix);
  let ranked = cache.get(ix);
  if (!ranked) {
    ranked = computeOrphans(db, ix);
    cache.set(ix, ranked);
    ranked.catch(() => cache.delete(ix));
  }
  return ranked;
}

/** Builds the ranked orphan list for the current graph version now (the after-change pipeline calls it). */
export async function warmOrphans(db: Db): Promise<void> {
  const ix = await getAccessIndex(db);
  await rankedOrphans(db, ix, await graphVersion(db));
}

/** Current ownable nodes without an active owner (OWNERSHIP_CTES' `not any_active`), with what ranks and explains them. */
async function computeOrphans(db: Db, ix: AccessIndex): Promise<Ranked[]> {
  const found = await wholeGraphRows<Row>(
    db,
    sql`${OWNERSHIP_CTES}
      select n.id, n.kind, n.name, s.name as source, n.status, n.attributes, coalesce(f.owners, 0) as owners,
        exists (select 1 from edges o where o.to_id = n.id and o.kind = 'owns' and o.valid_to is null) as has_direct,
        (select array_agg(x.from_id order by x.from_id) from edges x where x.to_id = n.id and x.kind = 'exposes' and x.valid_to is null) as servers
      from nodes n
      join sources s on s.id = n.source_id
      left join node_flags f on f.node_id = n.id
      where n.valid_to is null and n.kind in ${ownableKindsSql()} and not coalesce(f.any_active, false)`,
  );
  const [owners, sens, departed] = await Promise.all([
    effectiveOwnersOf(
      db,
      found.filter((r) => r.owners > 0).map((r) => r.id),
    ),
    getSensitivity(db, ix.version),
    departedHumans(db),
  ]);
  const orphanIds = new Set(found.map((r) => r.id));
  const names = new Map(found.map((r) => [r.id, r.name]));
  const inheriting = new Map<string, number>();

  // Every orphan, each marked when it is a tool orphaned only because its server is.
  const all: Ranked[] = [];
  for (const r of found) {
    const own = owners.get(r.id) ?? [];
    const inheritsFrom = r.kind === "tool" && !r.has_direct ? (r.servers ?? []).map((id) => ({ id, name: names.get(id) ?? id })) : [];
    const folds = r.kind === "tool" && !r.has_direct && (r.servers ?? []).some((s) => orphanIds.has(s));
    if (folds) for (const s of r.servers ?? []) if (orphanIds.has(s)) inheriting.set(s, (inheriting.get(s) ?? 0) + 1);
    all.push({
      id: r.id,
      kind: r.kind,
      name: r.name,
      source: r.source,
      status: r.status,
      rules: orphanRules(own),
      owners: own,
      inheritsFrom,
      inheritingTools: 0,
      risk: assessRisk(ix, sens, { id: r.id, kind: r.kind, status: r.status, attributes: r.attributes }, departed),
      folds,
    });
  }
  for (const it of all) it.inheritingTools = inheriting.get(it.id) ?? 0;
  all.sort((a, b) => b.risk.score - a.risk.score || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return all;
}
