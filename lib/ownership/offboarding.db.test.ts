import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scim } from "@/app/scim/v2/scim-test-client";
import { auditEvents, nodes, ownershipReassignments } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createSource } from "@/lib/admin/sources";
import { systemActor, type Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { decodeGraphDocument, type DecodedImport } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { processGraphChanges } from "@/lib/pipeline/process-changes";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { assignOwner } from "./assign";
import { offboardHumans } from "./offboarding";
import { listDepartures, listReassignments, listReassignmentsQuerySchema, queueReassignments } from "./reassignments";
import { ownershipGraph } from "./testing/ownership-graph";

let t: TestDatabase;
let analyst: Actor;
const idOf = async (externalId: string) => (await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.externalId, externalId)))[0]!.id;
const openRows = async (formerOwnerId: string) =>
  t.db
    .select()
    .from(ownershipReassignments)
    .where(and(eq(ownershipReassignments.formerOwnerId, formerOwnerId), eq(ownershipReassignments.status, "open")));
// Offboarding follows the import out of its request (lib/pipeline): the import, then the pipeline run the job engine would start.
const importPeople = async (people: { externalId: string; name: string; status: string }[]) => {
  const r = await runImport(
    t.db,
    analyst,
    decodeGraphDocument({
      source: "dir",
      mode: "incremental",
      nodes: people.map((p) => ({
        kind: "human",
        externalId: p.externalId,
        name: p.name,
        attributes: { email: `${p.externalId}@example.com`, status: p.status },
      })),
      edges: [],
    }) as DecodedImport,
    { format: "graph" },
  );
  await processGraphChanges(t.db);
  return r;
};

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, ownershipGraph());
  useAsAppDatabase(t);
  analyst = await actorByEmail(t, "ana@example.com");
});
afterAll(() => t.cleanup());

describe("offboarding", () => {
  it("an import that terminates someone queues everything they own, their manager suggested, once the pipeline runs", async () => {
    const bob = await idOf("bob");
    const maya = await idOf("maya");
    const r = await importPeople([{ externalId: "bob", name: "Bob Builder", status: "terminated" }]);
    expect(r.status).toBe("succeeded");
    const rows = await openRows(bob);
    expect(rows.map((x) => [x.kind, x.role, x.suggestedOwnerId, x.reason]).sort()).toEqual([
      ["owner_departed", "technical", maya, "dir: status became terminated"],
      ["owner_departed", "technical", maya, "dir: status became terminated"],
    ]);
    expect(new Set(rows.map((x) => x.nodeId))).toEqual(new Set([await idOf("agt-owned"), await idOf("mcp-srv")]));
    expect(rows[0]!.suggestionReason).toBe("manager of Bob Builder");
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "ownership.offboard"), eq(auditEvents.targetId, bob)));
    // Recorded by the pipeline on the import's behalf, not as the person who ran the import.
    expect(event!.actorId).toBe(systemActor("import").id);
    expect((event!.after as { queued: unknown[] }).queued).toHaveLength(2);
  });

  it("a second report of the same departure queues nothing twice", async () => {
    const bob = await idOf("bob");
    await importPeople([{ externalId: "bob", name: "Bob Builder", status: "inactive" }]);
    await t.db.transaction((tx) => offboardHumans(tx, systemActor("test"), [bob], "again"));
    expect(await openRows(bob)).toHaveLength(2);
  });

  it("flags agents acting for the person, and queues what a group they leave empty owns (nested groups included)", async () => {
    const ann = await idOf("ann");
    await importPeople([{ externalId: "ann", name: "Ann Active", status: "inactive" }]);
    const rows = await openRows(ann);
    expect(rows.filter((x) => x.kind === "agent_principal_departed").map((x) => x.nodeId)).toEqual([await idOf("agt-none")]);
    expect(rows.filter((x) => x.kind === "owner_departed")).toHaveLength(3);
    // Team {Ann, Bob} is now empty, and so is Parent, which nests it: parent-sa is left without an owner.
    const parent = await idOf("parent");
    const groupRows = await openRows(parent);
    expect(groupRows.map((x) => [x.kind, x.nodeId])).toEqual([["owner_group_empty", await idOf("sa-parent")]]);
    expect(groupRows[0]!.reason).toBe("dir: status became inactive; Ann Active was the owner group's last active member");
  });

  it("does nothing for people who own nothing, and ignores ids that are not people", async () => {
    const ids = [await idOf("maya"), await idOf("agt-owned")];
    const r = await t.db.transaction((tx) => offboardHumans(tx, systemActor("test"), ids, "test"));
    expect(r).toEqual({ humans: 1, queued: [] });
  });

  it("a SCIM user set to active: false is offboarded: what they own is queued with their SCIM manager as successor", async () => {
    const admin = await actorByEmail(t, "admin@example.com");
    const token = (await createSource(t.db, admin, { name: "idp-scim", type: "scim" })).scimToken;
    const boss = await scim("POST", "/Users", {
      token,
      body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "boss@example.com", displayName: "Big Boss" },
    });
    const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    const user = await scim("POST", "/Users", {
      token,
      body: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        userName: "sam@example.com",
        displayName: "Sam Scim",
        [ENTERPRISE]: { manager: { value: boss.body.id } },
      },
    });
    expect(user.status).toBe(201);
    const [sam] = await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.externalId, user.body.id));
    const [bossNode] = await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.externalId, boss.body.id));
    await assignOwner(t.db, analyst, { nodes: ["reg:service_account:sa-leave"], owner: sam!.id, role: "technical" });

    const patched = await scim("PATCH", `/Users/${user.body.id}`, {
      token,
      body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "active", value: false }] },
    });
    expect(patched.status).toBe(200);
    const [after] = await t.db.select({ status: nodes.status }).from(nodes).where(eq(nodes.id, sam!.id));
    expect(after!.status).toBe("inactive");
    // The PATCH answers once its own write commits; offboarding is the pipeline's, run here as the job engine would.
    expect(await openRows(sam!.id)).toHaveLength(0);
    await processGraphChanges(t.db);
    await processGraphChanges(t.db); // a second run (a redelivered job) adds nothing
    const rows = await openRows(sam!.id);
    expect(rows.map((x) => [x.kind, x.nodeId, x.role, x.suggestedOwnerId, x.reason])).toEqual([
      ["owner_departed", await idOf("sa-leave"), "technical", bossNode!.id, "SCIM: active set to false"],
    ]);
  });
});

describe("departures and the queue", () => {
  it("lists people who left but still own things, with what is not queued yet, and queues them by hand", async () => {
    const ted = await idOf("ted");
    const before = (await listDepartures(t.db, analyst)).items.find((d) => d.human.id === ted)!;
    expect(before).toMatchObject({ owns: 2, unqueued: 2, actingAgents: 1 });
    const r = await queueReassignments(t.db, analyst, { humans: ["dir:human:ted"], reason: "left in March, before Attest watched" });
    expect(r.queued.map((q) => q.kind).sort()).toEqual(["agent_principal_departed", "owner_departed", "owner_departed", "owner_group_empty"]);
    expect((await listDepartures(t.db, analyst)).items.find((d) => d.human.id === ted)).toMatchObject({ owns: 2, unqueued: 0, actingAgents: 0 });
    const row = (await openRows(ted)).find((x) => x.kind === "owner_departed");
    expect(row!.reason).toBe("by hand: left in March, before Attest watched");
  });

  it("lists open rows newest first with counts per kind, and refuses non-people and reviewers", async () => {
    const page = await listReassignments(t.db, analyst, listReassignmentsQuerySchema.parse({}));
    expect(page.total).toBe(page.open.owner_departed + page.open.owner_group_empty + page.open.agent_principal_departed);
    expect(page.items[0]!.node.name).toBeTruthy();
    await expect(queueReassignments(t.db, analyst, { humans: ["reg:agent:agt-owned"], reason: "x" })).rejects.toMatchObject({ code: "validation" });
    await expect(queueReassignments(t.db, await actorByEmail(t, "audit@example.com"), { humans: ["dir:human:ted"], reason: "x" })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(listReassignments(t.db, await actorByEmail(t, "ann@example.com"), listReassignmentsQuerySchema.parse({}))).rejects.toMatchObject({
      code: "forbidden",
    });
  });
});
