import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { edges, graphState, nodes, sources } from "@/db/schema";
import { buildAccessIndex, type AccessIndex } from "./access-index";
import { ACCESS_EDGE_KINDS } from "./model";
import { validAt } from "./nodes";

type Cache = { current?: AccessIndex; building?: Promise<AccessIndex>; history: Map<string, Promise<AccessIndex>> };
const g = globalThis as typeof globalThis & { __attestAccessCache?: Cache };
const cache: Cache = (g.__attestAccessCache ??= { history: new Map() });
const HISTORY_SLOTS = 4;

export async function graphVersion(db: Db): Promise<number> {
  const [row] = await db.select({ version: graphState.version }).from(graphState).where(eq(graphState.id, 1));
  return row?.version ?? 0;
}

/**
 * Reads the graph version, the nodes and the access edges valid at `asOf` (or
 * now) from one snapshot, so an index never mixes two versions of the graph.
 */
export async function loadAccessIndex(db: Db, asOf?: Date): Promise<AccessIndex> {
  return db.transaction(
    async (tx) => {
      const version = await graphVersion(tx);
      const nodeRows = await tx
        .select({ id: nodes.id, kind: nodes.kind, source: sources.name })
        .from(nodes)
        .innerJoin(sources, eq(sources.id, nodes.sourceId))
        .where(validAt(nodes, asOf));
      const edgeRows = await tx
        .select({ fromId: edges.fromId, toId: edges.toId, kind: edges.kind })
        .from(edges)
        .where(and(inArray(edges.kind, [...ACCESS_EDGE_KINDS]), validAt(edges, asOf)));
      return buildAccessIndex(nodeRows, edgeRows, version, asOf ?? null);
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/**
 * The access index for a query, kept in memory per process and checked against
 * graph_state.version on every call: an import anywhere (in any app instance)
 * bumps the version in its transaction, and the next query here rebuilds. One
 * build at a time per key; a query always uses one consistent index.
 */
export async function getAccessIndex(db: Db, asOf?: Date): Promise<AccessIndex> {
  const version = await graphVersion(db);
  if (!asOf) {
    if (cache.current && cache.current.version >= version) return cache.current;
    cache.building ??= loadAccessIndex(db)
      .then((ix) => {
        if (!cache.current || ix.version >= cache.current.version) cache.current = ix;
        return ix;
      })
      .finally(() => {
        cache.building = undefined;
      });
    // A build that started before the newest import answers from its own consistent snapshot; the next query rebuilds.
    return cache.building;
  }
  const key = `${asOf.toISOString()}@${version}`;
  let p = cache.history.get(key);
  if (!p) {
    p = loadAccessIndex(db, asOf);
    cache.history.set(key, p);
    p.catch(() => cache.history.delete(key));
    while (cache.history.size > HISTORY_SLOTS) cache.history.delete(cache.history.keys().next().value!);
  }
  return p;
}

/** Drops every cached index (tests that swap databases). */
export function clearAccessCache(): void {
  cache.current = undefined;
  cache.building = undefined;
  cache.history.clear();
}
