import { describe, expect, it } from "vitest";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { serverTemplates } from "@/lib/bench/dataset";
import { discoveryToGraph } from "./mcp-discovery/to-graph";
import { captured } from "./mcp-tools/test-fixtures";
import { enrichToolAttributes, toolDefinitionHash } from "./tool-attributes";

const destructive = { readOnlyHint: false, destructiveHint: true, openWorldHint: false };

describe("enrichToolAttributes", () => {
  it("gives a tool with a definition its risk, reason and definition hash", () => {
    const a = enrichToolAttributes("delete_entities", { description: "Delete", inputSchema: { type: "object" }, annotations: destructive });
    expect(a).toMatchObject({ risk: "critical", riskReasonCode: "declared_destructive", riskReason: "declares itself destructive, closed world" });
    expect(a.definitionHash).toBe(
      toolDefinitionHash({ name: "delete_entities", description: "Delete", inputSchema: { type: "object" }, annotations: destructive }),
    );
    expect(a.declaredRisk).toBeUndefined();
  });

  it("a bare tool node is high (no annotations) and keeps the hash it brings: there is nothing to recompute it from", () => {
    expect(enrichToolAttributes("run", { definitionHash: "sha256:given" })).toEqual({
      definitionHash: "sha256:given",
      risk: "high",
      riskReason: "no annotations: behaviour unknown",
      riskReasonCode: "no_annotations",
    });
    expect(enrichToolAttributes("run", undefined)).toMatchObject({ risk: "high", riskReasonCode: "no_annotations" });
  });

  it("a supplied risk lower than the computed one is kept as declaredRisk and does not count", () => {
    const a = enrichToolAttributes("delete_entities", { risk: "low", riskReason: "we trust it", annotations: destructive });
    expect(a).toMatchObject({ risk: "critical", riskReasonCode: "declared_destructive", declaredRisk: "low", declaredRiskReason: "we trust it" });
  });

  it("a supplied risk higher than the computed one raises it, and says so", () => {
    const a = enrichToolAttributes("read_graph", { risk: "critical", annotations: { readOnlyHint: true, openWorldHint: false } });
    expect(a).toMatchObject({ risk: "critical", riskReasonCode: "declared_by_source", declaredRisk: "critical" });
    expect(a.riskReason).toBe("marked critical by its source; its annotations alone give low (read-only, closed world)");
  });

  it("a supplied risk that is no level is kept as the source's data, and the computed risk stands", () => {
    expect(enrichToolAttributes("x", { risk: "severe", annotations: { readOnlyHint: true } })).toMatchObject({ risk: "low", declaredRisk: "severe" });
  });

  it("a risk it computed itself, coming back in an export, is not taken for a declared one: re-importing changes nothing", () => {
    const first = enrichToolAttributes("delete_entities", {
      risk: "low",
      annotations: destructive,
      description: "Delete",
      inputSchema: { type: "object" },
      definitionHash: "sha256:stale",
    });
    expect(first.declaredDefinitionHash).toBe("sha256:stale");
    expect(enrichToolAttributes("delete_entities", first)).toEqual(first);
    const plain = enrichToolAttributes("read", { annotations: { readOnlyHint: true } });
    expect(enrichToolAttributes("read", plain)).toEqual(plain);
  });

  it("a supplied hash that does not match the definition is replaced (drift is judged on what is stored) and kept aside", () => {
    const a = enrichToolAttributes("t", { description: "now", definitionHash: "sha256:old" });
    expect(a.definitionHash).toBe(toolDefinitionHash({ name: "t", description: "now" }));
    expect(a.declaredDefinitionHash).toBe("sha256:old");
  });

  it.each(["everything", "filesystem", "memory", "github"] as const)(
    "%s: changes nothing in what discovery writes (the import engine recomputes the same)",
    (name) => {
      const list = captured(name);
      const doc = discoveryToGraph(list, { serverName: name });
      for (const n of doc.nodes.filter((x) => x.kind === "tool")) expect(enrichToolAttributes(n.name, n.attributes)).toEqual(n.attributes);
    },
  );

  it("the benchmark generator's tools are already what the import engine stores (no recomputed hash, no declared risk)", () => {
    for (const server of serverTemplates()) for (const tool of server.tools) expect(enrichToolAttributes(tool.name, tool.attributes)).toEqual(tool.attributes);
  });

  it("the demo organisation's tools too (it is written without the import engine)", () => {
    const tools = buildDemoOrg().nodes.filter((n) => n.kind === "tool");
    expect(tools.length).toBeGreaterThan(0);
    for (const n of tools) {
      const stored = JSON.parse(JSON.stringify(n.attributes)) as Record<string, unknown>;
      expect(enrichToolAttributes(n.name, stored)).toEqual(stored);
    }
  });
});
