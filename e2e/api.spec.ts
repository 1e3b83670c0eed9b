import { expect, test } from "@playwright/test";
import { demo, SignInPage } from "./pages";

const BOOTSTRAP = "e2e-bootstrap-token-0123456789abcdef";
const admin = { Authorization: `Bearer ${BOOTSTRAP}` };

test("health answers without authentication and names the database", async ({ request }) => {
  const r = await request.get("/api/health");
  expect(r.status()).toBe(200);
  expect(await r.json()).toEqual({ status: "ok", database: "pglite" });
});

test("the API answers 401 without a token and with a wrong one", async ({ request }) => {
  for (const headers of [{}, { Authorization: "Bearer nope" }, { Authorization: "Basic abc" }] as Record<string, string>[]) {
    const r = await request.get("/api/v1/nodes", { headers });
    expect(r.status()).toBe(401);
    expect((await r.json()).error.code).toBe("unauthenticated");
  }
});

test("the bootstrap token reads nodes, by id and by source:kind:externalId", async ({ request }) => {
  const r = await request.get("/api/v1/nodes?kind=mcp_server&limit=2", { headers: admin });
  expect(r.status()).toBe(200);
  const page = await r.json();
  expect(page.total).toBe(demo.nodes.filter((n) => n.kind === "mcp_server").length);
  expect(page.items).toHaveLength(2);
  expect(page.nextCursor).toEqual(expect.any(String));

  const human = demo.nodes.find((n) => n.kind === "human")!;
  const byRef = await request.get(`/api/v1/nodes/${encodeURIComponent(`${human.source}:human:${human.externalId}`)}`, { headers: admin });
  expect(byRef.status()).toBe(200);
  const node = await byRef.json();
  expect(node.name).toBe(human.name);
  const byId = await request.get(`/api/v1/nodes/${node.id}/neighbors?direction=out&limit=5`, { headers: admin });
  expect(byId.status()).toBe(200);
  const n = await byId.json();
  expect(n.node.id).toBe(node.id);
  expect(n.items.every((i: { edge: { direction: string } }) => i.edge.direction === "out")).toBe(true);
});

test("malformed ids and queries answer 400 naming the problem; unknown ids 404", async ({ request }) => {
  const cases: [string, number, RegExp][] = [
    ["/api/v1/nodes?kind=wizard", 400, /kind/],
    ["/api/v1/nodes?limit=0", 400, /limit/],
    ["/api/v1/nodes?limit=abc", 400, /limit/],
    ["/api/v1/nodes?asOf=yesterday", 400, /asOf/],
    ["/api/v1/nodes?cursor=zzz", 400, /cursor/],
    ["/api/v1/nodes?color=red", 400, /color/],
    ["/api/v1/nodes/not-an-id", 400, /node id/],
    ["/api/v1/nodes/okta:wizard:1", 400, /node kind/],
    ["/api/v1/nodes/hum_0000000000aaaaaaaaaaaaaaaa", 404, /not found/],
    ["/api/v1/nodes/okta:human:nobody/neighbors", 404, /not found/],
    ["/api/v1/nodes/hum_0000000000aaaaaaaaaaaaaaaa/neighbors?direction=sideways", 400, /direction/],
  ];
  for (const [url, status, message] of cases) {
    const r = await request.get(url, { headers: admin });
    expect(r.status(), url).toBe(status);
    const body = await r.json();
    expect(body.error.message, url).toMatch(message);
  }
});

test("the bootstrap token is no user: a token it creates must name one", async ({ request }) => {
  const r = await request.post("/api/v1/tokens", { headers: admin, data: { name: "no user", roles: ["reviewer"] } });
  expect(r.status()).toBe(400);
  expect((await r.json()).error.details[0].path).toBe("userId");
});

test("tokens: an admin session creates a reviewer-scoped token; that token is refused writes and reads outside its role", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("admin");
  const created = await page.request.post("/api/v1/tokens", { data: { name: "e2e read", roles: ["admin"] }, headers: { Origin: new URL(page.url()).origin } });
  expect(created.status()).toBe(201);
  const token = (await created.json()).token as string;
  expect(token).toMatch(/^att_/);
  const auth = { Authorization: `Bearer ${token}` };
  expect((await page.request.get("/api/v1/nodes?limit=1", { headers: auth })).status()).toBe(200);

  // The token's value is never stored or listed.
  const list = await page.request.get("/api/v1/tokens", { headers: auth });
  expect(JSON.stringify(await list.json())).not.toContain(token);

  // Cross-site writes with the session cookie are refused.
  const csrf = await page.request.post("/api/v1/tokens", { data: { name: "x", roles: ["admin"] }, headers: { Origin: "https://evil.example" } });
  expect(csrf.status()).toBe(403);

  // Revoked tokens stop working at once.
  const id = (await list.json()).items.find((t: { name: string }) => t.name === "e2e read").id;
  expect((await page.request.delete(`/api/v1/tokens/${id}`, { headers: auth })).status()).toBe(200);
  expect((await page.request.get("/api/v1/nodes?limit=1", { headers: auth })).status()).toBe(401);
});

test("a reviewer session gets 403 on graph reads and on token writes", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("reviewer");
  const origin = new URL(page.url()).origin;
  expect((await page.request.get("/api/v1/nodes")).status()).toBe(403);
  const w = await page.request.post("/api/v1/tokens", { data: { name: "mine", roles: ["reviewer"] }, headers: { Origin: origin } });
  expect(w.status()).toBe(403);
  expect((await w.json()).error.code).toBe("forbidden");
});

test("bodies that are not JSON, too large, or invalid answer 4xx", async ({ request }) => {
  const bad = await request.post("/api/v1/tokens", { headers: { ...admin, "Content-Type": "text/plain" }, data: "hello" });
  expect(bad.status()).toBe(415);
  const broken = await request.post("/api/v1/tokens", { headers: { ...admin, "Content-Type": "application/json" }, data: '{"name": ' });
  expect(broken.status()).toBe(400);
  const big = await request.post("/api/v1/tokens", {
    headers: { ...admin, "Content-Type": "application/json" },
    data: JSON.stringify({ name: "x".repeat(40_000) }),
  });
  expect(big.status()).toBe(413);
  const invalid = await request.post("/api/v1/tokens", { headers: admin, data: { name: "", roles: ["wizard"], extra: 1 } });
  expect(invalid.status()).toBe(400);
  const details = (await invalid.json()).error.details.map((d: { path: string }) => d.path);
  expect(details).toEqual(expect.arrayContaining(["name", "roles[0]"]));
});

test("the OpenAPI document lists every endpoint", async ({ request }) => {
  const r = await request.get("/api/v1/openapi.json");
  expect(r.status()).toBe(200);
  const doc = await r.json();
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining(["/api/health", "/api/v1/nodes", "/api/v1/nodes/{id}", "/api/v1/nodes/{id}/neighbors", "/api/v1/tokens"]),
  );
});
