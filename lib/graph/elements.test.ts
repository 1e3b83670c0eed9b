import { describe, expect, it } from "vitest";
import { countGroups, groupsToElements, markedNode, MAX_DRAWN_NODES, pathsToElements } from "./elements";

const describeNode = (id: string) => ({ name: `name of ${id}`, kind: "group" as const });

describe("pathsToElements", () => {
  it("merges paths into one picture without duplicate nodes or edges, marking the focus", () => {
    const e = pathsToElements(
      [
        { nodes: ["a", "g", "t"], edges: ["member_of", "has_entitlement"] },
        { nodes: ["b", "g", "t"], edges: ["member_of", "has_entitlement"] },
      ],
      describeNode,
      ["t"],
    );
    expect(e.nodes.map((n) => n.id)).toEqual(["a", "g", "t", "b"]);
    expect(e.edges.map((x) => x.id)).toEqual(["a|member_of|g", "g|has_entitlement|t", "b|member_of|g"]);
    expect(e.nodes.find((n) => n.id === "t")!.focus).toBe(true);
    expect(e.clipped).toBe(false);
  });

  it("stops adding paths before the picture passes the drawing limit", () => {
    const paths = Array.from({ length: MAX_DRAWN_NODES }, (_, i) => ({
      nodes: [`p${i}`, `q${i}`, "t"],
      edges: ["member_of" as const, "has_entitlement" as const],
    }));
    const e = pathsToElements(paths, describeNode);
    expect(e.clipped).toBe(true);
    expect(e.nodes.length).toBeLessThanOrEqual(MAX_DRAWN_NODES);
    expect(e.edges.every((x) => e.nodes.some((n) => n.id === x.source) && e.nodes.some((n) => n.id === x.target))).toBe(true);
  });
});

describe("groupsToElements", () => {
  it("draws one node per (kind, source) with its count, joined to the focus the way access flows", () => {
    const groups = [
      { kind: "human" as const, source: "okta", count: 4200 },
      { kind: "agent" as const, source: "<img src=x onerror=alert(1)>", count: 7 },
    ];
    const who = groupsToElements(groups, { id: "tool_1", name: "delete_repo", kind: "tool" }, "in");
    expect(who.nodes.map((n) => [n.id, n.label, n.count])).toEqual([
      ["tool_1", "delete_repo", undefined],
      ["grp-0", "Human (4,200)\nokta", 4200],
      ["grp-1", "AI agent (7)\n<img src=x onerror=alert(1)>", 7],
    ]);
    // Ids never carry the (imported) source name; the label carries it as plain text for the canvas.
    expect(who.nodes.every((n) => /^[\w-]+$/.test(n.id))).toBe(true);
    expect(who.edges.map((e) => [e.source, e.target])).toEqual([
      ["grp-0", "tool_1"],
      ["grp-1", "tool_1"],
    ]);
    const reach = groupsToElements(groups, { id: "hum_1", name: "Ada", kind: "human" }, "out");
    expect(reach.edges[0]).toMatchObject({ source: "hum_1", target: "grp-0", kind: "group" });
    expect(who.nodes[1]!.size).toBeGreaterThan(who.nodes[2]!.size!);
  });
});

describe("marks on nodes", () => {
  it("draws a tool's risk and a credential's storage on the node, and nothing on other kinds", () => {
    const write = markedNode("tool_w", { name: "write_file", kind: "tool", risk: "critical" });
    const read = markedNode("tool_r", { name: "read_file", kind: "tool", risk: "low" });
    expect([write.label, write.risk]).toEqual(["write_file\ncritical risk", "critical"]);
    expect([read.label, read.risk]).toEqual(["read_file\nlow risk", "low"]);
    const pat = markedNode("cred_1", { name: "GitHub PAT", kind: "credential", storage: "hard_coded" });
    expect([pat.label, pat.storage, pat.exposure]).toEqual(["GitHub PAT\nhard-coded", "hard_coded", "exposed"]);
    expect(markedNode("cred_2", { name: "Vault token", kind: "credential", storage: "vault" }).exposure).toBe("kept");
    // A mark that does not belong to the kind is not drawn.
    const ada = markedNode("hum_1", { name: "Ada", kind: "human", risk: "critical", storage: "hard_coded" });
    expect(ada).toEqual({ id: "hum_1", label: "Ada", kind: "human" });
  });

  it("carries the marks through pathsToElements", () => {
    const e = pathsToElements([{ nodes: ["s", "t"], edges: ["exposes"] }], (id) =>
      id === "s" ? { name: "fs", kind: "mcp_server" } : { name: "write_file", kind: "tool", risk: "high" },
    );
    expect(e.nodes.find((n) => n.id === "t")).toMatchObject({ risk: "high", label: "write_file\nhigh risk" });
  });
});

describe("countGroups", () => {
  it("counts results by kind and source, largest first, ties in a stable order", () => {
    const items = [
      { kind: "tool" as const, source: "mcp" },
      { kind: "human" as const, source: "okta" },
      { kind: "tool" as const, source: "mcp" },
      { kind: "group" as const, source: "okta" },
      { kind: "human" as const, source: "hr" },
    ];
    expect(countGroups(items)).toEqual([
      { kind: "tool", source: "mcp", count: 2 },
      { kind: "group", source: "okta", count: 1 },
      { kind: "human", source: "hr", count: 1 },
      { kind: "human", source: "okta", count: 1 },
    ]);
    expect(countGroups([])).toEqual([]);
  });
});
