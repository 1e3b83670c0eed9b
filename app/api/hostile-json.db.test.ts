import { and, count, eq, isNull } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { scim } from "@/app/scim/v2/scim-test-client";
import { nodes } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { createSource } from "@/lib/admin/sources";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { POST as campaignsPost } from "./v1/campaigns/route";
import { PUT as settingsPut } from "./v1/findings/settings/route";
import { POST as importPost } from "./v1/imports/route";
import { GET as nodeGet } from "./v1/nodes/[id]/route";

/**
 * Issue #8, uploads and bodies: `__proto__` anywhere in imported documents,
 * attributes and API bodies is refused by name (400 naming where) and never
 * reaches an object merge; `constructor` and `prototype` are kept as plain
 * data; nesting depth and keys per object are bounded; nothing is written
 * by a refused request; Object.prototype is never touched.
 */

let t: TestDatabase;
let token = "";
let scimToken = "";
const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

type Handler = (req: Request, ctx: never) => Promise<Response>;
async function send(handler: Handler, url: string, body: string, type: string, method = "POST", params: Record<string, string> = {}) {
  const res = await handler(
    new Request(`http://attest.test/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": type }, body }),
    { params: Promise.resolve(params) } as never,
  );
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: JSON.parse(text) as { error?: { message: string; details: { path: string; message: string }[] }; counts?: Record<string, number> },
  };
}
const importJson = (doc: unknown) => send(importPost, "/imports", typeof doc === "string" ? doc : JSON.stringify(doc), "application/json");
const nodeCount = async (externalId?: string) => {
  const [row] = await t.db
    .select({ n: count() })
    .from(nodes)
    .where(externalId ? eq(nodes.externalId, externalId) : isNull(nodes.validTo));
  return row!.n;
};

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  token = (await createApiToken(t.db, admin, { name: "admin", userId: admin.id, roles: ["admin"] })).token;
  scimToken = (await createSource(t.db, admin, { name: "idp-scim", type: "scim" })).scimToken;
});
afterAll(() => t.cleanup());
afterEach(() => {
  // Whatever a test sent, the prototype every object shares is exactly as it was.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
});

describe("__proto__, constructor and prototype keys", () => {
  it("a graph document with __proto__ in attributes is refused naming the place, and nothing is written", async () => {
    const before = await nodeCount();
    const r = await importJson(
      `{"source":"lab","mode":"incremental","nodes":[{"kind":"agent","externalId":"p1","name":"P1","attributes":{"__proto__":{"polluted":"yes","isAdmin":true}}}]}`,
    );
    expect(r.status).toBe(400);
    expect(r.json.error!.details).toEqual([{ path: "nodes[0].attributes.__proto__", message: "the key __proto__ is not accepted" }]);
    expect(await nodeCount()).toBe(before);
  });

  it("constructor and prototype keys are stored and read back as plain data", async () => {
    const r = await importJson({
      source: "lab",
      mode: "incremental",
      nodes: [
        {
          kind: "agent",
          externalId: "p2",
          name: "P2",
          attributes: { constructor: { prototype: { polluted: "yes" } }, prototype: { isAdmin: true }, toString: "text", hasOwnProperty: 1 },
        },
      ],
    });
    expect(r.status, r.text).toBe(201);
    const [row] = await t.db
      .select()
      .from(nodes)
      .where(and(eq(nodes.externalId, "p2"), isNull(nodes.validTo)));
    expect(row!.attributes).toEqual({ constructor: { prototype: { polluted: "yes" } }, prototype: { isAdmin: true }, toString: "text", hasOwnProperty: 1 });
    const res = await nodeGet(new Request(`http://attest.test/api/v1/nodes/${row!.id}`, { headers: { authorization: `Bearer ${token}` } }), {
      params: Promise.resolve({ id: row!.id }),
    } as never);
    expect(((await res.json()) as { attributes: unknown }).attributes).toEqual(row!.attributes);
  });

  it("JSONL: a line with __proto__ is reported by its line number", async () => {
    const body = [
      '{"source":"lab","mode":"incremental"}',
      '{"node":{"kind":"agent","externalId":"p3","name":"P3"}}',
      '{"node":{"kind":"agent","externalId":"p4","name":"P4","attributes":{"a":{"__proto__":{"polluted":1}}}}}',
    ].join("\n");
    const r = await send(importPost, "/imports", body, "application/x-ndjson");
    expect(r.status).toBe(400);
    expect(r.json.error!.details).toEqual([{ path: "line 3: node.attributes.a.__proto__", message: "the key __proto__ is not accepted" }]);
    expect(await nodeCount("p3")).toBe(0);
  });

  it("CSV: a __proto__ column, or __proto__ inside the attributes column, is refused by line", async () => {
    const column = await send(importPost, "/imports?source=hr", "kind,externalId,name,__proto__\nhuman,c1,C One,x\n", "text/csv");
    expect(column.status).toBe(400);
    expect(column.json.error!.details[0]).toEqual({ path: "nodes.csv line 2", message: "attributes.__proto__: the key __proto__ is not accepted" });
    const inside = await send(
      importPost,
      "/imports?source=hr",
      'kind,externalId,name,attributes\nhuman,c2,C Two,"{""__proto__"":{""polluted"":1}}"\n',
      "text/csv",
    );
    expect(inside.status).toBe(400);
    expect(inside.json.error!.details[0]!.message).toContain("__proto__");
  });

  it("MCP configs: a server or key named __proto__ is refused naming the place, in JSON, TOML and YAML; constructor stays plain data", async () => {
    const config = '{"mcpServers":{"__proto__":{"command":"npx","args":["-y","pkg@1.0.0"]},"ok":{"command":"uvx","env":{"constructor":"y"}}}}';
    const r = await send(importPost, "/imports?format=mcp-config&source=laptop-proto", config, "text/plain");
    expect(r.status, r.text).toBe(400);
    expect(r.json.error!.details).toEqual([{ path: "mcpServers.__proto__", message: "the key __proto__ is not accepted" }]);
    const toml = await send(
      importPost,
      "/imports?format=mcp-config&source=laptop-proto",
      '[mcp_servers.a]\ncommand = "npx"\n[mcp_servers.a.env]\n"__proto__" = "x"\n',
      "text/plain",
    );
    expect(toml.json.error!.details).toEqual([{ path: "mcp_servers.a.env.__proto__", message: "the key __proto__ is not accepted" }]);
    const yaml = await send(
      importPost,
      "/imports?format=mcp-config&source=laptop-proto",
      "mcpServers:\n  - name: a\n    command: npx\n    __proto__: {polluted: 1}\n",
      "text/plain",
    );
    expect(yaml.json.error!.details).toEqual([{ path: "mcpServers[0].__proto__", message: "the key __proto__ is not accepted" }]);
    expect((await t.db.select().from(nodes).where(eq(nodes.kind, "mcp_server"))).filter((n) => ["__proto__", "a", "ok"].includes(n.externalId))).toEqual([]);
    const plain = await send(
      importPost,
      "/imports?format=mcp-config&source=laptop-proto",
      '{"mcpServers":{"constructor":{"command":"uvx","args":["tool==1.0"],"env":{"constructor":"y"}}}}',
      "text/plain",
    );
    expect(plain.status, plain.text).toBe(201);
    const server = (await t.db.select().from(nodes).where(eq(nodes.externalId, "constructor"))).find((n) => n.kind === "mcp_server")!;
    expect(Object.getPrototypeOf(server.attributes)).toBe(Object.prototype);
    expect((server.attributes as { envKeys?: string[] }).envKeys).toEqual(["constructor"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("BloodHound OpenGraph properties with __proto__ are refused naming the place", async () => {
    const doc = { graph: { nodes: [{ id: "u1", kinds: ["User"], properties: { name: "u1", __proto__: { polluted: 1 } } }], edges: [] } };
    const text = JSON.stringify(doc).replace('"properties":{"name":"u1"', '"properties":{"name":"u1","__proto__":{"polluted":1}');
    const r = await send(importPost, "/imports?format=bloodhound-opengraph&source=bhce", text, "application/json");
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json.error!.details)).toContain("graph.nodes[0].properties.__proto__");
  });

  it("API bodies: __proto__ is refused before validation; an unknown constructor key is an unknown field", async () => {
    const campaign = await send(campaignsPost, "/campaigns", '{"name":"x","__proto__":{"isAdmin":true}}', "application/json");
    expect(campaign.status).toBe(400);
    expect(campaign.json.error!.details).toEqual([{ path: "__proto__", message: "the key __proto__ is not accepted" }]);
    const settings = await send(settingsPut, "/findings/settings", '{"constructor":{"prototype":{"isAdmin":true}}}', "application/json", "PUT");
    expect(settings.status).toBe(400);
    expect(settings.json.error!.details.map((d) => d.path)).toContain("constructor");
  });

  it("SCIM: a body with __proto__ is refused; a PATCH path naming __proto__ changes no prototype", async () => {
    const created = await scim("POST", "/Users", {
      token: scimToken,
      body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "proto@example.com" },
    });
    expect(created.status).toBe(201);
    const bad = await scim("POST", "/Users", {
      token: scimToken,
      raw: '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"p2@example.com","__proto__":{"polluted":1}}',
    });
    expect(bad.status).toBe(400);
    for (const path of ["__proto__.polluted", "constructor.prototype.polluted", "name.__proto__.polluted"]) {
      const r = await scim("PATCH", `/Users/${created.body.id}`, {
        token: scimToken,
        body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path, value: "yes" }] },
      });
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBeLessThan(500);
    }
  });
});

describe("nesting and key count bounds on uploads", () => {
  it("a graph document nested deeper than 64 levels is refused with 400 naming where", async () => {
    const deep = `{"source":"lab","mode":"incremental","nodes":[{"kind":"agent","externalId":"d1","name":"D","attributes":${'{"a":'.repeat(100)}1${"}".repeat(100)}}]}`;
    const r = await importJson(deep);
    expect(r.status).toBe(400);
    expect(r.json.error!.details[0]!.path).toMatch(/^nodes\[0\]\.attributes(\.a)+$/);
    expect(r.json.error!.details[0]!.message).toBe("nesting deeper than 64 levels");
    const million = await importJson(`${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`);
    expect(million.status).toBe(400);
  });

  it("an object with more than 10,000 keys is refused naming it", async () => {
    const attributes = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, i]));
    const r = await importJson({ source: "lab", mode: "incremental", nodes: [{ kind: "agent", externalId: "w1", name: "W", attributes }] });
    expect(r.status).toBe(400);
    expect(r.json.error!.details).toEqual([{ path: "nodes[0].attributes", message: "an object with 10001 keys (at most 10000)" }]);
  });

  it("an import declared in a charset other than UTF-8 is 415; bytes that are not UTF-8 are 400", async () => {
    expect((await send(importPost, "/imports", "{}", "application/json; charset=iso-8859-1")).status).toBe(415);
    const latin1 = Buffer.from('{"source":"lab","mode":"incremental","nodes":[{"kind":"agent","externalId":"l1","name":"Zo\xeb"}]}', "latin1");
    const res = await importPost(
      new Request("http://attest.test/api/v1/imports", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: latin1,
      }),
      { params: Promise.resolve({}) } as never,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("the body is not valid UTF-8");
  });
});
