import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { edgeKindMismatch } from "@/lib/graph/model";
import { fingerprintSecret } from "@/lib/ingest/fingerprint";
import { graphEdgeSchema, graphNodeSchema, type GraphDocument, type GraphNodeRecord } from "@/lib/ingest/graph-document";
import { ALNUM, BASE64, DIGITS, randomish as rnd, UPPER_DIGITS } from "@/lib/ingest/secrets/fake-tokens";
import { parseMcpConfig, type McpConfigResult } from "./parse";

// Copied from the shared fixtures (fixtures/PROVENANCE.md), so the suite runs on any clone.
const FIXTURES = path.resolve(import.meta.dirname, "fixtures");
const CONFIG_DIR = path.join(FIXTURES, "client-configs");
const LOCATION = "~/Library/Application Support/Claude/claude_desktop_config.json";
/** INDEX.md's verdict per file: "valid" (strict JSON) or "not-strict-json". */
const STRICTNESS = new Map(
  [...readFileSync(path.join(CONFIG_DIR, "INDEX.md"), "utf8").matchAll(/^\| (\S+\.json) \|.*\| (valid|not-strict-json) \|$/gm)].map((m) => [m[1]!, m[2]!]),
);
const FILES = [
  ...readdirSync(CONFIG_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => path.join(CONFIG_DIR, f)),
  path.join(FIXTURES, "repo-root.mcp.json"),
];
const read = (file: string) => readFileSync(file.includes("/") ? file : path.join(CONFIG_DIR, file), "utf8");
const parse = (text: string) => parseMcpConfig(text, { source: "mcp-configs", location: LOCATION });

function documentOf(r: McpConfigResult): GraphDocument {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r.document;
}
const server = (doc: GraphDocument, name: string) => doc.nodes.find((n) => n.kind === "mcp_server" && n.externalId === name)!;
const credentials = (doc: GraphDocument) => doc.nodes.filter((n) => n.kind === "credential");
const attr = (n: GraphNodeRecord | undefined, k: string) => n?.attributes?.[k];

/**
 * The fixtures are README snippets and hold only placeholders. "Arming" one
 * swaps each placeholder for a realistic fake credential, so the tests can
 * check that real secrets are found and never copied into the output.
 */
function arm(text: string, seed: number): { text: string; planted: string[] } {
  const planted: string[] = [];
  const plant = (v: string) => (planted.push(v), v);
  let n = seed;
  const forKey = (key: string): string => {
    n++;
    if (/GITHUB/.test(key)) return `ghp_${rnd(36, ALNUM, n)}`;
    if (/GITLAB/.test(key)) return `glpat-${rnd(20, ALNUM, n)}`;
    if (/SLACK_BOT/.test(key)) return `xoxb-${rnd(11, DIGITS, n)}-${rnd(13, DIGITS, n + 1)}-${rnd(24, ALNUM, n + 2)}`;
    if (key === "AWS_ACCESS_KEY_ID") return `AKIA${rnd(16, UPPER_DIGITS, n)}`;
    if (key === "AWS_SECRET_ACCESS_KEY") return rnd(40, BASE64, n);
    return rnd(32, ALNUM, n);
  };
  const out = text
    .replace(/"([A-Z_]*(?:TOKEN|API_KEY|ACCESS_KEY_ID|SECRET_ACCESS_KEY))": "(?!\$\{)[^"]*"/g, (_, key: string) => `"${key}": "${plant(forKey(key))}"`)
    .replace(/"YOUR_SENTRY_TOKEN"/g, () => `"${plant(rnd(64, ALNUM, ++n))}"`)
    .replace(
      /"(postgresql|redis):\/\/(localhost|host\.docker\.internal)/g,
      (_, scheme: string, host: string) => `"${scheme}://app:${plant(rnd(16, ALNUM, ++n))}@${host}`,
    );
  return { text: out, planted };
}

describe("parseMcpConfig on the README fixtures", () => {
  it("has a strictness verdict for every client config in INDEX.md", async () => {
    expect(FILES.length).toBe(104);
    for (const f of FILES.filter((f) => f.startsWith(CONFIG_DIR))) expect(STRICTNESS.get(path.basename(f))).toBeDefined();
  });

  it.each(FILES.map((f) => [path.basename(f), f]))(
    "%s: never throws; strict JSON parses with servers, the rest parse or fail with a line:column",
    async (name, file) => {
      const text = read(file);
      const r: McpConfigResult = await await parse(text); // a throw fails the test
      const strict = STRICTNESS.get(name) !== "not-strict-json";
      expect(isStrictJson(text)).toBe(strict);
      if (strict || r!.ok) {
        expect(documentOf(r!).nodes.filter((n) => n.kind === "mcp_server").length).toBeGreaterThanOrEqual(1);
      } else {
        for (const e of r!.errors) expect(e.message).toMatch(/^line \d+, column \d+: /);
      }
    },
  );

  it("reads all nine not-strict snippets (comments, bare members, '#' lines) and says so", async () => {
    const loose = [...STRICTNESS].filter(([, v]) => v === "not-strict-json").map(([f]) => f);
    expect(loose).toHaveLength(9);
    for (const f of loose) expect((await parse(read(f))).ok).toBe(true);
    const bare = await parse(read("git__00__claude-desktop.json"));
    expect(bare.ok && bare.warnings.join(" ")).toMatch(/bare member list/);
    const hash = await parse(read("archived-sqlite__00__claude-desktop.json"));
    expect(hash.ok && hash.warnings.join(" ")).toMatch(/line 1:1: '#' comment line ignored/);
  });

  it("produces valid nodes and edges, every edge joining kinds its rule allows", async () => {
    for (const f of FILES) {
      for (const text of [read(f), arm(read(f), 100).text]) {
        const doc = documentOf(await parse(text));
        for (const n of doc.nodes) expect(graphNodeSchema.safeParse(n).success).toBe(true);
        for (const e of doc.edges) {
          expect(graphEdgeSchema.safeParse(e).success).toBe(true);
          expect(edgeKindMismatch(e.kind, e.from.kind, e.to.kind)).toBeNull();
        }
      }
    }
  });

  it("finds no hard-coded secret in any README snippet: they hold placeholders and references only", async () => {
    const hardCoded: string[] = [];
    for (const f of FILES) {
      hardCoded.push(
        ...credentials(documentOf(await parse(read(f))))
          .filter((c) => attr(c, "storage") === "hard_coded")
          .map((c) => `${path.basename(f)}: ${c.externalId}`),
      );
    }
    expect(hardCoded).toEqual([]);
  });

  it("finds every planted secret and never copies one into the document or the warnings", async () => {
    let planted = 0;
    for (const [i, f] of FILES.entries()) {
      const armed = arm(read(f), i * 1000);
      const r = await parse(armed.text);
      const json = JSON.stringify(r);
      for (const secret of armed.planted) expect(json).not.toContain(secret);
      const hard = credentials(documentOf(r)).filter((c) => attr(c, "storage") === "hard_coded");
      expect(hard.map((c) => attr(c, "fingerprint")).sort()).toEqual(armed.planted.map(fingerprintSecret).sort());
      planted += armed.planted.length;
    }
    // env tokens and keys of the Claude Desktop snippets, sentry's --auth-token, postgres/redis URLs in args
    expect(planted).toBe(27);
  });
});

describe("parseMcpConfig: what it records", () => {
  it("the slack README's xoxb-your-bot-token is a placeholder: no credential, a warning naming the key", async () => {
    const r = await parse(read("archived-slack__00__claude-desktop.json"));
    expect(credentials(documentOf(r))).toEqual([]);
    expect(r.ok && r.warnings).toContain("mcpServers.slack.env.SLACK_BOT_TOKEN holds a placeholder, not a credential; nothing recorded");
  });

  it("a real slack bot token is a hard-coded bot_token credential, fingerprinted, its value absent", async () => {
    const { text, planted } = arm(read("archived-slack__00__claude-desktop.json"), 7);
    const r = await parse(text);
    const doc = documentOf(r);
    const cred = doc.nodes.find((n) => n.externalId === "slack/env/SLACK_BOT_TOKEN")!;
    expect(cred).toMatchObject({ kind: "credential", name: "slack: env SLACK_BOT_TOKEN" });
    expect(cred.attributes).toEqual({
      type: "bot_token",
      storage: "hard_coded",
      location: `${LOCATION} → mcpServers.slack.env.SLACK_BOT_TOKEN`,
      fingerprint: fingerprintSecret(planted[0]!),
      detectedBy: "slack-bot-token",
      confidence: "high",
    });
    expect(doc.edges).toContainEqual({
      kind: "uses_credential",
      from: { kind: "mcp_server", externalId: "slack" },
      to: { kind: "credential", externalId: "slack/env/SLACK_BOT_TOKEN" },
    });
    expect(attr(server(doc, "slack"), "envKeys")).toEqual(["SLACK_BOT_TOKEN", "SLACK_TEAM_ID", "SLACK_CHANNEL_IDS"]);
    expect(JSON.stringify(r)).not.toContain(planted[0]);
  });

  it("a VS Code input with password: true becomes a prompt credential without a fingerprint", async () => {
    const doc = documentOf(await parse(read("archived-github__03__vscode.json")));
    const cred = doc.nodes.find((n) => n.externalId === "input/github_token")!;
    expect(cred.name).toBe('VS Code input "github_token" (GitHub Personal Access Token)');
    expect(cred.attributes).toMatchObject({ type: "pat", storage: "prompt", masked: true, location: `${LOCATION} → mcp.inputs[0] (prompted by the client)` });
    expect(cred.attributes).not.toHaveProperty("fingerprint");
    expect(doc.edges).toContainEqual({
      kind: "uses_credential",
      from: { kind: "mcp_server", externalId: "github" },
      to: { kind: "credential", externalId: "input/github_token" },
    });
    // Inputs without password: true (a region, a URL) are not credentials.
    expect(credentials(documentOf(await parse(read("archived-aws-kb-retrieval-server__02__vscode.json")))).map((c) => c.externalId)).toEqual([
      "input/aws_access_key",
      "input/aws_secret_key",
    ]);
  });

  it("redacts the password of a postgres connection string argument and records it as a db_password", async () => {
    const { text, planted } = arm(read("archived-postgres__01__claude-desktop.json"), 11);
    const doc = documentOf(await parse(text));
    expect(attr(server(doc, "postgres"), "args")).toEqual(["-y", "@modelcontextprotocol/server-postgres", "postgresql://localhost/mydb"]);
    const [cred] = credentials(doc);
    expect(cred).toMatchObject({ externalId: "postgres/args/2", name: "postgres: args[2] (password in URL)" });
    expect(cred!.attributes).toMatchObject({ type: "db_password", detectedBy: "database-connection-string", fingerprint: fingerprintSecret(planted[0]!) });
    expect(attr(cred, "location")).toBe(`${LOCATION} → mcpServers.postgres.args[2] (password in URL)`);
  });

  it("records the launched package and whether it is pinned", async () => {
    const github = server(documentOf(await parse(read("archived-github__01__claude-desktop.json"))), "github");
    expect(github.attributes).toMatchObject({
      transport: "stdio",
      command: "npx",
      launcher: "npx",
      package: "@modelcontextprotocol/server-github",
      packageVersion: null,
      pinned: false,
    });
    const cases: [string, string[], Record<string, unknown>][] = [
      [
        "npx",
        ["-y", "@modelcontextprotocol/server-github@2025.4.8"],
        { package: "@modelcontextprotocol/server-github", packageVersion: "2025.4.8", pinned: true },
      ],
      ["npx", ["-y", "@modelcontextprotocol/server-github@latest"], { packageVersion: "latest", pinned: false }],
      ["cmd", ["/c", "npx", "-y", "@modelcontextprotocol/server-memory@^1.0.0"], { launcher: "npx", packageVersion: "^1.0.0", pinned: false }],
      ["uvx", ["mcp-server-fetch==2025.4.7"], { launcher: "uvx", package: "mcp-server-fetch", packageVersion: "2025.4.7", pinned: true }],
      ["uvx", ["--from", "mcp-server-git>=0.6", "mcp-server-git"], { package: "mcp-server-git", pinned: false }],
      [
        "docker",
        ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "mcp/github"],
        { launcher: "docker", package: "mcp/github", packageVersion: null, pinned: false },
      ],
      ["docker", ["run", "-i", "--rm", `ghcr.io/acme/mcp:1.4.2@sha256:${rnd(64, "0123456789abcdef", 5)}`], { package: "ghcr.io/acme/mcp", pinned: true }],
      ["python", ["-m", "mcp_server_time"], { launcher: null, package: null, pinned: null }],
    ];
    for (const [command, args, expected] of cases) {
      const doc = documentOf(await parse(JSON.stringify({ mcpServers: { s: { command, args } } })));
      expect(server(doc, "s").attributes).toMatchObject(expected);
    }
  });

  it("reads a remote server: transport, redacted URL and headers, header names only", async () => {
    const bearer = rnd(40, ALNUM, 21);
    const key = rnd(32, ALNUM, 22);
    const config = {
      mcpServers: {
        docs: { type: "http", url: `https://mcp.acme.io/mcp?api_key=${key}`, headers: { Authorization: `Bearer ${bearer}`, "X-Team": "platform" } },
      },
    };
    const r = await parse(JSON.stringify(config));
    const doc = documentOf(r);
    expect(server(doc, "docs").attributes).toMatchObject({
      transport: "http",
      command: null,
      url: "https://mcp.acme.io/mcp?api_key={redacted}",
      headerKeys: ["Authorization", "X-Team"],
    });
    expect(attr(server(doc, "docs"), "headers")).toEqual({ Authorization: `{redacted:secret:${fingerprintSecret(bearer)}}`, "X-Team": "{redacted:value}" });
    expect(credentials(doc).map((c) => [c.externalId, attr(c, "type"), attr(c, "detectedBy")])).toEqual([
      ["docs/headers/Authorization", "bearer_token", "bearer-token"],
      ["docs/url", "api_key", "secret-in-url-query"],
    ]);
    expect(JSON.stringify(r)).not.toMatch(new RegExp(`${bearer}|${key}`));
    expect(server(documentOf(await parse(read(path.join(FIXTURES, "repo-root.mcp.json")))), "mcp-docs").attributes).toMatchObject({
      transport: "http",
      url: "https://modelcontextprotocol.io/mcp",
    });
  });

  it("one environment variable referenced by two servers is one env credential used by both", async () => {
    const config = {
      servers: {
        a: { command: "npx", args: ["a"], env: { GITHUB_TOKEN: "${env:GITHUB_TOKEN}" } },
        b: { command: "npx", args: ["b", "--token", "${env:GITHUB_TOKEN}"] },
      },
    };
    const doc = documentOf(await parse(JSON.stringify(config)));
    expect(credentials(doc)).toEqual([
      expect.objectContaining({
        externalId: "env/GITHUB_TOKEN",
        name: "environment variable GITHUB_TOKEN",
        attributes: expect.objectContaining({ storage: "env", type: "token" }),
      }),
    ]);
    expect(doc.edges.filter((e) => e.kind === "uses_credential").map((e) => e.from.externalId)).toEqual(["a", "b"]);
  });

  it("an owner gets a connects_to edge to every server; an owner of the wrong kind is refused", async () => {
    const text = read("top-README__02__claude-desktop.json");
    const owner = { kind: "human" as const, externalId: "00u1", source: "okta" };
    const doc = documentOf(await parseMcpConfig(text, { source: "laptop-ada", owner, mode: "full" }));
    expect(doc).toMatchObject({ source: "laptop-ada", mode: "full" });
    expect(doc.edges.filter((e) => e.kind === "connects_to").map((e) => [e.from, e.to.externalId])).toEqual(
      ["filesystem", "git", "github", "postgres"].map((s) => [owner, s]),
    );
    const bad = await parseMcpConfig(text, { source: "laptop-ada", owner: { kind: "tool", externalId: "t" } });
    expect(bad).toEqual({ ok: false, errors: [{ path: "owner.kind", message: expect.stringMatching(/connects_to edge cannot start at a tool/) }] });
  });
});

function isStrictJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false; // the answer, not an error: INDEX.md says which files are not strict JSON
  }
}
