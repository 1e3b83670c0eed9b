import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { clearAccessCache } from "./access-cache";
import { explainPath, explanationText } from "./explain";
import { exploreNode } from "./explorer";
import { getNodeFor } from "./node-api";

let t: TestDatabase;
let analyst: Actor;
let reviewer: Actor;
beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, smallGraph());
  analyst = await actorByEmail(t, "ana@example.com");
  reviewer = await actorByEmail(t, "ada@example.com");
});
afterAll(() => t.cleanup());

const node = (ref: string) => getNodeFor(t.db, analyst, ref);

describe("exploreNode", () => {
  it("draws what an agent reaches with the tool's risk and the credential's storage on the nodes, and explains a path in words", async () => {
    const bot = await node("mcp:agent:bot");
    const a = await exploreNode(t.db, analyst, bot, { mode: "reach", depth: "6" });
    expect(a.grouped).toBe(false);
    const tool = a.elements.nodes.find((n) => n.kind === "tool")!;
    expect(tool).toMatchObject({ label: "create_issue\nhigh risk", risk: "high" });
    expect(a.elements.nodes.find((n) => n.kind === "credential")).toMatchObject({ storage: "hard_coded", exposure: "exposed" });
    const toTool = a.items.find((i) => i.kind === "tool")!;
    expect(explanationText(explainPath(toTool.path, (id) => a.nodes[id])!)).toBe(
      "AI agent Triage bot connects to MCP server github-mcp, which exposes tool create_issue (high risk).",
    );
  });

  it("draws a neighbourhood in rings by distance, and depth 2 reaches the second ring", async () => {
    const bot = await node("mcp:agent:bot");
    const one = await exploreNode(t.db, analyst, bot, { mode: "neighbors", depth: "1" });
    const two = await exploreNode(t.db, analyst, bot, { mode: "neighbors", depth: "2" });
    expect(one.items).toHaveLength(4);
    expect(two.items).toHaveLength(11);
    expect(new Set(one.elements.nodes.map((n) => n.ring))).toEqual(new Set([0, 1]));
    expect(new Set(two.elements.nodes.map((n) => n.ring))).toEqual(new Set([0, 1, 2]));
    expect(two.elements.nodes.find((n) => n.id === bot.id)).toMatchObject({ ring: 0, focus: true });
    // Groups count distinct neighbours by kind and source (Ada, both owner and principal of the bot, once).
    expect(one.groups.reduce((s, g) => s + g.count, 0)).toBe(3);
    // A neighbourhood filtered by kind keeps only those neighbours.
    const humans = await exploreNode(t.db, analyst, bot, { mode: "neighbors", depth: "2", kind: "human" });
    expect(new Set(humans.items.map((i) => i.kind))).toEqual(new Set(["human"]));
  });

  it("draws groups by kind and source when asked (and above 60 drawn nodes), one node per group plus the focus", async () => {
    const repo = await node("mcp:resource:repo");
    const g = await exploreNode(t.db, analyst, repo, { mode: "who", depth: "6", view: "groups" });
    expect(g.grouped).toBe(true);
    expect(g.elements.nodes).toHaveLength(g.shownGroups.length + 1);
    const p = await exploreNode(t.db, analyst, repo, { mode: "who", depth: "6" });
    expect(p.grouped).toBe(false);
  });

  it("lists the paths to a target, and refuses a reviewer (no graph.read)", async () => {
    const bot = await node("mcp:agent:bot");
    const repo = await node("mcp:resource:repo");
    const a = await exploreNode(t.db, analyst, bot, { mode: "paths", depth: "6", to: repo.id });
    expect(a.items.length).toBeGreaterThan(1);
    expect(a.items.every((i) => i.path.nodes[0] === bot.id && i.path.nodes.at(-1) === repo.id)).toBe(true);
    await expect(exploreNode(t.db, reviewer, bot, { mode: "reach", depth: "6" })).rejects.toMatchObject({ code: "forbidden" });
  });
});
