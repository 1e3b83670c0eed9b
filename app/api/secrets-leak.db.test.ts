import { readFileSync } from "node:fs";
import path from "node:path";
import { format } from "node:util";
import { sql, type SQL } from "drizzle-orm";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { launched } from "@/lib/campaigns/test-helpers";
import { rasterisePdf } from "@/lib/evidence/pdf-ink";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { decodeConverted } from "@/lib/ingest/import-items";
import { redactUrl } from "@/lib/ingest/mcp-discovery/run-discovery";
import { discoveryToGraph } from "@/lib/ingest/mcp-discovery/to-graph";
import { runImport } from "@/lib/ingest/run-import";
import { ALNUM, fakeJwt, fakePem, HEX, randomish, unshapedValues } from "@/lib/ingest/secrets/fake-tokens";
import { loadSecretlintCorpus } from "@/lib/ingest/secrets/secretlint-corpus";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { GET as auditEventsRoute } from "./v1/audit/events/route";
import { GET as auditVerifyRoute } from "./v1/audit/verify/route";
import { GET as evidenceRoute } from "./v1/campaigns/[id]/evidence/route";
import { POST as evaluateRoute } from "./v1/findings/evaluate/route";
import { GET as findingsRoute } from "./v1/findings/route";
import { GET as importRoute } from "./v1/imports/[id]/route";
import { GET as importsRoute, POST as importPost } from "./v1/imports/route";
import { GET as neighborsRoute } from "./v1/nodes/[id]/neighbors/route";
import { GET as nodeRoute } from "./v1/nodes/[id]/route";
import { GET as nodesRoute } from "./v1/nodes/route";
import { scim } from "../scim/v2/scim-test-client";
import { createSource } from "@/lib/admin/sources";
import { GET as exportTasksRoute } from "./v1/remediation/tasks/export/route";
import { GET as reportRoute } from "./v1/reports/access/route";
import { GET as tokensRoute, POST as tokensPost } from "./v1/tokens/route";

/**
 * Issue #8: no credential value, API token or session secret may appear in
 * logs, error answers, audit events, stored rows or exports. Real
 * secret-shaped values (secretlint's labelled "must report" cases, vendored
 * under lib/ingest/secrets/fixtures) are imported inside MCP client configs
 * (one of them the vendored README config of the GitHub server, with its
 * placeholder replaced), through the HTTP API, including requests that fail;
 * then every place a value could end up is read back and searched.
 *
 * Issue #13 extends it: random values that no detector recognises, placed in
 * an MCP config's args, url, headers and env, are not kept (redaction by
 * construction); secret-shaped values in graph-document / JSONL / CSV
 * attributes, SCIM resources and a discovery URL are refused or templated;
 * and besides whole rows, every text, varchar, json and jsonb column of every
 * table (information_schema) is searched.
 */

const CORPUS = path.resolve("lib/ingest/secrets/fixtures/secretlint-snapshots");
const GITHUB_CONFIG = path.resolve("lib/ingest/mcp-config/fixtures/client-configs/archived-github__00__claude-desktop.json");
const FAMILIES = [
  "github",
  "gitlab",
  "slack",
  "aws",
  "openai",
  "anthropic",
  "npm",
  "stripe",
  "sendgrid",
  "huggingface",
  "gcp",
  "privatekey",
  "database-connection-string",
  "basicauth",
];
const AUTH_SECRET = "test-auth-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const BOOTSTRAP = "test-bootstrap-token-5a4b3c2d1e0f9a8b";

/** Up to two flagged values per family, long enough that finding one by accident is impossible. */
function corpusSecrets(): { family: string; value: string }[] {
  const out: { family: string; value: string }[] = [];
  for (const family of FAMILIES) {
    const values = loadSecretlintCorpus(CORPUS)
      .filter((c) => c.family === family && c.label === "report")
      .flatMap((c) => c.messages.map((m) => c.text.slice(m.start, m.end).trim()))
      .filter((v) => v.length >= 20 && !/^\d+$/.test(v));
    for (const value of [...new Set(values)].slice(0, 2)) out.push({ family, value });
  }
  return out;
}

let t: TestDatabase;
const secrets = corpusSecrets();
const tokens: Record<string, string> = {};
const answers: string[] = []; // every response body, as text (PDFs as their extracted text, zips file by file)
const logs: string[] = [];
const saved = { auth: process.env.AUTH_SECRET, bootstrap: process.env.ATTEST_BOOTSTRAP_TOKEN };
let createdToken = "";
/** Values placed by the issue #13 cases, each of which must be found nowhere afterwards. */
const planted: { what: string; value: string }[] = [];
const plant = (what: string, value: string) => (planted.push({ what, value }), value);

type Handler = (req: Request, ctx: never) => Promise<Response>;
async function call(
  handler: Handler,
  url: string,
  init: { method?: string; token?: string; body?: string; type?: string; params?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { authorization: `Bearer ${init.token ?? tokens.admin}` };
  if (init.type) headers["content-type"] = init.type;
  const res = await handler(new Request(`http://attest.test/api/v1${url}`, { method: init.method ?? "GET", headers, body: init.body }), {
    params: Promise.resolve(init.params ?? {}),
  } as never);
  const bytes = new Uint8Array(await res.arrayBuffer());
  answers.push(...readable(bytes, res.headers.get("content-type") ?? ""));
  return { status: res.status, bytes, text: new TextDecoder().decode(bytes) };
}

/** An answer as text to search: zips file by file, PDFs through pdftotext, the rest as UTF-8. */
function readable(bytes: Uint8Array, type: string): string[] {
  if (type.startsWith("application/zip"))
    return Object.entries(unzipSync(bytes)).flatMap(([name, data]) => [name, ...readable(data, name.endsWith(".pdf") ? "application/pdf" : "text/plain")]);
  if (type.startsWith("application/pdf")) return [rasterisePdf(bytes).text];
  return [new TextDecoder().decode(bytes)];
}

const rows = async <T>(query: SQL) => ((await t.db.execute(query)) as unknown as { rows: T[] }).rows;

function mcpConfig(servers: Record<string, unknown>) {
  return JSON.stringify({ mcpServers: servers }, null, 2);
}

beforeAll(async () => {
  process.env.AUTH_SECRET = AUTH_SECRET;
  process.env.ATTEST_BOOTSTRAP_TOKEN = BOOTSTRAP;
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(format(...args)));
  }
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  tokens.admin = (await createApiToken(t.db, admin, { name: "admin", userId: admin.id, roles: ["admin"] })).token;
  tokens.auditor = (await createApiToken(t.db, admin, { name: "auditor", userId: (await actorByEmail(t, "audit@example.com")).id, roles: ["auditor"] })).token;
});

afterAll(async () => {
  vi.restoreAllMocks();
  process.env.AUTH_SECRET = saved.auth;
  process.env.ATTEST_BOOTSTRAP_TOKEN = saved.bootstrap;
  await t.cleanup();
});

describe("secrets never leave the request that carried them", () => {
  it("uses enough real secret-shaped values to mean something", () => {
    expect(new Set(secrets.map((s) => s.family)).size).toBeGreaterThanOrEqual(10);
    expect(secrets.length).toBeGreaterThanOrEqual(15);
  });

  it("imports configs holding them: in env, in arguments, in URLs and headers, and the vendored GitHub README config", async () => {
    const servers: Record<string, unknown> = {};
    secrets.forEach((s, i) => {
      servers[`${s.family}-${i}`] = {
        command: "npx",
        args: ["-y", `@example/${s.family}-mcp@1.0.0`],
        env: { API_TOKEN: s.value, [`${s.family.toUpperCase().replace(/-/g, "_")}_SECRET`]: s.value },
      };
    });
    const pat = secrets.find((s) => s.family === "github")!.value;
    const db = secrets.find((s) => s.family === "database-connection-string")!.value;
    servers["pg-args"] = { command: "npx", args: ["-y", "@modelcontextprotocol/server-postgres@0.6.2", db] };
    servers["remote"] = { url: `https://bot:${pat}@mcp.example.com/mcp`, headers: { Authorization: `Bearer ${pat}` } };
    const one = await call(importPost, "/imports?format=mcp-config&source=laptop-sec", { method: "POST", type: "text/plain", body: mcpConfig(servers) });
    expect(one.status, one.text).toBe(201);

    const readme = readFileSync(GITHUB_CONFIG, "utf8");
    expect(readme).toContain("<YOUR_TOKEN>");
    const two = await call(importPost, "/imports?format=mcp-config&source=laptop-readme", {
      method: "POST",
      type: "text/plain",
      body: readme.replace("<YOUR_TOKEN>", pat),
    });
    expect(two.status, two.text).toBe(201);
    const stored = await rows<{ n: number }>(sql`select count(*)::int as n from nodes where kind = 'credential' and attributes->>'storage' = 'hard_coded'`);
    expect(stored[0]!.n).toBeGreaterThanOrEqual(secrets.length);
  });

  it("refused requests carrying them answer without echoing them", async () => {
    const pat = secrets.find((s) => s.family === "github")!.value;
    const broken = await call(importPost, "/imports?format=mcp-config&source=laptop-broken", {
      method: "POST",
      type: "text/plain",
      body: `{"mcpServers": {"x": {"command": "npx", "env": {"TOKEN": "${pat}" "NEXT": 1}}}}`,
    });
    expect(broken.status).toBe(400);
    const badKind = await call(importPost, "/imports", {
      method: "POST",
      type: "application/json",
      body: JSON.stringify({ source: "docs", mode: "incremental", nodes: [{ kind: pat, externalId: "x", name: "x" }] }),
    });
    expect(badKind.status).toBe(400);
    const badJson = await call(importPost, "/imports", { method: "POST", type: "application/json", body: `{"source": "docs", "nodes": [${pat}]}` });
    expect(badJson.status).toBe(400);
    expect((await call(nodesRoute, "/nodes", { token: pat })).status).toBe(401);
    expect((await call(nodesRoute, `/nodes?kind=${encodeURIComponent(pat)}`)).status).toBe(400);
  });

  it("MCP configs: random values in args, url, headers and env are not kept, whatever their shape", async () => {
    const servers: Record<string, unknown> = {};
    unshapedValues(500).forEach((raw, i) => {
      const v = plant(`unshaped MCP value ${i}`, raw);
      servers[`random-${i}`] = {
        command: "npx",
        args: ["-y", "@acme/mcp@1.0.0", v, "--flag", v, `--opt=${v}`, `/srv/${v}/data`],
        env: { SETTING: v },
        cwd: `/home/ada/${v}`,
      };
      servers[`random-remote-${i}`] = { url: `https://mcp.example.com/${v}/mcp?key=${v}`, headers: { "X-Custom": v } };
    });
    const r = await call(importPost, "/imports?format=mcp-config&source=laptop-random", { method: "POST", type: "text/plain", body: mcpConfig(servers) });
    expect(r.status, r.text).toBe(201);
    // The same through Codex's TOML reader, and a YAML (Continue) file.
    const v = plant("unshaped value in a TOML config", `Tq${randomish(14, ALNUM, 777)}`);
    const toml = `[mcp_servers.random-toml]\ncommand = "npx"\nargs = ["-y", "@acme/mcp@1.0.0", "${v}", "--opt=${v}"]\nenv = { SETTING = "${v}" }\n[mcp_servers.random-toml-remote]\nurl = "https://mcp.example.com/${v}/mcp?k=${v}"\nhttp_headers = { "X-Custom" = "${v}" }\n`;
    const t1 = await call(importPost, "/imports?format=mcp-config&source=laptop-random-toml", { method: "POST", type: "application/toml", body: toml });
    expect(t1.status, t1.text).toBe(201);
    const w = plant("unshaped value in a YAML config", `Yw${randomish(14, ALNUM, 778)}`);
    const yaml = `mcpServers:\n  - name: random-yaml\n    command: npx\n    args: ["-y", "@acme/mcp@1.0.0", "${w}"]\n    env:\n      SETTING: "${w}"\n`;
    const y1 = await call(importPost, "/imports?format=mcp-config&source=laptop-random-yaml", { method: "POST", type: "application/yaml", body: yaml });
    expect(y1.status, y1.text).toBe(201);
    const list = JSON.parse((await call(nodesRoute, "/nodes?kind=mcp_server&limit=100")).text) as { items: { id: string; externalId: string }[] };
    const mine = list.items.filter((n) => n.externalId.startsWith("random-"));
    expect(mine.length).toBe(17);
    for (const n of mine) {
      const one = await call(nodeRoute, `/nodes/${n.id}`, { params: { id: n.id } });
      expect(one.status).toBe(200);
      expect(one.text).toMatch(/\{redacted:|\{opaque\}/);
      expect((await call(neighborsRoute, `/nodes/${n.id}/neighbors`, { params: { id: n.id } })).status).toBe(200);
      expect((await call(neighborsRoute, `/nodes/${n.id}/neighbors?format=csv`, { params: { id: n.id } })).status).toBe(200);
    }
  });

  it("graph documents, JSONL and CSV: a secret-shaped attribute is refused with a 400 naming where; allowPartial rejects that record only", async () => {
    const pat = plant("PAT in attributes", `ghp_${randomish(36, ALNUM, 801)}`);
    const key = plant("key-named random attribute", randomish(32, ALNUM, 802));
    const pem = fakePem("RSA PRIVATE KEY", 803);
    planted.push({ what: "PEM body in attributes", value: pem.split("\n")[2]! });
    const jwt = plant("JWT in CSV", fakeJwt(804));
    const allowed = {
      objectId: "0f8fad5b-d9cb-469f-a165-70867728950e",
      accessKeyId: `AKIA${randomish(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 805)}`,
      commit: randomish(40, HEX, 806),
      fingerprint: `sha256:${randomish(64, HEX, 807)}`,
      arn: "arn:aws:iam::123456789012:role/deploy",
    };
    const nodes = [
      { kind: "human", externalId: "s1", name: "S One", attributes: { profile: { notes: `token ${pat}` } } },
      { kind: "human", externalId: "s2", name: "S Two", attributes: { integration: { api_key: key }, keys: [pem] } },
      { kind: "human", externalId: "s3", name: "S Three", attributes: allowed },
    ];
    const whole = await call(importPost, "/imports", {
      method: "POST",
      type: "application/json",
      body: JSON.stringify({ source: "hr-secrets", mode: "incremental", nodes }),
    });
    expect(whole.status).toBe(400);
    const details = (JSON.parse(whole.text) as { error: { details: { path: string; message: string }[] } }).error.details;
    expect(details.map((d) => d.path)).toEqual(["nodes[0].attributes.profile.notes", "nodes[1].attributes.integration.api_key", "nodes[1].attributes.keys[0]"]);
    expect(details[0]!.message).toMatch(/looks like a secret \(pat\); secrets are not stored/);

    const partial = await call(importPost, "/imports?allowPartial=true", {
      method: "POST",
      type: "application/json",
      body: JSON.stringify({ source: "hr-secrets", mode: "incremental", nodes }),
    });
    expect(partial.status, partial.text).toBe(201);
    expect(JSON.parse(partial.text)).toMatchObject({ recordsTotal: 3, recordsAccepted: 1, recordsRejected: 2 });
    const kept = await rows<{ attributes: Record<string, unknown> }>(sql`select attributes from nodes where external_id = 's3' and kind = 'human'`);
    expect(kept[0]!.attributes).toEqual(allowed); // the allow-list: ids that look random but are not secrets are stored as given

    const jsonl = [
      JSON.stringify({ source: "hr-jsonl", mode: "incremental" }),
      JSON.stringify({ node: { kind: "human", externalId: "j1", name: "J", attributes: { bio: `see ${pat}` } } }),
    ].join("\n");
    const j = await call(importPost, "/imports", { method: "POST", type: "application/x-ndjson", body: jsonl });
    expect(j.status).toBe(400);
    expect(j.text).toContain('"path":"line 2: attributes.bio"');
    const csv = `kind,externalId,name,session,attributes\nhuman,c1,C,${jwt},"{""team"": ""ops""}"\nhuman,c2,D,,"{""nested"": {""secret"": ""${key}""}}"\n`;
    const c = await call(importPost, "/imports?source=hr-csv", { method: "POST", type: "text/csv", body: csv });
    expect(c.status).toBe(400);
    expect(c.text).toContain('"path":"nodes.csv line 2: attributes.session"');
    expect(c.text).toContain('"path":"nodes.csv line 3: attributes.nested.secret"');
  });

  it("SCIM: a secret-shaped value in a User is refused with a 400 naming the attribute", async () => {
    const admin = await actorByEmail(t, "admin@example.com");
    const scimToken = (await createSource(t.db, admin, { name: "okta-secrets", type: "scim" })).scimToken;
    const token = plant("token in a SCIM attribute", `glpat-${randomish(20, ALNUM, 901)}`);
    const user = {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      userName: "leaky@example.com",
      title: "Engineer",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: token },
    };
    const r = await scim("POST", "/Users", { token: scimToken, body: user });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/^urn:ietf:params:scim:schemas:extension:enterprise:2\.0:User\.department looks like a secret/);
    answers.push(JSON.stringify(r.body));
    const ok = await scim("POST", "/Users", {
      token: scimToken,
      body: { ...user, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Platform" } },
    });
    expect(ok.status).toBe(201);
    const patched = await scim("PATCH", `/Users/${ok.body.id}`, {
      token: scimToken,
      body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "title", value: token }] },
    });
    expect(patched.status).toBe(400);
    answers.push(JSON.stringify(patched.body));
  });

  it("discovery: the server URL is stored as a template, a token in its path or query dropped", async () => {
    const analyst = await actorByEmail(t, "ana@example.com");
    const inPath = plant("token in a discovery URL path", `sk-ak-${randomish(32, ALNUM, 950)}`);
    const inQuery = plant("token in a discovery URL query", randomish(28, ALNUM, 951));
    const url = `https://actions.example.com/mcp/${inPath}/sse?api_key=${inQuery}`;
    const doc = discoveryToGraph(
      { serverInfo: { name: "zap", version: "1.0.0" }, tools: [{ name: "send", description: "Sends", inputSchema: { type: "object" } }] },
      { serverName: "zap-remote", endpoint: { transport: "http", url: redactUrl(url) } },
    );
    const record = await runImport(t.db, analyst, decodeConverted(doc), { format: "mcp-discovery" });
    expect(record.status, JSON.stringify(record.errors)).toBe("succeeded");
    const stored = await rows<{ url: string }>(sql`select attributes->>'url' as url from nodes where external_id = 'zap-remote'`);
    expect(stored[0]!.url).toBe("https://actions.example.com/mcp/{opaque}/sse?api_key={redacted}");
  });

  it("an API token is shown once, then only by its prefix; the bootstrap token works without being recorded", async () => {
    const admin = await actorByEmail(t, "admin@example.com");
    const created = await call(tokensPost, "/tokens", {
      method: "POST",
      type: "application/json",
      body: JSON.stringify({ name: "ci", userId: admin.id, roles: ["admin"] }),
    });
    expect(created.status, created.text).toBe(201);
    createdToken = (JSON.parse(created.text) as { token: string }).token;
    answers.pop(); // the one answer that must hold it
    expect(createdToken.length).toBeGreaterThanOrEqual(32);
    expect((await call(nodesRoute, "/nodes?limit=1", { token: createdToken })).status).toBe(200);
    const list = await call(tokensRoute, "/tokens");
    expect(list.text).not.toContain(createdToken);
    expect((await call(nodesRoute, "/nodes?limit=1", { token: BOOTSTRAP })).status).toBe(200);
    expect((await call(evaluateRoute, "/findings/evaluate", { method: "POST", token: BOOTSTRAP })).status).toBeLessThan(300);
  });

  it("reads and exports everything: nodes, imports, findings, audit log, access reports, a campaign's evidence in every format", async () => {
    const admin = await actorByEmail(t, "admin@example.com");
    const analyst = await actorByEmail(t, "ana@example.com");
    expect((await call(evaluateRoute, "/findings/evaluate", { method: "POST" })).status).toBeLessThan(300);
    const creds = await call(nodesRoute, "/nodes?kind=credential&limit=100");
    expect(creds.status, creds.text).toBe(200);
    const imports = JSON.parse((await call(importsRoute, "/imports?limit=100")).text) as { items: { id: string }[] };
    for (const i of imports.items) await call(importRoute, `/imports/${i.id}`, { params: { id: i.id } });
    const findings = JSON.parse((await call(findingsRoute, "/findings?limit=200")).text) as { total: number };
    expect(findings.total).toBeGreaterThan(0);
    for (const p of ["limit=500", "limit=500&action=import.run"]) await call(auditEventsRoute, `/audit/events?${p}`);
    await call(auditVerifyRoute, "/audit/verify");
    for (const fmt of ["json", "csv", "pdf", "zip"]) {
      expect((await call(reportRoute, `/reports/access?principal=laptop-sec:mcp_server:remote&format=${fmt}`)).status).toBe(200);
    }
    const c = await launched(t.db, analyst, {
      name: "Credential use",
      control: "SOC 2 CC6.1",
      scope: { edgeKinds: ["uses_credential"] },
      reviewerStrategy: { reviewer: admin.id },
    });
    for (const fmt of ["json", "csv", "pdf", "zip"]) {
      expect((await call(evidenceRoute, `/campaigns/${c.id}/evidence?format=${fmt}`, { token: tokens.auditor, params: { id: c.id } })).status).toBe(200);
    }
    await call(exportTasksRoute, "/remediation/tasks/export");
    expect(answers.join("\n")).toContain("hard_coded");
  }, 120_000);

  it("no value appears in any answer, log line, audit event or stored row", async () => {
    const tables = await rows<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    expect(tables.map((r) => r.table_name)).toEqual(expect.arrayContaining(["nodes", "edges", "audit_events", "imports", "api_tokens", "findings"]));
    const stored: string[] = [];
    for (const { table_name } of tables) {
      stored.push(...(await rows<{ j: string }>(sql.raw(`select row_to_json(r)::text as j from "${table_name}" r`))).map((r) => r.j));
    }
    // And column by column, every text, varchar, json and jsonb column of every table, read as text by SQL.
    const columns = await rows<{ table_name: string; column_name: string }>(
      sql`select c.table_name, c.column_name from information_schema.columns c join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
          where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
    );
    expect(columns.length).toBeGreaterThan(30);
    const byColumn: string[] = [];
    for (const { table_name, column_name } of columns) {
      const [r] = await rows<{ s: string | null }>(sql.raw(`select string_agg("${column_name}"::text, E'\\n') as s from "${table_name}"`));
      if (r?.s) byColumn.push(r.s);
    }
    const places = { answers: answers.join("\n"), logs: logs.join("\n"), database: stored.join("\n"), columns: byColumn.join("\n") };
    expect(places.answers.length).toBeGreaterThan(10_000);
    // The search does find what is there: where each credential sits, and its keyed fingerprint, are reported.
    expect(places.answers).toMatch(/mcpServers\.github-\d+\.env\.API_TOKEN/);
    expect(places.database).toMatch(/hmac-sha256:/);
    const needles = [
      ...secrets.map((s) => ({ what: `${s.family} secret`, value: s.value })),
      // A value cut short or re-wrapped would still leak its middle.
      ...secrets.map((s) => ({
        what: `${s.family} secret (middle)`,
        value: s.value.slice(Math.floor(s.value.length / 4), Math.floor(s.value.length / 4) + 12),
      })),
      { what: "API token", value: createdToken },
      { what: "API token body", value: createdToken.slice(-24) },
      { what: "admin API token", value: tokens.admin! },
      { what: "bootstrap token", value: BOOTSTRAP },
      { what: "AUTH_SECRET", value: AUTH_SECRET },
      ...planted,
      // Redaction must not leave a recognisable part either.
      ...planted.filter((p) => p.value.length >= 20).map((p) => ({ what: `${p.what} (middle)`, value: p.value.slice(4, 16) })),
    ];
    expect(planted.length).toBeGreaterThanOrEqual(12);
    for (const n of needles) expect(n.value.length, n.what).toBeGreaterThanOrEqual(9);
    const leaks = needles.flatMap((n) =>
      Object.entries(places)
        .filter(([, text]) => text.includes(n.value))
        .map(([where]) => `${n.what} in ${where}`),
    );
    expect(leaks).toEqual([]);
  });
});
