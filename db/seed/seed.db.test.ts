import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appUsers } from "@/db/schema";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { verifyPassword } from "@/lib/authz/password";
import { graphCounts } from "@/lib/graph/nodes";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { buildDemoOrg } from "./demo-org";
import { seedGraph } from "./seed";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.cleanup());

describe("demo seed", () => {
  it("writes the whole demo organisation with one audit event, and every demo password works", async () => {
    const demo = buildDemoOrg();
    const r = await seedGraph(t.db, demo);
    expect(r).toEqual({ seeded: true, nodes: demo.nodes.length, edges: demo.edges.length, users: demo.users.length });
    const c = await graphCounts(t.db);
    for (const kind of new Set(demo.nodes.map((n) => n.kind))) expect(c.byKind[kind]).toBe(demo.nodes.filter((n) => n.kind === kind).length);
    const users = await t.db.select().from(appUsers);
    for (const u of demo.users) {
      const row = users.find((x) => x.email === u.email)!;
      expect(await verifyPassword(u.password, row.passwordHash)).toBe(true);
      expect(await verifyPassword(`${u.password}x`, row.passwordHash)).toBe(false);
      if (u.humanExternalId) expect(row.humanNodeId).toMatch(/^hum_/);
    }
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, entries: 1 });
  });

  it("never writes over existing data", async () => {
    const before = (await graphCounts(t.db)).total;
    expect((await seedGraph(t.db, buildDemoOrg())).seeded).toBe(false);
    expect((await graphCounts(t.db)).total).toBe(before);
  });
});
