import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, edges, nodes, ownershipReassignments, sources } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { decodeGraphDocument, type DecodedImport } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { ownershipGraph } from "@/lib/ownership/testing/ownership-graph";
import { processGraphChanges } from "@/lib/pipeline/process-changes";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { GET as getOwners, PUT as putOwners } from "../nodes/[id]/owners/route";
import { POST as assign } from "./assignments/route";
import { GET as coverage } from "./coverage/route";
import { GET as mine } from "./mine/route";
import { GET as orphans } from "./orphans/route";
import { GET as listQueue } from "./reassignments/route";
import { POST as resolve } from "./reassignments/resolve/route";
import { GET as suggestions } from "./suggestions/route";

let t: TestDatabase;
const tokens: Record<"analyst" | "admin" | "reviewer" | "auditor", string> = { analyst: "", admin: "", reviewer: "", auditor: "" };
const noParams = { params: Promise.resolve({}) } as never;
const idParams = (id: string) => ({ params: Promise.resolve({ id }) }) as never;

function call(who: keyof typeof tokens, path: string, init: { method?: string; body?: unknown; requestId?: string } = {}) {
  return new Request(`http://attest.test${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${tokens[who]}`, "content-type": "application/json", ...(init.requestId ? { "x-request-id": init.requestId } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
const json = async (r: Response) => ({ status: r.status, body: await r.json() });
const idOf = async (externalId: string) => (await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.externalId, externalId)))[0]!.id;
const eventsOf = (requestId: string) => t.db.select().from(auditEvents).where(eq(auditEvents.requestId, requestId)).orderBy(auditEvents.seq);
const currentOwners = async (nodeExternalId: string) => {
  const id = await idOf(nodeExternalId);
  const rows = await t.db
    .select({ owner: nodes.externalId, attributes: edges.attributes, source: sources.name })
    .from(edges)
    .innerJoin(nodes, eq(nodes.id, edges.fromId))
    .innerJoin(sources, eq(sources.id, edges.sourceId))
    .where(and(eq(edges.toId, id), eq(edges.kind, "owns"), isNull(edges.validTo)));
  return rows.map((r) => `${r.owner}:${(r.attributes.roles as string[] | undefined)?.join("+") ?? r.attributes.role}@${r.source}`).sort();
};

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, ownershipGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  const tokenFor = async (email: string, role: "analyst" | "admin" | "reviewer" | "auditor") =>
    (await createApiToken(t.db, admin, { name: role, userId: (await actorByEmail(t, email)).id, roles: [role] })).token;
  tokens.admin = await tokenFor("admin@example.com", "admin");
  tokens.analyst = await tokenFor("ana@example.com", "analyst");
  tokens.reviewer = await tokenFor("ann@example.com", "reviewer");
  tokens.auditor = await tokenFor("audit@example.com", "auditor");
});
afterAll(() => t.cleanup());

describe("GET and PUT /api/v1/nodes/{id}/owners", () => {
  it("lists a node's owners with their roles and a summary", async () => {
    const r = await json(await getOwners(call("analyst", "/api/v1/nodes/x/owners"), idParams("reg:agent:agt-owned")));
    expect(r.status).toBe(200);
    expect(r.body.items.map((o: { owner: { name: string }; roles: string[] }) => `${o.owner.name}:${o.roles}`)).toEqual([
      "Ann Active:business",
      "Bob Builder:technical",
    ]);
    expect(r.body.summary).toMatchObject({ activeOwners: 2, business: true, technical: true, orphan: false, rules: [] });
  });

  it("replaces the owners: removed ones are end-dated, new ones land on the attest source, one audit event per change", async () => {
    const before = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(edges)
      .where(eq(edges.kind, "owns"));
    const r = await json(
      await putOwners(
        call("analyst", "/api/v1/nodes/x/owners", {
          method: "PUT",
          requestId: "req-put-1",
          body: {
            owners: [
              { owner: "dir:human:ann", role: "business" },
              { owner: "dir:human:maya", role: "technical" },
            ],
            reason: "Bob moved teams",
          },
        }),
        idParams("reg:agent:agt-owned"),
      ),
    );
    expect(r.status).toBe(200);
    expect(r.body.changes.map((c: { change: string; ownerName: string; role: string }) => `${c.change} ${c.ownerName} ${c.role}`)).toEqual([
      "removed Bob Builder technical",
      "added Maya Manager technical",
    ]);
    expect(await currentOwners("agt-owned")).toEqual(["ann:business@dir", "maya:technical@attest"]);
    // Bob's edge is end-dated, not deleted.
    const after = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(edges)
      .where(eq(edges.kind, "owns"));
    expect(after[0]!.n).toBe(before[0]!.n + 1);
    const [attest] = await t.db.select().from(sources).where(eq(sources.name, "attest"));
    expect(attest).toMatchObject({ type: "manual" });
    const maya = r.body.items.find((o: { owner: { name: string } }) => o.owner.name === "Maya Manager");
    expect(maya).toMatchObject({ source: "attest", assignedBy: expect.stringMatching(/^ana@example.com/), assignedReason: "Bob moved teams" });
    const events = await eventsOf("req-put-1");
    expect(events.map((e) => [e.action, e.targetId])).toEqual([
      ["owner.unassign", await idOf("agt-owned")],
      ["owner.assign", await idOf("agt-owned")],
      // No findings evaluation inside the request: it follows out of it (lib/pipeline), under no request id.
    ]);
    expect(events[1]!.after).toMatchObject({ owner: { name: "Maya Manager" }, role: "technical", via: "put", reason: "Bob moved teams" });
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("sending the same owners again changes nothing and audits nothing", async () => {
    const body = {
      owners: [
        { owner: "dir:human:ann", role: "business" },
        { owner: "dir:human:maya", role: "technical" },
      ],
    };
    const r = await json(await putOwners(call("analyst", "/x", { method: "PUT", requestId: "req-put-2", body }), idParams("reg:agent:agt-owned")));
    expect(r.body.changes).toEqual([]);
    expect(await eventsOf("req-put-2")).toEqual([]);
  });

  it("one person may hold two roles: the imported edge stays and an Attest edge carries the new role", async () => {
    const body = {
      owners: [
        { owner: "dir:human:ann", role: "business" },
        { owner: "dir:human:ann", role: "technical" },
      ],
    };
    const r = await json(await putOwners(call("analyst", "/x", { method: "PUT", body }), idParams("reg:resource:res-db")));
    expect(r.body.summary).toMatchObject({ business: true, technical: true });
    expect(await currentOwners("res-db")).toEqual(["ann:business@dir", "ann:technical@attest"]);
  });

  it("refuses a new owner who has left or an empty group, naming the field, and changes nothing", async () => {
    for (const [owner, message] of [
      ["dir:human:ted", "Ted Terminated is terminated"],
      ["dir:group:hollow", "Hollow has no active members"],
      ["reg:agent:agt-none", "an owner must be a human or a group, not a agent"],
    ]) {
      const r = await json(
        await putOwners(call("analyst", "/x", { method: "PUT", body: { owners: [{ owner, role: "business" }] } }), idParams("reg:service_account:sa-leave")),
      );
      expect(r.status).toBe(400);
      expect(r.body.error.details).toEqual([{ path: "owners[0].owner", message }]);
    }
    expect(await currentOwners("sa-leave")).toEqual(["leo:business@dir"]);
  });

  it("answers 400 for unknown fields and references, 404 for an unknown node", async () => {
    const bad = await json(await putOwners(call("analyst", "/x", { method: "PUT", body: { owners: [], extra: 1 } }), idParams("reg:agent:agt-owned")));
    expect(bad.body.error.details).toEqual([{ path: "extra", message: "is not a known field" }]);
    const unknown = await json(
      await putOwners(
        call("analyst", "/x", { method: "PUT", body: { owners: [{ owner: "dir:human:nobody", role: "business" }] } }),
        idParams("reg:agent:agt-owned"),
      ),
    );
    expect(unknown.body.error.details).toEqual([{ path: "owners[0].owner", message: "no such node" }]);
    expect((await putOwners(call("analyst", "/x", { method: "PUT", body: { owners: [] } }), idParams("reg:agent:nope"))).status).toBe(404);
  });
});

describe("permissions", () => {
  it("reviewers and auditors cannot change owners; nothing is written or audited", async () => {
    const events = (await verifyAuditChain(t.db)).entries;
    const body = { owners: [{ owner: "dir:human:ann", role: "business" }] };
    expect((await putOwners(call("reviewer", "/x", { method: "PUT", body }), idParams("reg:agent:agt-none"))).status).toBe(403);
    expect((await putOwners(call("auditor", "/x", { method: "PUT", body }), idParams("reg:agent:agt-none"))).status).toBe(403);
    expect(
      (await assign(call("auditor", "/x", { method: "POST", body: { nodes: ["reg:agent:agt-none"], owner: "dir:human:ann", role: "business" } }), noParams))
        .status,
    ).toBe(403);
    expect((await resolve(call("reviewer", "/x", { method: "POST", body: { items: ["rsg_x"], action: "dismiss", note: "n" } }), noParams)).status).toBe(403);
    expect((await verifyAuditChain(t.db)).entries).toBe(events);
  });

  it("auditors read coverage, orphans, suggestions and the queue", async () => {
    for (const [handler, path] of [
      [coverage, "/api/v1/ownership/coverage"],
      [orphans, "/api/v1/ownership/orphans"],
      [suggestions, "/api/v1/ownership/suggestions?node=dir:entitlement:ent-x"],
      [listQueue, "/api/v1/ownership/reassignments"],
    ] as const) {
      expect((await handler(call("auditor", path), noParams)).status, path).toBe(200);
    }
  });

  it("a reviewer sees what they own and its owners, and nothing else", async () => {
    expect((await coverage(call("reviewer", "/api/v1/ownership/coverage"), noParams)).status).toBe(403);
    expect((await orphans(call("reviewer", "/api/v1/ownership/orphans"), noParams)).status).toBe(403);
    const my = await json(await mine(call("reviewer", "/api/v1/ownership/mine"), noParams));
    expect(my.body.items.map((i: { name: string }) => i.name)).toEqual(expect.arrayContaining(["Owned agent", "Owned server", "Orders database", "parent-sa"]));
    expect(my.body.items.find((i: { name: string }) => i.name === "parent-sa").via).toMatchObject({ name: "Parent" });
    expect((await getOwners(call("reviewer", "/x"), idParams("reg:agent:agt-owned"))).status).toBe(200);
    expect((await getOwners(call("reviewer", "/x"), idParams("reg:agent:agt-ted"))).status).toBe(404);
  });

  it("validates query parameters", async () => {
    const r = await json(await orphans(call("analyst", "/api/v1/ownership/orphans?kind=human"), noParams));
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].path).toBe("kind");
    expect((await coverage(call("analyst", "/api/v1/ownership/coverage?bogus=1"), noParams)).status).toBe(400);
  });
});

describe("POST /api/v1/ownership/assignments (bulk)", () => {
  it("assigns one owner to many orphans in one transaction, one audit event per change, and coverage rises", async () => {
    const before = (await json(await coverage(call("analyst", "/api/v1/ownership/coverage"), noParams))).body.totals;
    const body = {
      nodes: ["reg:agent:agt-none", "cfg:mcp_server:mcp-orphan", "reg:credential:cred-hard", "reg:agent:agt-owned"],
      owner: "dir:human:maya",
      role: "technical",
      reason: "platform takes these",
    };
    const r = await json(await assign(call("analyst", "/x", { method: "POST", requestId: "req-bulk-1", body }), noParams));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ assigned: 3, unchanged: 1 });
    const events = await eventsOf("req-bulk-1");
    expect(events.map((e) => e.action)).toEqual(["owner.assign", "owner.assign", "owner.assign"]);
    const created = await t.db
      .select({ validFrom: edges.validFrom })
      .from(edges)
      .where(
        and(eq(edges.kind, "owns"), isNull(edges.validTo), inArray(edges.toId, [await idOf("agt-none"), await idOf("mcp-orphan"), await idOf("cred-hard")])),
      );
    expect(new Set(created.map((c) => c.validFrom.toISOString())).size).toBe(1);
    const after = (await json(await coverage(call("analyst", "/api/v1/ownership/coverage"), noParams))).body.totals;
    // The server's owner also covers its tool, delete_things.
    expect(after.owned).toBe(before.owned + 4);
  });

  it("is all or nothing: a failure on the last node rolls back the earlier ones", async () => {
    const victim = await idOf("sa-ghost");
    await t.db.execute(
      sql.raw(
        `create function refuse_owner() returns trigger language plpgsql as $$ begin if new.kind = 'owns' and new.to_id = '${victim}' then raise exception 'refused for the test'; end if; return new; end $$`,
      ),
    );
    await t.db.execute(sql`create trigger refuse_owner before insert on edges for each row execute function refuse_owner()`);
    try {
      const events = (await verifyAuditChain(t.db)).entries;
      const r = await assign(
        call("analyst", "/x", {
          method: "POST",
          body: { nodes: ["dir:entitlement:ent-x", "reg:service_account:sa-ghost"], owner: "dir:human:bob", role: "business" },
        }),
        noParams,
      );
      expect(r.status).toBe(500);
      expect(await currentOwners("ent-x")).toEqual([]);
      expect((await verifyAuditChain(t.db)).entries).toBe(events);
    } finally {
      await t.db.execute(sql`drop trigger refuse_owner on edges`);
      await t.db.execute(sql`drop function refuse_owner()`);
    }
  });

  it("names every bad node and changes nothing", async () => {
    const r = await json(
      await assign(
        call("analyst", "/x", {
          method: "POST",
          body: { nodes: ["dir:entitlement:ent-x", "reg:agent:nope", "bad ref"], owner: "dir:human:bob", role: "business" },
        }),
        noParams,
      ),
    );
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual(["nodes[2]", "nodes[1]"]);
    const human = await json(
      await assign(call("analyst", "/x", { method: "POST", body: { nodes: ["dir:human:maya"], owner: "dir:human:bob", role: "business" } }), noParams),
    );
    expect(human.body.error.details).toEqual([{ path: "nodes[0]", message: "a human cannot be owned" }]);
    expect(await currentOwners("ent-x")).toEqual([]);
  });
});

describe("the reassignment queue", () => {
  it("accepting the suggested successors moves the departed owner's roles to them, end-dating the old edges", async () => {
    const r = await runImport(
      t.db,
      await actorByEmail(t, "ana@example.com"),
      decodeGraphDocument({
        source: "dir",
        mode: "incremental",
        nodes: [{ kind: "human", externalId: "leo", name: "Leo Leave", attributes: { status: "terminated" } }],
        edges: [],
      }) as DecodedImport,
      { format: "graph" },
    );
    expect(r.status).toBe("succeeded");
    await processGraphChanges(t.db); // offboarding follows the import (lib/pipeline)
    const queue = await json(await listQueue(call("analyst", "/api/v1/ownership/reassignments"), noParams));
    const leoRows = queue.body.items.filter((i: { formerOwner: { name: string } }) => i.formerOwner.name === "Leo Leave");
    expect(
      leoRows.map((i: { node: { name: string }; suggestedOwner: { name: string }; role: string }) => [i.node.name, i.suggestedOwner?.name ?? null, i.role]),
    ).toEqual([["leave-sa", null, "business"]]);

    // Leo has no manager and no co-owner: nothing to accept, so an owner is named.
    const refused = await json(await resolve(call("analyst", "/x", { method: "POST", body: { items: [leoRows[0].id], action: "accept" } }), noParams));
    expect(refused.status).toBe(409);
    const done = await json(
      await resolve(
        call("analyst", "/x", { method: "POST", requestId: "req-resolve-1", body: { items: [leoRows[0].id], action: "assign", owner: "dir:human:maya" } }),
        noParams,
      ),
    );
    expect(done.status).toBe(200);
    expect(done.body.items[0]).toMatchObject({
      status: "reassigned",
      resolvedOwner: { name: "Maya Manager" },
      resolvedBy: expect.stringMatching(/^ana@example.com/),
    });
    expect(await currentOwners("sa-leave")).toEqual(["maya:business@attest"]);
    expect((await eventsOf("req-resolve-1")).map((e) => e.action)).toEqual(["owner.unassign", "owner.assign", "ownership.reassignment.resolve"]);
    const again = await json(
      await resolve(call("analyst", "/x", { method: "POST", body: { items: [leoRows[0].id], action: "dismiss", note: "x" } }), noParams),
    );
    expect(again.status).toBe(409);
  });

  it("accepts suggestions for many rows at once, and dismissing needs a note", async () => {
    await runImport(
      t.db,
      await actorByEmail(t, "ana@example.com"),
      decodeGraphDocument({
        source: "dir",
        mode: "incremental",
        nodes: [{ kind: "human", externalId: "bob", name: "Bob Builder", attributes: { status: "terminated" } }],
        edges: [],
      }) as DecodedImport,
      { format: "graph" },
    );
    await processGraphChanges(t.db);
    const bob = await idOf("bob");
    const rows = await t.db
      .select()
      .from(ownershipReassignments)
      .where(and(eq(ownershipReassignments.formerOwnerId, bob), eq(ownershipReassignments.status, "open")));
    expect(rows.length).toBeGreaterThan(0);
    const noNote = await json(await resolve(call("analyst", "/x", { method: "POST", body: { items: rows.map((r) => r.id), action: "dismiss" } }), noParams));
    expect(noNote.body.error.details).toEqual([{ path: "note", message: "say why the row needs no new owner" }]);
    const ok = await json(await resolve(call("analyst", "/x", { method: "POST", body: { items: rows.map((r) => r.id), action: "accept" } }), noParams));
    expect(ok.status).toBe(200);
    expect(
      ok.body.items.every((i: { status: string; resolvedOwner: { name: string } }) => i.status === "reassigned" && i.resolvedOwner.name === "Maya Manager"),
    ).toBe(true);
    expect(await currentOwners("mcp-srv")).toEqual(["ann:business@dir", "maya:technical@attest"]);
  });
});
