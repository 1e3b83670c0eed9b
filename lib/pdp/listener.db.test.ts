import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { createPdpListener } from "./listener";
import { pdpSnapshot } from "./runtime";
import { gatewayWorld, type GatewayWorld } from "./test-fixture";

let t: TestDatabase;
let w: GatewayWorld;
let server: Server;
let base: string;

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  useAsAppDatabase(t);
  w = await gatewayWorld(t);
  await pdpSnapshot(t.db, { fresh: true });
  server = createPdpListener(async () => t.db);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.cleanup();
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(base + path, { method: "POST", body, headers: { "content-type": "application/json", authorization: `Bearer ${w.tokens.pdp}`, ...headers } });
const call = (tool: string) =>
  JSON.stringify({ subject: { type: "agent", id: w.ids.agent }, action: { name: "tools/call" }, resource: { type: "tool", id: tool } });

describe("the decision port (ATTEST_PDP_PORT)", () => {
  it("answers evaluations like the Next route, echoing X-Request-ID", async () => {
    const r = await post("/access/v1/evaluation", call(w.ids.read), { "x-request-id": "abc-123" });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-request-id")).toBe("abc-123");
    expect(await r.json()).toMatchObject({ decision: true, context: { reason_code: "access_path" } });
    const b = await post(
      "/access/v1/evaluations",
      JSON.stringify({
        subject: { type: "agent", id: w.ids.agent },
        action: { name: "tools/call" },
        evaluations: [{ resource: { type: "tool", id: w.ids.read } }, { resource: { type: "tool", id: "nope" } }],
      }),
    );
    expect(((await b.json()) as { evaluations: { decision: boolean }[] }).evaluations.map((e) => e.decision)).toEqual([true, false]);
  });

  it("refuses what the Next route refuses, in the same error shape: 401, 403, 400 naming the field, 415, bad JSON, 404", async () => {
    expect((await post("/access/v1/evaluation", call(w.ids.read), { authorization: "" })).status).toBe(401);
    expect((await post("/access/v1/evaluation", call(w.ids.read), { authorization: `Bearer ${w.tokens.reviewer}` })).status).toBe(403);
    const bad = await post(
      "/access/v1/evaluation",
      JSON.stringify({ subject: { type: "agent" }, action: { name: "tools/call" }, resource: { type: "tool", id: "x" } }),
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "validation", details: [{ path: "subject.id" }] } });
    expect((await post("/access/v1/evaluation", call(w.ids.read), { "content-type": "text/plain" })).status).toBe(415);
    expect((await post("/access/v1/evaluation", "{not json")).status).toBe(400);
    expect((await post("/access/v1/search/subject", "{}")).status).toBe(404);
  });

  it("serves the metadata", async () => {
    const r = await fetch(`${base}/.well-known/authzen-configuration`);
    expect(await r.json()).toHaveProperty("access_evaluation_endpoint");
  });
});
