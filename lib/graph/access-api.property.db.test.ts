import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edges, nodes, sources } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { isAppError } from "@/lib/errors";
import { notifyGraphChanged } from "@/lib/graph/after-change";
import { bumpGraphVersion } from "@/lib/graph/version";
import { newId } from "@/lib/ids";
import { allSimplePaths, graphArb, holds, isPrincipal, referenceBfs, usableEdges, type RefGraph } from "@/lib/testing/reference-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { clearAccessCache } from "./access-cache";
import { pathsFor, pathsQuerySchema, reachableFromFor, reachableFromQuerySchema, whoCanReachFor, whoCanReachQuerySchema, type AccessPage } from "./access-api";
import { NODE_ID_PREFIX } from "./model";

/**
 * The path engine through the database, as the app calls it (access API →
 * version-checked cache → index loaded from one snapshot at asOf → BFS),
 * against a plain BFS over the raw rows. Random graphs are written straight
 * into the tables with validity periods (so "as of" is the database's
 * filter), from two sources (parallel rows of one fact), then the graph
 * version is bumped as an import would. Fewer runs than the in-memory
 * property test: each run rewrites the tables.
 */
let t: TestDatabase;
const actor = systemActor("property-test");
const EPOCH = Date.UTC(2025, 0, 1);
const day = (d: number) => new Date(EPOCH + d * 86_400_000);
let sourceIds: [string, string];

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  sourceIds = [newId("src"), newId("src")];
  await t.db.insert(sources).values(sourceIds.map((id, i) => ({ id, name: `prop-${i}`, type: "import" })));
});
afterAll(() => t.cleanup());

/** The table's key allows one current row per (source, kind, from, to): later duplicates are dropped (for the reference too). */
function keyed(g: RefGraph): RefGraph {
  const current = new Set<string>();
  return {
    ...g,
    edges: g.edges.filter((e) => {
      if (e.to !== null) return true;
      const key = `${e.source}|${e.kind}|${e.from_}|${e.to_}`;
      if (current.has(key)) return false;
      current.add(key);
      return true;
    }),
  };
}

/** Writes the graph (replacing the last one) and returns the node ids by index. */
async function write(g: RefGraph): Promise<string[]> {
  const ids = g.kinds.map((k) => newId(NODE_ID_PREFIX[k]));
  await t.db.transaction(async (tx) => {
    await tx.delete(edges);
    await tx.delete(nodes);
    await tx.insert(nodes).values(
      g.kinds.map((kind, i) => ({
        id: ids[i]!,
        kind,
        sourceId: sourceIds[0],
        externalId: `n${i}`,
        name: `n${i}`,
        validFrom: day(g.nodePeriods[i]!.from),
        validTo: g.nodePeriods[i]!.to === null ? null : day(g.nodePeriods[i]!.to!),
      })),
    );
    if (g.edges.length)
      await tx.insert(edges).values(
        g.edges.map((e, i) => ({
          id: newId("edg"),
          kind: e.kind,
          sourceId: sourceIds[e.source],
          externalId: `e${i}`,
          fromId: ids[e.from_]!,
          toId: ids[e.to_]!,
          validFrom: day(e.from),
          validTo: e.to === null ? null : day(e.to),
        })),
      );
    await bumpGraphVersion(tx);
  });
  // As every writer does after its commit (read-your-writes in this process: lib/graph/graph-feed.ts).
  notifyGraphChanged();
  return ids;
}

const caseArb = fc.record({
  g: graphArb({ maxNodes: 8, maxEdges: 20, selfLoops: false }).map(keyed),
  asOf: fc.option(fc.integer({ min: 0, max: 12 }), { freq: 3 }).map((x) => x ?? undefined),
  start: fc.nat(7),
  other: fc.nat(7),
  maxDepth: fc.integer({ min: 1, max: 6 }),
});

const answer = (page: AccessPage, ids: string[]) => new Map(page.items.map((x) => [ids.indexOf(x.id), x.depth]));

describe("the access API equals a plain BFS over the rows, as of any instant", () => {
  it("who can reach, reachable from and k shortest paths", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ g, asOf, start, other, maxDepth }) => {
        const ids = await write(g);
        const n = g.kinds.length;
        const [a, b] = [start % n, other % n];
        const at = asOf === undefined ? {} : { asOf: day(asOf).toISOString() };
        const usable = usableEdges(g, asOf);
        const q = { maxDepth: String(maxDepth), limit: "500", ...at };

        if (!holds(g.nodePeriods[a]!, asOf)) {
          // A node that did not exist then is "not found", never an empty answer.
          const e = await reachableFromFor(t.db, actor, reachableFromQuerySchema.parse({ principal: ids[a], ...q })).catch((x: unknown) => x);
          expect(isAppError(e) && e.code).toBe("not_found");
          return;
        }
        const out = await reachableFromFor(t.db, actor, reachableFromQuerySchema.parse({ principal: ids[a], ...q }));
        expect(answer(out, ids)).toEqual(referenceBfs(usable, a, "out", maxDepth));
        expect(out.total).toBe(out.items.length);

        const inn = await whoCanReachFor(t.db, actor, whoCanReachQuerySchema.parse({ target: ids[a], ...q }));
        expect(answer(inn, ids)).toEqual(new Map([...referenceBfs(usable, a, "in", maxDepth)].filter(([x]) => isPrincipal(g.kinds[x]!))));

        // Nearest first, then by id: the order pages are cut from.
        for (const page of [out, inn]) {
          const order = page.items.map((x) => [x.depth, x.id] as const);
          expect(order).toEqual([...order].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0)));
        }
        for (const item of [...out.items, ...inn.items]) {
          const p = item.path;
          expect(p.edges).toHaveLength(item.depth);
          const ok = p.edges.every((kind, i) => usable.some((e) => e.kind === kind && ids[e.from_] === p.nodes[i] && ids[e.to_] === p.nodes[i + 1]));
          expect(ok, JSON.stringify(p)).toBe(true);
        }

        if (!holds(g.nodePeriods[b]!, asOf)) return;
        const paths = await pathsFor(t.db, actor, pathsQuerySchema.parse({ from: ids[a], to: ids[b], maxDepth: String(maxDepth), k: "4", ...at }));
        const lengths = paths.items.map((p) => p.length);
        const all = allSimplePaths(usable, a, b, maxDepth)
          .map((p) => p.length)
          .sort((x, y) => x - y);
        expect(lengths).toEqual(all.slice(0, 4));
        for (const p of paths.items) expect(new Set(p.nodes).size).toBe(p.nodes.length);
      }),
      { numRuns: 30 },
    );
  });
});
