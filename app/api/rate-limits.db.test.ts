import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scim } from "@/app/scim/v2/scim-test-client";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { createSource } from "@/lib/admin/sources";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { GET as whoCanReach } from "./v1/access/who-can-reach/route";
import { GET as nodesRoute } from "./v1/nodes/route";
import { POST as tokensPost } from "./v1/tokens/route";

/**
 * Issue #8, rate limits on the token endpoints and on expensive queries:
 * guessing bearer tokens (API or SCIM) from one address is cut off with 429,
 * and past the limit every attempt gets the same 429 whether its token is
 * right or wrong, so the answer tells nothing; other addresses are unaffected.
 * Sign-in's limit (per account and address, same answer for unknown users) is
 * exercised in the browser: e2e/security-sign-in.spec.ts and sign-in.spec.ts.
 */

let t: TestDatabase;
let admin = "";
let analyst = "";
let scimToken = "";
let adminId = "";

const none = { params: Promise.resolve({}) } as never;
const api = (
  handler: (req: Request, ctx: never) => Promise<Response>,
  url: string,
  token: string,
  ip: string,
  init: { method?: string; body?: unknown } = {},
) =>
  handler(
    new Request(`http://attest.test/api/v1${url}`, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${token}`, "x-forwarded-for": ip, ...(init.body ? { "content-type": "application/json" } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
    }),
    none,
  );

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const a = await actorByEmail(t, "admin@example.com");
  adminId = a.id;
  admin = (await createApiToken(t.db, a, { name: "admin", userId: a.id, roles: ["admin"] })).token;
  const ana = await actorByEmail(t, "ana@example.com");
  analyst = (await createApiToken(t.db, a, { name: "analyst", userId: ana.id, roles: ["analyst"] })).token;
  scimToken = (await createSource(t.db, a, { name: "idp-scim", type: "scim" })).scimToken;
});
afterAll(() => t.cleanup());

describe("rate limits", () => {
  it("API bearer tokens: 100 failures a minute per address, then 429 for right and wrong tokens alike; other addresses unaffected", async () => {
    const ip = "203.0.113.10";
    for (let i = 0; i < 101; i++) expect((await api(nodesRoute, "/nodes?limit=1", `atk_wrong${i}`, ip)).status).toBe(401);
    const wrong = await api(nodesRoute, "/nodes?limit=1", "atk_wrong-again", ip);
    const right = await api(nodesRoute, "/nodes?limit=1", admin, ip);
    expect(wrong.status).toBe(429);
    expect(right.status).toBe(429);
    const [a, b] = [(await wrong.json()) as { error: { code: string; message: string } }, (await right.json()) as { error: { code: string; message: string } }];
    expect(a.error).toMatchObject({ code: "rate_limited", message: b.error.message });
    expect((await api(nodesRoute, "/nodes?limit=1", admin, "203.0.113.11")).status).toBe(200);
  });

  it("SCIM tokens: the same budget per address, answered in SCIM's error form", async () => {
    const ip = "203.0.113.20";
    for (let i = 0; i < 101; i++) expect((await scim("GET", "/Users", { token: `scim-wrong-${i}`, headers: { "x-forwarded-for": ip } })).status).toBe(401);
    const wrong = await scim("GET", "/Users", { token: "scim-wrong", headers: { "x-forwarded-for": ip } });
    const right = await scim("GET", "/Users", { token: scimToken, headers: { "x-forwarded-for": ip } });
    expect(wrong.status).toBe(429);
    expect(right.status).toBe(429);
    expect(wrong.body).toEqual(right.body);
    expect(wrong.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429" });
    expect((await scim("GET", "/Users", { token: scimToken, headers: { "x-forwarded-for": "203.0.113.21" } })).status).toBe(200);
  });

  it("token creation: 30 a minute per caller, then 429", async () => {
    const statuses: number[] = [];
    // createApiToken in beforeAll already spent three of the admin's requests.
    for (let i = 0; i < 30; i++)
      statuses.push(
        (await api(tokensPost, "/tokens", admin, "203.0.113.30", { method: "POST", body: { name: `t${i}`, userId: adminId, roles: ["auditor"] } })).status,
      );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.at(-1)).toBe(429);
  });

  it("access queries: 600 a minute per caller, then 429 naming what to do", async () => {
    let first429 = -1;
    for (let i = 0; i < 605 && first429 < 0; i++) {
      const r = await api(whoCanReach, `/access/who-can-reach?target=${encodeURIComponent("mcp:resource:repo")}&limit=1`, analyst, "203.0.113.40");
      if (r.status === 429) {
        first429 = i;
        expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/too many access queries; wait a minute/);
      } else expect(r.status).toBe(200);
    }
    expect(first429).toBe(600);
    // Cheap reads by the same caller are not held back.
    expect((await api(nodesRoute, "/nodes?limit=1", analyst, "203.0.113.40")).status).toBe(200);
  }, 120_000);
});
