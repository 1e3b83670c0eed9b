import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverServer } from "../mcp-discovery/discover";
import { parseToolsList } from "./parse-tools-list";
import { captured, capturedText } from "./test-fixtures";

const fixture = capturedText;
const ok = (r: ReturnType<typeof parseToolsList>) => {
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
};

describe("parseToolsList on captured real tools/list answers", () => {
  it.each([
    ["everything", 13, "2.0.0"],
    ["filesystem", 14, "0.2.0"],
    ["memory", 9, "0.6.3"],
    ["github", 26, "0.6.2"],
  ] as const)("%s: every tool, its definition as listed, and serverInfo", (name, count, version) => {
    const c = captured(name);
    const r = ok(parseToolsList(fixture(name)));
    expect(r.tools).toHaveLength(count);
    expect(r.serverInfo).toMatchObject({ name: c.serverInfo.name, version });
    expect(r.lastCursorAt).toBeNull();
    for (const [i, t] of c.tools.entries()) {
      const got = r.tools[i]!;
      expect(got.name).toBe(t.name);
      expect(got.inputSchema).toEqual(t.inputSchema);
      expect(got.outputSchema).toEqual(t.outputSchema);
      expect(got.annotations).toEqual(t.annotations);
      expect(got.description).toBe(t.description);
      expect(got.title).toBe(t.title);
    }
  });

  it("reads a tool exactly as live discovery's MCP client does (the real memory server, over stdio)", async () => {
    const bin = path.join(process.cwd(), "node_modules", ".bin", "mcp-server-memory");
    const live = await discoverServer({
      transport: "stdio",
      command: bin,
      env: { MEMORY_FILE_PATH: path.join(process.env.TMPDIR ?? "/tmp", `attest-mem-tools-${process.pid}.json`) },
    });
    const r = ok(parseToolsList(fixture("memory")));
    const pick = (t: (typeof r.tools)[number]) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: t.inputSchema,
      outputSchema: t.outputSchema,
      annotations: t.annotations,
    });
    expect(r.tools.map(pick)).toEqual(live.tools.map(pick));
  });
});

describe("parseToolsList: the shapes a tools/list answer comes in", () => {
  const tools = captured("filesystem").tools;
  const page = (from: number, to: number, nextCursor?: string) => ({ tools: tools.slice(from, to), ...(nextCursor ? { nextCursor } : {}) });
  const rpc = (id: number, result: unknown) => ({ jsonrpc: "2.0", id, result });

  it("a JSON-RPC response, a bare result, and a plain array of tools give the same tools", () => {
    const a = ok(parseToolsList(JSON.stringify(rpc(1, page(0, 14)))));
    const b = ok(parseToolsList(JSON.stringify(page(0, 14))));
    const c = ok(parseToolsList(JSON.stringify(tools)));
    expect(a.tools).toEqual(b.tools);
    expect(c.tools).toEqual(b.tools);
    expect(b.tools).toHaveLength(14);
  });

  it("pages concatenated: an array of responses, an array of results, or JSON Lines", () => {
    const pages = [rpc(1, page(0, 5, "c1")), rpc(2, page(5, 10, "c2")), rpc(3, page(10, 14))];
    const asArray = ok(parseToolsList(JSON.stringify(pages)));
    expect(asArray.tools.map((t) => t.name)).toEqual(tools.map((t) => t.name));
    expect(asArray.pages).toBe(3);
    expect(asArray.lastCursorAt).toBeNull();
    const results = ok(parseToolsList(JSON.stringify(pages.map((p) => p.result))));
    expect(results.tools).toEqual(asArray.tools);
    const jsonl = pages.map((p) => JSON.stringify(p)).join("\n");
    expect(ok(parseToolsList(jsonl)).tools).toEqual(asArray.tools);
    expect(ok(parseToolsList(`${jsonl}\r\n`, { jsonl: true })).tools).toEqual(asArray.tools);
  });

  it("a captured session: the initialize answer gives serverInfo, the tools/list answer the tools", () => {
    const init = rpc(0, { protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "fs", version: "9.9.9" } });
    const r = ok(parseToolsList([init, rpc(1, page(0, 14))].map((x) => JSON.stringify(x)).join("\n")));
    expect(r.serverInfo).toEqual({ name: "fs", version: "9.9.9" });
    expect(r.tools).toHaveLength(14);
  });

  it("says where the last page still points to more pages", () => {
    const r = ok(parseToolsList(JSON.stringify([rpc(1, page(0, 5, "c1")), rpc(2, page(5, 10, "c2"))])));
    expect(r.lastCursorAt).toBe("[1].result.nextCursor");
  });

  it("keeps one copy of a tool repeated identically by overlapping pages", () => {
    const r = ok(parseToolsList(JSON.stringify([page(0, 6), page(5, 14)])));
    expect(r.tools).toHaveLength(14);
  });

  it("drops keys the MCP client drops (unknown tool and annotation keys), keeps the schema whole", () => {
    const t = { name: "x", inputSchema: { type: "object", "x-vendor": 1 }, annotations: { readOnlyHint: true, vendorHint: 2 }, vendor: 3 };
    const r = ok(parseToolsList(JSON.stringify({ tools: [t] })));
    expect(r.tools[0]).toEqual({ name: "x", inputSchema: { type: "object", "x-vendor": 1 }, annotations: { readOnlyHint: true } });
  });
});

describe("parseToolsList: refusals name the JSON path, never the value", () => {
  const SECRETISH = "ghp_ZZZZsecretvalue1234567890abcdefABCD";
  const errorsOf = (body: string, jsonl = false) => {
    const r = parseToolsList(body, { jsonl });
    if (r.ok) throw new Error("expected a refusal");
    expect(JSON.stringify(r.errors)).not.toContain(SECRETISH);
    return r.errors;
  };
  const good = { name: "ok", inputSchema: { type: "object" } };

  it("every tool is checked: name, sizes, inputSchema, hints", () => {
    const errors = errorsOf(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        result: {
          tools: [
            good,
            { inputSchema: { type: "object" } },
            { name: 42, inputSchema: { type: "object" } },
            { name: ` ${SECRETISH}`, inputSchema: { type: "object" } },
            { name: "no-schema" },
            { name: "bad-schema", inputSchema: SECRETISH },
            { name: "array-schema", inputSchema: { type: "array" } },
            { name: "hint", inputSchema: { type: "object" }, annotations: { destructiveHint: SECRETISH } },
            { name: "long", description: "d".repeat(70_000), inputSchema: { type: "object" } },
            { name: "n".repeat(201), inputSchema: { type: "object" } },
            SECRETISH,
          ],
        },
      }),
    );
    expect(errors.map((e) => e.path)).toEqual([
      "result.tools[1].name",
      "result.tools[2].name",
      "result.tools[3].name",
      "result.tools[4].inputSchema",
      "result.tools[5].inputSchema",
      "result.tools[6].inputSchema.type",
      "result.tools[7].annotations.destructiveHint",
      "result.tools[8].description",
      "result.tools[9].name",
      "result.tools[10]",
    ]);
  });

  it("a JSON-RPC error, a request, and something that is no tools/list at all", () => {
    expect(errorsOf(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32601, message: SECRETISH } }))).toEqual([
      { path: "error", message: expect.stringMatching(/error response/) },
    ]);
    expect(errorsOf(JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "tools/list" }]))[0]!.path).toBe("[0].method");
    expect(errorsOf(JSON.stringify({ jsonrpc: "1.0", id: 1, result: { tools: [] } }))[0]!.path).toBe("jsonrpc");
    expect(errorsOf(JSON.stringify({ servers: { x: SECRETISH } }))[0]!.path).toBe("body");
    expect(errorsOf(JSON.stringify({ tools: { a: good } }))[0]!.path).toBe("tools");
    expect(errorsOf(JSON.stringify({ tools: [good], nextCursor: 5 }))[0]!.path).toBe("nextCursor");
  });

  it("nothing that says which tools: an empty array, or an initialize answer alone (a full import would end every tool)", () => {
    expect(errorsOf("[]")[0]!.path).toBe("body");
    expect(errorsOf(JSON.stringify({ jsonrpc: "2.0", id: 0, result: { serverInfo: { name: "s", version: "1" } } }))[0]!.path).toBe("body");
    expect(parseToolsList('{"tools": []}')).toMatchObject({ ok: true, tools: [] });
  });

  it("pages and bare tools mixed, and the same name with two definitions", () => {
    expect(errorsOf(JSON.stringify([{ tools: [good] }, good]))[0]!.path).toBe("[1]");
    expect(errorsOf(JSON.stringify([{ tools: [good] }, { tools: [{ ...good, description: "changed" }] }]))).toEqual([
      { path: "[1].tools[0].name", message: "the same tool name is listed at [0].tools[0] with a different definition" },
    ]);
  });

  it("not JSON: says where, without the text", () => {
    expect(errorsOf(`{"tools": [${SECRETISH}]}`)).toEqual([{ path: "body", message: expect.stringMatching(/^not valid JSON/) }]);
    expect(errorsOf(`{"tools": []}\n{"tools": [${SECRETISH}]}`)).toEqual([{ path: "line 2", message: expect.stringMatching(/not valid JSON/) }]);
    expect(errorsOf(`${JSON.stringify({ tools: [good] })}\n${JSON.stringify({ tools: [{ name: "" }] })}`)[0]!.path).toBe("line 2: tools[0].name");
    expect(errorsOf("  \n", true)[0]!.path).toBe("body");
  });

  it("a __proto__ key or hostile nesting is refused like in every import", () => {
    expect(errorsOf('{"tools": [{"name": "x", "inputSchema": {"type": "object", "__proto__": {}}}]}')[0]!.path).toBe("tools[0].inputSchema.__proto__");
    let deep: unknown = {};
    for (let i = 0; i < 80; i++) deep = { a: deep };
    expect(errorsOf(JSON.stringify({ tools: [{ name: "x", inputSchema: { type: "object", properties: { p: deep } } }] }))[0]!.message).toMatch(
      /nesting deeper/,
    );
  });
});
