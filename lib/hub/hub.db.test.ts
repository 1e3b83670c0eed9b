import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodes } from "@/db/schema";
import { seedDemoHistory } from "@/db/seed/demo-history";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { NODE_KINDS, type NodeKind } from "@/lib/graph/model";
import { assignOwner } from "@/lib/ownership/assign";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { listNodeAudit } from "./audit";
import { listNodeCertifications } from "./certifications";
import { listNodeCredentials } from "./credentials";
import { listNodeFindings } from "./findings";
import { getHubHeader } from "./header";
import { listNodeHistory } from "./history";
import { listNodeRelationships } from "./relationships";

let t: TestDatabase;
let admin: Actor;
let analyst: Actor;
let reviewer: Actor;
let auditor: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  await seedDemoHistory(t.db);
  admin = await actorByEmail(t, "samir@northwind.example");
  analyst = await actorByEmail(t, "chloe@northwind.example");
  reviewer = await actorByEmail(t, "priya@northwind.example");
  auditor = await actorByEmail(t, "beatriz@northwind.example");
}, 120_000);
afterAll(() => t.cleanup());

async function idOf(kind: NodeKind, name: string): Promise<string> {
  const [row] = await t.db
    .select({ id: nodes.id })
    .from(nodes)
    .where(and(eq(nodes.kind, kind), eq(nodes.name, name), isNull(nodes.validTo)));
  if (!row) throw new Error(`no ${kind} ${name}`);
  return row.id;
}

describe("the node hub", () => {
  it("shows the orphaned agent acting for a departed person as critical, with no active owner and its findings", async () => {
    const id = await idOf("agent", "Pipeline Doctor");
    const h = await getHubHeader(t.db, analyst, id);
    expect(h.owners?.orphan).toBe(true);
    expect(h.owners?.why).toEqual(["only departed owners"]);
    expect(h.owners?.items.map((o) => o.owner.name)).toEqual(["Viktor Sokolov"]);
    expect(h.risk?.level).toBe("critical");
    expect(h.risk?.factors).toContain("acts for someone who has left");
    expect(h.can.assignOwners).toBe(true);
    const f = await listNodeFindings(t.db, analyst, id);
    expect(f.openCount).toBeGreaterThan(0);
    expect(f.items.map((x) => x.title)).toContain("Pipeline Doctor acts for Viktor Sokolov and is owned by Viktor Sokolov, who left");
    expect(f.items.every((x) => x.subject.id === id && x.status !== "resolved")).toBe(true);
  });

  it("relationships leave the owners to the header and page without repeats", async () => {
    const id = await idOf("mcp_server", "GitHub MCP server");
    const all = await listNodeRelationships(t.db, analyst, id, { limit: 100 });
    expect(all.owners).toBe(3);
    expect(all.items.some((n) => n.edge.kind === "owns")).toBe(false);
    expect(all.total).toBe(all.items.length);
    expect(all.items.some((n) => n.edge.kind === "exposes" && n.edge.direction === "out")).toBe(true);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const p = await listNodeRelationships(t.db, analyst, id, { limit: 4, cursor });
      seen.push(...p.items.map((n) => n.edge.id));
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.items.map((n) => n.edge.id));
  });

  it("a tool's risk is its annotations' reason code, in words", async () => {
    const [tool] = await t.db
      .select({ id: nodes.id })
      .from(nodes)
      .where(and(eq(nodes.kind, "tool"), eq(nodes.name, "write_file"), isNull(nodes.validTo)))
      .limit(1);
    const h = await getHubHeader(t.db, auditor, tool!.id);
    expect(h.toolRisk?.reasonCode).toBe("declared_destructive");
    expect(h.toolRisk?.reason).toMatch(/declares itself destructive/);
    expect(h.can.assignOwners).toBe(false);
  });

  it("renders a header for a node of every kind; people and groups are not owned", async () => {
    for (const kind of NODE_KINDS) {
      const [n] = await t.db
        .select({ id: nodes.id })
        .from(nodes)
        .where(and(eq(nodes.kind, kind), isNull(nodes.validTo)))
        .limit(1);
      const h = await getHubHeader(t.db, admin, n!.id);
      expect(h.node.kind).toBe(kind);
      if (kind === "human" || kind === "group") expect(h.owners, kind).toBeNull();
      else expect(h.owners, kind).not.toBeNull();
      for (const list of [listNodeRelationships, listNodeHistory, listNodeCredentials, listNodeCertifications, listNodeAudit])
        await expect(list(t.db, admin, n!.id)).resolves.toHaveProperty("items");
    }
  });

  it("certifications: the server and the agents its campaign reviewed say who approved and when", async () => {
    const server = await idOf("mcp_server", "GitHub MCP server");
    const c = await listNodeCertifications(t.db, auditor, server);
    expect(c.items.length).toBeGreaterThan(0);
    expect(c.items.every((i) => i.role === "target" && i.target.id === server)).toBe(true);
    expect(c.items[0]!.decision).toBe("approve");
    expect(c.items.map((i) => i.decidedBy)).toContain("Priya Natarajan");
    expect(c.items[0]!.campaign.name).toBe("Q3 agent access to the GitHub MCP server");
    expect(c.summary.lastCertified).toEqual({
      at: c.items[0]!.decidedAt,
      by: c.items[0]!.decidedBy,
      campaign: { id: c.items[0]!.campaign.id, name: c.items[0]!.campaign.name },
    });
    expect(c.summary.total).toBe(c.items.length);
    const agent = c.items[0]!.subject.id;
    const mine = await listNodeCertifications(t.db, auditor, agent);
    expect(mine.items.some((i) => i.role === "subject" && i.target.id === server)).toBe(true);
    // Pages of one do not repeat or lose rows.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const p = await listNodeCertifications(t.db, auditor, server, { limit: 1, cursor });
      seen.push(...p.items.map((i) => i.itemId));
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(c.items.map((i) => i.itemId));
  });

  it("credentials: fingerprint and storage, never a value; a credential lists who uses it", async () => {
    const id = await idOf("agent", "Pipeline Doctor");
    const c = await listNodeCredentials(t.db, analyst, id);
    const cred = c.items.find((i) => i.relation === "uses")!.credential!;
    expect(cred.name).toBe("SVC_DBT Snowflake password");
    expect(cred.storage).toBe("env");
    expect(cred.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(cred.lastRotatedAt).not.toBeNull();
    expect(Object.keys(cred)).not.toContain("value");
    const self = await listNodeCredentials(t.db, analyst, cred.id);
    expect(self.self?.fingerprint).toBe(cred.fingerprint);
    expect(self.items.filter((i) => i.relation === "used_by").map((i) => i.other!.name)).toEqual(expect.arrayContaining(["Pipeline Doctor"]));
    expect(self.items.some((i) => i.relation === "opens")).toBe(true);
  });

  it("history pages through the node's relationships newest first, without repeats", async () => {
    const id = await idOf("group", "Engineering");
    const all = await listNodeHistory(t.db, analyst, id, { limit: 100 });
    expect(all.items.length).toBeGreaterThan(3);
    expect(all.items.some((e) => e.edge === null && e.change === "began")).toBe(true);
    const times = all.items.map((e) => e.at);
    expect(times).toEqual([...times].sort().reverse());
    const first = await listNodeHistory(t.db, analyst, id, { limit: 2 });
    const second = await listNodeHistory(t.db, analyst, id, { limit: 2, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((e) => `${e.edge?.id}${e.change}`)).toEqual(all.items.slice(0, 4).map((e) => `${e.edge?.id}${e.change}`));
  });

  it("assigning an owner shows in the header, the history and the audit section, with names", async () => {
    const id = await idOf("agent", "Pipeline Doctor");
    const grace = await idOf("human", "Grace Kim");
    await assignOwner(t.db, analyst, { nodes: [id], owner: grace, role: "business", reason: "took over the ETL" });
    const h = await getHubHeader(t.db, analyst, id);
    expect(h.owners?.orphan).toBe(false);
    expect(h.owners?.items.find((o) => o.active)?.owner.name).toBe("Grace Kim");
    const a = await listNodeAudit(t.db, auditor, id);
    expect(a.items[0]!.summary).toBe("Assigned Grace Kim as business owner (“took over the ETL”)");
    expect(a.items[0]!.actor.name).toBe("Chloe Bernard");
    const hist = await listNodeHistory(t.db, auditor, id, { limit: 5 });
    expect(hist.items.some((e) => e.edge?.kind === "owns" && e.other?.name === "Grace Kim" && e.change === "began")).toBe(true);
  });

  it("is refused to a reviewer without graph.read, and each section to a role without its permission", async () => {
    const id = await idOf("agent", "Pipeline Doctor");
    for (const call of [getHubHeader, listNodeRelationships, listNodeFindings, listNodeCertifications, listNodeCredentials, listNodeHistory, listNodeAudit]) {
      await expect(call(t.db, reviewer, id), call.name).rejects.toMatchObject({ code: "forbidden" });
    }
    await expect(listNodeAudit(t.db, analyst, id)).rejects.toMatchObject({ code: "forbidden" });
    await expect(listNodeHistory(t.db, analyst, "agt_00000000000000000000000000")).rejects.toMatchObject({ code: "not_found" });
    await expect(listNodeHistory(t.db, analyst, id, { cursor: "bm9wZQ" })).rejects.toMatchObject({ code: "validation" });
    await expect(listNodeHistory(t.db, analyst, id, { limit: 1000 })).rejects.toMatchObject({ code: "validation" });
  });
});
