import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { format } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { updateOutboundSettings } from "@/lib/admin/outbound-settings";
import type { Actor } from "@/lib/authz/actor";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { POST } from "./route";

/**
 * Discovery is a server-side request an analyst aims: it must not reach
 * loopback, private or metadata addresses unless an admin opened them, follow
 * no redirect, and never hand the remote's answer back. The targets are real
 * servers on 127.0.0.1 that answer with a secret.
 */
const SECRET = "INTERNAL-ADMIN-SECRET-42 db_password=hunter2";
const LEAK = /INTERNAL-ADMIN-SECRET|hunter2/;

let t: TestDatabase;
let admin: Actor;
let token: string;
let internal: http.Server;
let port: number;
const hits: string[] = [];
const sockets = new Set<Socket>();
const logs: string[] = [];
const noParams = { params: Promise.resolve({}) } as never;

/** An "internal service": every path answers with the secret, in the body and in headers, in a different way. */
function internalService(req: http.IncomingMessage, res: http.ServerResponse) {
  hits.push(req.url ?? "");
  const path = new URL(req.url!, "http://x").pathname;
  const h = { "x-internal-token": SECRET, "www-authenticate": `Bearer realm="${SECRET}"` };
  if (path === "/status-500") return res.writeHead(500, { ...h, "content-type": "text/plain" }).end(SECRET);
  if (path === "/status-401") return res.writeHead(401, { ...h, "content-type": "application/json" }).end(JSON.stringify({ error: SECRET }));
  if (path === "/html") return res.writeHead(200, { ...h, "content-type": "text/html" }).end(`<h1>${SECRET}</h1>`);
  if (path === "/json") return res.writeHead(200, { ...h, "content-type": "application/json" }).end(JSON.stringify({ config: SECRET }));
  if (path === "/bad-json") return res.writeHead(200, { ...h, "content-type": "application/json" }).end(SECRET);
  if (path === "/rpc-error")
    return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: 0, error: { code: -32000, message: SECRET } }));
  if (path === "/redirect-metadata") return res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/iam/" }).end(SECRET);
  if (path === "/redirect-inside") return res.writeHead(302, { location: `http://127.0.0.1:${port}/secret-target` }).end(SECRET);
  res.writeHead(200, { "content-type": "text/plain" }).end(SECRET);
}

beforeAll(async () => {
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(format(...args)));
  }
  internal = http.createServer(internalService);
  internal.on("connection", (s) => (sockets.add(s), s.on("close", () => sockets.delete(s))));
  await new Promise<void>((r) => internal.listen(0, "127.0.0.1", r));
  port = (internal.address() as AddressInfo).port;
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  admin = await actorByEmail(t, "admin@example.com");
  const analyst = await actorByEmail(t, "ana@example.com");
  token = (await createApiToken(t.db, admin, { name: "a", userId: analyst.id, roles: ["analyst"] })).token;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => internal.close(r));
  await t.cleanup();
  vi.restoreAllMocks();
});
beforeEach(() => void (hits.length = 0));

const allow = (allowHosts: string[], allowPrivateRanges: string[] = []) => updateOutboundSettings(t.db, admin, { allowHosts, allowPrivateRanges });

async function discover(url: string) {
  const r = await POST(
    new Request("http://attest.test/api/v1/discovery/mcp", {
      method: "POST",
      body: JSON.stringify({ url, serverName: "probe" }),
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    }),
    noParams,
  );
  const text = await r.text();
  expect(text, "the answer never carries the remote's words").not.toMatch(LEAK);
  return {
    status: r.status,
    text,
    error: (JSON.parse(text) as { error: { code: string; message: string; details: { path: string; message: string }[] } }).error,
  };
}

/** The failure class named in the answer's detail for `url`. */
async function failureOf(url: string): Promise<string> {
  const { status, error } = await discover(url);
  expect(status).toBe(400);
  expect(error.details).toHaveLength(1);
  expect(error.details[0]!.path).toBe("url");
  return error.details[0]!.message.split(":")[0]!;
}

describe("discovery reaches only what an admin allowed", () => {
  it("with nothing allowed (the default), every host is refused as not_allowed and nothing is contacted", async () => {
    await allow([]);
    expect(await failureOf(`http://127.0.0.1:${port}/mcp`)).toBe("not_allowed");
    expect(await failureOf("https://mcp.example.com/mcp")).toBe("not_allowed");
    expect(hits).toEqual([]);
  });

  it("a host not on the allow-list is refused even when others are", async () => {
    await allow(["mcp.example.com", "*.tools.example.org"]);
    expect(await failureOf("https://api.github.com/mcp")).toBe("not_allowed");
    expect(await failureOf("https://tools.example.org/mcp")).toBe("not_allowed");
  });

  it("loopback, metadata and private addresses are refused in every spelling, even with every host allowed", async () => {
    await allow(["*"]);
    for (const u of [
      `http://127.0.0.1:${port}/mcp`,
      `http://localhost:${port}/mcp`,
      `http://[::1]:${port}/mcp`,
      `http://[::ffff:127.0.0.1]:${port}/mcp`,
      `http://2130706433:${port}/mcp`,
      `http://0177.0.0.1:${port}/mcp`,
      "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
      "http://[fd00:ec2::254]/latest/meta-data/",
      "http://10.0.0.5/mcp",
    ]) {
      expect(await failureOf(u), u).toBe("blocked_address");
    }
    expect(hits).toEqual([]);
  });

  it("an allowed name that resolves to loopback is refused unless the loopback range is opened too", async () => {
    await allow(["localhost"]);
    expect(await failureOf(`http://localhost:${port}/mcp`)).toBe("blocked_address");
    expect(hits).toEqual([]);
  });

  it("the error names the class, not the URL the analyst sent", async () => {
    await allow([]);
    const { error } = await discover(`http://internal-billing.corp:8080/mcp?key=abc`);
    expect(JSON.stringify(error)).not.toMatch(/internal-billing|abc/);
  });
});

describe("an opened internal service never gets its answer back to the analyst", () => {
  beforeAll(() => allow(["127.0.0.1"], ["127.0.0.1/32"]));

  it.each([
    ["/status-500", "http_status", /HTTP 500/],
    ["/status-401", "http_status", /HTTP 401/],
    ["/html", "not_mcp", /not answer as/],
    ["/json", "not_mcp", /not answer as/],
    ["/bad-json", "not_mcp", /not answer as/],
    ["/rpc-error", "mcp_error", /MCP server answered with an error/],
  ])("%s answers 400 %s, without the secret", async (path, failure, message) => {
    const { status, error } = await discover(`http://127.0.0.1:${port}${path}`);
    expect(status).toBe(400);
    expect(error.details[0]!.message.split(":")[0]).toBe(failure);
    expect(error.message).toMatch(message);
    expect(hits[0]).toBe(path);
  });

  it("a redirect is not followed, to the metadata address or back inside", async () => {
    expect(await failureOf(`http://127.0.0.1:${port}/redirect-metadata`)).toBe("redirect");
    expect(await failureOf(`http://127.0.0.1:${port}/redirect-inside`)).toBe("redirect");
    expect(hits).not.toContain("/secret-target");
  });

  it("no log line carries the remote's answer", () => {
    expect(logs.join("\n")).not.toMatch(LEAK);
  });
});
