import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyOutIntTriples } from "@/db/copy-out";
import { edges, nodes, sources } from "@/db/schema";
import { newId } from "@/lib/ids";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { loadAccessIndex } from "./access-cache";
import { buildAccessIndex, type AccessIndex } from "./access-index";
import { EDGE_KINDS, NODE_KINDS, type EdgeKind, type NodeKind } from "./model";
import { bfs, MAX_DEPTH } from "./traverse";

/**
 * The index as the database builds it (PostgreSQL: nodes by COPY in id order, edges as node numbers computed by the
 * server; PGlite: cursors) against the pure builder fed with the same rows read plainly: random graphs with ended
 * nodes and edges, edges of every kind (governance ones must stay out), parallel rows from two sources, a source
 * name with a tab and a backslash, now and at a past instant.
 */
let t: TestDatabase;
let src: { id: string; name: string }[];
const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestDatabase();
  src = [
    { id: newId("src"), name: "plain" },
    { id: newId("src"), name: "tab\there \\ back" },
  ];
  await t.db.insert(sources).values(src.map((s) => ({ ...s, type: "import" })));
});
afterAll(() => t.cleanup());

function answers(ix: AccessIndex): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < ix.ids.length; i++) {
    const dirs = (["out", "in"] as const).map((d) =>
      bfs(ix, i, d, MAX_DEPTH)
        .reached.map((r) => `${ix.ids[r.node]}@${r.depth}`)
        .sort()
        .join(","),
    );
    out[ix.ids[i]!] = `${ix.kinds[i]}/${ix.sourceNames[ix.sources[i]!]} out[${dirs[0]}] in[${dirs[1]}]`;
  }
  return out;
}

/** Most rows are still current (null end); some ended on a day. */
const mostlyOpen = fc.oneof(fc.constant(null), fc.constant(null), fc.constant(null), fc.nat(30));

const graph = fc.record({
  nodes: fc.array(fc.record({ kind: fc.constantFrom(...NODE_KINDS), source: fc.nat(1), from: fc.nat(20), to: mostlyOpen }), {
    minLength: 6,
    maxLength: 14,
  }),
  edges: fc.array(fc.record({ f: fc.nat(13), to: fc.nat(13), kind: fc.constantFrom(...EDGE_KINDS), source: fc.nat(1), from: fc.nat(20), end: mostlyOpen }), {
    minLength: 8,
    maxLength: 40,
  }),
  asOfDay: fc.nat(40),
});

describe("the access index built by the database", () => {
  it("equals the pure builder over the same rows, now and as of a past day", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(graph, async (g) => {
        run++;
        const ids = g.nodes.map((_, i) => `${newId("n")}-${run}-${i}`);
        const nodeRows = g.nodes.map((n, i) => ({
          id: ids[i]!,
          kind: n.kind as NodeKind,
          sourceId: src[n.source]!.id,
          externalId: ids[i]!,
          name: ids[i]!,
          validFrom: new Date(T0 + n.from * DAY),
          validTo: n.to === null ? null : new Date(T0 + Math.max(n.from, n.to) * DAY),
        }));
        const edgeRows = g.edges
          .map((e) => ({ ...e, f: e.f % ids.length, to: e.to % ids.length }))
          .filter((e) => e.f !== e.to)
          .map((e, i) => ({
            id: newId("e"),
            kind: e.kind as EdgeKind,
            sourceId: src[e.source]!.id,
            externalId: `e${run}-${i}`,
            fromId: ids[e.f]!,
            toId: ids[e.to]!,
            validFrom: new Date(T0 + e.from * DAY),
            validTo: e.end === null ? null : new Date(T0 + Math.max(e.from, e.end) * DAY),
          }));
        // One current row per (source, kind, from, to): later duplicates are ended at their start.
        const open = new Set<string>();
        for (const e of edgeRows) {
          if (e.validTo !== null) continue;
          const key = `${e.sourceId}|${e.kind}|${e.fromId}|${e.toId}`;
          if (open.has(key)) e.validTo = e.validFrom;
          else open.add(key);
        }
        await t.db.transaction(async (tx) => {
          await tx.delete(edges);
          await tx.delete(nodes);
          await tx.insert(nodes).values(nodeRows);
          if (edgeRows.length) await tx.insert(edges).values(edgeRows);
        });
        for (const asOf of [undefined, new Date(T0 + g.asOfDay * DAY + 1)]) {
          const live = (from: Date, to: Date | null) => (asOf ? from <= asOf && (to === null || to > asOf) : to === null);
          const name = new Map(src.map((s) => [s.id, s.name]));
          const want = buildAccessIndex(
            nodeRows.filter((n) => live(n.validFrom, n.validTo)).map((n) => ({ id: n.id, kind: n.kind, source: name.get(n.sourceId)! })),
            edgeRows.filter((e) => live(e.validFrom, e.validTo)).map((e) => ({ fromId: e.fromId, toId: e.toId, kind: e.kind })),
          );
          const got = await loadAccessIndex(t.db, asOf);
          expect(answers(got)).toEqual(answers(want));
          expect(got.edgeCount).toBe(want.edgeCount);
        }
      }),
      { numRuns: 25 },
    );
  }, 240_000);

  it("reads whole numbers from COPY across chunk boundaries and refuses anything else (PostgreSQL; PGlite says it cannot)", async () => {
    const rows: number[][] = [];
    const ok = await t.db.transaction((tx) =>
      copyOutIntTriples(tx, "select g, g * 7919 % 1000003, g % 16 from generate_series(0, 199999) g", (a, b, c) => rows.push([a, b, c])),
    );
    // PGlite has no COPY TO STDOUT stream: the caller reads through cursors instead.
    expect(ok).toBe(testTarget() === "postgres");
    if (!ok) return expect(rows).toEqual([]);
    expect(rows).toHaveLength(200_000);
    expect(rows[0]).toEqual([0, 0, 0]);
    expect(rows[123_457]).toEqual([123_457, (123_457 * 7919) % 1_000_003, 123_457 % 16]);
    await expect(t.db.transaction((tx) => copyOutIntTriples(tx, "select 1, 2, 'x'", () => undefined))).rejects.toThrow(/not a whole number/);
    await expect(t.db.transaction((tx) => copyOutIntTriples(tx, "select 1, 2", () => undefined))).rejects.toThrow(/three columns/);
    await expect(t.db.transaction((tx) => copyOutIntTriples(tx, "select 1, 2, null::int", () => undefined))).rejects.toThrow(/not a whole number/);
  });
});
