import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { actorForToken, actorForUser } from "@/lib/authz/load-user";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { PATCH } from "./[id]/route";
import { GET } from "./route";

let t: TestDatabase;
let adminToken: string;
let adminId: string;
const noParams = { params: Promise.resolve({}) } as never;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  adminId = admin.id;
  adminToken = (await createApiToken(t.db, admin, { name: "a", roles: ["admin"] })).token;
});
afterAll(() => t.cleanup());

const patch = (id: string, body: unknown, token = adminToken) =>
  PATCH(
    new Request(`http://attest.test/api/v1/users/${id}`, {
      method: "PATCH",
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    }),
    { params: Promise.resolve({ id }) } as never,
  );

describe("users API", () => {
  it("lists users with their roles and linked person", async () => {
    const r = await GET(new Request("http://attest.test/api/v1/users", { headers: { authorization: `Bearer ${adminToken}` } }), noParams);
    const body = await r.json();
    const ada = body.items.find((u: { email: string }) => u.email === "ada@example.com");
    expect(ada).toMatchObject({ roles: ["reviewer"], humanName: "Ada Lovelace", status: "active" });
  });

  it("removing a role or disabling a user takes effect on the next request, for sessions and tokens alike", async () => {
    const analyst = await actorByEmail(t, "ana@example.com");
    const admin = await actorByEmail(t, "admin@example.com");
    const analystToken = (await createApiToken(t.db, admin, { name: "ana", userId: analyst.id, roles: ["analyst"] })).token;
    expect((await actorForToken(t.db, analystToken))!.roles).toEqual(["analyst"]);

    expect((await patch(analyst.id, { roles: ["auditor"] })).status).toBe(200);
    expect((await actorForUser(t.db, analyst.id))!.roles).toEqual(["auditor"]);
    // The token was given "analyst", which the user no longer holds: it now acts with no role.
    expect((await actorForToken(t.db, analystToken))!.roles).toEqual([]);

    expect((await patch(analyst.id, { status: "disabled" })).status).toBe(200);
    expect(await actorForUser(t.db, analyst.id)).toBeNull();
    expect(await actorForToken(t.db, analystToken)).toBeNull();

    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, analyst.id));
    expect(events.map((e) => e.action)).toEqual(["user.update", "user.update"]);
    expect(events[0]!.before).toEqual({ status: "active", roles: ["analyst"] });
    expect(events[0]!.after).toEqual({ status: "active", roles: ["auditor"] });
  });

  it("re-enabling a disabled user does not revive the sessions they had", async () => {
    const auditor = await actorByEmail(t, "audit@example.com");
    const before = Date.now() - 1000;
    expect(await actorForUser(t.db, auditor.id, before)).not.toBeNull();
    expect((await patch(auditor.id, { status: "disabled" })).status).toBe(200);
    expect((await patch(auditor.id, { status: "active" })).status).toBe(200);
    expect(await actorForUser(t.db, auditor.id, before)).toBeNull();
    expect(await actorForUser(t.db, auditor.id, Date.now() + 1)).not.toBeNull();
  });

  it("an admin cannot lock themself out", async () => {
    expect((await patch(adminId, { status: "disabled" })).status).toBe(409);
    expect((await patch(adminId, { roles: ["auditor"] })).status).toBe(409);
  });

  it("validates the body and hides unknown users; non-admins are refused", async () => {
    expect((await patch(adminId, { roles: ["wizard"] })).status).toBe(400);
    expect((await patch(adminId, {})).status).toBe(400);
    expect((await patch("usr_nobody", { status: "active" })).status).toBe(404);
    const reviewer = await actorByEmail(t, "ada@example.com");
    const admin = await actorByEmail(t, "admin@example.com");
    const reviewerToken = (await createApiToken(t.db, admin, { name: "r", userId: reviewer.id, roles: ["reviewer"] })).token;
    expect((await patch(reviewer.id, { roles: ["admin"] }, reviewerToken)).status).toBe(403);
  });
});
