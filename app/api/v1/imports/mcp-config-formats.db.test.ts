import { readFileSync } from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imports, nodes } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { ALNUM, randomish } from "@/lib/ingest/secrets/fake-tokens";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { GET as getOne } from "./[id]/route";
import { GET, POST } from "./route";

// The vendors' own examples (lib/ingest/mcp-config/fixtures/vendor-formats/PROVENANCE.md).
const fixture = (f: string) => readFileSync(path.join("lib/ingest/mcp-config/fixtures/vendor-formats", f), "utf8");

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

function post(body: BodyInit, type: string | null, query: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${analystToken}` };
  if (type) headers["content-type"] = type;
  return POST(new Request(`http://attest.test/api/v1/imports${query}`, { method: "POST", body, headers }), noParams);
}
const auditorGet = (url: string) => new Request(url, { headers: { authorization: `Bearer ${auditorToken}` } });

describe("POST /api/v1/imports?format=mcp-config: every client format, warnings in the answer", () => {
  it("a Codex config.toml sent as text/plain: detected, imported, its warnings on the record and on GET", async () => {
    const toml = `${fixture("codex__figma.toml")}\n[mcp_servers.old]\ncommand = "npx"\nargs = ["-y", "old-mcp"]\nenabled = false\nstartup_timeout_ms = 1\nretries = 3\n`;
    const r = await post(toml, "text/plain", "?format=mcp-config&source=laptop-codex");
    expect(r.status).toBe(201);
    const rec = await r.json();
    expect(rec).toMatchObject({ status: "succeeded", format: "mcp-config", detectedFormat: "codex" });
    expect(rec.warnings).toEqual([
      "mcp_servers.old: is disabled in the client; imported with disabled: true",
      'mcp_servers.old: unknown key "retries" ignored (not part of Codex config.toml (mcp_servers))',
    ]);
    const one = await (await getOne(auditorGet(`http://attest.test/api/v1/imports/${rec.id}`), { params: Promise.resolve({ id: rec.id }) } as never)).json();
    expect(one).toMatchObject({ detectedFormat: "codex", warnings: rec.warnings });
    const listed = await (await GET(auditorGet("http://attest.test/api/v1/imports"), noParams)).json();
    expect(listed.items.find((i: { id: string }) => i.id === rec.id)).toMatchObject({ warnings: rec.warnings });
    const cred = (await t.db.select().from(nodes).where(eq(nodes.externalId, "env/FIGMA_OAUTH_TOKEN")))[0]!;
    expect(cred.attributes).toMatchObject({ storage: "env" });
  });

  it("TOML and YAML content types imply mcp-config; JSON works as before", async () => {
    const toml = await post(fixture("codex__context7.toml"), "application/toml", "?source=codex-2");
    expect(toml.status).toBe(201);
    expect((await toml.json()).detectedFormat).toBe("codex");
    const yaml = await post(fixture("continue__secrets.yaml"), "application/yaml", "?format=mcp-config&source=continue-1");
    expect(yaml.status).toBe(201);
    expect(await yaml.json()).toMatchObject({ detectedFormat: "continue", counts: { nodesCreated: 2 } });
    const zed = await post(fixture("zed__remote.json"), "application/json", "?format=mcp-config&source=zed-1");
    expect(await zed.json()).toMatchObject({ detectedFormat: "zed", counts: { nodesCreated: 3 } });
  });

  it("a single-server snippet needs ?server=; without it a 400 says so; server is refused for other formats", async () => {
    const snippet = fixture("snippet__github-remote.json");
    const missing = await post(snippet, "application/json", "?format=mcp-config&source=guide");
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.details).toEqual([{ path: "server", message: expect.stringMatching(/give its name with \?server=<name>/) }]);
    const named = await post(snippet, "application/json", "?format=mcp-config&source=guide&server=github");
    expect(named.status).toBe(201);
    expect(await named.json()).toMatchObject({
      detectedFormat: "snippet",
      warnings: ["github.headers.Authorization holds a placeholder, not a credential; nothing recorded"],
    });
    const bad = await post(snippet, "application/json", "?format=mcp-config&source=guide&server=__proto__");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details[0].path).toBe("server");
    const wrongFormat = await post(JSON.stringify({ source: "s", nodes: [], edges: [] }), "application/json", "?server=github");
    expect(wrongFormat.status).toBe(400);
    expect((await wrongFormat.json()).error.details).toEqual([{ path: "server", message: "not used by this format" }]);
  });

  it("multipart: a .toml file is an MCP config; the server field names a snippet", async () => {
    const form = new FormData();
    form.set("source", "codex-3");
    form.set("file", new File([fixture("codex__chrome-devtools.toml")], "config.toml"));
    const r = await POST(
      new Request("http://attest.test/api/v1/imports", { method: "POST", body: form, headers: { authorization: `Bearer ${analystToken}` } }),
      noParams,
    );
    expect(r.status).toBe(201);
    expect(await r.json()).toMatchObject({ format: "mcp-config", detectedFormat: "codex", fileName: "config.toml" });
    // A plain mcpServers map says which client wrote it only through its file name.
    const desktop = new FormData();
    desktop.set("format", "mcp-config");
    desktop.set("source", "desktop-1");
    desktop.set("file", new File([fixture("cursor__docs.json")], "claude_desktop_config.json"));
    const d = await POST(
      new Request("http://attest.test/api/v1/imports", { method: "POST", body: desktop, headers: { authorization: `Bearer ${analystToken}` } }),
      noParams,
    );
    expect(await d.json()).toMatchObject({ status: "succeeded", detectedFormat: "claude-desktop" });
    const snippet = new FormData();
    snippet.set("format", "mcp-config");
    snippet.set("source", "guide-2");
    snippet.set("server", "github-local");
    snippet.set("file", new File([fixture("snippet__github-binary.json")], "snippet.json"));
    const s = await POST(
      new Request("http://attest.test/api/v1/imports", { method: "POST", body: snippet, headers: { authorization: `Bearer ${analystToken}` } }),
      noParams,
    );
    expect(s.status).toBe(201);
    expect((await t.db.select().from(nodes).where(eq(nodes.externalId, "github-local"))).length).toBe(1);
  });

  it("a broken TOML file is a 400 naming TOML and a line; neither the answer nor any table holds its values", async () => {
    const secret = randomish(40, ALNUM, 313);
    const r = await post(`[mcp_servers.a]\ncommand = "npx"\nenv = { TOKEN = "${secret}" X = 1 }\n`, "text/plain", "?format=mcp-config&source=broken");
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(body.error.details).toEqual([{ path: expect.stringMatching(/^3:\d+$/), message: expect.stringMatching(/^TOML, line 3, column \d+: /) }]);
    expect(JSON.stringify(body)).not.toContain(secret.slice(0, 16));
    // Warnings name keys, never values: an unknown key holding a secret leaves no trace either.
    const ok = await post(
      JSON.stringify({ servers: { s: { command: "npx", secretSauce: secret, type: "stdio" } } }),
      "application/json",
      "?format=mcp-config&source=warned",
    );
    expect((await ok.json()).warnings).toEqual(['servers.s: unknown key "secretSauce" ignored (not part of VS Code mcp.json)']);
    const everything = JSON.stringify(
      await t.db.execute(
        sql`select (select json_agg(n) from nodes n) as n, (select json_agg(i) from imports i) as i, (select json_agg(a) from audit_events a) as a`,
      ),
    );
    expect(everything).not.toContain(secret.slice(0, 16));
    const [row] = await t.db.select({ warnings: imports.warnings }).from(imports).where(eq(imports.sourceName, "warned"));
    expect(row!.warnings).toHaveLength(1);
  });
});
