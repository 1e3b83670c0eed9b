import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodes, toolUsage } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { systemActor } from "@/lib/authz/actor";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { nodeToolUsage } from "./tool-usage";

let t: TestDatabase;
const id: Record<string, string> = {};
const admin = systemActor("test");
const reviewer = { ...admin, roles: ["reviewer" as const] };

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  for (const n of await t.db.select({ id: nodes.id, name: nodes.name }).from(nodes)) id[n.name] = n.id;
});
afterAll(() => t.cleanup());

const node = async (name: string) => (await t.db.select({ id: nodes.id, kind: nodes.kind }).from(nodes).where(eq(nodes.id, id[name]!)))[0]!;

describe("last used on node pages", () => {
  it("without usage data, lists what is reachable as 'no usage data', not as never used", async () => {
    const u = await nodeToolUsage(t.db, admin, await node("Triage bot"));
    expect(u).toMatchObject({ side: "subject", more: 0 });
    expect(u!.rows).toEqual([expect.objectContaining({ id: id.create_issue, lastUsedAt: null, toolHasUsageData: false })]);
  });

  it("shows per (subject, tool) when it was last used, and 'never seen' for who can reach a tool with usage data but never called it", async () => {
    await t.db.insert(toolUsage).values({
      subjectId: id["Triage bot"]!,
      toolId: id.create_issue!,
      firstUsedAt: new Date("2026-11-01T00:00:00Z"),
      lastUsedAt: new Date("2026-12-01T00:00:00Z"),
      calls: 12,
      lastSeenVia: "pdp",
    });
    const bot = await nodeToolUsage(t.db, admin, await node("Triage bot"));
    expect(bot!.rows).toEqual([
      expect.objectContaining({
        id: id.create_issue,
        name: "create_issue",
        lastUsedAt: "2026-12-01T00:00:00.000Z",
        calls: 12,
        via: "pdp",
        toolHasUsageData: true,
      }),
    ]);
    const tool = await nodeToolUsage(t.db, admin, await node("create_issue"));
    expect(tool!.side).toBe("tool");
    expect(tool!.rows[0]).toMatchObject({ id: id["Triage bot"], lastUsedAt: "2026-12-01T00:00:00.000Z" });
    // Ada reaches the tool through her group's entitlement and never called it.
    expect(tool!.rows.find((r) => r.id === id["Ada Lovelace"])).toMatchObject({ lastUsedAt: null, toolHasUsageData: true });
  });

  it("answers nothing for kinds without tool usage, and needs graph.read", async () => {
    expect(await nodeToolUsage(t.db, admin, await node("repo northwind/platform"))).toBeNull();
    await expect(nodeToolUsage(t.db, reviewer, await node("Triage bot"))).rejects.toThrow(/graph.read/);
  });
});
