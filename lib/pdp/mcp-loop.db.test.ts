import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { systemActor, type Actor } from "@/lib/authz/actor";
import { decideItem } from "@/lib/campaigns/decide-item";
import { listMyItems } from "@/lib/campaigns/queries";
import { launched } from "@/lib/campaigns/test-helpers";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { decodeGraphDocument } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { createAuthzenClient } from "@/lib/pep/authzen-client";
import { enforceMcp } from "@/lib/pep/enforce-mcp";
import { staticSubject } from "@/lib/pep/subject";
import { decideAccessRequest } from "@/lib/requests/decide";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { createPdpListener } from "./listener";
import { gatewayWorld, type GatewayWorld } from "./test-fixture";

/*
 * The whole runtime loop of issue #20, with nothing faked: an agent (an MCP client) → the reference enforcement point
 * (lib/pep) → the real @modelcontextprotocol/server-everything over stdio, the enforcement point asking Attest's
 * decision point (lib/pdp, on its own HTTP port, answering from the graph in this database) before every call.
 *   1. a certified path: echo is forwarded;
 *   2. a campaign revoke of the agent's connection to the server: the next calls are denied, with no import;
 *   3. a tool declaring itself destructive: approval_required with an access request, which the server's owner
 *      approves; then the call is forwarded (a just-in-time grant).
 */
const require = createRequire(import.meta.url);
const EVERYTHING = path.join(path.dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")), "dist/index.js");

let t: TestDatabase;
let w: GatewayWorld;
let olga: Actor;
let pdpUrl: string;
let close: () => Promise<void>;
let agent: Client;
let sent: JSONRPCMessage[];
const ids: Record<string, string> = {};

/** server-everything's tools as discovery would import them: echo reads; get-sum is marked destructive here. */
const everythingDoc = () => {
  const doc = decodeGraphDocument({
    source: "everything-mcp",
    mode: "full",
    nodes: [
      { kind: "agent", externalId: "loop-agent", name: "Loop Agent", attributes: { status: "active" } },
      { kind: "mcp_server", externalId: "everything", name: "everything" },
      { kind: "tool", externalId: "everything/echo", name: "echo", attributes: { annotations: { readOnlyHint: true, openWorldHint: false } } },
      {
        kind: "tool",
        externalId: "everything/get-sum",
        name: "get-sum",
        attributes: { annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false } },
      },
    ],
    edges: [
      { kind: "connects_to", from: { kind: "agent", externalId: "loop-agent" }, to: { kind: "mcp_server", externalId: "everything" } },
      { kind: "exposes", from: { kind: "mcp_server", externalId: "everything" }, to: { kind: "tool", externalId: "everything/echo" } },
      { kind: "exposes", from: { kind: "mcp_server", externalId: "everything" }, to: { kind: "tool", externalId: "everything/get-sum" } },
      // Olga (the gw source's owner with a reviewer account) is accountable for this server too: she approves.
      {
        kind: "owns",
        from: { source: "gw", kind: "human", externalId: "olga" },
        to: { kind: "mcp_server", externalId: "everything" },
        attributes: { role: "technical" },
      },
    ],
  });
  if ("errors" in doc) throw new Error(`bad test document: ${JSON.stringify(doc.errors)}`);
  return doc;
};

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  useAsAppDatabase(t);
  w = await gatewayWorld(t);
  olga = await actorByEmail(t, "olga@example.com");
  const r = await runImport(t.db, systemActor("loop-test"), everythingDoc(), { format: "graph" });
  if (r.status !== "succeeded") throw new Error(`import ${r.status}`);
  for (const [key, externalId] of [
    ["agent", "loop-agent"],
    ["server", "everything"],
  ] as const) {
    const row = await t.db.query.nodes.findFirst({ where: (n, { eq }) => eq(n.externalId, externalId) });
    ids[key] = row!.id;
  }

  // The decision point on its own port, as ATTEST_PDP_PORT serves it.
  const server = createPdpListener(() => Promise.resolve(t.db));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  pdpUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const transport = new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, "stdio"], stderr: "pipe" });
  sent = [];
  const send = transport.send.bind(transport);
  transport.send = (m: JSONRPCMessage) => (sent.push(m), send(m));
  const upstream = new Client({ name: "pep-upstream", version: "0" });
  await upstream.connect(transport);
  const pep = enforceMcp({
    upstream,
    // The metadata names the app's public URL, not this test port: the endpoints are the specification's defaults.
    authzen: createAuthzenClient({ pdpUrl, token: w.tokens.pdp, discover: false }),
    serverName: "everything",
    subject: staticSubject({ id: ids.agent! }),
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await pep.connect(a);
  agent = new Client({ name: "loop-agent", version: "0" });
  await agent.connect(b);
  close = async () => {
    await agent.close();
    await upstream.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}, 180_000);
afterAll(async () => {
  await close?.();
  await t.cleanup();
});

const upstreamCalls = (tool: string) =>
  sent.filter((m) => "method" in m && m.method === "tools/call" && (m.params as { name?: string } | undefined)?.name === tool).length;
const text = (r: Awaited<ReturnType<Client["callTool"]>>) => (r.content as { type: string; text?: string }[]).map((c) => c.text ?? "").join(" ");

describe("agent → enforcement point → server-everything, decided by Attest", () => {
  it("forwards a certified call, denies after a campaign revoke without an import", async () => {
    // The decision point learns of the import through the graph version; the first answers may come while it loads.
    await vi.waitFor(async () => expect((await agent.callTool({ name: "echo", arguments: { message: "hello" } })).isError).toBeFalsy(), {
      timeout: 20_000,
      interval: 100,
    });
    const ok = await agent.callTool({ name: "echo", arguments: { message: "certified" } });
    expect(text(ok)).toContain("certified");
    const forwarded = upstreamCalls("echo");
    expect(forwarded).toBeGreaterThanOrEqual(1);

    // Olga revokes the agent's connection to the server in a campaign: no import follows.
    const admin = await actorByEmail(t, "admin@example.com");
    const c = await launched(t.db, admin, {
      name: "loop revoke",
      scope: { edgeKinds: ["connects_to"], targets: [ids.server!] },
      fallbackReviewer: "admin@example.com",
    });
    const item = (await listMyItems(t.db, olga, { status: "all", limit: 50, campaign: c.id })).items.find((i) => i.subject.id === ids.agent);
    expect(item).toBeDefined();
    await decideItem(t.db, olga, item!.id, { decision: "revoke", justification: "no longer needed", version: item!.version });

    // The decision point hears of it by notification (or its poll); from then on every call is denied before the server.
    let denied: Awaited<ReturnType<Client["callTool"]>> | undefined;
    await vi.waitFor(
      async () => {
        denied = await agent.callTool({ name: "echo", arguments: { message: "after revoke" } });
        expect(denied.isError).toBe(true);
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(text(denied!)).not.toContain("after revoke");
    const before = upstreamCalls("echo");
    const again = await agent.callTool({ name: "echo", arguments: { message: "still revoked" } });
    expect(again.isError).toBe(true);
    expect(upstreamCalls("echo")).toBe(before);

    // Approving the access again in a later campaign restores it (certified again).
    const c2 = await launched(t.db, admin, {
      name: "loop re-certify",
      scope: { edgeKinds: ["connects_to"], targets: [ids.server!] },
      fallbackReviewer: "admin@example.com",
    });
    const item2 = (await listMyItems(t.db, olga, { status: "all", limit: 50, campaign: c2.id })).items.find((i) => i.subject.id === ids.agent);
    await decideItem(t.db, olga, item2!.id, { decision: "approve", justification: "needed again", version: item2!.version });
    await vi.waitFor(async () => expect((await agent.callTool({ name: "echo", arguments: { message: "back" } })).isError).toBeFalsy(), {
      timeout: 10_000,
      interval: 20,
    });
  });

  it("a destructive tool needs approval: the request reaches its owner, whose approval lets the call through", async () => {
    const first = await agent.callTool({ name: "get-sum", arguments: { a: 2, b: 3 } });
    expect(first.isError).toBe(true);
    expect(upstreamCalls("get-sum")).toBe(0);
    // The agent is told which request to have approved (the enforcement point passes the PDP's access request on).
    const auth = (first._meta as Record<string, { reason_code?: string; access_request?: { id?: string } }> | undefined)?.["attest/authorization"];
    expect(auth?.reason_code).toBe("approval_required");
    const requestId = auth?.access_request?.id;
    expect(requestId).toMatch(/^arq_/);
    expect(text(first)).toContain(requestId!);

    // Asking again while it is pending finds the same request: one per (agent, tool).
    const second = await agent.callTool({ name: "get-sum", arguments: { a: 2, b: 3 } });
    expect(JSON.stringify(second)).toContain(requestId!);

    const view = await t.db.query.accessRequests.findFirst({ where: (r, { eq }) => eq(r.id, requestId!) });
    expect(view).toMatchObject({ status: "pending", subjectId: ids.agent, approverId: w.olgaUserId });
    await decideAccessRequest(t.db, olga, requestId!, { decision: "approve", grantMinutes: 15, version: view!.version, note: "one sum" });

    let allowed: Awaited<ReturnType<Client["callTool"]>> | undefined;
    await vi.waitFor(
      async () => {
        allowed = await agent.callTool({ name: "get-sum", arguments: { a: 2, b: 3 } });
        expect(allowed.isError).toBeFalsy();
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(text(allowed!)).toContain("5");
    expect(upstreamCalls("get-sum")).toBe(1);
  });
});
