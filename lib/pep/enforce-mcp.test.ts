import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  ToolListChangedNotificationSchema,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// Cross-check with Attest's importer (test only: lib/pep itself imports no area).
import { toolDefinitionHash as attestDefinitionHash } from "@/lib/ingest/tool-attributes";
import { createAuthzenClient } from "./authzen-client";
import { toolDefinitionHash } from "./coaz-mcp";
import { META_KEY } from "./deny-result";
import { enforceMcp, type DecisionEvent, type EnforceMcpOptions } from "./enforce-mcp";
import { staticSubject, subjectFromAuthInfo } from "./subject";
import { startFakePdp, type FakePdp, type FakePdpMode } from "./testing/fake-pdp";
import type { EvaluationRequest } from "./types";

const TOKEN = "pdp-test-token";
const SECRET = "s3cr3t-argument-value";

const TOOLS: Tool[] = [
  {
    name: "read_file",
    description: "Read a file",
    inputSchema: { type: "object", properties: { path: { type: "string" } } },
    annotations: { readOnlyHint: true },
  },
  {
    name: "delete_repo",
    description: "Delete a repository",
    inputSchema: { type: "object", properties: { repo: { type: "string" } } },
    annotations: { destructiveHint: true },
  },
  {
    name: "wire_money",
    description: "Send money",
    inputSchema: { type: "object", properties: { amount: { type: "number" } } },
    annotations: { destructiveHint: true, openWorldHint: true },
  },
  {
    name: "declared",
    description: "A tool with its own COAZ mapping",
    inputSchema: {
      type: "object",
      properties: { id: { type: "string" } },
      "x-authzen-mapping": {
        evaluation: { subject: { type: "identity", id: "$token.sub" }, action: { name: "get" }, resource: { type: "thing", id: "$params.arguments.id" } },
      },
    },
  },
];

/** The policy the fake PDP applies: read_file allowed, wire_money needs approval, the rest denied. */
function policy(r: EvaluationRequest) {
  if (r.resource.id === "read_file") return { decision: true };
  if (r.resource.id === "wire_money") {
    return {
      decision: false,
      context: {
        reason_code: "approval_required",
        reason_admin: "destructive tool: step-up policy",
        reason_user: "This tool changes things that cannot be undone.",
        evaluation_id: "eval_01",
        access_request: {
          id: "arq_01ABC",
          url: `${pdp.url}/inbox/requests/arq_01ABC`,
          form_url: "https://evil.example.com/phish",
          expires_at: "2026-12-06T10:00:00Z",
        },
      },
    };
  }
  return {
    decision: false,
    context: { reason_code: "revoked_in_campaign", reason_user: "Your access to this tool was revoked in a review.", reason_admin: "cmp_1 revoked" },
  };
}

let pdp: FakePdp;
let upstreamServer: Server;
let upstreamCalls: { name: string; arguments?: Record<string, unknown> }[];
let agent: Client;
let events: DecisionEvent[];

async function wire(opts: Partial<EnforceMcpOptions> = {}, authzen = createAuthzenClient({ pdpUrl: pdp.url, token: TOKEN, timeoutMs: 1000 })) {
  upstreamServer = new Server({ name: "files-upstream", version: "1.2.3" }, { capabilities: { tools: { listChanged: true } } });
  upstreamServer.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
  upstreamServer.setRequestHandler(CallToolRequestSchema, (req) => {
    upstreamCalls.push({ name: req.params.name, arguments: req.params.arguments });
    return { content: [{ type: "text", text: `ran ${req.params.name}` }] };
  });
  const [upA, upB] = InMemoryTransport.createLinkedPair();
  await upstreamServer.connect(upA);
  const upstream = new Client({ name: "pep-upstream", version: "0" });
  await upstream.connect(upB);

  const pep = enforceMcp({
    upstream,
    authzen,
    serverName: "files",
    subject: staticSubject({ id: "agt_1", agent: "claude-code" }),
    onDecision: (e) => events.push(e),
    ...opts,
  });
  const [agA, agB] = InMemoryTransport.createLinkedPair();
  await pep.connect(agA);
  agent = new Client({ name: "agent", version: "0" });
  await agent.connect(agB);
}

beforeEach(async () => {
  pdp = await startFakePdp({ token: TOKEN });
  pdp.decide = policy;
  upstreamCalls = [];
  events = [];
});
afterEach(async () => {
  await agent?.close();
  await pdp.close();
});

const resourceOf = (t: Tool) => ({
  type: "tool",
  id: t.name,
  properties: { server: "files", name: t.name, ...(t.annotations ? { annotations: t.annotations } : {}), definition_hash: toolDefinitionHash(t) },
});

describe("enforceMcp: tools/list", () => {
  it("filters the upstream's tools with one Access Evaluations call (COAZ-MCP shapes, execute_all) and keeps approval_required tools", async () => {
    await wire();
    const { tools } = await agent.listTools();
    expect(tools.map((t) => t.name)).toEqual(["read_file", "wire_money"]);
    const calls = pdp.evaluationCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe("/access/v1/evaluations");
    expect(calls[0]!.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls[0]!.body).toEqual({
      subject: { type: "identity", id: "agt_1" },
      action: { name: "tools/call" },
      context: { agent: "claude-code" },
      options: { evaluations_semantic: "execute_all" },
      // the tool declaring its own x-authzen-mapping is neither evaluated nor listed (no CEL here: fail closed)
      evaluations: TOOLS.slice(0, 3).map((t) => ({ resource: resourceOf(t) })),
    });
    expect(events).toEqual([expect.objectContaining({ method: "tools/list", offered: 4, shown: 2, requestId: calls[0]!.headers["x-request-id"] })]);
  });

  it("hides approval_required tools too when listApprovalRequired is false", async () => {
    await wire({ listApprovalRequired: false });
    expect((await agent.listTools()).tools.map((t) => t.name)).toEqual(["read_file"]);
  });

  it("passes the upstream's tools/list_changed on to the agent, and presents the upstream's name", async () => {
    await wire();
    expect(agent.getServerVersion()).toMatchObject({ name: "files-upstream", version: "1.2.3" });
    const heard = new Promise<void>((resolve) => agent.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    await upstreamServer.sendToolListChanged();
    await heard;
  });

  it("a PDP that is down makes tools/list a JSON-RPC -32603 error, not an unfiltered list", async () => {
    await wire();
    pdp.mode = "status500";
    await expect(agent.listTools()).rejects.toMatchObject({
      code: ErrorCode.InternalError,
      message: expect.stringContaining("Authorization service unavailable"),
    });
  });
});

describe("enforceMcp: tools/call", () => {
  it("an allowed call is evaluated (COAZ-MCP default mapping, no argument values) and forwarded", async () => {
    await wire();
    const result = await agent.callTool({ name: "read_file", arguments: { path: SECRET } });
    expect(result).toMatchObject({ content: [{ type: "text", text: "ran read_file" }] });
    expect(result.isError).toBeFalsy();
    expect(upstreamCalls).toEqual([{ name: "read_file", arguments: { path: SECRET } }]);
    const call = pdp.evaluationCalls().find((c) => c.path === "/access/v1/evaluation")!;
    expect(call.body).toEqual({
      subject: { type: "identity", id: "agt_1" },
      action: { name: "tools/call" },
      resource: resourceOf(TOOLS[0]!),
      context: { agent: "claude-code" },
    });
    expect(call.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(call.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.stringify(pdp.requests)).not.toContain(SECRET);
  });

  it("a denied call returns isError with the PDP's reason_user and never reaches the upstream", async () => {
    await wire();
    const result = await agent.callTool({ name: "delete_repo", arguments: { repo: "attest" } });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: "text", text: expect.stringContaining("Your access to this tool was revoked in a review.") }]);
    expect(result._meta?.[META_KEY]).toMatchObject({ decision: false, reason_code: "revoked_in_campaign", approval_required: false });
    expect(JSON.stringify(result)).not.toContain("cmp_1"); // reason_admin is for admins, not agents
    expect(upstreamCalls).toEqual([]);
  });

  it("reads reason_user in the spec's own example form (an object keyed by status), never showing reason_admin", async () => {
    // openid/authzen api/authorization-api-1_0.md, "Non-normative Example 1: conveying decision Reasons".
    pdp.decide = () => ({
      decision: false,
      context: { reason_admin: { "403": "Request failed policy C076E82F" }, reason_user: { "403": "Insufficient privileges. Contact your administrator" } },
    });
    await wire();
    const result = await agent.callTool({ name: "read_file", arguments: {} });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain("Insufficient privileges. Contact your administrator");
    expect(JSON.stringify(result)).not.toContain("C076E82F");
    expect(upstreamCalls).toEqual([]);
  });

  it("approval_required surfaces the access request (id, trusted URL, expiry) and does not call the upstream", async () => {
    await wire();
    const result = await agent.callTool({ name: "wire_money", arguments: { amount: 5 } });
    expect(result.isError).toBe(true);
    const text = (result.content as { text: string }[])[0]!.text;
    expect(text).toContain("Approval required");
    expect(text).toContain("arq_01ABC");
    expect(text).toContain(`${pdp.url}/inbox/requests/arq_01ABC`);
    expect(text).not.toContain("evil.example.com"); // a URL on an untrusted origin is not shown
    expect(result._meta?.[META_KEY]).toMatchObject({
      reason_code: "approval_required",
      approval_required: true,
      access_request: { id: "arq_01ABC", url: `${pdp.url}/inbox/requests/arq_01ABC`, expiresAt: "2026-12-06T10:00:00Z", evaluationId: "eval_01" },
    });
    expect(upstreamCalls).toEqual([]);
    expect(events.at(-1)).toMatchObject({ method: "tools/call", tool: "wire_money", allowed: false, reasonCode: "approval_required" });
  });

  const failures: FakePdpMode[] = ["status500", "garbage", "not-a-decision", "wrong-request-id", "hang"];
  for (const mode of failures) {
    it(`a PDP answering ${mode} fails closed: JSON-RPC -32603, upstream not called`, async () => {
      await wire({}, createAuthzenClient({ pdpUrl: pdp.url, token: TOKEN, timeoutMs: 150 }));
      pdp.mode = mode;
      await expect(agent.callTool({ name: "read_file", arguments: { path: "/x" } })).rejects.toMatchObject({ code: ErrorCode.InternalError });
      expect(upstreamCalls).toEqual([]);
      expect(events.at(-1)).toMatchObject({ allowed: false, local: true });
    });
  }

  it("a PDP that is down fails closed", async () => {
    const url = pdp.url;
    await pdp.close();
    await wire({}, createAuthzenClient({ pdpUrl: url, token: TOKEN }));
    const err = await agent.callTool({ name: "read_file", arguments: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect(err).toMatchObject({ code: ErrorCode.InternalError, message: expect.stringContaining("Authorization service unavailable") });
    expect(upstreamCalls).toEqual([]);
    pdp = await startFakePdp(); // for afterEach
  });

  it("no identity (no validated token on this transport) is a mapping error, with no PDP or upstream call", async () => {
    await wire({ subject: subjectFromAuthInfo() });
    await expect(agent.callTool({ name: "read_file", arguments: {} })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    await expect(agent.listTools()).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    expect(pdp.evaluationCalls()).toEqual([]);
    expect(upstreamCalls).toEqual([]);
  });

  it("a tool declaring x-authzen-mapping is refused as a mapping error (no CEL evaluator), never forwarded", async () => {
    await wire();
    await expect(agent.callTool({ name: "declared", arguments: { id: "1" } })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringContaining("x-authzen-mapping"),
    });
    expect(pdp.evaluationCalls()).toEqual([]);
    expect(upstreamCalls).toEqual([]);
  });

  it("context hook: a deployment may add argument names (never values) to context", async () => {
    await wire({ context: ({ argumentNames }) => (argumentNames ? { argument_names: argumentNames } : undefined) });
    await agent.callTool({ name: "read_file", arguments: { path: SECRET } });
    const call = pdp.evaluationCalls().find((c) => c.path === "/access/v1/evaluation")!;
    expect(call.body).toMatchObject({ context: { agent: "claude-code", argument_names: ["path"] } });
    expect(JSON.stringify(call.body)).not.toContain(SECRET);
  });
});

describe("subject and definition hash", () => {
  it("subjectFromAuthInfo: subject = verified sub, agent = client id, act kept as subject.properties.act", async () => {
    const resolve = subjectFromAuthInfo();
    const identity = await resolve({
      authInfo: {
        token: "opaque",
        clientId: "cli_agent",
        scopes: [],
        extra: { claims: { sub: "agt_7", act: { sub: "hum_alice", iss: "https://idp", extra: "x" } } },
      },
    });
    expect(identity).toEqual({ subject: { type: "identity", id: "agt_7", properties: { act: { sub: "hum_alice", iss: "https://idp" } } }, agent: "cli_agent" });
    expect(await resolve({ authInfo: { token: "opaque", clientId: "c", scopes: [] } })).toBeNull();
  });

  it("the definition hash sent to the PDP is the one Attest's importer computes", () => {
    for (const t of TOOLS) expect(toolDefinitionHash(t)).toBe(attestDefinitionHash(t));
  });
});
