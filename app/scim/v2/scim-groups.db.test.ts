import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq, isNull, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, edges, nodes } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createSource } from "@/lib/admin/sources";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { scim } from "./scim-test-client";

const RFC = path.resolve(process.cwd(), "lib", "scim", "fixtures", "scim-rfc-examples");
const rfc = (name: string) => JSON.parse(readFileSync(path.join(RFC, `${name}.json`), "utf8"));
const patchOp = (...Operations: object[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });

/** The RFC's member ids, and the ids Attest gave the users created in their place. */
const BABS = "2819c223-7f76-453a-919d-413861904646";
const MANDY = "902c246b-6245-4190-8e05-00816be7344a";
const JAMES = "08e1d05d-121c-4561-8b96-473d93df9210";

let t: TestDatabase;
let token: string;
let otherToken: string;
const ids: Record<string, string> = {};

/** An RFC example with its member ids swapped for ours (Attest assigns ids; a client cannot choose them). */
function withOurIds<T>(example: T): T {
  let text = JSON.stringify(example);
  for (const [rfcId, ours] of Object.entries(ids)) text = text.replaceAll(rfcId, ours);
  // The RFC's abbreviated ids ("2819c223...413861904646") name the same people.
  text = text.replace(/2819c223[^"]*413861904646/g, ids[BABS]!).replace(/08e1d05d[^"]*473d93df9210/g, ids[JAMES]!);
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  token = (await createSource(t.db, admin, { name: "groups-scim", type: "scim" })).scimToken;
  otherToken = (await createSource(t.db, admin, { name: "other-scim", type: "scim" })).scimToken;
  for (const [rfcId, userName, displayName] of [
    [BABS, "bjensen", "Babs Jensen"],
    [MANDY, "mpepperidge", "Mandy Pepperidge"],
    [JAMES, "jsmith", "James Smith"],
  ] as const) {
    ids[rfcId] = (await scim("POST", "/Users", { token, body: { userName, displayName } })).body.id;
  }
});
afterAll(() => t.cleanup());

const call = (method: string, p: string, body?: unknown) => scim(method, p, { token, body });

async function memberIdsInGraph(groupScimId: string): Promise<string[]> {
  const [g] = await t.db.select().from(nodes).where(eq(nodes.externalId, groupScimId));
  const rows = await t.db
    .select({ member: nodes.externalId })
    .from(edges)
    .innerJoin(nodes, eq(nodes.id, edges.fromId))
    .where(and(eq(edges.toId, g!.id), eq(edges.kind, "member_of"), isNull(edges.validTo)));
  return rows.map((r) => r.member).sort();
}

describe("SCIM Groups", () => {
  let tourGuides: { id: string };

  it("creates the RFC 7643 §8.4 group: a group node and one member_of edge per member", async () => {
    const r = await call("POST", "/Groups", withOurIds(rfc("rfc7643-8.4-group")));
    expect(r.status).toBe(201);
    tourGuides = r.body;
    expect(r.body).toMatchObject({ displayName: "Tour Guides", meta: { resourceType: "Group" } });
    const byValue = (a: { value?: string }, b: { value?: string }) => String(a.value).localeCompare(String(b.value));
    expect([...r.body.members].sort(byValue)).toEqual(
      [
        { value: ids[BABS], $ref: `http://attest.test/scim/v2/Users/${ids[BABS]}`, type: "User", display: "Babs Jensen" },
        { value: ids[MANDY], $ref: `http://attest.test/scim/v2/Users/${ids[MANDY]}`, type: "User", display: "Mandy Pepperidge" },
      ].sort(byValue),
    );
    const [node] = await t.db.select().from(nodes).where(eq(nodes.externalId, r.body.id));
    expect(node).toMatchObject({ kind: "group", name: "Tour Guides" });
    expect(node!.id).toMatch(/^grp_/);
    expect(await memberIdsInGraph(r.body.id)).toEqual([ids[BABS], ids[MANDY]].sort());
    const babs = await call("GET", `/Users/${ids[BABS]}`);
    expect(babs.body.groups).toEqual([{ value: r.body.id, $ref: `http://attest.test/scim/v2/Groups/${r.body.id}`, display: "Tour Guides", type: "direct" }]);
  });

  it("applies the RFC 7644 §3.5.2 member PATCHes: add, remove one, remove-and-add, replace all, remove all", async () => {
    const g = `/Groups/${tourGuides.id}`;
    await call("PATCH", g, withOurIds(rfc("rfc7644-3.5.2.1-patch_op-add_members"))); // Babs again: no duplicate
    expect(await memberIdsInGraph(tourGuides.id)).toEqual([ids[BABS], ids[MANDY]].sort());
    await call("PATCH", g, withOurIds(rfc("rfc7644-3.5.2.2-patch_op-remove_one_member")));
    expect(await memberIdsInGraph(tourGuides.id)).toEqual([ids[MANDY]]);
    await call("PATCH", g, patchOp({ op: "add", path: "members", value: [{ value: ids[BABS] }] }));
    const swapped = await call("PATCH", g, withOurIds(rfc("rfc7644-3.5.2.2-patch_op-remove_and_add_one_member")));
    expect(swapped.status).toBe(200);
    expect(await memberIdsInGraph(tourGuides.id)).toEqual([ids[MANDY], ids[JAMES]].sort());
    await call("PATCH", g, withOurIds(rfc("rfc7644-3.5.2.3-patch_op-replace_all_members")));
    expect(await memberIdsInGraph(tourGuides.id)).toEqual([ids[BABS], ids[JAMES]].sort());
    const empty = await call("PATCH", g, rfc("rfc7644-3.5.2.2-patch_op-remove_all_members"));
    expect(empty.body).not.toHaveProperty("members");
    expect(await memberIdsInGraph(tourGuides.id)).toEqual([]);
    // History: each membership period is a row, ended ones keep their validTo. A PATCH applies as one
    // change, so James, removed and re-added within "replace all", kept one unbroken period: 5 rows.
    const [node] = await t.db.select().from(nodes).where(eq(nodes.externalId, tourGuides.id));
    const all = await t.db.select().from(edges).where(eq(edges.toId, node!.id));
    expect(all).toHaveLength(5);
    expect(all.every((e) => e.validTo !== null)).toBe(true);
  });

  it("applies Entra ID's and Okta's member PATCHes, a rename, and nested groups", async () => {
    const g = `/Groups/${tourGuides.id}`;
    await call("PATCH", g, patchOp({ op: "Add", path: "members", value: [{ value: ids[BABS] }, { value: ids[MANDY] }, { value: ids[JAMES] }] }));
    await call("PATCH", g, patchOp({ op: "Remove", path: "members", value: [{ value: ids[MANDY] }] }));
    await call("PATCH", g, patchOp({ op: "remove", path: `members[value eq "${ids[JAMES]}"]` }));
    const renamed = await call("PATCH", g, patchOp({ op: "Replace", value: { id: tourGuides.id, displayName: "Guides" } }));
    expect(renamed.body.displayName).toBe("Guides");
    expect(await memberIdsInGraph(tourGuides.id)).toEqual([ids[BABS]]);
    const [node] = await t.db.select().from(nodes).where(eq(nodes.externalId, tourGuides.id));
    expect(node!.name).toBe("Guides");

    const staff = (await call("POST", "/Groups", { displayName: "Staff", members: [{ value: tourGuides.id, type: "Group" }] })).body;
    expect(staff.members[0]).toMatchObject({ value: tourGuides.id, type: "Group", $ref: `http://attest.test/scim/v2/Groups/${tourGuides.id}` });
    expect(await memberIdsInGraph(staff.id)).toEqual([tourGuides.id]);
  });

  it("refuses members that are not Users or Groups of this source, and a group in itself, changing nothing", async () => {
    const g = `/Groups/${tourGuides.id}`;
    const foreign = (await scim("POST", "/Users", { token: otherToken, body: { userName: "stranger" } })).body.id;
    for (const value of ["nobody", foreign, tourGuides.id]) {
      const r = await call("PATCH", g, patchOp({ op: "add", path: "members", value: [{ value }] }));
      expect(r.status).toBe(400);
      expect(r.body.scimType).toBe("invalidValue");
    }
    expect(await memberIdsInGraph(tourGuides.id)).toEqual([ids[BABS]]);
    expect((await call("POST", "/Groups", { members: [] })).body).toMatchObject({ status: "400", scimType: "invalidValue" });
  });

  it("filters on displayName and members.value, and leaves members out when asked", async () => {
    const byMember = await call("GET", `/Groups?filter=${encodeURIComponent(`members.value eq "${ids[BABS]}"`)}`);
    expect(byMember.body.Resources.map((x: { displayName: string }) => x.displayName)).toEqual(["Guides"]);
    const byName = await call("GET", `/Groups?filter=${encodeURIComponent('displayName eq "staff"')}&excludedAttributes=members`);
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0]).not.toHaveProperty("members");
    expect((await scim("GET", "/Groups", { token: otherToken })).body.totalResults).toBe(0);
  });

  it("replaces a group with PUT, membership included", async () => {
    const r = await call("PUT", `/Groups/${tourGuides.id}`, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Tour Guides",
      members: [{ value: ids[MANDY] }, { value: ids[JAMES] }],
    });
    expect(r.status).toBe(200);
    expect(await memberIdsInGraph(tourGuides.id)).toEqual([ids[MANDY], ids[JAMES]].sort());
  });

  it("deleting a user ends its memberships; deleting a group ends the group and its member_of edges both ways", async () => {
    expect((await call("DELETE", `/Users/${ids[JAMES]}`)).status).toBe(204);
    expect(await memberIdsInGraph(tourGuides.id)).toEqual([ids[MANDY]]);
    expect((await call("GET", `/Groups/${tourGuides.id}`)).body.members.map((m: { value: string }) => m.value)).toEqual([ids[MANDY]]);

    expect((await call("DELETE", `/Groups/${tourGuides.id}`)).status).toBe(204);
    const [node] = await t.db.select().from(nodes).where(eq(nodes.externalId, tourGuides.id));
    expect(node!.validTo).toBeInstanceOf(Date);
    expect(await memberIdsInGraph(tourGuides.id)).toEqual([]);
    const staff = (await call("GET", `/Groups?filter=${encodeURIComponent('displayName eq "Staff"')}`)).body.Resources[0];
    expect(staff).not.toHaveProperty("members");
    expect((await call("GET", `/Users/${ids[MANDY]}`)).body).not.toHaveProperty("groups");
    expect((await call("GET", `/Groups/${tourGuides.id}`)).status).toBe(404);
  });

  it("audits every group write with membership changes, and the chain verifies", async () => {
    const events = await t.db.select().from(auditEvents).where(like(auditEvents.action, "scim.group.%"));
    expect(new Set(events.map((e) => e.action))).toEqual(new Set(["scim.group.create", "scim.group.patch", "scim.group.replace", "scim.group.delete"]));
    const patches = events.filter((e) => e.action === "scim.group.patch").map((e) => e.after as { membersAdded: string[]; membersRemoved: string[] });
    expect(patches.some((p) => p.membersRemoved.includes(ids[MANDY]!))).toBe(true);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });
});
