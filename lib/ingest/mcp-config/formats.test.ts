import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fingerprintSecret } from "@/lib/ingest/fingerprint";
import type { GraphDocument } from "@/lib/ingest/graph-document";
import { ALNUM, randomish as rnd } from "@/lib/ingest/secrets/fake-tokens";
import { parseMcpConfig, type McpConfigOptions, type McpConfigResult } from "./parse";

// Vendors' own published snippets, one per file (fixtures/vendor-formats/PROVENANCE.md).
const DIR = path.resolve(import.meta.dirname, "fixtures/vendor-formats");
const read = (f: string) => readFileSync(path.join(DIR, f), "utf8");
const parse = (text: string, opts: Partial<McpConfigOptions> = {}) => parseMcpConfig(text, { source: "laptop-ada", ...opts });

function ok(r: McpConfigResult): Extract<McpConfigResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r;
}
const servers = (doc: GraphDocument) =>
  doc.nodes
    .filter((n) => n.kind === "mcp_server")
    .map((n) => [n.externalId, n.attributes?.transport, n.attributes?.url ?? n.attributes?.command, n.attributes?.configFormat]);
const credentialIds = (doc: GraphDocument) => doc.nodes.filter((n) => n.kind === "credential").map((n) => `${n.externalId}:${String(n.attributes?.storage)}`);
const errorsOf = (r: McpConfigResult) => (r.ok ? [] : r.errors);

interface Case {
  file: string;
  opts?: Partial<McpConfigOptions>;
  formats: string[];
  syntax: "json" | "toml" | "yaml";
  servers: unknown[][];
  credentials?: string[];
  /** Only these must be among the credentials (the scan's own choices are tested in credentials/secrets tests). */
  credentialsInclude?: string[];
  warning?: RegExp;
}

const CASES: Case[] = [
  { file: "zed__custom.json", formats: ["zed"], syntax: "json", servers: [["your-mcp-server", "stdio", "some-command", "zed"]] },
  {
    file: "zed__command-object.json",
    formats: ["zed"],
    syntax: "json",
    servers: [["some-context-server", "stdio", "some-command", "zed"]],
    warning: /settings are passed to the server by Zed/,
  },
  {
    file: "zed__remote.json",
    formats: ["zed"],
    syntax: "json",
    servers: [
      ["local-mcp-server", "stdio", "some-command", "zed"],
      ["remote-mcp-server", "http", "https://example.com/mcp", "zed"],
      ["remote-mcp-server-with-oauth", "http", "https://mcp.example.com/mcp", "zed"],
    ],
  },
  { file: "opencode__local.jsonc", formats: ["opencode"], syntax: "json", servers: [["my-local-mcp-server", "stdio", "npx", "opencode"]] },
  {
    file: "opencode__remote.json",
    formats: ["opencode"],
    syntax: "json",
    servers: [["my-remote-mcp", "http", "https://my-mcp-server.com", "opencode"]],
    warning: /headers\.Authorization holds a placeholder/,
  },
  {
    file: "opencode__context7-env.json",
    formats: ["opencode"],
    syntax: "json",
    servers: [["context7", "http", "https://mcp.context7.com/mcp", "opencode"]],
    credentials: ["env/CONTEXT7_API_KEY:env"],
  },
  {
    file: "opencode__oauth-preregistered.json",
    formats: ["opencode"],
    syntax: "json",
    servers: [["my-oauth-server", "http", "https://mcp.example.com/mcp", "opencode"]],
    warning: /oauth\.clientSecret is set/,
  },
  {
    file: "opencode__disabled-remote-default.json",
    formats: ["opencode"],
    syntax: "json",
    servers: [["jira", "http", "https://jira.example.com/mcp", "opencode"]],
    warning: /^mcp\.jira: is disabled in the client/,
  },
  {
    file: "opencode__agents-mcp.json",
    formats: ["opencode"],
    syntax: "json",
    servers: [["jira", "http", "https://jira.example.com/mcp", "opencode"]],
    warning: /OpenCode \.agents\/mcp\.json/,
  },
  {
    file: "gemini-cli__python-stdio.json",
    opts: { location: "~/.gemini/settings.json" },
    formats: ["gemini-cli"],
    syntax: "json",
    servers: [["pythonTools", "stdio", "python", "gemini-cli"]],
    credentials: ["env/EXTERNAL_API_KEY:env"],
  },
  {
    file: "gemini-cli__http-headers.json",
    formats: ["gemini-cli"],
    syntax: "json",
    servers: [["httpServerWithAuth", "http", "http://localhost:3000/mcp", "gemini-cli"]],
  },
  // Gemini's `url` means SSE (its documentation), whatever the path says.
  {
    file: "gemini-cli__sse-oauth-discovery.json",
    opts: { location: "/home/ada/.gemini/settings.json" },
    formats: ["gemini-cli"],
    syntax: "json",
    servers: [["discoveredServer", "sse", "https://api.example.com/sse", "gemini-cli"]],
  },
  {
    file: "gemini-cli__google-credentials.json",
    formats: ["gemini-cli"],
    syntax: "json",
    servers: [["googleCloudServer", "http", "https://my-gcp-service.run.app/mcp", "gemini-cli"]],
  },
  { file: "gemini-cli__tool-filtering.jsonc", formats: ["gemini-cli"], syntax: "json", servers: [["filteredServer", "stdio", "python", "gemini-cli"]] },
  {
    file: "gemini-cli__docker.json",
    opts: { location: "~/.gemini/settings.json" },
    formats: ["gemini-cli"],
    syntax: "json",
    servers: [["dockerizedServer", "stdio", "docker", "gemini-cli"]],
    credentialsInclude: ["env/EXTERNAL_SERVICE_TOKEN:env"],
  },
  { file: "codex__context7.toml", formats: ["codex"], syntax: "toml", servers: [["context7", "stdio", "npx", "codex"]] },
  {
    file: "codex__figma.toml",
    formats: ["codex"],
    syntax: "toml",
    servers: [["figma", "http", "https://mcp.figma.com/mcp", "codex"]],
    credentials: ["env/FIGMA_OAUTH_TOKEN:env"],
  },
  { file: "codex__chrome-devtools.toml", formats: ["codex"], syntax: "toml", servers: [["chrome_devtools", "http", "http://localhost:3000/mcp", "codex"]] },
  { file: "continue__playwright-block.yaml", formats: ["continue"], syntax: "yaml", servers: [["Browser search", "stdio", "npx", "continue"]] },
  { file: "continue__sqlite.yaml", formats: ["continue"], syntax: "yaml", servers: [["SQLite MCP", "stdio", "npx", "continue"]] },
  { file: "continue__sse.yaml", formats: ["continue"], syntax: "yaml", servers: [["Name", "sse", "https://....", "continue"]] },
  { file: "continue__streamable-http.yaml", formats: ["continue"], syntax: "yaml", servers: [["Name", "http", "https://....", "continue"]] },
  {
    file: "continue__secrets.yaml",
    formats: ["continue"],
    syntax: "yaml",
    servers: [
      ["Supabase MCP", "stdio", "npx", "continue"],
      ["GitHub", "stdio", "npx", "continue"],
    ],
  },
  {
    file: "continue__config-json-legacy.json",
    formats: ["continue-json"],
    syntax: "json",
    servers: [["mcp-server-1", "stdio", "uv", "continue-json"]],
    warning: /has no name .*imported as "mcp-server-1"/,
  },
  {
    file: "vscode__configuration-example.jsonc",
    formats: ["vscode"],
    syntax: "json",
    servers: [
      ["Perplexity", "stdio", "docker", "vscode"],
      ["fetch", "stdio", "uvx", "vscode"],
      ["my-remote-server", "sse", "http://api.contoso.com/sse", "vscode"],
    ],
    credentials: ["input/perplexity-key:prompt"],
  },
  { file: "vscode__user-settings.jsonc", formats: ["vscode-settings"], syntax: "json", servers: [["my-mcp-server", "stdio", "my-command", "vscode-settings"]] },
  {
    file: "vscode__envfile.json",
    formats: ["vscode"],
    syntax: "json",
    servers: [["memory", "stdio", "npx", "vscode"]],
    warning: /^servers\.memory\.envFile: variables loaded from an env file are not visible/,
  },
  // `code --add-mcp` JSON carries its own name.
  { file: "vscode__add-mcp.json", formats: ["snippet"], syntax: "json", servers: [["my-server", "stdio", "uvx", "snippet"]] },
  {
    file: "claude-code__env-expansion.json",
    formats: ["claude-code"],
    syntax: "json",
    servers: [["api-server", "sse", "${API_BASE_URL:-https://api.example.com}/mcp", "claude-code"]],
    credentials: ["env/API_KEY:env"],
  },
  {
    file: "claude-code__http-header-env.json",
    formats: ["claude-code"],
    syntax: "json",
    servers: [["stitch", "http", "https://stitch.googleapis.com/mcp", "claude-code"]],
    credentials: ["env/STITCH_API_KEY:env"],
  },
  {
    file: "windsurf__tidewave-http.json",
    formats: ["windsurf"],
    syntax: "json",
    servers: [["tidewave", "http", "http://localhost:4000/tidewave/mcp", "windsurf"]],
  },
  {
    file: "cursor__docs.json",
    opts: { location: "~/.cursor/mcp.json" },
    formats: ["cursor"],
    syntax: "json",
    servers: [["server-name", "stdio", "npx", "cursor"]],
    warning: /env\.API_KEY holds a placeholder/,
  },
  {
    file: "cursor__env-interpolation.json",
    formats: ["cursor"],
    syntax: "json",
    servers: [["userjot", "http", "https://api.userjot.com/v1/mcp", "cursor"]],
    credentials: ["env/USERJOT_API_TOKEN:env"],
  },
  {
    file: "snippet__github-remote.json",
    opts: { server: "github" },
    formats: ["snippet"],
    syntax: "json",
    servers: [["github", "http", "https://api.githubcopilot.com/mcp", "snippet"]],
    warning: /^github\.headers\.Authorization holds a placeholder/,
  },
  {
    file: "snippet__github-binary.json",
    opts: { server: "github" },
    formats: ["snippet"],
    syntax: "json",
    servers: [["github", "stdio", "github-mcp-server", "snippet"]],
  },
];

describe("every client format imports from its vendor's own example", () => {
  it("has a case for every fixture file", async () => {
    const files = readdirSync(DIR).filter((f) => f !== "PROVENANCE.md");
    expect(files.sort()).toEqual(CASES.map((c) => c.file).sort());
    const provenance = read("PROVENANCE.md");
    for (const f of files) expect(provenance).toContain(`| ${f} |`);
  });

  it.each(CASES.map((c) => [c.file, c]))("%s", async (_f, c) => {
    const r = ok(await parse(read(c.file), c.opts));
    expect(r.detected).toMatchObject({ syntax: c.syntax, formats: c.formats });
    expect(servers(r.document)).toEqual(c.servers);
    const references = credentialIds(r.document).filter((id) => !id.endsWith(":hard_coded"));
    if (c.credentialsInclude) expect(references).toEqual(expect.arrayContaining(c.credentialsInclude));
    else expect(references).toEqual(c.credentials ?? []);
    // README snippets hold placeholders only: nothing may be taken for a hard-coded secret.
    expect(credentialIds(r.document).filter((id) => id.endsWith(":hard_coded"))).toEqual([]);
    if (c.warning) expect(r.warnings).toContainEqual(expect.stringMatching(c.warning));
  });

  it("an mcpServers map says which client only when something tells: the file's location or a client-specific key", async () => {
    expect(ok(await parse(read("cursor__docs.json"))).detected.formats).toEqual(["mcpServers"]);
    expect(
      ok(await parse(read("cursor__docs.json"), { location: "/Users/ada/Library/Application Support/Claude/claude_desktop_config.json" })).detected.formats,
    ).toEqual(["claude-desktop"]);
    expect(ok(await parse(read("cursor__docs.json"), { location: "C:\\Users\\ada\\.codeium\\windsurf\\mcp_config.json" })).detected.formats).toEqual([
      "windsurf",
    ]);
    expect(ok(await parse(read("cursor__docs.json"), { location: "~/src/app/.mcp.json" })).detected.formats).toEqual(["claude-code"]);
    expect(ok(await parse(read("gemini-cli__sse-oauth-discovery.json"))).detected).toMatchObject({
      formats: ["mcpServers"],
      label: "mcpServers (Claude Desktop, Cursor or a compatible client)",
    });
  });
});

describe("Codex config.toml", () => {
  it("environment-sourced values become env references: bearer_token_env_var, env_http_headers, env_vars", async () => {
    const toml = [
      "[mcp_servers.docs]",
      'url = "https://mcp.acme.io/mcp"',
      'bearer_token_env_var = "ACME_TOKEN"',
      'env_http_headers = { "X-Api-Key" = "ACME_API_KEY" }',
      "",
      "[mcp_servers.local]",
      'command = "npx"',
      'args = ["-y", "@acme/mcp@1.2.3"]',
      'env_vars = ["GITHUB_TOKEN", { name = "REMOTE_SECRET", source = "remote" }]',
      'cwd = "/srv/acme"',
    ].join("\n");
    const r = ok(await parse(toml));
    const docs = r.document.nodes.find((n) => n.externalId === "docs")!;
    expect(docs.attributes).toMatchObject({ transport: "http", headerKeys: ["X-Api-Key", "Authorization"], configFormat: "codex" });
    expect(credentialIds(r.document)).toEqual(["env/ACME_API_KEY:env", "env/ACME_TOKEN:env", "env/GITHUB_TOKEN:env", "env/REMOTE_SECRET:env"]);
    expect(r.document.nodes.find((n) => n.externalId === "local")!.attributes).toMatchObject({
      envKeys: ["GITHUB_TOKEN", "REMOTE_SECRET"],
      cwd: "/srv/acme",
      pinned: true,
    });
  });

  it("an inline bearer_token is fingerprinted, never stored, and warned about", async () => {
    const token = rnd(40, ALNUM, 77);
    const r = ok(await parse(`[mcp_servers.old]\nurl = "https://mcp.acme.io/mcp"\nbearer_token = "${token}"\n`));
    const cred = r.document.nodes.find((n) => n.kind === "credential")!;
    expect(cred.attributes).toMatchObject({ storage: "hard_coded", fingerprint: fingerprintSecret(token) });
    expect(r.warnings).toContainEqual(expect.stringMatching(/^mcp_servers\.old: bearer_token holds the token itself/));
    expect(JSON.stringify(r)).not.toContain(token);
  });

  it("a TOML syntax error names TOML, a line and a column, and never quotes the input", async () => {
    const secret = rnd(32, ALNUM, 5);
    const r = await parse(`[mcp_servers.a]\ncommand = "npx"\nenv = { TOKEN = "${secret}" X = 1 }\n`);
    expect(errorsOf(r)).toEqual([{ path: expect.stringMatching(/^3:\d+$/), message: expect.stringMatching(/^TOML, line 3, column \d+: [a-z]/) }]);
    expect(JSON.stringify(r)).not.toContain(secret.slice(0, 12));
    expect(errorsOf(await parse('[mcp_servers.a]\ncommand = "npx"\n[mcp_servers.a]\n'))[0]!.message).toMatch(/^TOML, line 3, column \d+: [a-z]/);
  });

  it("a file saved with a byte-order mark reads the same", async () => {
    expect(servers(ok(await parse(`\uFEFF${read("codex__figma.toml")}`)).document)).toEqual([["figma", "http", "https://mcp.figma.com/mcp", "codex"]]);
    expect(servers(ok(await parse(`\uFEFF${read("continue__sqlite.yaml")}`)).document)).toEqual([["SQLite MCP", "stdio", "npx", "continue"]]);
  });

  it("__proto__ as a table or key name is refused with its path", async () => {
    expect(errorsOf(await parse('[mcp_servers.__proto__]\ncommand = "npx"\n'))).toEqual([
      { path: "mcp_servers.__proto__", message: "the key __proto__ is not accepted" },
    ]);
    expect(errorsOf(await parse('[mcp_servers.a]\ncommand = "npx"\n[mcp_servers.a.env]\n"__proto__" = "x"\n'))).toEqual([
      { path: "mcp_servers.a.env.__proto__", message: "the key __proto__ is not accepted" },
    ]);
    expect(({} as Record<string, unknown>).command).toBeUndefined();
  });
});

describe("Continue config.yaml: plain data only", () => {
  it("a YAML syntax error names YAML, a line and a column, never the input", async () => {
    const secret = rnd(32, ALNUM, 6);
    const r = await parse(`mcpServers:\n  - name: a\n    command: npx\n   env: { TOKEN: ${secret}\n`);
    expect(errorsOf(r)[0]).toEqual({ path: expect.stringMatching(/^\d+:\d+$/), message: expect.stringMatching(/^YAML, line \d+, column \d+: /) });
    expect(JSON.stringify(r)).not.toContain(secret.slice(0, 12));
  });

  it("refuses alias bombs, custom tags and __proto__ keys", async () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "mcpServers: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
    ].join("\n");
    expect(errorsOf(await parse(bomb))).toEqual([{ path: "(root)", message: "YAML: anchors and aliases expand to more than 100 copies; refused" }]);
    expect(errorsOf(await parse("mcpServers:\n  - name: a\n    command: !!js/function 'x'\n"))[0]!.message).toMatch(
      /^YAML, line 3, column \d+: an unknown tag/,
    );
    expect(errorsOf(await parse("mcpServers:\n  - name: a\n    command: npx\n    env:\n      __proto__: x\n"))).toEqual([
      { path: "mcpServers[0].env.__proto__", message: "the key __proto__ is not accepted" },
    ]);
    expect(errorsOf(await parse("mcpServers:\n  - name: __proto__\n    command: npx\n"))).toEqual([
      { path: "mcpServers[0]", message: "the server name __proto__ is not accepted" },
    ]);
  });
});

describe("single-server snippets (install guides)", () => {
  it("without a name the answer says to give one", async () => {
    expect(errorsOf(await parse(read("snippet__github-remote.json")))).toEqual([
      { path: "server", message: expect.stringMatching(/give its name with \?server=<name>/) },
    ]);
  });

  it("the given name is checked like any server name", async () => {
    expect(errorsOf(await parse(read("snippet__github-remote.json"), { server: "__proto__" }))).toEqual([
      { path: "server", message: "the server name __proto__ is not accepted" },
    ]);
    expect(errorsOf(await parse(read("snippet__github-remote.json"), { server: " " }))[0]!.path).toBe("server");
    expect(errorsOf(await parse(read("snippet__github-remote.json"), { server: "a\u0007b" }))[0]!.message).toMatch(/control characters/);
  });

  it("a name given for a config that names its servers is ignored, with a warning", async () => {
    const r = ok(await parse(read("zed__custom.json"), { server: "other" }));
    expect(servers(r.document).map((s) => s[0])).toEqual(["your-mcp-server"]);
    expect(r.warnings).toContain("server: ignored, because the config names its own servers");
  });
});

describe("what is dropped or unusual is a warning, naming paths and keys, never values", () => {
  const secret = `ghp_${rnd(36, ALNUM, 11)}`;

  it("reads every recognised section, not only the first, and warns about a duplicate name", async () => {
    const config = {
      mcpServers: { a: { command: "npx", args: ["a"] } },
      servers: { b: { type: "http", url: "https://b.example/mcp" }, a: { command: "uvx", args: ["other"] } },
      context_servers: { c: { command: "c-server" } },
    };
    const r = ok(await parse(JSON.stringify(config)));
    expect(r.detected.formats).toEqual(["mcpServers", "vscode", "zed"]);
    expect(servers(r.document)).toEqual([
      ["a", "stdio", "npx", "mcpServers"],
      ["b", "http", "https://b.example/mcp", "vscode"],
      ["c", "stdio", "c-server", "zed"],
    ]);
    expect(r.warnings).toContain('servers.a: a server named "a" is already defined at mcpServers.a; this one is not imported');
  });

  it("warns about unknown keys, unknown transports, disabled servers, undeclared inputs, Zed extensions and look-alike sections", async () => {
    const config = {
      "mcp-servers": { x: { command: "npx" } },
      servers: {
        odd: { command: "npx", args: ["-y", "odd"], autoRestart: secret, type: "stdio" },
        ws: { type: "websocket", url: "wss://ws.example/mcp" },
        off: { command: "npx", disabled: true },
        gh: { type: "http", url: "https://gh.example/mcp", headers: { Authorization: "Bearer ${input:gh_token}" } },
      },
      context_servers: { "mcp-server-github": { source: "extension", enabled: true, settings: { github_personal_access_token: secret } } },
    };
    const r = ok(await parse(JSON.stringify(config)));
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        'servers.odd: unknown key "autoRestart" ignored (not part of VS Code mcp.json)',
        'servers.ws: unknown transport "websocket" in type: read as http from its url',
        "servers.off: is disabled in the client; imported with disabled: true",
        'servers.gh.headers.Authorization references input "gh_token", which is not declared in inputs',
        'context_servers.mcp-server-github: is provided by a Zed extension; what it runs is not in this file, so it is not imported (its settings "github_personal_access_token" are not read)',
        "mcp-servers: looks like a list of servers but is not a format this import reads; ignored",
      ]),
    );
    expect(servers(r.document).map((s) => s[0])).toEqual(["odd", "ws", "off", "gh"]);
    expect(r.document.nodes.find((n) => n.externalId === "off")!.attributes).toMatchObject({ disabled: true });
    expect(JSON.stringify(r)).not.toContain(secret);
  });

  it("a settings file's other keys are not warned about; a Codex or Continue file without servers is that client's, empty", async () => {
    const zed = ok(
      await parse(
        JSON.stringify({
          language_servers: { rust: { binary: { path: "/usr/bin/rust-analyzer" } } },
          "chat.mcp.discovery.enabled": true,
          server: { port: 4096 },
          context_servers: { a: { command: "a" } },
        }),
      ),
    );
    expect(zed.warnings).toEqual([]);
    expect(ok(await parse('model = "o3"\n[tui]\nnotifications = true\n'))).toMatchObject({
      detected: { formats: ["codex"], syntax: "toml" },
      warnings: ["no [mcp_servers.<name>] tables: read as a Codex config.toml without MCP servers", "the config defines no servers"],
    });
    expect(ok(await parse("name: My config\nversion: 1.0.0\nmodels: []\n")).detected).toMatchObject({ formats: ["continue"], syntax: "yaml" });
  });

  it("Gemini settings' own mcp block is not a server list and is not warned about", async () => {
    const r = ok(await parse(JSON.stringify({ mcp: { allowed: ["a"] }, mcpServers: { a: { httpUrl: "https://a.example/mcp", trust: false } } })));
    expect(r.detected.formats).toEqual(["gemini-cli"]);
    expect(r.warnings).toEqual([]);
  });
});

describe("hostile input in every syntax", () => {
  it("never throws on mangled vendor examples (deterministic fuzz over JSON, TOML and YAML)", async () => {
    const texts = CASES.map((c) => read(c.file));
    const noise = "{}[]\",:=#-&*!|>\n \t.'";
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      let t = texts[next(texts.length)]!;
      for (let k = 0, edits = 1 + next(4); k < edits; k++) {
        const at = next(t.length + 1);
        const op = next(3);
        if (op === 0) t = t.slice(0, at) + t.slice(at + 1 + next(5));
        else if (op === 1) t = t.slice(0, at) + noise[next(noise.length)] + t.slice(at);
        else t = t.slice(0, at);
      }
      const r: McpConfigResult = await parse(t, { server: "s" }); // a throw fails the test
      if (!r!.ok) {
        refused++;
        for (const e of r!.errors) expect(e.message.length).toBeGreaterThan(5);
      }
    }
    expect(refused).toBeGreaterThan(300);
  });

  it("deep nesting is refused in TOML and YAML too", async () => {
    expect(errorsOf(await parse(`[mcp_servers.a]\nargs = ${"[".repeat(100)}${"]".repeat(100)}\n`))[0]!.message).toMatch(/^TOML/);
    expect(errorsOf(await parse(`mcpServers:\n  - args: ${"[".repeat(100)}${"]".repeat(100)}\n`))[0]!.message).toMatch(/nesting deeper than 64 levels/);
  });
});
