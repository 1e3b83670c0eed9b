import { describe, expect, it } from "vitest";
import { groupReached, narrowReached } from "./access-groups";
import { buildAccessIndex } from "./access-index";
import { whoCanReach } from "./traverse";

// Four principals reach one tool through an MCP server: two okta humans, one hr human, one agent from mcp.
const ix = buildAccessIndex(
  [
    { id: "h1", kind: "human", source: "okta" },
    { id: "h2", kind: "human", source: "okta" },
    { id: "h3", kind: "human", source: "hr" },
    { id: "a1", kind: "agent", source: "mcp" },
    { id: "m1", kind: "mcp_server", source: "mcp" },
    { id: "t1", kind: "tool", source: "mcp" },
  ],
  [...["h1", "h2", "h3", "a1"].map((id) => ({ fromId: id, toId: "m1", kind: "connects_to" as const })), { fromId: "m1", toId: "t1", kind: "exposes" }],
);
const reached = whoCanReach(ix, ix.indexOf.get("t1")!, 6).reached;

describe("grouping an access answer by kind and source", () => {
  it("counts each (kind, source), largest first", () => {
    expect(groupReached(ix, reached)).toEqual([
      { kind: "human", source: "okta", count: 2 },
      { kind: "agent", source: "mcp", count: 1 },
      { kind: "human", source: "hr", count: 1 },
    ]);
  });

  it("narrows to a kind, a source, or both; an unknown source matches nothing", () => {
    const ids = (f: Parameters<typeof narrowReached>[2]) =>
      narrowReached(ix, reached, f)
        .map((r) => ix.ids[r.node])
        .sort();
    expect(ids({ kind: "human" })).toEqual(["h1", "h2", "h3"]);
    expect(ids({ source: "okta" })).toEqual(["h1", "h2"]);
    expect(ids({ kind: "human", source: "hr" })).toEqual(["h3"]);
    expect(ids({ source: "nowhere" })).toEqual([]);
    expect(ids({})).toHaveLength(4);
  });

  it("puts nodes without a source in one unnamed bucket", () => {
    const bare = buildAccessIndex(
      [
        { id: "h", kind: "human" },
        { id: "t", kind: "tool" },
      ],
      [{ fromId: "h", toId: "t", kind: "connects_to" }],
    );
    expect(groupReached(bare, [{ node: 0, depth: 1 }])).toEqual([{ kind: "human", source: "", count: 1 }]);
  });
});
