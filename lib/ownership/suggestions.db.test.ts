import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { assignOwner } from "./assign";
import { namedOwners, suggestOwners } from "./suggestions";
import { ownershipGraph } from "./testing/ownership-graph";

let t: TestDatabase;
let analyst: Actor;
const suggest = (node: string) => suggestOwners(t.db, analyst, { node });
const brief = async (node: string) => (await suggest(node)).items.map((s) => ({ name: s.owner.name, role: s.role, rules: s.rules, reasons: s.reasons }));

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, ownershipGraph());
  analyst = await actorByEmail(t, "ana@example.com");
});
afterAll(() => t.cleanup());

describe("owner suggestions", () => {
  it("suggests the human an agent acts for, as its business owner", async () => {
    expect(await brief("reg:agent:agt-none")).toEqual([
      { name: "Ann Active", role: "business", rules: ["acts_for"], reasons: ["Unowned agent acts for Ann Active"] },
    ]);
  });

  it("suggests the previous owner's manager when the owner left, in the role they held", async () => {
    const [first] = await brief("reg:agent:agt-ted");
    expect(first).toMatchObject({ name: "Maya Manager", role: "business", rules: ["previous_owner_manager"] });
    expect(first!.reasons).toContain("manager of Ted Terminated, the previous business owner (terminated)");
    // Ted himself, the departed principal, is never suggested.
    expect((await brief("reg:agent:agt-ted")).map((s) => s.name)).not.toContain("Ted Terminated");
  });

  it("walks up past a manager who left too, and says so", async () => {
    const [first] = await brief("reg:credential:cred-vault");
    expect(first).toMatchObject({ name: "Maya Manager", rules: ["previous_owner_manager"] });
    expect(first!.reasons[0]).toBe("manager of Ian Inactive, the previous business owner (inactive), through Ted Terminated");
  });

  it("suggests the group whose members use the node, the small team before the all-staff group", async () => {
    const groups = (await brief("cfg:mcp_server:mcp-orphan")).filter((s) => s.rules.includes("group_usage"));
    expect(groups.map((g) => [g.name, g.role, g.reasons[0]])).toEqual([
      ["Team", "technical", "2 of its 2 active members use or can reach Orphan server"],
      ["All", "technical", "2 of its 4 active members use or can reach Orphan server"],
    ]);
  });

  it("suggests an owner named in the imported attributes", async () => {
    expect(await brief("dir:entitlement:ent-x")).toEqual([
      { name: "Bob Builder", role: "business", rules: ["attribute"], reasons: ["named in its attributes (owner: bob@example.com)"] },
    ]);
  });

  it("reads owner names from owner/created_by keys, owner: tags and label objects", () => {
    expect(namedOwners({ created_by: "Ann Active", tags: ["env:prod", "owner=team"], labels: { owner: "bob" } })).toEqual([
      { key: "created_by", value: "Ann Active", role: "technical" },
      { key: "tags", value: "team", role: "business" },
      { key: "labels.owner", value: "bob", role: "business" },
    ]);
  });

  it("never suggests someone who already is an active owner", async () => {
    await assignOwner(t.db, analyst, { nodes: ["reg:agent:agt-none"], owner: "dir:human:ann", role: "business" });
    expect(await brief("reg:agent:agt-none")).toEqual([]);
  });

  it("needs owner.read: a reviewer cannot ask", async () => {
    await expect(suggestOwners(t.db, await actorByEmail(t, "ann@example.com"), { node: "dir:entitlement:ent-x" })).rejects.toMatchObject({ code: "forbidden" });
  });
});
