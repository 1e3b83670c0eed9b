import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { nodes, toolUsage } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { POST } from "./route";

const FIXTURES = path.join(process.cwd(), "lib/usage/fixtures");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), "utf8");

let t: TestDatabase;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};
const noParams = { params: Promise.resolve({}) } as never;
const post = (body: string | Uint8Array, headers: Record<string, string> = {}, token = tokens.admin!) =>
  POST(
    new Request("http://attest.test/api/v1/usage/otlp/v1/traces", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: body as BodyInit,
    }),
    noParams,
  );

/** One tool-call span, as a gateway would send it. */
function span(attrs: Record<string, string>, endNanos = "1764979200250000000") {
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: Math.random().toString(16).slice(2, 18).padEnd(16, "0"),
    name: "tools/call",
    kind: 3,
    startTimeUnixNano: "1764979200000000000",
    endTimeUnixNano: endNanos,
    attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } })),
  };
}
const request = (spans: unknown[]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: "gw" }, spans }] }] });

beforeAll(async () => {
  t = await createTestDatabase();
  const g = smallGraph();
  // The published MCP example's agent and tool (lib/usage/fixtures/PROVENANCE.md), on two servers for the ambiguity case.
  g.nodes.push(
    { source: "mcp", kind: "agent", externalId: "weather-forecast-agent", name: "Weather forecast agent", attributes: { status: "active" } },
    { source: "mcp", kind: "mcp_server", externalId: "weather", name: "weather", attributes: { url: "https://weather.example.com/mcp" } },
    { source: "mcp", kind: "tool", externalId: "weather/get-weather", name: "get-weather" },
    { source: "mcp", kind: "mcp_server", externalId: "weather-eu", name: "weather-eu", attributes: { url: "https://eu.weather.example.com/mcp" } },
    { source: "mcp", kind: "tool", externalId: "weather-eu/get-weather", name: "get-weather" },
  );
  g.edges.push(
    { source: "mcp", kind: "exposes", from: { kind: "mcp_server", externalId: "weather" }, to: { kind: "tool", externalId: "weather/get-weather" } },
    { source: "mcp", kind: "exposes", from: { kind: "mcp_server", externalId: "weather-eu" }, to: { kind: "tool", externalId: "weather-eu/get-weather" } },
  );
  await seedGraph(t.db, g);
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  for (const [email, role] of [
    ["admin@example.com", "admin"],
    ["audit@example.com", "auditor"],
  ] as const) {
    const u = await actorByEmail(t, email);
    tokens[role] = (await createApiToken(t.db, admin, { name: role, userId: u.id, roles: [role] })).token;
  }
  const find = async (kind: "agent" | "tool", externalId: string) =>
    (
      await t.db
        .select({ id: nodes.id })
        .from(nodes)
        .where(and(eq(nodes.kind, kind), eq(nodes.externalId, externalId)))
    )[0]!.id;
  ids.weatherAgent = await find("agent", "weather-forecast-agent");
  ids.bot = await find("agent", "bot");
  ids.getWeather = await find("tool", "weather/get-weather");
  ids.getWeatherEu = await find("tool", "weather-eu/get-weather");
  ids.createIssue = await find("tool", "github-mcp/create_issue");
});
afterAll(() => t.cleanup());
beforeEach(async () => {
  await t.db.delete(toolUsage);
});

describe("POST /api/v1/usage/otlp/v1/traces", () => {
  it("accepts the OTLP specification's example trace (no MCP span): 200 {}, nothing recorded, nothing rejected", async () => {
    const res = await post(fixture("otlp-trace-example.json"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(await t.db.select().from(toolUsage)).toEqual([]);
  });

  it("records the semantic conventions' MCP tool-call example once (client and server span of one request), at the span's end time, seen via otlp", async () => {
    const res = await post(fixture("mcp-tool-call.otlp.json"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const rows = await t.db.select().from(toolUsage);
    expect(rows).toEqual([
      expect.objectContaining({
        subjectId: ids.weatherAgent,
        // the server span's resource names the server "weather": the tool is that server's get-weather
        toolId: ids.getWeather,
        calls: 1,
        lastSeenVia: "otlp",
        lastUsedAt: new Date(1764979200250),
      }),
    ]);
  });

  it("answers partial success counting the tool-call spans it could not use, with reasons; the usable ones are recorded", async () => {
    const res = await post(
      request([
        span({ "mcp.method.name": "tools/call", "gen_ai.tool.name": "create_issue", "gen_ai.agent.id": "bot" }),
        span({ "mcp.method.name": "tools/call", "gen_ai.tool.name": "create_issue", "gen_ai.agent.id": ids.bot! }, "1764979300000000000"),
        span({ "mcp.method.name": "tools/call", "gen_ai.tool.name": "create_issue" }),
        span({ "mcp.method.name": "tools/call", "gen_ai.tool.name": "create_issue", "gen_ai.agent.id": "nobody" }),
        span({ "mcp.method.name": "tools/call", "gen_ai.tool.name": "no_such_tool", "gen_ai.agent.id": "bot" }),
        span({ "mcp.method.name": "tools/call", "gen_ai.tool.name": "get-weather", "gen_ai.agent.id": "bot" }),
        span({ "mcp.method.name": "tools/call", "gen_ai.tool.name": "get-weather", "gen_ai.agent.id": "bot", "server.address": "eu.weather.example.com" }),
        span({ "mcp.method.name": "tools/list", "gen_ai.agent.id": "bot" }),
        "not a span",
      ]),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe("5");
    for (const words of [
      "1 malformed span",
      "1 no gen_ai.agent.id",
      "1 agent not known",
      "1 tool not known",
      "1 tool name matches tools on more than one server",
    ])
      expect(body.partialSuccess.errorMessage).toContain(words);
    const rows = await t.db.select().from(toolUsage);
    expect(rows.find((r) => r.toolId === ids.createIssue)).toMatchObject({ subjectId: ids.bot, calls: 2, lastUsedAt: new Date(1764979300000) });
    expect(rows.find((r) => r.toolId === ids.getWeatherEu)).toMatchObject({ subjectId: ids.bot, calls: 1 });
    expect(rows).toHaveLength(2);
  });

  it("takes gzip; refuses protobuf with 415 saying JSON only, malformed JSON and wrong shapes with 400, and needs usage.ingest", async () => {
    const gz = await post(gzipSync(Buffer.from(fixture("mcp-tool-call.otlp.json"))), { "content-encoding": "gzip" });
    expect(gz.status).toBe(200);
    expect((await t.db.select().from(toolUsage)).length).toBe(1);

    const proto = await post(new Uint8Array([0x0a, 0x00]), { "content-type": "application/x-protobuf" });
    expect(proto.status).toBe(415);
    expect(((await proto.json()) as { error: { message: string } }).error.message).toMatch(/protobuf is not accepted.*application\/json/);
    const bad = await post("{ not json");
    expect(bad.status).toBe(400);
    const shape = await post(JSON.stringify({ resourceSpans: {} }));
    expect(shape.status).toBe(400);
    expect(JSON.stringify(await shape.json())).toContain("resourceSpans");
    expect((await post("{}", {}, tokens.auditor)).status).toBe(403);
  });

  it("refuses a body over the size limit with 413 before reading it whole", async () => {
    const res = await post("{}", { "content-length": String(5 * 1024 * 1024) });
    expect(res.status).toBe(413);
  });
});
