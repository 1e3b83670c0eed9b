import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { actorByEmail } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { clearAccessCache } from "./access-cache";
import { accessSummaryFor } from "./access-summary";
import { getNodeFor } from "./node-api";

let t: TestDatabase;
let analyst: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, smallGraph());
  analyst = await actorByEmail(t, "ana@example.com");
});
afterAll(() => t.cleanup());

const summary = async (ref: string, n?: number) => accessSummaryFor(t.db, analyst, await getNodeFor(t.db, analyst, ref), n);

describe("node access summaries", () => {
  it("a resource says who can reach it, counted by kind, nearest first", async () => {
    const s = (await summary("mcp:resource:repo"))!;
    expect(s.mode).toBe("who");
    expect(s.total).toBe(3);
    expect(s.byKind).toEqual([
      { kind: "agent", count: 1 },
      { kind: "human", count: 1 },
      { kind: "service_account", count: 1 },
    ]);
    expect(s.first.map((f) => f.depth)).toEqual([...s.first.map((f) => f.depth)].sort());
    expect(s.first.map((f) => f.name)).toContain("Ada Lovelace");
  });

  it("a principal and a group say what they reach; the first few are capped", async () => {
    const bot = (await summary("mcp:agent:bot", 2))!;
    expect(bot.mode).toBe("reach");
    expect(bot.first).toHaveLength(2);
    expect(bot.byKind.map((k) => k.kind)).toEqual(expect.arrayContaining(["resource", "tool", "credential"]));
    expect(bot.byKind.reduce((n, k) => n + k.count, 0)).toBe(bot.total);
    const eng = (await summary("okta:group:g-eng"))!;
    expect(eng.mode).toBe("reach");
    expect(eng.byKind.map((k) => k.kind)).toContain("tool");
  });

  it("is refused to a role without graph.read", async () => {
    const reviewer = await actorByEmail(t, "ada@example.com");
    await expect(accessSummaryFor(t.db, reviewer, { id: "x", kind: "tool" })).rejects.toMatchObject({ code: "forbidden" });
  });
});
