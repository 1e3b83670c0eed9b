import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuthzenClient } from "./authzen-client";
import { enforceMcp } from "./enforce-mcp";
import { subjectFromAuthInfo } from "./subject";
import { startFakePdp, type FakePdp } from "./testing/fake-pdp";

/*
 * The enforcement point behind the SDK's Streamable HTTP transport: identity comes from the token the HTTP layer
 * verified (here a table of test tokens standing in for a real verifier), through `authInfo`, never from the call.
 */
const TOKENS: Record<string, Record<string, unknown>> = {
  "tok-agent-for-alice": { sub: "agt_7", client_id: "claude-code", act: { sub: "hum_alice", iss: "https://idp.example.com" } },
  "tok-no-sub": { client_id: "claude-code" },
};

let pdp: FakePdp;
let http: HttpServer;
let url: URL;
let upstreamCalls: string[];

beforeEach(async () => {
  pdp = await startFakePdp();
  upstreamCalls = [];
  const upstreamServer = new Server({ name: "up", version: "1" }, { capabilities: { tools: {} } });
  upstreamServer.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [{ name: "echo", inputSchema: { type: "object" } }] }));
  upstreamServer.setRequestHandler(CallToolRequestSchema, (r) => (upstreamCalls.push(r.params.name), { content: [{ type: "text", text: "ok" }] }));
  const [a, b] = InMemoryTransport.createLinkedPair();
  await upstreamServer.connect(a);
  const upstream = new Client({ name: "pep", version: "0" });
  await upstream.connect(b);

  const pep = enforceMcp({
    upstream,
    authzen: createAuthzenClient({ pdpUrl: pdp.url }),
    serverName: "up",
    subject: subjectFromAuthInfo(),
    context: ({ sessionId }) => (sessionId ? { mcp_session_id: sessionId } : undefined),
  });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
  await pep.connect(transport);
  http = createServer((req: IncomingMessage & { auth?: AuthInfo }, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const claims = token ? TOKENS[token] : undefined;
    if (!token || !claims) {
      res.writeHead(401).end();
      return;
    }
    req.auth = { token, clientId: String(claims.client_id), scopes: [], extra: { claims } };
    void transport.handleRequest(req, res);
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
});
afterEach(async () => {
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
  await pdp.close();
});

const agentWith = async (token: string) => {
  const agent = new Client({ name: "agent", version: "0" });
  await agent.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return agent;
};

describe("enforceMcp over Streamable HTTP with a verified token", () => {
  it("takes subject, actor and agent from the token's claims and the session id from the transport", async () => {
    const agent = await agentWith("tok-agent-for-alice");
    expect(await agent.callTool({ name: "echo", arguments: {} })).toMatchObject({ content: [{ type: "text", text: "ok" }] });
    const sessionId = (agent.transport as StreamableHTTPClientTransport).sessionId;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const call = pdp.evaluationCalls().find((c) => c.path === "/access/v1/evaluation")!;
    expect(call.body).toMatchObject({
      subject: { type: "identity", id: "agt_7", properties: { act: { sub: "hum_alice", iss: "https://idp.example.com" } } },
      action: { name: "tools/call" },
      resource: { type: "tool", id: "echo" },
      context: { agent: "claude-code", mcp_session_id: sessionId },
    });
    expect(upstreamCalls).toEqual(["echo"]);
    await agent.close();
  });

  it("a token without the subject claim gets a mapping error and no PDP or upstream call", async () => {
    const agent = await agentWith("tok-no-sub");
    await expect(agent.callTool({ name: "echo", arguments: {} })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    expect(pdp.evaluationCalls()).toEqual([]);
    expect(upstreamCalls).toEqual([]);
    await agent.close();
  });
});
