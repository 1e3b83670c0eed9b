import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuthzenClient } from "./authzen-client";
import { createGatewayAdapter, type GatewayAdapterOptions } from "./gateway-adapter";
import { startFakePdp, type FakePdp } from "./testing/fake-pdp";

const TOKEN = "pdp-token";
const KEY = "gateway-shared-key";
const claims = (c: Record<string, unknown>) => Buffer.from(JSON.stringify(c)).toString("base64url");
const call = (name: string, args: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name, arguments: args } });

let pdp: FakePdp;
let adapter: Server;
let url: string;

async function start(opts: Partial<GatewayAdapterOptions> = {}) {
  const handler = createGatewayAdapter({
    authzen: createAuthzenClient({ pdpUrl: pdp.url, token: TOKEN, timeoutMs: 500 }),
    serverName: "everything",
    gatewayKey: KEY,
    ...opts,
  });
  adapter = createServer(handler);
  await new Promise<void>((r) => adapter.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(adapter.address() as AddressInfo).port}/mcp`;
}

/** What Envoy's http_service check looks like: the original method and body, allowed headers, the added key. */
function check(body: string | undefined, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: { "x-attest-gateway-key": KEY, "x-jwt-payload": claims({ sub: "agt_1", client_id: "agent-app" }), "content-type": "application/json", ...headers },
    body,
  });
}

beforeEach(async () => {
  pdp = await startFakePdp({ token: TOKEN });
  pdp.decide = (r) =>
    r.resource.id === "echo"
      ? { decision: true }
      : r.resource.id === "wire"
        ? {
            decision: false,
            context: { reason_code: "approval_required", reason_user: "Needs approval.", access_request: { id: "arq_2", expires_at: "2026-12-06T10:00:00Z" } },
          }
        : { decision: false, context: { reason_code: "revoked_in_campaign", reason_user: "Revoked in a review." } };
});
afterEach(async () => {
  await new Promise((r) => adapter?.close(r));
  await pdp.close();
});

describe("createGatewayAdapter (Envoy http_service / agentgateway http / Kong)", () => {
  it("allows a permitted tools/call with 200, after a COAZ-MCP evaluation carrying the gateway's X-Request-ID", async () => {
    await start();
    const res = await check(call("echo", { message: "secret-value" }), { "x-request-id": "envoy-req-1" });
    expect(res.status).toBe(200);
    const [evaluation] = pdp.evaluationCalls();
    expect(evaluation!.body).toEqual({
      subject: { type: "identity", id: "agt_1" },
      action: { name: "tools/call" },
      resource: { type: "tool", id: "echo", properties: { server: "everything", name: "echo" } },
      context: { agent: "agent-app" },
    });
    expect(evaluation!.headers["x-request-id"]).toBe("envoy-req-1");
    expect(JSON.stringify(pdp.requests)).not.toContain("secret-value");
  });

  it("turns an AuthZEN deny (200, decision false) into 403 with a JSON-RPC -32001 error", async () => {
    await start();
    const res = await check(call("delete"));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      jsonrpc: "2.0",
      id: 7,
      error: { code: -32001, message: expect.stringContaining("Revoked in a review."), data: { reason_code: "revoked_in_campaign" } },
    });
  });

  it("carries the access request of an approval_required deny", async () => {
    await start();
    const res = await check(call("wire"));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: -32001, data: { approval_required: true, access_request: { id: "arq_2" } } } });
  });

  it("maps resources/read and prompts/get per COAZ-MCP (resource by URI, prompt by name)", async () => {
    await start();
    pdp.decide = () => ({ decision: true });
    await check(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "resources/read", params: { uri: "file:///etc/hosts" } }));
    await check(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "prompts/get", params: { name: "summarise", arguments: { text: "secret-value" } } }));
    expect(pdp.evaluationCalls().map((c) => c.body)).toEqual([
      expect.objectContaining({
        action: { name: "resources/read" },
        resource: { type: "resource", id: "file:///etc/hosts", properties: { server: "everything" } },
      }),
      expect.objectContaining({
        action: { name: "prompts/get" },
        resource: { type: "prompt", id: "summarise", properties: { server: "everything", name: "summarise" } },
      }),
    ]);
    expect(JSON.stringify(pdp.requests)).not.toContain("secret-value");
  });

  it("passes ping, notifications, initialize, tools/list and bodiless requests without asking the PDP", async () => {
    await start();
    for (const m of ["ping", "notifications/initialized", "initialize", "tools/list"]) {
      expect((await check(JSON.stringify({ jsonrpc: "2.0", id: 1, method: m, params: {} }))).status).toBe(200);
    }
    expect((await check(undefined)).status).toBe(200);
    expect(pdp.evaluationCalls()).toEqual([]);
  });

  it("fails closed: unknown method, batch, no claims, no gateway key, PDP failure", async () => {
    await start();
    expect((await check(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "sampling/anything" }))).status).toBe(403);
    expect((await check(JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo" } }]))).status).toBe(403);
    expect((await check(call("echo"), { "x-jwt-payload": "" })).status).toBe(403);
    expect((await check(call("echo"), { "x-attest-gateway-key": "wrong" })).status).toBe(403);
    expect((await check("{not json")).status).toBe(400);
    pdp.mode = "status500";
    const res = await check(call("echo"));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: -32603, message: "Authorization service unavailable" } });
  });
});
