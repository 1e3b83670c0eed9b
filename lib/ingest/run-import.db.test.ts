import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, edges, graphState, imports, nodes } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { listNodes } from "@/lib/graph/nodes";
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { decodeCsv, decodeGraphDocument, decodeJsonl, type DecodedImport } from "./import-items";
import { ANALYZE_AFTER_ROWS, failInterruptedImports, runImport } from "./run-import";

let t: TestDatabase;
let analyst: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  analyst = await actorByEmail(t, "ana@example.com");
});
afterAll(() => t.cleanup());

const doc = (over: Partial<{ source: string; mode: string; nodes: unknown[]; edges: unknown[] }> = {}) => ({
  source: "hr",
  mode: "full",
  nodes: [
    { kind: "human", externalId: "e1", name: "Alan Turing", attributes: { email: "alan@example.com", status: "active" } },
    { kind: "human", externalId: "e2", name: "Joan Clarke", attributes: { status: "active" } },
    { kind: "group", externalId: "g1", name: "Codebreakers" },
  ],
  edges: [
    { kind: "member_of", from: { kind: "human", externalId: "e1" }, to: { kind: "group", externalId: "g1" } },
    { kind: "member_of", from: { kind: "human", externalId: "e2" }, to: { kind: "group", externalId: "g1" } },
    // An edge into another source's node.
    { kind: "has_entitlement", from: { kind: "group", externalId: "g1" }, to: { kind: "entitlement", externalId: "ent-gh", source: "okta" } },
  ],
  ...over,
});

function decoded(value: unknown): DecodedImport {
  const d = decodeGraphDocument(value);
  if ("errors" in d) throw new Error(JSON.stringify(d.errors));
  return d;
}

async function version() {
  const [r] = await t.db.select().from(graphState);
  return r!.version;
}

describe("graph document import", () => {
  it("creates nodes and edges, audits once, and bumps the graph version", async () => {
    const v0 = await version();
    const r = await runImport(t.db, analyst, decoded(doc()), { format: "graph" });
    expect(r.status).toBe("succeeded");
    expect(r.counts).toEqual({ nodesCreated: 3, nodesUpdated: 0, nodesEnded: 0, edgesCreated: 3, edgesUpdated: 0, edgesEnded: 0 });
    expect(r.recordsTotal).toBe(6);
    expect(await version()).toBe(v0 + 1);
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "import.apply"));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ importId: r.id, counts: r.counts });
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("importing the same document again changes nothing", async () => {
    const v0 = await version();
    const r = await runImport(t.db, analyst, decoded(doc()), { format: "graph" });
    expect(r.status).toBe("succeeded");
    expect(r.counts).toEqual({ nodesCreated: 0, nodesUpdated: 0, nodesEnded: 0, edgesCreated: 0, edgesUpdated: 0, edgesEnded: 0 });
    expect(await version()).toBe(v0);
  });

  it("a full import end-dates what the source stopped reporting, keeping history", async () => {
    const before = new Date();
    await new Promise((r) => setTimeout(r, 5));
    const d = doc();
    d.nodes = [{ kind: "human", externalId: "e1", name: "Alan M. Turing", attributes: { status: "terminated" } }, d.nodes[2]!];
    d.edges = [d.edges[0]!];
    const r = await runImport(t.db, analyst, decoded(d), { format: "graph" });
    expect(r.counts).toEqual({ nodesCreated: 0, nodesUpdated: 1, nodesEnded: 1, edgesCreated: 0, edgesUpdated: 0, edgesEnded: 2 });
    const joan = await t.db.select().from(nodes).where(eq(nodes.externalId, "e2"));
    expect(joan[0]!.validTo).not.toBeNull();
    const alan = await t.db.select().from(nodes).where(eq(nodes.externalId, "e1"));
    expect(alan[0]!.status).toBe("terminated");
    // As of before this import, Joan was there; now she is not.
    expect((await listNodes(t.db, { source: "hr", asOf: before, limit: 10 })).items.map((n) => n.name)).toContain("Joan Clarke");
    expect((await listNodes(t.db, { source: "hr", limit: 10 })).items.map((n) => n.name)).not.toContain("Joan Clarke");
  });

  it("an edge that comes back opens a new validity period instead of rewriting the old one", async () => {
    const r = await runImport(t.db, analyst, decoded(doc()), { format: "graph" });
    expect(r.counts).toMatchObject({ nodesCreated: 0, nodesUpdated: 2, edgesCreated: 2 });
    const joan = (await t.db.select().from(nodes).where(eq(nodes.externalId, "e2")))[0]!;
    const rows = await t.db.select().from(edges).where(eq(edges.fromId, joan.id));
    expect(rows).toHaveLength(2);
    expect(rows.filter((e) => e.validTo === null)).toHaveLength(1);
  });

  it("an incremental import only upserts", async () => {
    const r = await runImport(
      t.db,
      analyst,
      decoded(doc({ mode: "incremental", nodes: [{ kind: "human", externalId: "e3", name: "Gordon Welchman" }], edges: [] })),
      { format: "graph" },
    );
    expect(r.counts).toEqual({ nodesCreated: 1, nodesUpdated: 0, nodesEnded: 0, edgesCreated: 0, edgesUpdated: 0, edgesEnded: 0 });
    expect((await listNodes(t.db, { source: "hr", kind: "human", limit: 10 })).total).toBe(3);
  });
});

describe("bad input never corrupts", () => {
  it("any invalid record: nothing is written and every problem is listed with its path", async () => {
    const countBefore = (await listNodes(t.db, { limit: 1 })).total;
    const v0 = await version();
    const bad = doc({
      source: "bad",
      nodes: [
        { kind: "human", externalId: "ok1", name: "Fine" },
        { kind: "wizard", externalId: "x", name: "Merlin" },
        { kind: "human", externalId: "", name: "No id" },
        { kind: "human", externalId: "ok1", name: "Duplicate" },
      ],
      edges: [
        { kind: "member_of", from: { kind: "human", externalId: "ok1" }, to: { kind: "human", externalId: "ok1" } },
        { kind: "manages", from: { kind: "human", externalId: "ok1" }, to: { kind: "human", externalId: "ok1" } },
        { kind: "member_of", from: { kind: "human", externalId: "ok1" }, to: { kind: "group", externalId: "nowhere" } },
      ],
    });
    const r = await runImport(t.db, analyst, decoded(bad), { format: "graph" });
    expect(r.status).toBe("rejected");
    const paths = r.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["nodes[1].kind", "nodes[2].externalId", "nodes[3]", "edges[0]", "edges[1]"]));
    expect(r.errors.find((e) => e.path === "edges[0]")!.message).toMatch(/cannot end at a human/);
    expect(r.errors.find((e) => e.path === "edges[1]")!.message).toMatch(/itself/);
    expect(r.errors.find((e) => e.path === "nodes[3]")!.message).toMatch(/more than once/);
    expect((await listNodes(t.db, { limit: 1 })).total).toBe(countBefore);
    expect(await version()).toBe(v0);
    const stored = (await t.db.select().from(imports).where(eq(imports.id, r.id)))[0]!;
    expect(stored.status).toBe("rejected");
  });

  it("allowPartial writes the valid records and reports the rest: accepted + rejected = total", async () => {
    const partial = doc({
      source: "partial",
      nodes: [
        { kind: "human", externalId: "p1", name: "Valid One" },
        { kind: "human", name: "Missing id" },
        { kind: "group", externalId: "pg", name: "Valid Group" },
      ],
      edges: [
        { kind: "member_of", from: { kind: "human", externalId: "p1" }, to: { kind: "group", externalId: "pg" } },
        { kind: "member_of", from: { kind: "human", externalId: "p1" }, to: { kind: "group", externalId: "ghost" } },
      ],
    });
    const r = await runImport(t.db, analyst, decoded(partial), { format: "graph", allowPartial: true });
    expect(r.status).toBe("succeeded");
    expect(r.recordsTotal).toBe(5);
    expect(r.recordsAccepted + r.recordsRejected).toBe(r.recordsTotal);
    expect(r.recordsRejected).toBe(2);
    expect(r.counts).toMatchObject({ nodesCreated: 2, edgesCreated: 1 });
    expect(r.errors.map((e) => e.path).sort()).toEqual(["edges[1]", "nodes[1].externalId"]);
  });

  it("a reviewer may not import", async () => {
    const reviewer = await actorByEmail(t, "ada@example.com");
    await expect(runImport(t.db, reviewer, decoded(doc()), { format: "graph" })).rejects.toMatchObject({ code: "forbidden" });
  });

  it("top-level problems of a document are reported before anything starts", () => {
    const d = decodeGraphDocument({ source: "has space", mode: "sometimes", nodes: {} });
    expect("errors" in d && d.errors.map((e) => e.path).sort()).toEqual(["mode", "nodes", "source"]);
    expect("errors" in decodeGraphDocument([1, 2])).toBe(true);
  });

  it("an import left running by a killed process is marked failed", async () => {
    await t.db.insert(imports).values({
      id: "imp_killed",
      format: "jsonl",
      mode: "full",
      status: "running",
      actorType: "user",
      actorId: "x",
      startedAt: new Date(0),
      heartbeatAt: new Date(0),
    });
    expect(await failInterruptedImports(t.db, t.kind)).toBeGreaterThanOrEqual(1);
    const row = (await t.db.select().from(imports).where(eq(imports.id, "imp_killed")))[0]!;
    expect(row.status).toBe("failed");
    expect(row.errors[0]!.message).toMatch(/interrupted/);
  });
});

async function* textLines(text: string) {
  let line = 0;
  for (const l of text.split("\n")) yield { line: ++line, text: l };
}

describe("JSONL and CSV", () => {
  it("imports JSONL with errors located by line", async () => {
    const good = [
      '{"source":"jl","mode":"full"}',
      '{"node":{"kind":"agent","externalId":"a1","name":"Agent One"}}',
      '{"node":{"kind":"human","externalId":"h1","name":"Hu Man"}}',
      '{"edge":{"kind":"acts_for","from":{"kind":"agent","externalId":"a1"},"to":{"kind":"human","externalId":"h1"}}}',
    ].join("\n");
    const d = await decodeJsonl(textLines(good));
    if ("errors" in d) throw new Error("header");
    const r = await runImport(t.db, analyst, d, { format: "jsonl" });
    expect(r.counts).toMatchObject({ nodesCreated: 2, edgesCreated: 1 });

    const bad = ['{"source":"jl2"}', "{not json", '{"node":{"kind":"agent","externalId":"a2"}}', '{"other":1}'].join("\n");
    const d2 = await decodeJsonl(textLines(bad));
    if ("errors" in d2) throw new Error("header");
    const r2 = await runImport(t.db, analyst, d2, { format: "jsonl" });
    expect(r2.status).toBe("rejected");
    expect(r2.errors.map((e) => e.path)).toEqual(["line 2", "line 3: name", "line 4"]);
    const noHeader = await decodeJsonl(textLines('{"node":{}}'));
    expect("errors" in noHeader && noHeader.errors[0]!.path).toMatch(/^line 1/);
  });

  it("imports CSV nodes and edges, with quoted fields and JSON attributes", async () => {
    const nodesCsv =
      'kind,externalId,name,attributes,department\nhuman,c1,"Lovelace, Ada","{""status"":""active""}",Maths\ngroup,cg,"Analytical ""Engine"" Team",,\n';
    const edgesCsv = "kind,fromKind,fromExternalId,toKind,toExternalId\nmember_of,human,c1,group,cg\n";
    const r = await runImport(t.db, analyst, { source: "csvsrc", mode: "full", items: decodeCsv({ nodes: nodesCsv, edges: edgesCsv }) }, { format: "csv" });
    expect(r.status).toBe("succeeded");
    expect(r.counts).toMatchObject({ nodesCreated: 2, edgesCreated: 1 });
    const ada = (
      await t.db
        .select()
        .from(nodes)
        .where(and(eq(nodes.externalId, "c1"), isNull(nodes.validTo)))
    )[0]!;
    expect(ada.name).toBe("Lovelace, Ada");
    expect(ada.attributes).toEqual({ status: "active", department: "Maths" });
    expect(ada.status).toBe("active");

    const broken = await runImport(t.db, analyst, { source: "csvbad", mode: "full", items: decodeCsv({ nodes: "kind,name\nhuman,x\n" }) }, { format: "csv" });
    expect(broken.status).toBe("rejected");
    expect(broken.errors[0]).toEqual({ path: "nodes.csv line 1", message: "missing column externalId" });
  });
});

describe("sources kept by SCIM", () => {
  it("an import into a SCIM source is refused and writes nothing", async () => {
    const { sources } = await import("@/db/schema");
    await t.db.insert(sources).values({ id: "src_scim_test", name: "okta-scim", type: "scim" });
    const r = await runImport(t.db, analyst, decoded(doc({ source: "okta-scim" })), { format: "graph" });
    expect(r.status).toBe("rejected");
    expect(r.errors).toEqual([{ path: "source", message: "source okta-scim is kept by SCIM; import into another source name" }]);
    expect((await listNodes(t.db, { source: "okta-scim", limit: 5 })).total).toBe(0);
  });
});

describe("planner statistics after a large import", () => {
  // reltuples is what the planner believes a table holds; -1 or a stale count until ANALYZE (PGlite never autovacuums).
  const believed = async (table: string) =>
    Number(
      ((await t.db.execute(sql`select reltuples from pg_class where relname = ${table}`)) as unknown as { rows: { reltuples: number }[] }).rows[0]!.reltuples,
    );

  it("are refreshed once an import writes more rows than the threshold, so the evaluation after it gets sane plans", async () => {
    const n = Math.ceil(ANALYZE_AFTER_ROWS / 2) + 10;
    const big = {
      source: "bulk-hr",
      mode: "full",
      nodes: [
        { kind: "group", externalId: "all", name: "All" },
        ...Array.from({ length: n }, (_, i) => ({ kind: "human", externalId: `p${i}`, name: `Person ${i}` })),
      ],
      edges: Array.from({ length: n }, (_, i) => ({
        kind: "member_of",
        from: { kind: "human", externalId: `p${i}` },
        to: { kind: "group", externalId: "all" },
      })),
    };
    const decoded = decodeGraphDocument(big);
    if ("errors" in decoded) throw new Error(JSON.stringify(decoded.errors));
    const r = await runImport(t.db, analyst, decoded, { format: "graph" });
    expect(r.status).toBe("succeeded");
    expect(await believed("nodes")).toBeGreaterThanOrEqual(n);
    expect(await believed("edges")).toBeGreaterThanOrEqual(n);
  });
});
