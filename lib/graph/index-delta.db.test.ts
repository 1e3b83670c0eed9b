import fc from "fast-check";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edges, graphChanges, nodes, sources } from "@/db/schema";
import { systemActor, type Actor } from "@/lib/authz/actor";
import { decodeGraphDocument, type DecodedImport } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { notifyGraphChanged, recordGraphChange } from "@/lib/graph/after-change";
import { bumpGraphVersion } from "@/lib/graph/version";
import { newId } from "@/lib/ids";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { accessCacheStats, clearAccessCache, getAccessIndex, loadAccessIndex } from "./access-cache";
import { whoCanReachQuerySchema } from "./access-api";
import type { AccessIndex } from "./access-index";
import { ACCESS_EDGE_KINDS, NODE_ID_PREFIX, type EdgeKind, type NodeKind } from "./model";
import { bfs, MAX_DEPTH } from "./traverse";

/**
 * The index following changes through the database: random graphs, then random change sequences written as writers
 * write them (rows changed, graph version bumped, the change recorded with its ids, one transaction), and after each
 * the index getAccessIndex answers — caught up by a delta — compared with a fresh full load of the same rows.
 */
let t: TestDatabase;
let src: string[];
const SLOTS = 9;
const LONG_AGO = new Date(Date.UTC(2020, 0, 1));
const KINDS: NodeKind[] = ["human", "group", "agent", "entitlement", "resource", "tool"];
const EKINDS = ACCESS_EDGE_KINDS.slice(0, 4) as EdgeKind[];

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  src = [newId("src"), newId("src")];
  await t.db.insert(sources).values(src.map((id, i) => ({ id, name: `delta-${i}`, type: "import" })));
});
afterAll(async () => {
  clearAccessCache();
  await t.cleanup();
});

/** Every live node's kind, source and reachable (id, depth) set in both directions. */
function answers(ix: AccessIndex, ids: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    const i = ix.indexOf.get(id);
    if (i === undefined) continue;
    const dirs = (["out", "in"] as const).map((d) =>
      bfs(ix, i, d, MAX_DEPTH)
        .reached.map((r) => `${ix.ids[r.node]}@${r.depth}`)
        .sort()
        .join(","),
    );
    out[id] = `${ix.kinds[i]}/${ix.sourceNames[ix.sources[i]!]} out[${dirs[0]}] in[${dirs[1]}]`;
  }
  return out;
}

const step = fc.array(
  fc.oneof(
    fc.record({
      t: fc.constant("node" as const),
      n: fc.nat(SLOTS - 1),
      kind: fc.constantFrom(...KINDS),
      source: fc.nat(1),
      alive: fc.constantFrom(true, true, false),
    }),
    fc.record({
      t: fc.constant("edge" as const),
      f: fc.nat(SLOTS - 1),
      to: fc.nat(SLOTS - 1),
      kind: fc.constantFrom(...EKINDS),
      source: fc.nat(1),
      alive: fc.boolean(),
    }),
  ),
  { minLength: 1, maxLength: 4 },
);

describe("the access index follows recorded changes (delta)", () => {
  it("answers like a fresh build after each change, caught up by a delta, not a rebuild", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 2, maxLength: 7 }), fc.nat(10), async (steps, fullAt) => {
        const ids = Array.from({ length: SLOTS }, (_, i) => newId(NODE_ID_PREFIX[KINDS[i % KINDS.length]!]));
        await t.db.transaction(async (tx) => {
          await tx.delete(edges);
          await tx.delete(nodes);
          await bumpGraphVersion(tx);
          await recordGraphChange(tx, { origin: "system", sourceIds: src, full: true });
        });
        clearAccessCache();
        await getAccessIndex(t.db);
        for (const [s, changes] of steps.entries()) {
          const full = s === fullAt;
          await t.db.transaction(async (tx) => {
            const nodeIds = new Set<string>();
            const edgeIds = new Set<string>();
            const now = new Date();
            for (const c of changes) {
              if (c.t === "node") {
                const id = ids[c.n]!;
                // One row per node id: insert, or update kind/source/validity (ended, or back).
                await tx
                  .insert(nodes)
                  .values({ id, kind: c.kind, sourceId: src[c.source]!, externalId: id, name: id, validFrom: LONG_AGO, validTo: c.alive ? null : now })
                  .onConflictDoUpdate({ target: nodes.id, set: { kind: c.kind, sourceId: src[c.source]!, validTo: c.alive ? null : now } });
                nodeIds.add(id);
              } else {
                const [fromId, toId] = [ids[c.f]!, ids[c.to]!];
                const [node] = await tx.select({ id: nodes.id }).from(nodes).where(eq(nodes.id, fromId));
                const [node2] = await tx.select({ id: nodes.id }).from(nodes).where(eq(nodes.id, toId));
                if (!node || !node2 || fromId === toId) continue;
                // An edge row per (source, kind, from, to): parallel rows from the two sources assert one fact.
                const [row] = await tx
                  .select({ id: edges.id })
                  .from(edges)
                  .where(sql`${edges.sourceId} = ${src[c.source]!} and ${edges.kind} = ${c.kind} and ${edges.fromId} = ${fromId} and ${edges.toId} = ${toId}`);
                if (row) {
                  await tx
                    .update(edges)
                    .set({ validTo: c.alive ? null : now })
                    .where(eq(edges.id, row.id));
                  edgeIds.add(row.id);
                } else if (c.alive) {
                  const id = newId("edg");
                  await tx.insert(edges).values({ id, kind: c.kind, sourceId: src[c.source]!, externalId: id, fromId, toId, validFrom: LONG_AGO });
                  edgeIds.add(id);
                }
              }
            }
            // A writer bumps only when it changed something (then there is always something to list).
            if (nodeIds.size + edgeIds.size === 0 && !full) return;
            await bumpGraphVersion(tx);
            await recordGraphChange(tx, { origin: "system", nodeIds: [...nodeIds], edgeIds: [...edgeIds], full });
          });
          // As every writer does after its commit (read-your-writes in this process: lib/graph/graph-feed.ts).
          notifyGraphChanged();
          const fullBuilds = accessCacheStats().fullBuilds;
          const ix = await getAccessIndex(t.db);
          expect(accessCacheStats().fullBuilds).toBe(fullBuilds + (full ? 1 : 0));
          const want = await loadAccessIndex(t.db);
          expect(ix.version).toBe(want.version);
          expect(answers(ix, ids)).toEqual(answers(want, ids));
        }
      }),
      { numRuns: 12 },
    );
  });

  it("rebuilds when a version has no change record (a writer that did not record, or recorded before its bump)", async () => {
    clearAccessCache();
    const before = await getAccessIndex(t.db);
    const id = newId("hum");
    await t.db.transaction(async (tx) => {
      await tx.insert(nodes).values({ id, kind: "human", sourceId: src[0]!, externalId: id, name: id });
      await recordGraphChange(tx, { origin: "system", nodeIds: [id] });
      await bumpGraphVersion(tx);
    });
    notifyGraphChanged();
    const [rec] = await t.db
      .select({ v: graphChanges.graphVersion })
      .from(graphChanges)
      .where(sql`${id} = any(${graphChanges.nodeIds})`);
    expect(rec!.v).toBeNull();
    const after = await getAccessIndex(t.db);
    expect(after.version).toBe(before.version + 1);
    expect(accessCacheStats()).toMatchObject({ lastUpdate: "full" });
    expect(after.indexOf.has(id)).toBe(true);
  });

  it("an import through the real writer records its version and is applied as a delta", async () => {
    clearAccessCache();
    const actor: Actor = systemActor("delta-test");
    const doc = (n: number) =>
      decodeGraphDocument({
        source: "delta-import",
        mode: "incremental",
        nodes: [
          { kind: "group", externalId: "g", name: "Group" },
          ...Array.from({ length: n }, (_, i) => ({ kind: "human" as const, externalId: `h${i}`, name: `Person ${i}` })),
        ],
        edges: Array.from({ length: n }, (_, i) => ({
          kind: "member_of" as const,
          from: { kind: "human" as const, externalId: `h${i}` },
          to: { kind: "group" as const, externalId: "g" },
        })),
      }) as DecodedImport;
    expect((await runImport(t.db, actor, doc(2), { format: "graph" })).status).toBe("succeeded");
    const first = await getAccessIndex(t.db);
    expect((await runImport(t.db, actor, doc(3), { format: "graph" })).status).toBe("succeeded");
    const ix = await getAccessIndex(t.db);
    expect(ix.version).toBe(first.version + 1);
    expect(accessCacheStats().lastUpdate).toBe("delta");
    const want = await loadAccessIndex(t.db);
    const all = want.ids;
    expect(answers(ix, all)).toEqual(answers(want, all));
    const [rec] = await t.db
      .select({ v: graphChanges.graphVersion })
      .from(graphChanges)
      .orderBy(sql`${graphChanges.id} desc`)
      .limit(1);
    expect(rec!.v).toBe(ix.version);
  });
});

describe("the consistency token (atLeast)", () => {
  it("answers at the version asked or newer, and refuses a version the graph has not reached, naming atLeast", async () => {
    const ix = await getAccessIndex(t.db);
    expect((await getAccessIndex(t.db, undefined, { atLeast: ix.version })).version).toBe(ix.version);
    await expect(getAccessIndex(t.db, undefined, { atLeast: ix.version + 5 })).rejects.toMatchObject({
      code: "validation",
      message: expect.stringContaining("atLeast"),
    });
    const bad = whoCanReachQuerySchema.safeParse({ target: "x", atLeast: "1.5" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(["atLeast"]);
    expect(whoCanReachQuerySchema.parse({ target: "x", atLeast: "12" }).atLeast).toBe(12);
  });
});
