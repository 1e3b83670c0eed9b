import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { scim } from "@/app/scim/v2/scim-test-client";
import { POST as rotate } from "./[id]/scim-token/route";
import { GET, POST } from "./route";

let t: TestDatabase;
let adminToken: string;
let analystToken: string;
const noParams = { params: Promise.resolve({}) } as never;

const req = (token: string, method: string, body?: unknown, url = "http://attest.test/api/v1/sources") =>
  new Request(url, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });

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

    const rotated = await rotate(req(adminToken, "POST", undefined, `http://attest.test/api/v1/sources/${source.id}/scim-token`), { params: Promise.resolve({ id: source.id }) } as never);
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()).scimToken;
    expect((await scim("GET", "/Users", { token: scimToken })).status).toBe(401);
    expect((await scim("GET", "/Users", { token: next })).body.totalResults).toBe(1);

    const listed = await (await GET(req(analystToken, "GET"), noParams)).json();
    expect(listed.items.find((s: { name: string }) => s.name === "okta-scim")).toMatchObject({ nodeCount: 1, nodeCounts: { human: 1 }, lastImportAt: expect.any(String) });
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
  });
});
