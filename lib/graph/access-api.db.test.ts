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
import { neighborsCsv, pathsCsv, reachableFromCsv, whoCanReachCsv } from "./access-csv";
import { neighborsQuerySchema } from "./node-api";
import { readCsv } from "@/lib/evidence/csv";

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
    const r = await runImport(
      t.db,
      analyst,
      decodeGraphDocument({
        source: "extra",
        nodes: [{ kind: "agent", externalId: "new", name: "New agent" }],
        edges: [{ kind: "acts_for", from: { kind: "agent", externalId: "new" }, to: { kind: "human", externalId: "00u1", source: "okta" } }],
      }) as never,
      { format: "graph" },
    );
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

describe("filters by kind and source, and CSV of the whole answer", () => {
  it("narrows by source and kind; total counts what is left; groups count the whole answer", async () => {
    const all = await from({ principal: "mcp:agent:bot" });
    const bySource = await from({ principal: "mcp:agent:bot", source: "okta" });
    expect(bySource.items.every((i) => i.source === "okta")).toBe(true);
    expect(bySource.total).toBe(all.items.filter((i) => i.source === "okta").length);
    expect(bySource.groups).toEqual(all.groups);
    expect(all.groups.reduce((n, g) => n + g.count, 0)).toBe(all.total);
    expect(all.groups).toContainEqual({ kind: "human", source: "okta", count: 1 });
    const both = await from({ principal: "mcp:agent:bot", kind: "resource", source: "okta" });
    expect(both.total).toBe(0);
    expect((await from({ principal: "mcp:agent:bot", source: "no-such-source" })).total).toBe(0);
    const who2 = await who({ target: "mcp:resource:repo", source: "mcp" });
    expect(who2.items.map((i) => i.name).sort()).toEqual(["Triage bot", "ci-deployer"].sort());
  });

  it("exports every row, not one page, with paths in words, and neutralises formula-like names", async () => {
    const page1 = await who({ target: "mcp:resource:repo", limit: "1" });
    expect(page1.total).toBeGreaterThan(1);
    const f = await whoCanReachCsv(t.db, analyst, whoCanReachQuerySchema.parse({ target: "mcp:resource:repo", limit: "1", format: "csv" }));
    expect(f.filename).toMatch(/^who-can-reach-res_[0-9a-z]+\.csv$/);
    const { header, rows } = readCsv(f.body);
    expect(header).toEqual(["name", "kind", "source", "external id", "path length", "path", "id"]);
    expect(rows).toHaveLength(page1.total);
    const bot = rows.find((r) => r[0] === "Triage bot")!;
    expect(bot.slice(1, 5)).toEqual(["agent", "mcp", "bot", "2"]);
    expect(bot[5]).toBe("Triage bot —uses credential→ GitHub PAT —credential for→ repo northwind/platform");

    // A name from an import that a spreadsheet would run as a formula is written as text.
    const r = await runImport(
      t.db,
      analyst,
      decodeGraphDocument({
        source: "evil",
        nodes: [{ kind: "agent", externalId: "x", name: '=HYPERLINK("http://x")' }],
        edges: [{ kind: "acts_for", from: { kind: "agent", externalId: "x" }, to: { kind: "human", externalId: "00u1", source: "okta" } }],
      }) as never,
      { format: "graph" },
    );
    expect(r.status).toBe("succeeded");
    const evil = await reachableFromCsv(t.db, analyst, reachableFromQuerySchema.parse({ principal: "evil:agent:x", kind: "resource", format: "csv" }));
    expect(evil.body).toContain(`"'=HYPERLINK(""http://x"")`);
    expect(evil.body).not.toMatch(/(^|,)"=/m);
    const back = readCsv(evil.body).rows;
    expect(back[0]![5]!.startsWith('=HYPERLINK("http://x") —acts for→ Ada Lovelace')).toBe(true);

    const paths = readCsv(
      (await pathsCsv(t.db, analyst, pathsQuerySchema.parse({ from: "mcp:agent:bot", to: "mcp:resource:repo", k: "3", format: "csv" }))).body,
    );
    expect(paths.rows.map((row) => row[4])).toEqual(["2", "3", "6"]);
    expect(paths.rows.every((row) => row[0] === "repo northwind/platform")).toBe(true);

    // Ada's neighbourhood: every relationship, both directions, governance included, all pages.
    const around = readCsv((await neighborsCsv(t.db, analyst, "okta:human:00u1", neighborsQuerySchema.parse({ limit: "1", format: "csv" }))).body);
    expect(around.rows.map((row) => row[5]).sort()).toEqual(
      [
        "Ada Lovelace —manages→ 50% Done_Person",
        "Ada Lovelace —member of→ Engineering",
        "Ada Lovelace —owns→ Triage bot",
        "Triage bot —acts for→ Ada Lovelace",
        "New agent —acts for→ Ada Lovelace",
        '=HYPERLINK("http://x") —acts for→ Ada Lovelace',
      ].sort(),
    );
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
    expect(whoCanReachQuerySchema.safeParse({ target: "x", format: "xlsx" }).success).toBe(false);
    expect(whoCanReachQuerySchema.safeParse({ target: "x", source: "" }).success).toBe(false);
    expect(reachableFromQuerySchema.safeParse({ principal: "x", source: "okta", kind: "tool", format: "csv" }).success).toBe(true);
  });

  it("a malformed target is a validation error; a reviewer is refused", async () => {
    await expect(who({ target: "garbage" })).rejects.toMatchObject({ code: "validation" });
    const reviewer = await actorByEmail(t, "ada@example.com");
    await expect(whoCanReachFor(t.db, reviewer, whoCanReachQuerySchema.parse({ target: "mcp:resource:repo" }))).rejects.toMatchObject({ code: "forbidden" });
  });
});
