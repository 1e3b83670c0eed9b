import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scim } from "@/app/scim/v2/scim-test-client";
import { openDatabase, type Database } from "@/db/client";
import { auditEvents, findings, graphChanges, nodes, ownershipReassignments, sources } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createSource } from "@/lib/admin/sources";
import type { Actor } from "@/lib/authz/actor";
import { MAX_LISTED_IDS, onGraphChanged, pendingChanges, pruneGraphChanges, recordGraphChange } from "@/lib/graph/after-change";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { decodeGraphDocument, type DecodedImport } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { assignOwner } from "@/lib/ownership/assign";
import { resolveReassignments } from "@/lib/ownership/reassignments";
import { ownershipGraph } from "@/lib/ownership/testing/ownership-graph";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { offboardDeparted } from "./follow-ups";
import { mergeChanges, processGraphChanges } from "./process-changes";
import { GRAPH_AFTER_CHANGE } from "@/lib/jobs";
import { registeredHandlers } from "@/lib/jobs/registry";
import "./jobs";

let t: TestDatabase;
/** A second connection pool on the same database (PostgreSQL), as a second app instance would have; PGlite has one. */
let other: Database | null = null;
let analyst: Actor;

const idOf = async (externalId: string) => (await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.externalId, externalId)))[0]!.id;
const importPerson = (externalId: string, name: string, status: string) =>
  runImport(
    t.db,
    analyst,
    decodeGraphDocument({
      source: "dir",
      mode: "incremental",
      nodes: [{ kind: "human", externalId, name, attributes: { email: `${externalId}@example.com`, status } }],
      edges: [],
    }) as DecodedImport,
    { format: "graph" },
  );
const waiting = () => t.db.select().from(graphChanges).where(isNull(graphChanges.processedAt));

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, ownershipGraph());
  useAsAppDatabase(t);
  analyst = await actorByEmail(t, "ana@example.com");
  if (t.kind === "postgres") {
    const url = (t.pool as unknown as { options: { connectionString: string } }).options.connectionString;
    other = await openDatabase({ url });
  }
  // The seed's own changes are not what these tests look at.
  await processGraphChanges(t.db);
});
afterAll(async () => {
  await other?.close();
  await t.cleanup();
});

describe(`the after-change pipeline (${testTarget()})`, () => {
  it("an import records what it changed in its own transaction and signals; a rejected one records nothing", async () => {
    let signals = 0;
    const off = onGraphChanged(() => signals++);
    const r = await importPerson("maya", "Maya M. Manager", "active");
    off();
    expect(r.status).toBe("succeeded");
    const [row] = await waiting();
    expect(row).toMatchObject({ origin: "import", ref: r.id, nodeIds: [await idOf("maya")], edgeIds: [], fullScope: false });
    expect(signals).toBe(1);
    const bad = await runImport(
      t.db,
      analyst,
      decodeGraphDocument({ source: "dir", mode: "incremental", nodes: [{ kind: "human", externalId: "x", name: "" }], edges: [] }) as DecodedImport,
      { format: "graph" },
    );
    expect(bad.status).toBe("rejected");
    expect(await waiting()).toHaveLength(1);
    expect(await pendingChanges(t.db)).toMatchObject({ count: 1 });
    await processGraphChanges(t.db);
    expect(await pendingChanges(t.db)).toEqual({ count: 0, oldestAt: null });
  });

  it("a change too big to list is recorded whole-scope, with its sources only", async () => {
    await t.db.transaction((tx) =>
      recordGraphChange(tx, { origin: "system", nodeIds: Array.from({ length: MAX_LISTED_IDS + 1 }, (_, i) => `n${i}`), sourceIds: ["src_x"] }),
    );
    const [row] = await waiting();
    expect(row).toMatchObject({ fullScope: true, nodeIds: [], sourceIds: ["src_x"] });
    await t.db.delete(graphChanges).where(eq(graphChanges.id, row!.id));
  });

  it("merges waiting changes into one change set; any whole-scope change makes it whole-scope", () => {
    const base = { origin: "import", ref: null, node_ids: [], edge_ids: [], source_ids: [], full_scope: false };
    const set = mergeChanges([
      { ...base, id: 3, ref: "imp_a", node_ids: ["n1", "n2"], source_ids: ["s1"] },
      { ...base, id: 5, origin: "ownership", node_ids: ["n2", "n3"], edge_ids: ["e1"] },
    ]);
    expect(set).toEqual({
      nodeIds: ["n1", "n2", "n3"],
      edgeIds: ["e1"],
      sourceIds: ["s1"],
      full: false,
      upToId: 5,
      importRefs: [{ ref: "imp_a", sourceIds: ["s1"] }],
    });
    expect(mergeChanges([{ ...base, id: 7, full_scope: true }]).full).toBe(true);
  });

  it("a departure is followed once, whether the pipeline runs twice or twice at the same time", async () => {
    const leo = await idOf("leo");
    const saLeave = await idOf("sa-leave");
    const r = await importPerson("leo", "Leo Leave", "terminated");
    expect(r.status).toBe("succeeded");
    // The request answered with nothing queued and nothing evaluated: that is the pipeline's.
    const queued = () => t.db.select().from(ownershipReassignments).where(eq(ownershipReassignments.formerOwnerId, leo));
    expect(await queued()).toHaveLength(0);
    const evaluationsBefore = (await t.db.select().from(auditEvents).where(eq(auditEvents.action, "findings.evaluate"))).length;

    // Two runs at once: on PostgreSQL from two pools (two instances); on PGlite in one process.
    const runs = await Promise.all([processGraphChanges(t.db), processGraphChanges(other?.db ?? t.db)]);
    expect(runs.map((x) => x.changes).sort()).toEqual([0, 1]);
    const [row] = await t.db.select().from(graphChanges).where(eq(graphChanges.ref, r.id));
    const processedAt = row!.processedAt!;
    expect(processedAt).toBeInstanceOf(Date);
    // And again, as a redelivered job would: nothing is waiting, nothing happens.
    expect((await processGraphChanges(t.db)).changes).toBe(0);

    const rows = await queued();
    expect(rows.map((x) => [x.kind, x.nodeId, x.status, x.reason])).toEqual([["owner_departed", saLeave, "open", "dir: status became terminated"]]);
    const offboardEvents = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "ownership.offboard"), eq(auditEvents.targetId, leo)));
    expect(offboardEvents).toHaveLength(1);
    const ownerless = await t.db
      .select()
      .from(findings)
      .where(and(eq(findings.rule, "no_active_owner"), eq(findings.subjectId, saLeave)));
    expect(ownerless.map((f) => f.status)).toEqual(["open"]);
    expect((await t.db.select().from(auditEvents).where(eq(auditEvents.action, "findings.evaluate"))).length).toBe(evaluationsBefore + 1);
    const [again] = await t.db.select().from(graphChanges).where(eq(graphChanges.ref, r.id));
    expect(again!.processedAt!.getTime()).toBe(processedAt.getTime());
  });

  it("a run that died after its follow-ups is redone harmlessly once its lease runs out", async () => {
    const leo = await idOf("leo");
    const r = await importPerson("leo", "Leo Leave", "inactive");
    // As if a worker claimed the row and died: the lease is in the past, the row still waiting.
    await t.db
      .update(graphChanges)
      .set({ claimedUntil: new Date(Date.now() - 1000) })
      .where(eq(graphChanges.ref, r.id));
    const [row] = await t.db.select().from(graphChanges).where(eq(graphChanges.ref, r.id));
    const change = mergeChanges([
      {
        id: row!.id,
        origin: row!.origin,
        ref: row!.ref,
        node_ids: row!.nodeIds,
        edge_ids: row!.edgeIds,
        source_ids: row!.sourceIds,
        full_scope: row!.fullScope,
      },
    ]);
    expect(await offboardDeparted(t.db, change)).toEqual([]); // already queued: adds nothing
    expect((await processGraphChanges(t.db)).changes).toBe(1);
    const open = await t.db
      .select()
      .from(ownershipReassignments)
      .where(and(eq(ownershipReassignments.formerOwnerId, leo), eq(ownershipReassignments.status, "open")));
    expect(open).toHaveLength(1);
  });

  it("a departed person seen again (another change to their record) is not queued again once their rows were dismissed", async () => {
    const leo = await idOf("leo");
    const open = () =>
      t.db
        .select()
        .from(ownershipReassignments)
        .where(and(eq(ownershipReassignments.formerOwnerId, leo), eq(ownershipReassignments.status, "open")));
    const rows = await open();
    expect(rows).toHaveLength(1);
    await resolveReassignments(t.db, analyst, { items: rows.map((r) => r.id), action: "dismiss", note: "the account is being retired" });
    await importPerson("leo", "Leo L. Leave", "inactive");
    await processGraphChanges(t.db);
    expect(await open()).toHaveLength(0);
  });

  it("is the handler of the job graph.after-change, and one run drains the outbox", async () => {
    const handler = registeredHandlers().get(GRAPH_AFTER_CHANGE);
    expect(handler).toBeDefined();
    await importPerson("ann", "Ann A. Active", "active");
    await importPerson("ann", "Ann Active", "active");
    expect(await waiting()).toHaveLength(2);
    await handler!.fn({}, { db: t.db, jobId: "job-1", name: GRAPH_AFTER_CHANGE, attempt: 0 });
    expect(await waiting()).toHaveLength(0);
    // Delivered again (at least once): nothing left to do, nothing done twice.
    await handler!.fn({}, { db: t.db, jobId: "job-1", name: GRAPH_AFTER_CHANGE, attempt: 1 });
    expect(await waiting()).toHaveLength(0);
  });

  it("a SCIM DELETE is followed as a departure: a group they leave empty has what it owns queued", async () => {
    const token = (await createSource(t.db, await actorByEmail(t, "admin@example.com"), { name: "idp", type: "scim" })).scimToken!;
    const user = await scim("POST", "/Users", {
      token,
      body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "zoe@example.com", displayName: "Zoe Scim" },
    });
    const group = await scim("POST", "/Groups", {
      token,
      body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Zoe's team", members: [{ value: user.body.id }] },
    });
    expect([user.status, group.status]).toEqual([201, 201]);
    const groupId = await idOf(group.body.id);
    await assignOwner(t.db, analyst, { nodes: ["reg:agent:agt-none"], owner: groupId, role: "technical" });
    await processGraphChanges(t.db);
    expect((await scim("DELETE", `/Users/${user.body.id}`, { token })).status).toBe(204);
    const emptied = () =>
      t.db
        .select()
        .from(ownershipReassignments)
        .where(and(eq(ownershipReassignments.formerOwnerId, groupId), eq(ownershipReassignments.status, "open")));
    expect(await emptied()).toHaveLength(0);
    await processGraphChanges(t.db);
    expect((await emptied()).map((r) => [r.kind, r.nodeId])).toEqual([["owner_group_empty", await idOf("agt-none")]]);
    expect((await emptied())[0]!.reason).toMatch(/^SCIM: user deleted; Zoe Scim was the owner group's last active member$/);
  });

  it("prunes processed changes past their keep, never waiting ones", async () => {
    await t.db.transaction((tx) => recordGraphChange(tx, { origin: "system", nodeIds: ["n-waiting"] }));
    const processed = (await t.db.select().from(graphChanges)).filter((r) => r.processedAt).length;
    expect(processed).toBeGreaterThan(0);
    expect(await pruneGraphChanges(t.db, 30)).toBe(0);
    expect(await pruneGraphChanges(t.db, 30, new Date(Date.now() + 31 * 86_400_000))).toBe(processed);
    expect((await waiting()).map((r) => r.nodeIds)).toEqual([["n-waiting"]]);
  });

  it("a whole-scope change is followed over every person of its sources", async () => {
    const ann = await idOf("ann");
    const [dir] = await t.db.select({ id: sources.id }).from(sources).where(eq(sources.name, "dir"));
    await t.db.transaction(async (tx) => {
      await tx.update(nodes).set({ status: "terminated" }).where(eq(nodes.id, ann));
      await recordGraphChange(tx, { origin: "system", sourceIds: [dir!.id], full: true });
    });
    const run = await processGraphChanges(t.db);
    expect(run.change?.full).toBe(true);
    const rows = await t.db
      .select()
      .from(ownershipReassignments)
      .where(and(eq(ownershipReassignments.formerOwnerId, ann), eq(ownershipReassignments.status, "open")));
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.reason))).toEqual(
      new Set(["dir: status became terminated", "dir: status became terminated; the agent still acts for Ann Active"]),
    );
  });
});
