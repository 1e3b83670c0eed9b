import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { scim } from "@/app/scim/v2/scim-test-client";
import { eq } from "drizzle-orm";
import { auditEvents, sources } from "@/db/schema";
import { PATCH as patchSource } from "./[id]/route";
import { POST as rotate } from "./[id]/scim-token/route";
import { GET, POST } from "./route";

let t: TestDatabase;
let adminToken: string;
let analystToken: string;
const noParams = { params: Promise.resolve({}) } as never;

const req = (token: string, method: string, body?: unknown, url = "http://attest.test/api/v1/sources") =>
  new Request(url, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  const analyst = await actorByEmail(t, "ana@example.com");
  adminToken = (await createApiToken(t.db, admin, { name: "admin", roles: ["admin"] })).token;
  analystToken = (await createApiToken(t.db, admin, { name: "ana", userId: analyst.id, roles: ["analyst"] })).token;
});
afterAll(() => t.cleanup());

describe("/api/v1/sources", () => {
  it("creates a SCIM source whose token works at /scim/v2 at once; rotation retires the old token", async () => {
    const r = await POST(req(adminToken, "POST", { name: "okta-scim", type: "scim" }), noParams);
    expect(r.status).toBe(201);
    const { source, scimToken } = await r.json();
    expect((await scim("POST", "/Users", { token: scimToken, body: { userName: "ada" } })).status).toBe(201);

    const rotated = await rotate(req(adminToken, "POST", undefined, `http://attest.test/api/v1/sources/${source.id}/scim-token`), {
      params: Promise.resolve({ id: source.id }),
    } as never);
    expect(rotated.status).toBe(200);
    const answer = await rotated.json();
    const next = answer.scimToken;
    // A new token has not been used yet, whatever the old one did.
    expect(answer.source.scimTokenLastUsedAt).toBeNull();
    expect((await scim("GET", "/Users", { token: scimToken })).status).toBe(401);
    expect((await scim("GET", "/Users", { token: next })).body.totalResults).toBe(1);

    const listed = await (await GET(req(analystToken, "GET"), noParams)).json();
    expect(listed.items.find((s: { name: string }) => s.name === "okta-scim")).toMatchObject({
      nodeCount: 1,
      nodeCounts: { human: 1 },
      lastImportAt: expect.any(String),
    });
    expect(JSON.stringify(listed)).not.toContain(next);
  });

  it("refuses non-admins before reading the body, and answers 400/409/413 on bad bodies", async () => {
    expect((await POST(req(analystToken, "POST", { name: "x", type: "scim" }), noParams)).status).toBe(403);
    const invalid = await POST(req(adminToken, "POST", { name: "", type: "scim" }), noParams);
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.details[0].path).toBe("name");
    expect((await POST(req(adminToken, "POST", { name: "okta-scim", type: "scim" }), noParams)).status).toBe(409);
    expect((await POST(req(adminToken, "POST", { name: "x".repeat(20_000) }), noParams)).status).toBe(413);
    expect((await GET(req(adminToken, "GET", undefined, "http://attest.test/api/v1/sources?x=1"), noParams)).status).toBe(400);
    const scimOnly = await (await GET(req(analystToken, "GET", undefined, "http://attest.test/api/v1/sources?type=scim"), noParams)).json();
    expect(scimOnly.items.length).toBeGreaterThan(0);
    expect(scimOnly.items.every((s: { type: string }) => s.type === "scim")).toBe(true);
  });

  it("a disabled source's SCIM token is refused by /scim/v2 until it is enabled again; each change is audited", async () => {
    const created = await (await POST(req(adminToken, "POST", { name: "entra-scim", type: "scim" }), noParams)).json();
    const id: string = created.source.id;
    const token: string = created.scimToken;
    const patch = (who: string, body: unknown) =>
      patchSource(req(who, "PATCH", body, `http://attest.test/api/v1/sources/${id}`), { params: Promise.resolve({ id }) } as never);
    expect((await scim("GET", "/Users", { token })).status).toBe(200);
    const [used] = await t.db.select({ at: sources.scimTokenLastUsedAt }).from(sources).where(eq(sources.id, id));
    expect(used!.at).toBeInstanceOf(Date);

    expect((await patch(analystToken, { status: "disabled" })).status).toBe(403);
    const disabled = await patch(adminToken, { status: "disabled" });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ id, status: "disabled", disabledAt: expect.any(String) });
    const refused = await scim("GET", "/Users", { token });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain("disabled");
    expect((await scim("POST", "/Users", { token, body: { userName: "mallory" } })).status).toBe(403);
    // Setting the same state again changes nothing and writes no second event.
    expect((await patch(adminToken, { status: "disabled" })).status).toBe(200);

    expect(await (await patch(adminToken, { status: "active" })).json()).toMatchObject({ status: "active", disabledAt: null });
    expect((await scim("GET", "/Users", { token })).status).toBe(200);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, id));
    expect(events.map((e) => [e.action, e.before, e.after])).toEqual([
      ["source.create", null, expect.anything()],
      ["source.disable", { status: "active" }, { status: "disabled" }],
      ["source.enable", { status: "disabled" }, { status: "active" }],
    ]);
  });

  it("refuses a bad status by name, an unknown key, and an unknown source as 404", async () => {
    const { source } = await (await POST(req(adminToken, "POST", { name: "bad-status", type: "scim" }), noParams)).json();
    const call = (id: string, body: unknown) =>
      patchSource(req(adminToken, "PATCH", body, `http://attest.test/api/v1/sources/${id}`), { params: Promise.resolve({ id }) } as never);
    const bad = await call(source.id, { status: "off", colour: 1 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details.map((d: { path: string }) => d.path).sort()).toEqual(["colour", "status"]);
    expect((await call("src_nope", { status: "disabled" })).status).toBe(404);
  });
});
