import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { graphEdgeSchema, graphNodeSchema } from "../graph-document";
import { discoverServer } from "./discover";
import { discoveryToGraph, toolDefinitionHash } from "./to-graph";

const bin = (name: string) => path.join(process.cwd(), "node_modules", ".bin", name);
const captured = (file: string) =>
  JSON.parse(readFileSync(path.join("db/seed/mcp-tools", file), "utf8")) as { tools: { name: string; annotations?: unknown }[] };

describe("live MCP discovery over stdio", () => {
  it("lists the real memory server's tools with their annotations, as captured", async () => {
    const d = await discoverServer({
      transport: "stdio",
      command: bin("mcp-server-memory"),
      env: { MEMORY_FILE_PATH: path.join(process.env.TMPDIR ?? "/tmp", `attest-mem-${process.pid}.json`) },
    });
    expect(d.serverInfo.name).toMatch(/memory/);
    const expected = captured("memory.tools-list.json").tools;
    expect(d.tools.map((t) => t.name).sort()).toEqual(expected.map((t) => t.name).sort());
    for (const t of expected) expect(d.tools.find((x) => x.name === t.name)!.annotations).toEqual(t.annotations);

    const doc = discoveryToGraph(d, { serverName: "memory-mcp", server: { source: "mcp-configs", externalId: "memory-mcp" } });
    expect(doc.source).toBe("tools.memory-mcp");
    expect(doc.nodes).toHaveLength(expected.length);
    for (const n of doc.nodes) expect(graphNodeSchema.safeParse(n).success).toBe(true);
    for (const e of doc.edges) {
      expect(graphEdgeSchema.safeParse(e).success).toBe(true);
      expect(e.from).toEqual({ kind: "mcp_server", externalId: "memory-mcp", source: "mcp-configs" });
    }
  });

  it("a command that is not an MCP server fails with a clear 400, not a hang", async () => {
    await expect(discoverServer({ transport: "stdio", command: "node", args: ["-e", "setTimeout(()=>{}, 100)"] }, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: expect.stringMatching(/bad_request|timeout/),
    });
    await expect(discoverServer({ transport: "stdio", command: "/nonexistent/binary" }, { timeoutMs: 5000 })).rejects.toMatchObject({ code: "bad_request" });
  });
});

describe("tool definition hash", () => {
  it("changes when a description, schema or annotation changes, and not otherwise", () => {
    const t = { name: "delete_repo", description: "Deletes", inputSchema: { type: "object" }, annotations: { destructiveHint: true } };
    const h = toolDefinitionHash(t);
    expect(toolDefinitionHash({ ...t, inputSchema: { type: "object" } })).toBe(h);
    expect(toolDefinitionHash({ ...t, description: "Deletes everything" })).not.toBe(h);
    expect(toolDefinitionHash({ ...t, annotations: { destructiveHint: false } })).not.toBe(h);
    expect(toolDefinitionHash({ ...t, inputSchema: { type: "object", properties: { force: { type: "boolean" } } } })).not.toBe(h);
  });
});
