import { eq, sql } from "drizzle-orm";
import { copyOutIntTriples, copyOutTriples } from "@/db/copy-out";
import { rows as queryRows } from "@/db/rows";
import type { Db } from "@/db/client";
import { graphState } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { EDGE_CODE, IndexBuilder, KIND_CODE, type AccessIndex } from "./access-index";
import { knownGraphVersion, withReadDb } from "./graph-feed";
import { applyDelta, edgesAt, isLive, mergeOverlay, slotOf, type Delta, type DeltaEdge, type DeltaNode } from "./index-delta";
import { ACCESS_EDGE_KINDS, type NodeKind } from "./model";

type Cache = {
  current?: AccessIndex;
  updating?: Promise<AccessIndex>;
  merging?: boolean;
  history: Map<string, Promise<AccessIndex>>;
  /** How the current index was last brought up to date (tests and the benchmark read it). */
  stats: { fullBuilds: number; deltas: number; merges: number; lastUpdate?: "full" | "delta"; lastReason?: string };
};
const g = globalThis as typeof globalThis & { __attestAccessCache?: Cache };
const cache: Cache = (g.__attestAccessCache ??= { history: new Map(), stats: { fullBuilds: 0, deltas: 0, merges: 0 } });
cache.stats ??= { fullBuilds: 0, deltas: 0, merges: 0 };
const HISTORY_SLOTS = 4;

/** Ids listed across the changes to catch up on, past which a full build is cheaper than the delta's reads. */
export const DELTA_MAX_IDS = 20_000;
/** Overlay size (changed nodes and edges) past which it is merged into a fresh CSR, off the request path. */
export const MERGE_AT = 50_000;

export async function graphVersion(db: Db): Promise<number> {
  const [row] = await db.select({ version: graphState.version }).from(graphState).where(eq(graphState.id, 1));
  return row?.version ?? 0;
}

const ACCESS_KINDS_LIST = ACCESS_EDGE_KINDS.map((k) => `'${k}'`).join(", ");
const ACCESS_KINDS_SQL = sql.raw(ACCESS_KINDS_LIST);
const BATCH = 50_000;

const validSql = (alias: string, asOf?: Date) =>
  asOf
    ? sql`${sql.raw(alias)}.valid_from <= ${asOf.toISOString()}::timestamptz and (${sql.raw(alias)}.valid_to is null or ${sql.raw(alias)}.valid_to > ${asOf.toISOString()}::timestamptz)`
    : sql`${sql.raw(alias)}.valid_to is null`;

/**
 * Reads the graph version, the nodes and the access edges valid at `asOf` (or now) from one snapshot, so an index
 * never mixes two versions of the graph. Rows go straight into the builder's typed arrays (no array of every row as
 * objects: at L that was 10M objects): on PostgreSQL by COPY TO with node numbers computed by the server
 * (buildFromCopy), on PGlite through cursors in batches of 50,000; from the read replica when it has caught up with
 * `minVersion` (lib/graph/graph-feed.ts).
 */
export async function loadAccessIndex(db: Db, asOf?: Date, minVersion?: number): Promise<AccessIndex> {
  // Without a version to reach, read `db` itself: a lagging replica must not answer a caller that asked for no bound.
  if (minVersion === undefined) return loadAccessIndexFrom(db, asOf);
  // A replica that fails under the read (gone, restarting, a recovery-conflict cancel) is skipped and the primary read.
  return withReadDb(db, minVersion, (reader) => loadAccessIndexFrom(reader, asOf));
}

/** Builds the index from exactly this handle (primary or replica), whatever its version. */
export async function loadAccessIndexFrom(reader: Db, asOf?: Date): Promise<AccessIndex> {
  return reader.transaction(
    async (tx) => {
      const version = await graphVersion(tx);
      // A whole-graph read off the request path (one shared build): not bound by the per-request statement limit.
      await tx.execute(sql`set local statement_timeout = '600s'`);
      const b = new IndexBuilder();
      // PostgreSQL: nodes in id order by COPY TO, then the access edges with both ends already turned into node
      // numbers by the server (the same id order numbered by row_number, joined in the same snapshot), streamed as
      // three whole numbers a row. At L (1M nodes, 10M edges) Node no longer makes two strings and two map lookups
      // per edge; the hash joins want memory, so this transaction gets work_mem for them.
      if (await buildFromCopy(tx, b, asOf)) return b.finish(version, asOf ?? null);
      // PGlite: cursors in batches.
      await tx.execute(
        sql`declare attest_ix_nodes no scroll cursor for select n.id, n.kind, s.name as source from nodes n join sources s on s.id = n.source_id where ${validSql("n", asOf)}`,
      );
      for (;;) {
        const rows = await queryRows<{ id: string; kind: NodeKind; source: string }>(tx, sql`fetch forward ${sql.raw(String(BATCH))} from attest_ix_nodes`);
        for (const r of rows) b.node(r.id, KIND_CODE.get(r.kind) ?? 255, r.source);
        if (rows.length < BATCH) break;
      }
      await tx.execute(sql`close attest_ix_nodes`);
      await tx.execute(
        sql`declare attest_ix_edges no scroll cursor for select e.from_id, e.to_id, e.kind from edges e where e.kind in (${ACCESS_KINDS_SQL}) and ${validSql("e", asOf)}`,
      );
      for (;;) {
        const rows = await queryRows<{ from_id: string; to_id: string; kind: string }>(
          tx,
          sql`fetch forward ${sql.raw(String(BATCH * 2))} from attest_ix_edges`,
        );
        for (const r of rows) b.edge(r.from_id, r.to_id, EDGE_CODE.get(r.kind as never)!);
        if (rows.length < BATCH * 2) break;
      }
      await tx.execute(sql`close attest_ix_edges`);
      return b.finish(version, asOf ?? null);
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** The validity condition as literal SQL text for COPY (a timestamp we made, never user input). */
function validText(alias: string, asOf?: Date): string {
  if (!asOf) return `${alias}.valid_to is null`;
  const t = `'${asOf.toISOString()}'::timestamptz`;
  return `${alias}.valid_from <= ${t} and (${alias}.valid_to is null or ${alias}.valid_to > ${t})`;
}

const KIND_CASE = `case e.kind ${ACCESS_EDGE_KINDS.map((k) => `when '${k}' then ${EDGE_CODE.get(k)}`).join(" ")} end`;

/**
 * The PostgreSQL build: nodes by COPY in `id collate "C"` order (node i is the i-th row), then edges as
 * (from number, to number, kind code) computed by the server from the same order in the same snapshot. Edges whose
 * ends are not current nodes drop out of the join, as the builder drops them by id. False on PGlite.
 */
async function buildFromCopy(tx: Db, b: IndexBuilder, asOf?: Date): Promise<boolean> {
  const nodesFrom = `from nodes n join sources s on s.id = n.source_id where ${validText("n", asOf)}`;
  const read = await copyOutTriples(tx, `select n.id, n.kind, s.name ${nodesFrom} order by n.id collate "C"`, (id, kind, source) =>
    b.node(id, KIND_CODE.get(kind as NodeKind) ?? 255, source),
  );
  if (!read) return false;
  await tx.execute(sql`set local work_mem = '256MB'`);
  await tx.execute(sql`set local jit = off`);
  const edges = `with n as not materialized (select n.id, (row_number() over (order by n.id collate "C") - 1)::int as ord ${nodesFrom})
    select f.ord, t.ord, ${KIND_CASE} from edges e join n f on f.id = e.from_id join n t on t.id = e.to_id
    where e.kind in (${ACCESS_KINDS_LIST}) and ${validText("e", asOf)}`;
  const n = b.ids.length;
  await copyOutIntTriples(tx, edges, (f, t, k) => {
    if (f >= n || t >= n) throw new Error("index build: an edge names a node number the node read did not have");
    b.edgeAt(f, t, k);
  });
  return true;
}

/**
 * What changed since `ix`'s version, read in one repeatable-read snapshot: the change records past its version
 * (graph_changes.graph_version), the current rows of the nodes they list, every current access edge of a node that
 * is new or back, and whether each affected (from, to, kind) has a current row. "rebuild" when the records do not
 * cover every version in between (a writer that did not record, pruned records), a change was whole-scope (a large
 * import), or they list too many ids.
 */
export async function readDelta(db: Db, ix: AccessIndex, minVersion = 0): Promise<Delta | { rebuild: string }> {
  return withReadDb(db, minVersion, (reader) => readDeltaFrom(reader, ix));
}

async function readDeltaFrom(reader: Db, ix: AccessIndex): Promise<Delta | { rebuild: string }> {
  return reader.transaction(
    async (tx) => {
      const version = await graphVersion(tx);
      if (version <= ix.version) return { version: ix.version, nodes: [], edges: [] };
      const changes = await queryRows<{ v: string | number; full: boolean; node_ids: string[]; edge_ids: string[] }>(
        tx,
        sql`select graph_version as v, full_scope as full, node_ids, edge_ids from graph_changes where graph_version > ${ix.version} and graph_version <= ${version}`,
      );
      const covered = new Set(changes.map((c) => Number(c.v)));
      if (covered.size !== version - ix.version) return { rebuild: `versions ${ix.version + 1}..${version} not all recorded` };
      if (changes.some((c) => c.full)) return { rebuild: "a whole-scope change" };
      const nodeIds = [...new Set(changes.flatMap((c) => c.node_ids))];
      const edgeIds = [...new Set(changes.flatMap((c) => c.edge_ids))];
      if (nodeIds.length + edgeIds.length > DELTA_MAX_IDS) return { rebuild: `${nodeIds.length + edgeIds.length} ids changed` };

      const nodes: DeltaNode[] = [];
      if (nodeIds.length) {
        const rows = await queryRows<{ id: string; kind: NodeKind; source: string; alive: boolean }>(
          tx,
          sql`select n.id, n.kind, s.name as source, n.valid_to is null as alive from nodes n join sources s on s.id = n.source_id where n.id = any(${sql.param(nodeIds)}::text[])`,
        );
        const found = new Set(rows.map((r) => r.id));
        for (const r of rows) nodes.push({ id: r.id, kindCode: KIND_CODE.get(r.kind) ?? 255, source: r.source, alive: r.alive });
        for (const id of nodeIds) if (!found.has(id)) nodes.push({ id, kindCode: 255, source: "", alive: false });
      }
      const triples = new Map<string, { fromId: string; toId: string; kind: string }>();
      const note = (fromId: string, toId: string, kind: string) => triples.set(`${fromId}\u0000${toId}\u0000${kind}`, { fromId, toId, kind });
      if (edgeIds.length) {
        const rows = await queryRows<{ from_id: string; to_id: string; kind: string }>(
          tx,
          sql`select from_id, to_id, kind from edges where id = any(${sql.param(edgeIds)}::text[]) and kind in (${ACCESS_KINDS_SQL})`,
        );
        for (const r of rows) note(r.from_id, r.to_id, r.kind);
      }
      // A node the index does not hold (new, or ended and now back): its edges were left out of the CSR or may have
      // changed while it was away, and the change lists only the node. All its current edges, and those the index had.
      const arriving = nodes.filter((n) => n.alive && !isLive(ix, slotOf(ix, n.id) ?? ix.ids.length)).map((n) => n.id);
      if (arriving.length) {
        const rows = await queryRows<{ from_id: string; to_id: string; kind: string }>(
          tx,
          sql`select from_id, to_id, kind from edges where kind in (${ACCESS_KINDS_SQL}) and valid_to is null and from_id = any(${sql.param(arriving)}::text[])
                union select from_id, to_id, kind from edges where kind in (${ACCESS_KINDS_SQL}) and valid_to is null and to_id = any(${sql.param(arriving)}::text[])`,
        );
        for (const r of rows) note(r.from_id, r.to_id, r.kind);
        for (const id of arriving) {
          const i = slotOf(ix, id);
          if (i !== undefined) for (const e of edgesAt(ix, i)) note(ix.ids[e.from]!, ix.ids[e.to]!, ACCESS_EDGE_KINDS[e.kindCode]!);
        }
      }
      const edges: DeltaEdge[] = [];
      if (triples.size) {
        const list = [...triples.values()];
        const rows = await queryRows<{ i: number }>(
          tx,
          sql`select k.i from unnest(${sql.param(list.map((t) => t.fromId))}::text[], ${sql.param(list.map((t) => t.toId))}::text[], ${sql.param(list.map((t) => t.kind))}::text[])
                  with ordinality as k(from_id, to_id, kind, i)
                where exists (select 1 from edges e where e.from_id = k.from_id and e.kind = k.kind and e.to_id = k.to_id and e.valid_to is null)`,
        );
        const present = new Set(rows.map((r) => Number(r.i) - 1));
        list.forEach((t, j) => edges.push({ fromId: t.fromId, toId: t.toId, kindCode: EDGE_CODE.get(t.kind as never)!, present: present.has(j) }));
      }
      return { version, nodes, edges };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** Brings the current index to at least `target`: a delta when the change records allow, else a full build. */
async function catchUp(db: Db, target: number): Promise<AccessIndex> {
  const ix = cache.current;
  let next: AccessIndex;
  if (!ix) {
    next = await loadAccessIndex(db, undefined, target);
    cache.stats.fullBuilds++;
    cache.stats.lastUpdate = "full";
    cache.stats.lastReason = "start";
    clearNames();
  } else {
    const d = await readDelta(db, ix, target);
    if ("rebuild" in d) {
      next = await loadAccessIndex(db, undefined, target);
      cache.stats.fullBuilds++;
      cache.stats.lastUpdate = "full";
      cache.stats.lastReason = d.rebuild;
      clearNames();
    } else {
      next = d.version === ix.version ? ix : applyDelta(ix, d);
      cache.stats.deltas++;
      cache.stats.lastUpdate = "delta";
      forgetNames(d.nodes.map((n) => n.id));
    }
  }
  if (!cache.current || next.version >= cache.current.version) cache.current = next;
  if ((next.overlay?.size ?? 0) > MERGE_AT) scheduleMerge();
  return next;
}

/** Folds the overlay into a fresh CSR after the answer that grew it (the result replaces the index if still current). */
function scheduleMerge(): void {
  if (cache.merging) return;
  cache.merging = true;
  setImmediate(() => {
    try {
      const from = cache.current;
      if (!from?.overlay) return;
      const merged = mergeOverlay(from);
      if (cache.current === from) cache.current = merged;
      cache.stats.merges++;
    } finally {
      cache.merging = false;
    }
  });
}

/**
 * The access index for a query, kept in memory per process. Its version is compared with the newest this instance
 * knows of (knownGraphVersion: pushed by the version feed, so no round trip while nothing changed); when behind, the
 * index catches up by applying the recorded changes as a delta (milliseconds), or rebuilds after a whole-scope change.
 * One update at a time; a query always uses one consistent index.
 *
 * `atLeast` (a version a client saw in an earlier answer, like a SpiceDB ZedToken): when this instance knows only an
 * older version, it asks the primary (knownGraphVersion with refresh) and catches up before answering.
 * Staleness: without `atLeast`, an answer reflects every change the feed has delivered to this instance (the feed's
 * delay; a periodic check bounds it when notifications are lost); with `atLeast`, never older than that version.
 */
export async function getAccessIndex(db: Db, asOf?: Date, opts: { atLeast?: number } = {}): Promise<AccessIndex> {
  let version = await knownGraphVersion(db);
  if (opts.atLeast !== undefined && opts.atLeast > version) {
    version = await knownGraphVersion(db, { refresh: true });
    if (opts.atLeast > version)
      throw new AppError("validation", "atLeast: the graph has not reached that version", [{ path: "atLeast", message: "newer than the graph's version" }]);
  }
  if (!asOf) {
    for (let round = 0; round < 3; round++) {
      if (cache.current && cache.current.version >= version) return cache.current;
      const update = (cache.updating ??= catchUp(db, version).finally(() => {
        cache.updating = undefined;
      }));
      const ix = await update;
      // An update that started before this version was known answers from its own consistent snapshot when no
      // version was demanded; with atLeast, catch up again.
      if (opts.atLeast === undefined || ix.version >= opts.atLeast) return ix;
    }
    return cache.current!;
  }
  const key = `${asOf.toISOString()}@${version}`;
  let p = cache.history.get(key);
  if (!p) {
    p = loadAccessIndex(db, asOf, version);
    cache.history.set(key, p);
    p.catch(() => cache.history.delete(key));
    while (cache.history.size > HISTORY_SLOTS) cache.history.delete(cache.history.keys().next().value!);
  }
  return p;
}

/** How the current index was brought up to date (the benchmark and tests). */
export function accessCacheStats(): Readonly<Cache["stats"]> & { overlaySize: number; version: number | null } {
  return { ...cache.stats, overlaySize: cache.current?.overlay?.size ?? 0, version: cache.current?.version ?? null };
}

/** Drops every cached index (tests that swap databases). */
export function clearAccessCache(): void {
  cache.current = undefined;
  cache.updating = undefined;
  cache.history.clear();
  cache.stats = { fullBuilds: 0, deltas: 0, merges: 0 };
  clearNames();
}

/**
 * Node details (name, kind, external id, source) for answers, kept per process and forgotten for the nodes each
 * delta lists (all of them at a full build), so a page of answers needs no query once its nodes were seen.
 */
export type NodeDetails = { kind: NodeKind; externalId: string; source: string; name: string };
type Names = { map: Map<string, NodeDetails>; epoch: number };
const gn = globalThis as typeof globalThis & { __attestNodeNames?: Names };
const names: Names = (gn.__attestNodeNames ??= { map: new Map(), epoch: 0 });
const NAMES_MAX = 500_000;

function clearNames(): void {
  names.map.clear();
  names.epoch++;
}
function forgetNames(ids: readonly string[]): void {
  if (ids.length === 0) return;
  for (const id of ids) names.map.delete(id);
  names.epoch++;
}

/** Details of these nodes: from memory, the rest read in one query (and remembered unless a change came meanwhile). */
export async function nodeDetails(
  db: Db,
  ids: readonly string[],
  read: (ids: string[]) => Promise<Map<string, NodeDetails>>,
): Promise<Map<string, NodeDetails>> {
  const out = new Map<string, NodeDetails>();
  const missing: string[] = [];
  for (const id of ids) {
    const d = names.map.get(id);
    if (d) out.set(id, d);
    else missing.push(id);
  }
  if (missing.length === 0) return out;
  const epoch = names.epoch;
  const rows = await read(missing);
  const keep = epoch === names.epoch;
  if (keep && names.map.size + rows.size > NAMES_MAX) names.map.clear();
  for (const [id, d] of rows) {
    out.set(id, d);
    if (keep) names.map.set(id, d);
  }
  return out;
}
