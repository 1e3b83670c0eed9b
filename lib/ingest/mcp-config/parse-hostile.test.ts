import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { randomish } from "@/lib/ingest/secrets/fake-tokens";
import { MCP_CONFIG_LIMITS, parseMcpConfig, type McpConfigResult } from "./parse";

const parse = (text: string) => parseMcpConfig(text, { source: "mcp-configs" });
const errorsOf = (r: McpConfigResult) => (r.ok ? [] : r.errors);

describe("parseMcpConfig refuses what it cannot make sense of, with a reason and a place", () => {
  it("invalid JSON: names the line and column", async () => {
    expect(await parse('{\n  "mcpServers": {\n    "a": { "command": "npx", }\n    "b": {}\n  }\n}')).toEqual({
      ok: false,
      errors: [{ path: "4:5", message: "line 4, column 5: expected ',' or '}' after a property value, found '\"'" }],
    });
    expect(errorsOf(await parse('{"mcpServers": {"a": {"command": "npx", "args": ["x"'))[0]!.message).toMatch(
      /^line 1, column \d+: unterminated array: expected ',' or ']'$/,
    );
    expect(errorsOf(await parse('{"mcpServers": {"a": {"command": "npx"'))[0]!.message).toMatch(/unterminated object/);
    expect(errorsOf(await parse('{"mcpServers": {"a": {"command": \'npx\'}}}'))[0]!.message).toBe("line 1, column 34: strings must use double quotes");
  });

  it("a number, a string, an array or nothing is not a config", async () => {
    expect(await parse("42")).toEqual({
      ok: false,
      errors: [{ path: "(root)", message: 'expected a JSON object with "mcpServers" or "servers", found a number' }],
    });
    expect(errorsOf(await parse('"mcpServers"'))[0]!.message).toMatch(/found a string/);
    expect(errorsOf(await parse("[]"))[0]!.message).toMatch(/found an array/);
    expect(errorsOf(await parse(""))[0]).toEqual({ path: "1:1", message: "line 1, column 1: the input is empty: expected a JSON object" });
  });

  it("mcpServers must map names to definitions", async () => {
    expect(await parse('{"mcpServers": []}')).toEqual({
      ok: false,
      errors: [{ path: "mcpServers", message: "must be an object mapping server names to server definitions, found an array" }],
    });
  });

  it("an unknown shape lists the keys it found", async () => {
    expect(errorsOf(await parse('{"tools": {}, "theme": "dark"}'))[0]!.message).toMatch(/^unknown config shape: .*found keys "tools", "theme"$/);
  });

  it("a bad server is refused whole, every problem listed with its path", async () => {
    const r = await parse(
      JSON.stringify({
        mcpServers: {
          ok: { command: "npx" },
          a: {},
          b: { command: "x", args: [1, { bad: true }], env: { T: ["x"] } },
          c: "npx",
          d: { type: "websocket", url: "wss://h" },
        },
      }),
    );
    expect(errorsOf(r)).toEqual([
      { path: "mcpServers.a", message: 'server "a" has neither "command" (stdio) nor "url" (http, sse)' },
      { path: "mcpServers.b.args[1]", message: "must be a string, found an object" },
      { path: "mcpServers.b.env.T", message: "must be a string, found an array" },
      { path: "mcpServers.c", message: "a server definition must be an object, found a string" },
    ]);
    // An unknown transport is not a reason to lose the server: it is read from its URL, with a warning (formats.test.ts).
  });

  it("a key or server named __proto__ is refused with its path, as everywhere in the API; constructor is plain data", async () => {
    expect(errorsOf(await parse('{"mcpServers": {"__proto__": {"command": "npx", "args": ["-y", "evil"]}}}'))).toEqual([
      { path: "mcpServers.__proto__", message: "the key __proto__ is not accepted" },
    ]);
    expect(errorsOf(await parse('{"__proto__": {"mcpServers": {"a": {"command": "x"}}}}'))).toEqual([
      { path: "__proto__", message: "the key __proto__ is not accepted" },
    ]);
    expect(errorsOf(await parse('{"mcpServers": {"a": {"command": "uvx", "env": {"__proto__": "y"}}}}'))).toEqual([
      { path: "mcpServers.a.env.__proto__", message: "the key __proto__ is not accepted" },
    ]);
    const r = await parse('{"mcpServers": {"constructor": {"command": "uvx", "args": ["x"], "env": {"constructor": "y"}}}}');
    expect(r.ok && r.document.nodes.map((n) => [n.externalId, n.attributes?.command, n.attributes?.envKeys])).toEqual([
      ["constructor", "uvx", ["constructor"]],
    ]);
    expect(({} as Record<string, unknown>).command).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, "args")).toBe(false);
  });

  it("a 10 MB input is refused before it is read", async () => {
    const big = `{"mcpServers": {"a": {"command": "x", "args": ["${"a".repeat(10 * 1024 * 1024)}"]}}}`;
    const start = Date.now();
    expect(await parse(big)).toEqual({ ok: false, errors: [{ path: "(root)", message: "the config is larger than 5 MB" }] });
    expect(Date.now() - start).toBeLessThan(1000);
    // Multi-byte characters count as the bytes they take.
    expect((await parse(`{"x": "${"€".repeat(MCP_CONFIG_LIMITS.maxBytes / 3 + 10)}"}`)).ok).toBe(false);
  });

  it("deep nesting is refused at 64 levels, without exhausting the stack", async () => {
    const deep = `{"mcpServers": ${'{"a": '.repeat(80)}1${"}".repeat(80)}}`;
    expect(errorsOf(await parse(deep))[0]!.message).toMatch(/^line 1, column \d+: nesting deeper than 64 levels$/);
    expect(errorsOf(await parse("[".repeat(1_000_000)))[0]!.message).toMatch(/nesting deeper than 64 levels/);
  });

  it("more than 500 servers is refused", async () => {
    const servers = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`s${i}`, { command: "npx" }]));
    expect(await parse(JSON.stringify({ mcpServers: servers }))).toEqual({
      ok: false,
      errors: [{ path: "mcpServers", message: "has 501 servers; at most 500 are accepted" }],
    });
  });

  it("never quotes the input in an error, so a secret on a broken line does not leak", async () => {
    const token = `ghp_${randomish(36, undefined, 9)}`;
    const r = await parse(`{"mcpServers": {"gh": {"command": "npx", "env": {"GITHUB_TOKEN": "${token}" "X": "y"}}}}`);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain(token.slice(4, 12));
  });

  it("a non-string input, an invalid source or owner is an error, not an exception", async () => {
    expect((await parseMcpConfig(42 as unknown as string, { source: "x" })).ok).toBe(false);
    expect(errorsOf(await parseMcpConfig("{}", { source: "bad source!" }))[0]!.path).toBe("source");
    expect(errorsOf(await parseMcpConfig("{}", { source: "x", owner: { kind: "nobody" } as never }))[0]!.path).toBe("owner");
  });

  it("an empty server map is a valid, empty config", async () => {
    expect(await parse('{"mcpServers": {}}')).toEqual({
      ok: true,
      document: { source: "mcp-configs", mode: "incremental", nodes: [], edges: [] },
      warnings: ["the config defines no servers"],
      detected: { syntax: "json", formats: ["mcpServers"], label: "mcpServers (Claude Desktop, Cursor or a compatible client)" },
    });
  });

  it("never throws on mangled fixtures (deterministic fuzz: deletions, insertions, truncations)", async () => {
    const dir = path.resolve(import.meta.dirname, "fixtures/client-configs");
    const texts = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => readFileSync(path.join(dir, f), "utf8"));
    const noise = '{}[]",:/*#\\\n u0\u2028';
    let seed = 1;
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
      const r: McpConfigResult = await parse(t); // a throw fails the test
      if (!r!.ok) {
        refused++;
        for (const e of r!.errors) expect(e.message.length).toBeGreaterThan(5);
      }
    }
    expect(refused).toBeGreaterThan(500);
  });
});
