import { eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { nodes, sources } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { enforceRateLimit } from "@/lib/authz/rate-limit";
import { AppError } from "@/lib/errors";
import { getAccessIndex, nodeDetails, type NodeDetails } from "./access-cache";
import { groupReached, narrowReached, type AccessGroup } from "./access-groups";
import type { AccessIndex } from "./access-index";
import { idRank } from "./index-delta";
import { NODE_KINDS, PRINCIPAL_KINDS, type NodeKind } from "./model";
import { parseNodeRef, resolveNodeId } from "./node-ref";
import { DEFAULT_DEPTH, kShortestPaths, MAX_DEPTH, pathTo, reachableFrom, whoCanReach, type PathOut, type Reached, type Search } from "./traverse";

const intParam = (name: string, min: number, max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be from ${min} to ${max}`).max(max, `${name} must be from ${min} to ${max}`))
    .default(dflt);

const asOf = z
  .string()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)), "asOf must be an ISO 8601 date or date-time")
  .transform((s) => new Date(s));

/** A graph version a client saw in an earlier answer (`graphVersion`): answer at this version or newer. */
const atLeast = z
  .string()
  .regex(/^\d{1,15}$/, "atLeast must be a whole number (a graphVersion from an earlier answer)")
  .transform(Number)
  .optional();

const format = z.enum(["json", "csv"], { error: "format must be json or csv" }).optional();

const common = {
  source: z.string().min(1).max(200).optional(),
  maxDepth: intParam("maxDepth", 1, MAX_DEPTH, DEFAULT_DEPTH),
  asOf: asOf.optional(),
  limit: intParam("limit", 1, 500, 100),
  cursor: z.string().max(500).optional(),
  atLeast,
  format,
};

export const whoCanReachQuerySchema = z
  .object({
    target: z.string().min(1, "target is required").max(700),
    kind: z.enum(PRINCIPAL_KINDS, { error: `kind must be one of ${PRINCIPAL_KINDS.join(", ")}` }).optional(),
    ...common,
  })
  .strict();
export const reachableFromQuerySchema = z
  .object({
    principal: z.string().min(1, "principal is required").max(700),
    kind: z.enum(NODE_KINDS, { error: `kind must be one of ${NODE_KINDS.join(", ")}` }).optional(),
    ...common,
  })
  .strict();
export const pathsQuerySchema = z
  .object({
    from: z.string().min(1, "from is required").max(700),
    to: z.string().min(1, "to is required").max(700),
    maxDepth: intParam("maxDepth", 1, MAX_DEPTH, DEFAULT_DEPTH),
    k: intParam("k", 1, 50, 5),
    asOf: asOf.optional(),
    atLeast,
    format,
  })
  .strict();

export interface AccessItem {
  id: string;
  kind: NodeKind;
  externalId: string;
  source: string;
  name: string;
  depth: number;
  path: PathOut;
}

export interface AccessPage {
  items: AccessItem[];
  /** Results after the kind and source filters. */
  total: number;
  /** The whole answer before the kind and source filters, counted by (kind, source), largest first. */
  groups: AccessGroup[];
  nextCursor: string | null;
  /** The graph version the answer was computed at: pass it back as `atLeast` to read your own writes elsewhere. */
  graphVersion: number;
  asOf: string | null;
  maxDepth: number;
}

const isPageCursor = (v: unknown): v is { o: number; v: number } =>
  typeof v === "object" && v !== null && Number.isInteger((v as { o: unknown }).o) && (v as { o: number }).o >= 0 && Number.isInteger((v as { v: unknown }).v);

async function indexedNode(db: Db, ix: AccessIndex, raw: string, param: string): Promise<number> {
  const ref = parseNodeRef(raw, param);
  // An Attest id the index holds needs no lookup: the index is this graph version's (checked just before), and ids
  // never change. Other references (source:kind:externalId, ids not in the index) are resolved in the database.
  if ("id" in ref) {
    const known = ix.indexOf.get(ref.id);
    if (known !== undefined) return known;
  }
  const id = await resolveNodeId(db, ref);
  const i = ix.indexOf.get(id);
  if (i === undefined) throw new AppError("not_found", `${param}: the node did not exist at that time`);
  return i;
}

/**
 * Node details for one page of results: from the process's cache of node details (forgotten for the nodes each
 * graph change lists, lib/graph/access-cache.ts), the rest read from the database, only for the page.
 */
export async function describeNodes(db: Db, ids: string[]): Promise<Map<string, NodeDetails>> {
  if (ids.length === 0) return new Map();
  return nodeDetails(db, ids, async (missing) => {
    const rows = await db
      .select({ id: nodes.id, kind: nodes.kind, externalId: nodes.externalId, source: sources.name, name: nodes.name })
      .from(nodes)
      .innerJoin(sources, eq(sources.id, nodes.sourceId))
      .where(inArray(nodes.id, missing));
    return new Map(rows.map(({ id, ...d }) => [id, d]));
  });
}

/** The `need` results of reached[from, to) with the smallest ranks (ranks are distinct), unordered. */
function smallestByRank(reached: readonly Reached[], from: number, to: number, need: number, rank: Int32Array): Reached[] {
  const ranks = new Int32Array(to - from);
  for (let k = from; k < to; k++) ranks[k - from] = rank[reached[k]!.node]!;
  const cut = kthSmallest(ranks, need - 1);
  const out: Reached[] = [];
  for (let k = from; k < to; k++) if (rank[reached[k]!.node]! <= cut) out.push(reached[k]!);
  return out;
}

/** The k-th smallest value (0-based) of `a`, by quickselect in place. */
function kthSmallest(a: Int32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const x = a[i]!;
        a[i] = a[j]!;
        a[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * The first `count` results in the answer's deterministic order: nearest first, then by id. A BFS lists results
 * level by level, so only the levels up to the page are sorted, by a precomputed rank instead of string
 * comparisons: a 40,000-principal answer no longer pays a full string sort for a page of 100.
 */
function firstInOrder(ix: AccessIndex, reached: Reached[], count: number): Reached[] {
  const rank = idRank(ix);
  // A list not in level order (not from a BFS) is sorted whole.
  for (let i = 1; i < reached.length; i++)
    if (reached[i]!.depth < reached[i - 1]!.depth) return [...reached].sort((a, b) => a.depth - b.depth || rank[a.node]! - rank[b.node]!).slice(0, count);
  const out: Reached[] = [];
  for (let i = 0; i < reached.length && out.length < count;) {
    let j = i;
    while (j < reached.length && reached[j]!.depth === reached[i]!.depth) j++;
    const need = count - out.length;
    // Only the level the page ends in is cut: when it is much larger than what the page still needs, its `need`
    // smallest ranks are found by selection (linear) and only those are sorted.
    const level = j - i > 4 * need + 64 ? smallestByRank(reached, i, j, need, rank) : reached.slice(i, j);
    level.sort((a, b) => rank[a.node]! - rank[b.node]!);
    for (const r of level) out.push(r);
    i = j;
  }
  return out.slice(0, count);
}

/** A whole access answer, filtered, in BFS order (nearest first); `inOrder` gives its deterministic order. */
export interface AccessAnswer {
  ix: AccessIndex;
  search: Search;
  direction: "in" | "out";
  /** The start node's id. */
  start: string;
  reached: Reached[];
  groups: AccessGroup[];
}

/** The first `count` results of an answer in its one deterministic order: nearest first, then by id. */
export function inOrder(a: AccessAnswer, count = a.reached.length): Reached[] {
  return firstInOrder(a.ix, a.reached, count);
}

type AnswerQuery = { maxDepth: number; asOf?: Date; atLeast?: number; kind?: NodeKind; source?: string };

async function answer(db: Db, actor: Actor, direction: "in" | "out", startRef: string, param: string, q: AnswerQuery): Promise<AccessAnswer> {
  requirePermission(actor, "graph.read");
  enforceRateLimit(`access:${actor.id}`, 600, 60_000, "access queries");
  const ix = await getAccessIndex(db, q.asOf, { atLeast: q.atLeast });
  const start = await indexedNode(db, ix, startRef, param);
  const r = direction === "in" ? whoCanReach(ix, start, q.maxDepth) : reachableFrom(ix, start, q.maxDepth);
  const narrowed = narrowReached(ix, r.reached, { kind: q.kind, source: q.source });
  return { ix, search: r.search, direction, start: ix.ids[start]!, reached: narrowed, groups: groupReached(ix, r.reached) };
}

/** Rows of an answer with node details and paths (names read from the database for these rows only). */
export async function describeReached(db: Db, a: AccessAnswer, slice: readonly Reached[]): Promise<AccessItem[]> {
  const info = await describeNodes(
    db,
    slice.map((r) => a.ix.ids[r.node]!),
  );
  return slice.map((r) => {
    const id = a.ix.ids[r.node]!;
    const d = info.get(id)!;
    return { id, kind: d.kind, externalId: d.externalId, source: d.source, name: d.name, depth: r.depth, path: pathTo(a.ix, a.search, r.node, a.direction) };
  });
}

async function page(db: Db, a: AccessAnswer, q: { limit: number; cursor?: string; maxDepth: number }): Promise<AccessPage> {
  let offset = 0;
  if (q.cursor) {
    const c = decodeCursor(q.cursor, isPageCursor);
    // Pages of one answer must come from one version of the graph.
    if (c.v !== a.ix.version) throw new AppError("conflict", "the graph changed since the first page was read; start again without a cursor");
    offset = c.o;
  }
  const items = await describeReached(db, a, inOrder(a, offset + q.limit).slice(offset));
  const next = offset + q.limit < a.reached.length ? encodeCursor({ o: offset + q.limit, v: a.ix.version }) : null;
  return {
    items,
    total: a.reached.length,
    groups: a.groups,
    nextCursor: next,
    graphVersion: a.ix.version,
    asOf: a.ix.asOf?.toISOString() ?? null,
    maxDepth: q.maxDepth,
  };
}

/** The whole who-can-reach answer (every page), for exports. */
export function whoCanReachAnswer(db: Db, actor: Actor, q: z.infer<typeof whoCanReachQuerySchema>): Promise<AccessAnswer> {
  return answer(db, actor, "in", q.target, "target", q);
}

/** The whole reachable-from answer (every page), for exports. */
export function reachableFromAnswer(db: Db, actor: Actor, q: z.infer<typeof reachableFromQuerySchema>): Promise<AccessAnswer> {
  return answer(db, actor, "out", q.principal, "principal", q);
}

/** Who or what can reach a target, through which path (GET /api/v1/access/who-can-reach). */
export async function whoCanReachFor(db: Db, actor: Actor, q: z.infer<typeof whoCanReachQuerySchema>): Promise<AccessPage> {
  return page(db, await whoCanReachAnswer(db, actor, q), q);
}

/** What a principal can reach (GET /api/v1/access/reachable-from). */
export async function reachableFromFor(db: Db, actor: Actor, q: z.infer<typeof reachableFromQuerySchema>): Promise<AccessPage> {
  return page(db, await reachableFromAnswer(db, actor, q), q);
}

/** Up to k shortest paths between two nodes (GET /api/v1/access/paths). */
export async function pathsFor(db: Db, actor: Actor, q: z.infer<typeof pathsQuerySchema>) {
  requirePermission(actor, "graph.read");
  enforceRateLimit(`access:${actor.id}`, 600, 60_000, "access queries");
  const ix = await getAccessIndex(db, q.asOf, { atLeast: q.atLeast });
  const from = await indexedNode(db, ix, q.from, "from");
  const to = await indexedNode(db, ix, q.to, "to");
  const r = kShortestPaths(ix, from, to, q.k, q.maxDepth);
  const info = await describeNodes(db, [...new Set(r.paths.flatMap((p) => p.nodes))]);
  return {
    items: r.paths.map((p) => ({ ...p, length: p.edges.length })),
    total: r.paths.length,
    nextCursor: null,
    truncated: r.truncated,
    nodes: Object.fromEntries(info),
    graphVersion: ix.version,
    asOf: ix.asOf?.toISOString() ?? null,
  };
}
