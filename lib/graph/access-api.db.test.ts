import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { decodeGraphDocument } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { clearAccessCache } from "./access-cache";
import { pathsFor, pathsQuerySchema, reachableFromFor, reachableFromQuerySchema, whoCanReachFor, whoCanReachQuerySchema } from "./access-api";

let t: TestDatabase;
let analyst: Actor;
let seededAt: Date;

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, smallGraph());
  seededAt = new Date();
  analyst = await actorByEmail(t, "ana@example.com");
});
afterAll(() => t.cleanup());

const who = (q: Record<string, string>) => whoCanReachFor(t.db, analyst, whoCanReachQuerySchema.parse(q));
const from = (q: Record<string, string>) => reachableFromFor(t.db, analyst, reachableFromQuerySchema.parse(q));

describe("who can reach", () => {
  it("answers every principal with one shortest path, nearest first", async () => {
    const r = await who({ target: "mcp:tool:github-mcp/create_issue" });
    expect(r.items.map((i) => `${i.name}@${i.depth}`)).toEqual(["Triage bot@2", "Ada Lovelace@4"]);
    const ada = r.items.find((i) => i.name === "Ada Lovelace")!;
    expect(ada.path.edges).toEqual(["member_of", "has_entitlement", "grants", "exposes"]);
    expect(ada.path.nodes[0]).toBe(ada.id);
    expect(r.total).toBe(2);
  });

  it("pages with a cursor tied to the graph version, and refuses a cursor from an older graph", async () => {
    const first = await who({ target: "mcp:resource:repo", limit: "1" });
    expect(first.total).toBe(3);
    const second = await who({ target: "mcp:resource:repo", limit: "1", cursor: first.nextCursor! });
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id);
    const cursor = second.nextCursor!;
    const r = await runImport(t.db, analyst, decodeGraphDocument({ source: "extra", nodes: [{ kind: "agent", externalId: "new", name: "New agent" }], edges: [{ kind: "acts_for", from: { kind: "agent", externalId: "new" }, to: { kind: "human", externalId: "00u1", source: "okta" } }] }) as never, { format: "graph" });
    expect(r.status).toBe("succeeded");
    await expect(who({ target: "mcp:resource:repo", limit: "1", cursor })).rejects.toMatchObject({ code: "conflict" });
    // The import is seen at once: the new agent acts for Ada, so it reaches the repo too.
    const after = await who({ target: "mcp:resource:repo", limit: "10" });
    expect(after.items.map((i) => i.name)).toContain("New agent");
    expect(after.total).toBe(4);
  });

  it("answers as of a past instant from the graph as it was", async () => {
    const past = await who({ target: "mcp:resource:repo", asOf: seededAt.toISOString() });
    expect(past.items.map((i) => i.name)).not.toContain("New agent");
    expect(past.asOf).toBe(seededAt.toISOString());
    await expect(who({ target: "mcp:resource:repo", asOf: "2001-01-01" })).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("reachable from", () => {
  it("lists what a principal reaches, filtered by kind", async () => {
    const r = await from({ principal: "mcp:agent:bot", kind: "resource" });
    expect(r.items.map((i) => [i.name, i.depth, i.path.edges])).toEqual([["repo northwind/platform", 2, ["uses_credential", "credential_for"]]]);
    const all = await from({ principal: "mcp:agent:bot" });
    expect(all.items.map((i) => i.kind)).toEqual(expect.arrayContaining(["human", "group", "entitlement", "mcp_server", "tool", "credential", "resource"]));
  });
});

describe("paths", () => {
  it("returns the k shortest paths with the nodes described", async () => {
    const r = await pathsFor(t.db, analyst, pathsQuerySchema.parse({ from: "mcp:agent:bot", to: "mcp:resource:repo", k: "3" }));
    expect(r.items.map((p) => p.length)).toEqual([2, 3, 6]);
    expect(r.items[2]!.edges[0]).toBe("acts_for");
    expect(r.nodes[r.items[0]!.nodes[1]!]!.name).toBe("GitHub PAT");
  });
});

describe("validation and permissions", () => {
  it("rejects bad depths, ids and dates with 400s, and reviewers with 403", () => {
    expect(whoCanReachQuerySchema.safeParse({ target: "x", maxDepth: "13" }).success).toBe(false);
    expect(whoCanReachQuerySchema.safeParse({ target: "x", maxDepth: "0" }).success).toBe(false);
    expect(whoCanReachQuerySchema.safeParse({ target: "x", asOf: "last week" }).success).toBe(false);
    expect(whoCanReachQuerySchema.safeParse({ target: "x", kind: "tool" }).success).toBe(false);
  });

  it("a malformed target is a validation error; a reviewer is refused", async () => {
    await expect(who({ target: "garbage" })).rejects.toMatchObject({ code: "validation" });
    const reviewer = await actorByEmail(t, "ada@example.com");
    await expect(whoCanReachFor(t.db, reviewer, whoCanReachQuerySchema.parse({ target: "mcp:resource:repo" }))).rejects.toMatchObject({ code: "forbidden" });
  });
});
