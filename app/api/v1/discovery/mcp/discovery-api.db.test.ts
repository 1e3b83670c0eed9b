import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edges, nodes } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { updateOutboundSettings } from "@/lib/admin/outbound-settings";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { POST } from "./route";

let t: TestDatabase;
let token: string;
let server: ChildProcess;
const port = 39000 + (process.pid % 1000);
const url = `http://127.0.0.1:${port}/mcp`;
const noParams = { params: Promise.resolve({}) } as never;

async function waitForPort() {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("server-everything did not start");
}

beforeAll(async () => {
  // A real MCP server on loopback, over streamable HTTP.
  server = spawn(process.execPath, [path.join("node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "streamableHttp"], {
    env: { ...process.env, PORT: String(port) },
    stdio: "ignore",
  });
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  const analyst = await actorByEmail(t, "ana@example.com");
  token = (await createApiToken(t.db, admin, { name: "a", userId: analyst.id, roles: ["analyst"] })).token;
  // The test server is on loopback, which discovery refuses unless an admin opens it explicitly: this is that path.
  await updateOutboundSettings(t.db, admin, { allowHosts: ["127.0.0.1"], allowPrivateRanges: ["127.0.0.1/32"] });
  await waitForPort();
});
afterAll(async () => {
  server.kill();
  await t.cleanup();
});

const post = (body: unknown) =>
  POST(
    new Request("http://attest.test/api/v1/discovery/mcp", {
      method: "POST",
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    }),
    noParams,
  );

describe("POST /api/v1/discovery/mcp", () => {
  it("lists a live server's tools over HTTP and attaches them to the server already in the graph; again changes nothing", async () => {
    const expected = JSON.parse(readFileSync("db/seed/mcp-tools/everything.tools-list.json", "utf8")).tools as { name: string }[];
    const r = await post({ url, server: "mcp:mcp_server:github-mcp" });
    expect(r.status).toBe(201);
    const rec = await r.json();
    expect(rec.counts).toMatchObject({ nodesCreated: expected.length, edgesCreated: expected.length });
    const [gh] = await t.db.select().from(nodes).where(eq(nodes.externalId, "github-mcp"));
    const exposed = await t.db
      .select()
      .from(edges)
      .where(and(eq(edges.fromId, gh!.id), eq(edges.kind, "exposes"), isNull(edges.validTo)));
    expect(exposed).toHaveLength(expected.length + 1);
    const tool = (await t.db.select().from(nodes).where(eq(nodes.externalId, "github-mcp/echo")))[0]!;
    expect(tool.attributes).toMatchObject({ risk: "low", definitionHash: expect.stringMatching(/^sha256:/) });

    const again = await (await post({ url, server: "mcp:mcp_server:github-mcp" })).json();
    expect(Object.values(again.counts)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("creates a new server node, with the URL as a template (no user info, query names only)", async () => {
    const r = await post({ url: `http://user:pw@127.0.0.1:${port}/mcp?key=secret`, serverName: "sandbox", headers: { authorization: "Bearer not-stored" } });
    expect(r.status).toBe(201);
    const [s] = await t.db
      .select()
      .from(nodes)
      .where(and(eq(nodes.kind, "mcp_server"), eq(nodes.externalId, "sandbox")));
    expect(s!.attributes.url).toBe(`http://127.0.0.1:${port}/mcp?key={redacted}`);
    expect(JSON.stringify(s)).not.toMatch(/pw@|secret|not-stored/);
  });

  it("answers 400 for a bad URL, an unknown server or an unreachable endpoint", async () => {
    expect((await post({ url: "file:///etc/passwd", serverName: "x" })).status).toBe(400);
    expect((await post({ url })).status).toBe(400);
    expect((await post({ url, server: "mcp:tool:github-mcp/create_issue" })).status).toBe(400);
    const r = await post({ url: "http://127.0.0.1:9/mcp", serverName: "down" });
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(body.error.message).toMatch(/could not list/);
    expect(body.error.details).toEqual([{ path: "url", message: expect.stringMatching(/^refused: /) }]);
  });
});
