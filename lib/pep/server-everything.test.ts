import { createRequire } from "node:module";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuthzenClient } from "./authzen-client";
import { META_KEY } from "./deny-result";
import { enforceMcp } from "./enforce-mcp";
import { staticSubject } from "./subject";
import { startFakePdp, type FakePdp } from "./testing/fake-pdp";
import type { EvaluationRequest } from "./types";

/*
 * The real @modelcontextprotocol/server-everything, spawned over stdio, behind the enforcement point: once in process
 * (agent over an in-memory transport) and once through the CLI (`scripts/pep-proxy.ts`, agent over stdio).
 */
const require = createRequire(import.meta.url);
const EVERYTHING = path.join(path.dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")), "dist/index.js");
const TOKEN = "pdp-token-for-everything";

/** echo and get-sum allowed; gzip-file-as-resource (open world) needs approval; everything else denied. */
function policy(r: EvaluationRequest, allowed: string[]) {
  if (allowed.includes(r.resource.id)) return { decision: true };
  if (r.resource.id === "gzip-file-as-resource") {
    return {
      decision: false,
      context: {
        reason: "approval_required",
        reason_user: "Open-world tools need approval.",
        access_request: { id: "arq_9", expires_at: "2026-12-06T10:00:00Z" },
      },
    };
  }
  return { decision: false, context: { reason_code: "no_access_path", reason_user: "You have no certified access to this tool." } };
}

let pdp: FakePdp;
beforeEach(async () => {
  pdp = await startFakePdp({ token: TOKEN });
});
afterEach(async () => {
  await pdp.close();
});

describe("enforceMcp in front of the real server-everything (stdio)", () => {
  it("lists only allowed (and approvable) tools, forwards echo, and a denied tool never reaches the server", async () => {
    pdp.decide = (r) => policy(r, ["echo", "get-sum"]);
    const transport = new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, "stdio"], stderr: "pipe" });
    // Record what goes to the real server, to show a denied call never does.
    const sent: JSONRPCMessage[] = [];
    const send = transport.send.bind(transport);
    transport.send = (m: JSONRPCMessage) => (sent.push(m), send(m));
    const upstream = new Client({ name: "pep-upstream", version: "0" });
    await upstream.connect(transport);
    const pep = enforceMcp({
      upstream,
      authzen: createAuthzenClient({ pdpUrl: pdp.url, token: TOKEN }),
      serverName: "everything",
      subject: staticSubject({ id: "agt_everything" }),
    });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await pep.connect(a);
    const agent = new Client({ name: "agent", version: "0" });
    await agent.connect(b);
    try {
      const upstreamTools = (await upstream.listTools()).tools.map((t) => t.name);
      expect(upstreamTools).toEqual(expect.arrayContaining(["echo", "get-sum", "get-env", "gzip-file-as-resource"]));

      const listed = (await agent.listTools()).tools.map((t) => t.name);
      expect(listed.sort()).toEqual(["echo", "get-sum", "gzip-file-as-resource"]);
      const batch = pdp.evaluationCalls().filter((c) => c.path === "/access/v1/evaluations");
      expect(batch).toHaveLength(1);
      const body = batch[0]!.body as { evaluations: { resource: { id: string; properties: Record<string, unknown> } }[] };
      expect(body.evaluations.map((e) => e.resource.id).sort()).toEqual([...upstreamTools].sort());
      expect(body.evaluations.find((e) => e.resource.id === "echo")!.resource.properties).toMatchObject({
        server: "everything",
        name: "echo",
        annotations: { readOnlyHint: true, destructiveHint: false },
        definition_hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      });

      expect(await agent.callTool({ name: "echo", arguments: { message: "hello through the PEP" } })).toMatchObject({
        content: [{ type: "text", text: "Echo: hello through the PEP" }],
      });

      // A long-running tool's progress reaches the agent through the PEP.
      pdp.decide = (r) => policy(r, ["echo", "get-sum", "trigger-long-running-operation"]);
      const progress: number[] = [];
      const long = await agent.callTool({ name: "trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      expect(long.isError).toBeFalsy();
      // The last step's notification can lose its race with the result even without a proxy (the SDK client settles
      // a response at once but handles a notification a microtask later; seen calling server-everything directly).
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress).toEqual([1, 2, 3].slice(0, progress.length));

      const denied = await agent.callTool({ name: "get-env", arguments: {} });
      expect(denied.isError).toBe(true);
      expect(JSON.stringify(denied.content)).toContain("You have no certified access to this tool.");

      const approval = await agent.callTool({ name: "gzip-file-as-resource", arguments: { name: "x.gz", data: "data:text/plain,hi" } });
      expect(approval.isError).toBe(true);
      expect(approval._meta?.[META_KEY]).toMatchObject({ approval_required: true, access_request: { id: "arq_9" } });

      const calledUpstream = sent.flatMap((m) => ("method" in m && m.method === "tools/call" ? [(m.params as { name: string }).name] : []));
      expect(calledUpstream).toEqual(["echo", "trigger-long-running-operation"]);
    } finally {
      await agent.close();
      await upstream.close();
    }
  });
});

describe("the pep CLI (scripts/pep-proxy.ts) between a stdio agent and server-everything", () => {
  it("filters, forwards, denies, and keeps the PDP token out of the upstream's environment", async () => {
    pdp.decide = (r) => policy(r, ["echo", "get-env"]);
    const agentTransport = new StdioClientTransport({
      command: process.execPath,
      args: [
        "--import",
        "tsx",
        "scripts/pep-proxy.ts",
        "--pdp",
        pdp.url,
        "--token-env",
        "ATTEST_PDP_TOKEN",
        "--subject",
        "agt_cli",
        "--agent",
        "cli-agent",
        "--server-name",
        "everything",
        "--",
        process.execPath,
        EVERYTHING,
        "stdio",
      ],
      env: { ATTEST_PDP_TOKEN: TOKEN, PEP_TEST_MARKER: "marker-passed-through" },
      cwd: process.cwd(),
      stderr: "pipe",
    });
    const agent = new Client({ name: "agent", version: "0" });
    await agent.connect(agentTransport);
    try {
      expect((await agent.listTools()).tools.map((t) => t.name).sort()).toEqual(["echo", "get-env", "gzip-file-as-resource"]);
      expect(await agent.callTool({ name: "echo", arguments: { message: "via cli" } })).toMatchObject({ content: [{ type: "text", text: "Echo: via cli" }] });
      const denied = await agent.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } });
      expect(denied.isError).toBe(true);
      expect(JSON.stringify(denied.content)).not.toContain("3");

      const env = JSON.stringify((await agent.callTool({ name: "get-env", arguments: {} })).content);
      expect(env).toContain("marker-passed-through");
      expect(env).not.toContain(TOKEN);

      const calls = pdp.evaluationCalls();
      expect(calls.every((c) => c.headers.authorization === `Bearer ${TOKEN}` && typeof c.headers["x-request-id"] === "string")).toBe(true);
      expect(calls.find((c) => c.path === "/access/v1/evaluation")!.body).toMatchObject({
        subject: { type: "identity", id: "agt_cli" },
        action: { name: "tools/call" },
        resource: { type: "tool", id: "echo", properties: { server: "everything", name: "echo" } },
        context: { agent: "cli-agent" },
      });
    } finally {
      await agent.close();
    }
  });
});
