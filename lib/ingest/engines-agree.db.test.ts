import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";
import { rows } from "@/db/rows";
import { sql } from "drizzle-orm";
import { systemActor } from "@/lib/authz/actor";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { decodeGraphDocument } from "./import-items";
import { runImport } from "./run-import";

/*
 * The import loads its staging table two ways (COPY FROM STDIN on PostgreSQL, COPY from a blob on PGlite) and merges
 * with one SQL. The same documents, imported in the same order into the test database and into an in-memory PGlite,
 * must give the same counts at every step and the same rows at the end; the counts are also spelled out, so a run on
 * PGlite alone still checks the merge's semantics.
 */

const n = (kind: string, externalId: string, name: string, attributes?: Record<string, unknown>) => ({
  kind,
  externalId,
  name,
  ...(attributes ? { attributes } : {}),
});
const e = (kind: string, from: [string, string], to: [string, string], attributes?: Record<string, unknown>) => ({
  kind,
  from: { kind: from[0], externalId: from[1] },
  to: { kind: to[0], externalId: to[1] },
  ...(attributes ? { attributes } : {}),
});
const base = {
  nodes: [
    n("human", "e1", "Ada\tLovelace", { status: "active", note: "back\\slash\nnew line" }),
    n("human", "e2", "Charles Babbage", { status: "active" }),
    n("group", "g1", "Engines"),
    n("entitlement", "x1", "Mill access"),
  ],
  edges: [
    e("member_of", ["human", "e1"], ["group", "g1"]),
    e("member_of", ["human", "e2"], ["group", "g1"]),
    e("has_entitlement", ["group", "g1"], ["entitlement", "x1"]),
  ],
};

const steps: { doc: Record<string, unknown>; allowPartial?: boolean; status: string; counts: Record<string, number> | null; rejected?: number }[] = [
  {
    doc: { source: "agree", mode: "full", ...base },
    status: "succeeded",
    counts: { nodesCreated: 4, nodesUpdated: 0, nodesEnded: 0, edgesCreated: 3, edgesUpdated: 0, edgesEnded: 0 },
  },
  {
    doc: { source: "agree", mode: "full", ...base },
    status: "succeeded",
    counts: { nodesCreated: 0, nodesUpdated: 0, nodesEnded: 0, edgesCreated: 0, edgesUpdated: 0, edgesEnded: 0 },
  },
  {
    doc: {
      source: "agree",
      mode: "full",
      nodes: [n("human", "e1", "Ada King", { status: "leave" }), base.nodes[2], base.nodes[3]],
      edges: [base.edges[0], e("has_entitlement", ["group", "g1"], ["entitlement", "x1"], { level: "admin" })],
    },
    status: "succeeded",
    counts: { nodesCreated: 0, nodesUpdated: 1, nodesEnded: 1, edgesCreated: 0, edgesUpdated: 1, edgesEnded: 1 },
  },
  {
    doc: { source: "agree", mode: "full", ...base },
    status: "succeeded",
    counts: { nodesCreated: 0, nodesUpdated: 2, nodesEnded: 0, edgesCreated: 1, edgesUpdated: 1, edgesEnded: 0 },
  },
  {
    doc: { source: "agree", mode: "incremental", nodes: [n("human", "e3", "Mary Somerville")], edges: [e("member_of", ["human", "e3"], ["group", "g1"])] },
    status: "succeeded",
    counts: { nodesCreated: 1, nodesUpdated: 0, nodesEnded: 0, edgesCreated: 1, edgesUpdated: 0, edgesEnded: 0 },
  },
  {
    doc: {
      source: "agree",
      mode: "incremental",
      nodes: [n("human", "e4", "Augustus De Morgan")],
      edges: [e("member_of", ["human", "e4"], ["group", "g1"]), e("member_of", ["human", "e4"], ["group", "nowhere"])],
    },
    allowPartial: true,
    status: "succeeded",
    rejected: 1,
    counts: { nodesCreated: 1, nodesUpdated: 0, nodesEnded: 0, edgesCreated: 1, edgesUpdated: 0, edgesEnded: 0 },
  },
  {
    doc: { source: "agree", mode: "incremental", nodes: [], edges: [e("member_of", ["human", "e5"], ["group", "g1"])] },
    status: "rejected",
    rejected: 1,
    counts: null,
  },
];

async function applyAll(db: Database["db"]) {
  const out: unknown[] = [];
  for (const s of steps) {
    const d = decodeGraphDocument(s.doc);
    if ("errors" in d) throw new Error(JSON.stringify(d.errors));
    const r = await runImport(db, systemActor("engines-agree"), d, { format: "graph", allowPartial: s.allowPartial });
    out.push({ status: r.status, counts: r.counts, rejected: r.recordsRejected, errors: r.errors });
  }
  return out;
}

/** The graph's rows without ids or times: what an engine must agree on. */
async function graphRows(db: Database["db"]) {
  const nodes = await rows(
    db,
    sql`select n.kind, n.external_id, n.name, n.status, n.attributes, n.valid_to is null as current, n.valid_from = n.first_seen_at as first_period
        from nodes n join sources s on s.id = n.source_id where s.name = 'agree' order by 1, 2, 6`,
  );
  const edges = await rows(
    db,
    sql`select e.kind, f.external_id as "from", t.external_id as "to", e.external_id, e.attributes, e.valid_to is null as current
        from edges e join nodes f on f.id = e.from_id join nodes t on t.id = e.to_id join sources s on s.id = e.source_id
        where s.name = 'agree' order by 1, 2, 3, 6`,
  );
  return { nodes, edges };
}

let t: TestDatabase;
let lite: Database;

beforeAll(async () => {
  t = await createTestDatabase();
  lite = await openDatabase({ dataDir: "memory://" });
  await migrate(lite);
});
afterAll(async () => {
  await t.cleanup();
  await lite.close();
});

describe(`the import engine on ${testTarget()} and on PGlite`, () => {
  it("gives the same counts at every step and the same rows, with the merge semantics spelled out", async () => {
    const here = await applyAll(t.db);
    const there = await applyAll(lite.db);
    expect(here).toEqual(there);
    steps.forEach((s, i) => {
      expect(here[i]).toMatchObject({ status: s.status, rejected: s.rejected ?? 0 });
      if (s.counts) expect((here[i] as { counts: unknown }).counts).toEqual(s.counts);
    });
    const a = await graphRows(t.db);
    const b = await graphRows(lite.db);
    expect(a).toEqual(b);
    // e2 left and came back: two periods; the e2 → g1 edge too; text with tabs, backslashes and new lines survives COPY.
    expect(a.nodes.filter((r) => (r as { external_id: string }).external_id === "e2")).toHaveLength(1);
    expect(a.edges).toHaveLength(6);
    expect(a.edges.filter((r) => !(r as { current: boolean }).current)).toHaveLength(1);
    expect(a.nodes.find((r) => (r as { external_id: string }).external_id === "e1")).toMatchObject({
      name: "Ada\tLovelace",
      attributes: { status: "active", note: "back\\slash\nnew line" },
      status: "active",
    });
  });
});
