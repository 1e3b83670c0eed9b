import { readFileSync } from "node:fs";
import path from "node:path";
import { count, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodes } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { ALNUM, randomish } from "@/lib/ingest/secrets/fake-tokens";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { GET as getOne } from "./[id]/route";
import { GET, POST } from "./route";

let t: TestDatabase;
let analystToken: string;
let auditorToken: string;
const noParams = { params: Promise.resolve({}) } as never;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  const analyst = await actorByEmail(t, "ana@example.com");
  const auditor = await actorByEmail(t, "audit@example.com");
  analystToken = (await createApiToken(t.db, admin, { name: "a", userId: analyst.id, roles: ["analyst"] })).token;
  auditorToken = (await createApiToken(t.db, admin, { name: "b", userId: auditor.id, roles: ["auditor"] })).token;
});
afterAll(() => t.cleanup());

function post(body: BodyInit, type: string, query = "", token = analystToken, extra: Record<string, string> = {}) {
  return POST(
    new Request(`http://attest.test/api/v1/imports${query}`, {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${token}`, "content-type": type, ...extra },
    }),
    noParams,
  );
}

async function nodeCount() {
  const [r] = await t.db.select({ n: count() }).from(nodes);
  return r!.n;
}

const graphDoc = { source: "api-src", mode: "full", nodes: [{ kind: "agent", externalId: "a1", name: "Agent" }], edges: [] };

describe("POST /api/v1/imports", () => {
  it("applies a JSON graph document and answers 201 with the counts; the same again counts zero", async () => {
    const r = await post(JSON.stringify(graphDoc), "application/json");
    expect(r.status).toBe(201);
    const rec = await r.json();
    expect(rec.counts.nodesCreated).toBe(1);
    const again = await (await post(JSON.stringify(graphDoc), "application/json")).json();
    expect(Object.values(again.counts)).toEqual([0, 0, 0, 0, 0, 0]);
    const listed = await (
      await GET(new Request("http://attest.test/api/v1/imports", { headers: { authorization: `Bearer ${auditorToken}` } }), noParams)
    ).json();
    expect(listed.items[0].id).toBe(again.id);
    const one = await getOne(new Request(`http://attest.test/api/v1/imports/${rec.id}`, { headers: { authorization: `Bearer ${auditorToken}` } }), {
      params: Promise.resolve({ id: rec.id }),
    } as never);
    expect((await one.json()).status).toBe("succeeded");
  });

  it("streams JSONL", async () => {
    const body = [
      '{"source":"jsonl-src","mode":"full"}',
      ...Array.from({ length: 2500 }, (_, i) => JSON.stringify({ node: { kind: "service_account", externalId: `sa-${i}`, name: `svc ${i}` } })),
    ].join("\n");
    const stream = new ReadableStream({
      start(c) {
        const bytes = new TextEncoder().encode(body);
        for (let i = 0; i < bytes.length; i += 7000) c.enqueue(bytes.slice(i, i + 7000));
        c.close();
      },
    });
    const r = await POST(
      new Request("http://attest.test/api/v1/imports", {
        method: "POST",
        body: stream,
        headers: { authorization: `Bearer ${analystToken}`, "content-type": "application/x-ndjson" },
        duplex: "half",
      } as RequestInit),
      noParams,
    );
    expect(r.status).toBe(201);
    expect((await r.json()).counts.nodesCreated).toBe(2500);
  });

  it("reads a JSONL file sent as multipart line by line from its bytes", async () => {
    const form = new FormData();
    const body = [
      '{"source":"jsonl-form","mode":"full"}',
      ...["a", "b", "c"].map((x) => JSON.stringify({ node: { kind: "human", externalId: x, name: `Person ${x}` } })),
    ];
    form.set("file", new File([body.join("\r\n") + "\n"], "people.jsonl", { type: "application/x-ndjson" }));
    const r = await POST(
      new Request("http://attest.test/api/v1/imports", { method: "POST", body: form, headers: { authorization: `Bearer ${analystToken}` } }),
      noParams,
    );
    expect(r.status).toBe(201);
    const rec = await r.json();
    expect(rec.format).toBe("jsonl");
    expect(rec.fileName).toBe("people.jsonl");
    expect(rec.counts.nodesCreated).toBe(3);
  });

  it("imports CSV files sent as multipart", async () => {
    const form = new FormData();
    form.set("source", "csv-src");
    form.set("nodes", new File(["kind,externalId,name\nhuman,u1,Una\ngroup,g1,Group One\n"], "nodes.csv", { type: "text/csv" }));
    form.set("edges", new File(["kind,fromKind,fromExternalId,toKind,toExternalId\nmember_of,human,u1,group,g1\n"], "edges.csv", { type: "text/csv" }));
    const r = await POST(
      new Request("http://attest.test/api/v1/imports", { method: "POST", body: form, headers: { authorization: `Bearer ${analystToken}` } }),
      noParams,
    );
    expect(r.status).toBe(201);
    const rec = await r.json();
    expect(rec.counts).toMatchObject({ nodesCreated: 2, edgesCreated: 1 });
    expect(rec.fileName).toBe("nodes.csv + edges.csv");
  });

  it("rejects an invalid document with 400, every problem located, and nothing written", async () => {
    const before = await nodeCount();
    const r = await post(
      JSON.stringify({
        source: "bad",
        nodes: [
          { kind: "agent", name: "x" },
          { kind: "nope", externalId: "1", name: "y" },
        ],
      }),
      "application/json",
    );
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(["nodes[0].externalId", "nodes[1].kind"]);
    expect(body.import.status).toBe("rejected");
    expect(await nodeCount()).toBe(before);
  });

  it("answers 413 for a body over the limit before reading it, 415 for a wrong type, 400 for broken JSON", async () => {
    process.env.ATTEST_MAX_IMPORT_MB = "1";
    try {
      const big = await post("x", "application/json", "", analystToken, { "content-length": String(5 * 1024 * 1024) });
      expect(big.status).toBe(413);
      const streamedBig = await post(
        JSON.stringify({ source: "s", nodes: [{ kind: "agent", externalId: "a", name: "x".repeat(1.5 * 1024 * 1024) }] }),
        "application/json",
      );
      expect(streamedBig.status).toBe(413);
    } finally {
      delete process.env.ATTEST_MAX_IMPORT_MB;
    }
    expect((await post("<xml/>", "application/xml")).status).toBe(415);
    const broken = await post('{"source": "s", "nodes": [', "application/json");
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.message).toMatch(/not valid JSON/);
    const query = await post(JSON.stringify(graphDoc), "application/json", "?mode=sometimes&color=red");
    expect(query.status).toBe(400);
    expect((await query.json()).error.details.map((d: { path: string }) => d.path).sort()).toEqual(["color", "mode"]);
  });

  it("imports peers' formats: BloodHound OpenGraph and a Baton template, from the real samples", async () => {
    const bh = readFileSync(path.join("lib/ingest/bloodhound/fixtures/sample-bhce-output.json"), "utf8");
    const r1 = await post(bh, "application/json", "?format=bloodhound-opengraph&source=bhce");
    expect(r1.status).toBe(201);
    expect((await r1.json()).counts).toMatchObject({ nodesCreated: 38, edgesCreated: 33 });
    const baton = readFileSync(path.join("lib/ingest/baton/fixtures/template.json"), "utf8");
    const r2 = await post(baton, "application/json", "?format=baton&source=baton-demo");
    expect(r2.status).toBe(201);
    expect((await r2.json()).counts).toMatchObject({ nodesCreated: 26, edgesCreated: 19 });
    const noSource = await post(baton, "application/json", "?format=baton");
    expect(noSource.status).toBe(400);
    expect((await noSource.json()).error.details[0].path).toBe("source");
    const notBh = await post(JSON.stringify({ graph: 1 }), "application/json", "?format=bloodhound-opengraph&source=bhce");
    expect(notBh.status).toBe(400);
  });

  it("imports an MCP client config: servers, a hard-coded credential by fingerprint, never its value", async () => {
    const token = `ghp_${randomish(36, ALNUM, 42)}`;
    const config = `// pasted from a laptop\n"mcpServers": { "github": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"], "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "${token}" } } }`;
    const r = await post(config, "text/plain", "?format=mcp-config&source=laptop-ada");
    expect(r.status).toBe(201);
    const rec = await r.json();
    expect(rec.counts).toMatchObject({ nodesCreated: 2, edgesCreated: 1 });
    const rows = await t.db.select().from(nodes);
    const cred = rows.find((n) => n.kind === "credential" && n.externalId.startsWith("github"))!;
    expect(cred.attributes).toMatchObject({ storage: "hard_coded", fingerprint: expect.stringMatching(/^hmac-sha256:/) });
    const server = rows.find((n) => n.kind === "mcp_server" && n.externalId === "github")!;
    expect(server.attributes).toMatchObject({ package: "@modelcontextprotocol/server-github", pinned: false });
    // The value is nowhere: not in any node, edge, import record or audit event.
    const everything = JSON.stringify(
      await t.db.execute(
        sql`select (select json_agg(n) from nodes n) as n, (select json_agg(e) from edges e) as e, (select json_agg(i) from imports i) as i, (select json_agg(a) from audit_events a) as a`,
      ),
    );
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.slice(4, 20));
  });

  it("an auditor may read imports but not run one", async () => {
    const r = await post(JSON.stringify(graphDoc), "application/json", "", auditorToken);
    expect(r.status).toBe(403);
  });
});

describe("GET /api/v1/imports/{id}", () => {
  const getRun = (id: string, query = "", token = auditorToken) =>
    getOne(new Request(`http://attest.test/api/v1/imports/${id}${query}`, { headers: { authorization: `Bearer ${token}` } }), {
      params: Promise.resolve({ id }),
    } as never);

  it("pages the problems of a rejected run, naming paths and never the input values", async () => {
    const bad = {
      source: "paged-src",
      mode: "full",
      nodes: Array.from({ length: 5 }, (_, i) => ({ kind: "wizard", externalId: `w${i}`, name: `SECRETNAME${i}` })),
      edges: [],
    };
    const r = await post(JSON.stringify(bad), "application/json");
    expect(r.status).toBe(400);
    const id = ((await r.json()) as { import: { id: string } }).import.id;
    const all = await (await getRun(id)).json();
    expect(all.status).toBe("rejected");
    expect(all.errorCount).toBe(5);
    expect(all.errorsPage).toEqual({ offset: 0, limit: 1000, stored: 5 });
    const page = await (await getRun(id, "?errorsOffset=1&errorsLimit=2")).json();
    expect(page.errors).toEqual(all.errors.slice(1, 3));
    expect(page.errorsPage).toEqual({ offset: 1, limit: 2, stored: 5 });
    expect(page.errors[0].path).toMatch(/nodes\[1\]/);
    expect(JSON.stringify(all.errors)).not.toContain("SECRETNAME");
    const past = await (await getRun(id, "?errorsOffset=10")).json();
    expect(past.errors).toEqual([]);
  });

  it("refuses an unknown or out-of-range query parameter with 400 naming it, and answers 404 for an unknown run", async () => {
    const listed = await (
      await GET(new Request("http://attest.test/api/v1/imports", { headers: { authorization: `Bearer ${auditorToken}` } }), noParams)
    ).json();
    const id = listed.items[0].id as string;
    for (const [query, path] of [
      ["?errorsLimit=0", "errorsLimit"],
      ["?errorsOffset=-1", "errorsOffset"],
      ["?page=2", "page"],
    ] as const) {
      const r = await getRun(id, query);
      expect(r.status, query).toBe(400);
      expect((await r.json()).error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await getRun("imp_nope")).status).toBe(404);
  });
});
