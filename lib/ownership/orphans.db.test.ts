import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { listOrphans, type OrphanItem } from "./orphans";
import { ownershipGraph } from "./testing/ownership-graph";

let t: TestDatabase;
let analyst: Actor;
let all: OrphanItem[];
const byName = (name: string) => all.find((o) => o.name === name);

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, ownershipGraph());
  analyst = await actorByEmail(t, "ana@example.com");
  all = (await listOrphans(t.db, analyst, { limit: "200" })).items;
});
afterAll(() => t.cleanup());

describe("orphan rules", () => {
  it("a node with no owner at all is an orphan (no_owner)", () => {
    expect(byName("Unowned agent")).toMatchObject({ rules: ["no_owner"], owners: [] });
    expect(byName("Admin role")?.rules).toEqual(["no_owner"]);
  });

  it("a node owned only by people who left is an orphan (inactive_owners), and lists them", () => {
    const o = byName("Ted's agent")!;
    expect(o.rules).toEqual(["inactive_owners"]);
    expect(o.owners.map((x) => [x.owner.name, x.owner.status, x.active])).toEqual([["Ted Terminated", "terminated", false]]);
  });

  it("a node owned only by a group without active members is an orphan (empty_owner_group)", () => {
    const o = byName("ghost-sa")!;
    expect(o.rules).toEqual(["empty_owner_group"]);
    expect(o.owners[0]).toMatchObject({ owner: { name: "Ghosts", kind: "group" }, activeMembers: 0 });
  });

  it("names both rules when a departed person and an empty group are the only owners", () => {
    expect(byName("Vaulted key")?.rules.sort()).toEqual(["empty_owner_group", "inactive_owners"]);
  });

  it("an owner on leave, a group with active members through a nested group, and an inherited server owner all count as active", () => {
    for (const name of ["leave-sa", "parent-sa", "read_things", "Owned agent", "Orders database"]) expect(byName(name), name).toBeUndefined();
  });

  it("a tool with its own (departed) owner does not inherit from its server; one without inherits nothing from an orphaned server", () => {
    expect(byName("own_things")).toMatchObject({ rules: ["inactive_owners"], inheritsFrom: [] });
    expect(byName("delete_things")).toMatchObject({ rules: ["no_owner"], inheritsFrom: [{ name: "Orphan server" }] });
  });

  it("lists exactly the nine orphans of the fixture", () => {
    expect(all.map((o) => o.name).sort()).toEqual([
      "Admin role",
      "Hard-coded password",
      "Orphan server",
      "Ted's agent",
      "Unowned agent",
      "Vaulted key",
      "delete_things",
      "ghost-sa",
      "own_things",
    ]);
  });
});

describe("orphans by risk", () => {
  it("ranks what reaches the most dangerous things first, each with its reasons", () => {
    const names = all.map((o) => o.name);
    // The autonomous agent reaches a critical tool, a hard-coded secret and restricted data.
    expect(names[0]).toBe("Unowned agent");
    expect(all[0]!.risk.level).toBe("critical");
    expect(all[0]!.risk.factors).toEqual(
      expect.arrayContaining(["reaches 1 critical tool", "uses 1 hard-coded secret", "reaches 1 restricted resource", "autonomous agent"]),
    );
    expect(names.indexOf("Hard-coded password")).toBeLessThan(names.indexOf("Vaulted key"));
    expect(byName("Hard-coded password")!.risk.factors[0]).toBe("hard-coded secret");
    expect(byName("Ted's agent")!.risk.factors).toContain("acts for someone who has left");
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.risk.score).toBeGreaterThanOrEqual(all[i]!.risk.score);
  });

  it("filters by kind, rule, source and name, pages with a cursor, and counts per rule for the chips", async () => {
    const agents = await listOrphans(t.db, analyst, { kind: "agent" });
    expect(agents.items.map((o) => o.name)).toEqual(["Unowned agent", "Ted's agent"]);
    expect(agents.counts.byRule).toEqual({ no_owner: 5, inactive_owners: 3, empty_owner_group: 2 });
    expect((await listOrphans(t.db, analyst, { rule: "empty_owner_group" })).items.map((o) => o.name).sort()).toEqual(["Vaulted key", "ghost-sa"]);
    expect((await listOrphans(t.db, analyst, { source: "disc" })).total).toBe(2);
    expect((await listOrphans(t.db, analyst, { q: "VAULT" })).items.map((o) => o.name)).toEqual(["Vaulted key"]);
    const first = await listOrphans(t.db, analyst, { limit: "4" });
    const second = await listOrphans(t.db, analyst, { limit: "4", cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((o) => o.id)).toEqual(all.slice(0, 8).map((o) => o.id));
  });

  it("folds tools orphaned only through their server into the server's row when asked", async () => {
    const folded = await listOrphans(t.db, analyst, { collapseTools: "true", limit: "200" });
    expect(folded.items.find((o) => o.name === "delete_things")).toBeUndefined();
    expect(folded.items.find((o) => o.name === "Orphan server")?.inheritingTools).toBe(1);
    expect(folded.items.find((o) => o.name === "own_things")).toBeDefined();
  });

  it("refuses unknown filters and lets auditors read but not reviewers", async () => {
    await expect(listOrphans(t.db, analyst, { kind: "human" as never })).rejects.toMatchObject({ code: "validation" });
    await expect(listOrphans(t.db, await actorByEmail(t, "audit@example.com"))).resolves.toMatchObject({ total: 9 });
    await expect(listOrphans(t.db, await actorByEmail(t, "ann@example.com"))).rejects.toMatchObject({ code: "forbidden" });
  });
});
