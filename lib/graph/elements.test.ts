import { describe, expect, it } from "vitest";
import { MAX_DRAWN_NODES, pathsToElements } from "./elements";

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
    const paths = Array.from({ length: MAX_DRAWN_NODES }, (_, i) => ({ nodes: [`p${i}`, `q${i}`, "t"], edges: ["member_of" as const, "has_entitlement" as const] }));
    const e = pathsToElements(paths, describeNode);
    expect(e.clipped).toBe(true);
    expect(e.nodes.length).toBeLessThanOrEqual(MAX_DRAWN_NODES);
    expect(e.edges.every((x) => e.nodes.some((n) => n.id === x.source) && e.nodes.some((n) => n.id === x.target))).toBe(true);
  });
});
