import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { smallGraph } from "@/lib/testing/small-graph";
import { parseNodeRef, resolveNodeId } from "./node-ref";
import { graphCounts, listNeighborhood, listNeighbors, listNodes } from "./nodes";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
});
afterAll(() => t.cleanup());

describe("listNodes", () => {
  it("pages through every node exactly once, ordered by name", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listNodes(t.db, { limit: 3, cursor });
      expect(page.total).toBe(11);
      seen.push(...page.items.map((n) => n.name));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toHaveLength(11);
    expect(new Set(seen).size).toBe(11);
    expect(seen).toEqual([...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it("filters by kind, source and status", async () => {
    expect((await listNodes(t.db, { kind: "human", limit: 50 })).total).toBe(3);
    expect((await listNodes(t.db, { source: "mcp", limit: 50 })).total).toBe(6);
    const terminated = await listNodes(t.db, { status: "terminated", limit: 50 });
    expect(terminated.items.map((n) => n.name)).toEqual(["Grace Hopper"]);
  });

  it("searches name, external id and email, treating % and _ literally", async () => {
    expect((await listNodes(t.db, { q: "ADA", limit: 50 })).items.map((n) => n.name)).toEqual(["Ada Lovelace"]);
    expect((await listNodes(t.db, { q: "grace@example", limit: 50 })).items.map((n) => n.name)).toEqual(["Grace Hopper"]);
    expect((await listNodes(t.db, { q: "github-mcp/", limit: 50 })).items.map((n) => n.name)).toEqual(["create_issue"]);
    expect((await listNodes(t.db, { q: "50%", limit: 50 })).items.map((n) => n.name)).toEqual(["50% Done_Person"]);
    expect((await listNodes(t.db, { q: "%", limit: 50 })).total).toBe(1);
    expect((await listNodes(t.db, { q: "_", limit: 50 })).items.map((n) => n.name)).toEqual(["50% Done_Person", "create_issue"]);
  });

  it("answers as of an instant before the graph existed with nothing", async () => {
    expect((await listNodes(t.db, { asOf: new Date("2000-01-01T00:00:00Z"), limit: 50 })).total).toBe(0);
    expect((await listNodes(t.db, { asOf: new Date(Date.now() + 60_000), limit: 50 })).total).toBe(11);
  });

  it("rejects a cursor it did not issue", async () => {
    await expect(listNodes(t.db, { limit: 5, cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "validation" });
  });
});

describe("node references", () => {
  it("resolves source:kind:externalId, including external ids with colons", async () => {
    const id = await resolveNodeId(t.db, parseNodeRef("mcp:tool:github-mcp/create_issue"));
    expect(id).toMatch(/^tool_/);
    expect(await resolveNodeId(t.db, parseNodeRef(id))).toBe(id);
    expect(parseNodeRef("src:human:a:b:c")).toEqual({ source: "src", kind: "human", externalId: "a:b:c" });
  });

  it("says 400 for malformed references and 404 for unknown ones", async () => {
    expect(() => parseNodeRef("nonsense")).toThrow(/node id/);
    expect(() => parseNodeRef("okta:wizard:1")).toThrow(/not a node kind/);
    expect(() => parseNodeRef("hum_123")).toThrow();
    await expect(resolveNodeId(t.db, parseNodeRef("okta:human:nobody"))).rejects.toMatchObject({ code: "not_found" });
    await expect(resolveNodeId(t.db, parseNodeRef("hum_0000000000aaaaaaaaaaaaaaaa"))).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("listNeighbors", () => {
  it("lists edges in both directions with the neighbour and edge direction", async () => {
    const bot = await resolveNodeId(t.db, parseNodeRef("mcp:agent:bot"));
    const all = await listNeighbors(t.db, bot, { direction: "both", limit: 50 });
    expect(all.total).toBe(4);
    const summary = all.items.map((n) => `${n.edge.direction}:${n.edge.kind}:${n.node.name}`).sort();
    expect(summary).toEqual(["in:owns:Ada Lovelace", "out:acts_for:Ada Lovelace", "out:connects_to:github-mcp", "out:uses_credential:GitHub PAT"]);
    const incoming = await listNeighbors(t.db, bot, { direction: "in", limit: 50 });
    expect(incoming.items.map((n) => n.edge.access)).toEqual([false]);
  });

  it("paginates with a cursor and filters by edge kind", async () => {
    const cred = await resolveNodeId(t.db, parseNodeRef("mcp:credential:cred-pat"));
    const first = await listNeighbors(t.db, cred, { direction: "both", limit: 2 });
    expect(first.total).toBe(4);
    const second = await listNeighbors(t.db, cred, { direction: "both", limit: 2, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((i) => i.edge.id)).size).toBe(4);
    const users = await listNeighbors(t.db, cred, { direction: "in", edgeKind: "uses_credential", limit: 50 });
    expect(users.items.map((i) => i.node.name).sort()).toEqual(["Triage bot", "ci-deployer"]);
  });
});

describe("listNeighborhood", () => {
  it("goes one level further per depth, nearest first, each edge once and hung from the nearer node", async () => {
    const bot = await resolveNodeId(t.db, parseNodeRef("mcp:agent:bot"));
    const one = await listNeighborhood(t.db, bot, { depth: 1, direction: "both", limit: 100 });
    expect(one.items.map((i) => i.node.name).sort()).toEqual(["Ada Lovelace", "Ada Lovelace", "GitHub PAT", "github-mcp"]);
    expect(one.truncated).toBe(false);
    const two = await listNeighborhood(t.db, bot, { depth: 2, direction: "both", limit: 100 });
    expect(two.items).toHaveLength(11);
    expect(new Set(two.items.map((i) => i.edge.id)).size).toBe(11);
    expect(two.items.slice(0, 4).every((i) => i.depth === 1 && i.via === bot)).toBe(true);
    const second = two.items
      .slice(4)
      .map((i) => `${i.edge.direction}:${i.edge.kind}:${i.node.name}:${i.depth}`)
      .sort();
    expect(second).toEqual([
      "in:grants:GitHub MCP use:2",
      "in:owns:Grace Hopper:2",
      "in:uses_credential:ci-deployer:2",
      "out:credential_for:repo northwind/platform:2",
      "out:exposes:create_issue:2",
      "out:manages:50% Done_Person:2",
      "out:member_of:Engineering:2",
    ]);
    // The edges of the second level hang from first-level nodes, never from the start.
    const firstLevel = new Set(one.items.map((i) => i.node.id));
    expect(two.items.slice(4).every((i) => firstLevel.has(i.via))).toBe(true);
  });

  it("stops at the limit and says the neighbourhood holds more", async () => {
    const bot = await resolveNodeId(t.db, parseNodeRef("mcp:agent:bot"));
    const r = await listNeighborhood(t.db, bot, { depth: 3, direction: "both", limit: 6 });
    expect(r.items).toHaveLength(6);
    expect(r.truncated).toBe(true);
    const exact = await listNeighborhood(t.db, bot, { depth: 1, direction: "both", limit: 4 });
    expect(exact.truncated).toBe(false);
  });

  it("follows only outgoing edges when asked", async () => {
    const bot = await resolveNodeId(t.db, parseNodeRef("mcp:agent:bot"));
    const r = await listNeighborhood(t.db, bot, { depth: 2, direction: "out", limit: 100 });
    expect(r.items.every((i) => i.edge.direction === "out")).toBe(true);
    // Ada owns the bot: an outgoing edge back to the start, which keeps its depth 0.
    expect(r.items.map((i) => `${i.node.name}:${i.depth}`).sort()).toEqual(
      [
        "Ada Lovelace:1",
        "GitHub PAT:1",
        "github-mcp:1",
        "Engineering:2",
        "50% Done_Person:2",
        "create_issue:2",
        "repo northwind/platform:2",
        "Triage bot:0",
      ].sort(),
    );
  });
});

describe("graphCounts", () => {
  it("counts current nodes by kind and source", async () => {
    const c = await graphCounts(t.db);
    expect(c.total).toBe(11);
    expect(c.byKind).toMatchObject({ human: 3, group: 1, tool: 1, credential: 1 });
    expect(c.edgesByKind.uses_credential).toBe(2);
    expect(c.bySource.find((r) => r.source === "okta" && r.kind === "human")?.count).toBe(3);
  });
});

describe("listNeighborhood around a hub", () => {
  let h: TestDatabase;
  beforeAll(async () => {
    h = await createTestDatabase();
    const g = smallGraph();
    // Engineering gets 20 more members: a hub one step from Ada.
    for (let i = 0; i < 20; i++) {
      g.nodes.push({ source: "okta", kind: "human", externalId: `m${i}`, name: `Member ${String(i).padStart(2, "0")}` });
      g.edges.push({ source: "okta", kind: "member_of", from: { kind: "human", externalId: `m${i}` }, to: { kind: "group", externalId: "g-eng" } });
    }
    await seedGraph(h.db, g);
  });
  afterAll(() => h.cleanup());

  it("gives each frontier node a share of the budget, so a hub cannot crowd out the others' edges", async () => {
    const ada = await resolveNodeId(h.db, parseNodeRef("okta:human:00u1"));
    const r = await listNeighborhood(h.db, ada, { depth: 2, direction: "both", limit: 12 });
    expect(r.truncated).toBe(true);
    const second = r.items.filter((i) => i.depth === 2);
    // In kind order alone, Engineering's 20 memberships (member_of) would fill the budget before the bot's uses_credential.
    expect(second.filter((i) => i.edge.kind === "member_of").length).toBeLessThanOrEqual(5);
    expect(second.map((i) => `${i.edge.kind}:${i.node.name}`)).toContain("uses_credential:GitHub PAT");
    const whole = await listNeighborhood(h.db, ada, { depth: 2, direction: "both", limit: 500 });
    expect(whole.truncated).toBe(false);
    expect(whole.items.filter((i) => i.edge.kind === "member_of" && i.depth === 2)).toHaveLength(20);
  });
});
