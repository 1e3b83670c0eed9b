import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { campaigns, reviewItems } from "@/db/schema";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { decodeGraphDocument } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { createCampaign, launchCampaign, launchNow, previewDefinition } from "./launch-campaign";
import { getCampaign, listCampaignItems, listCampaigns, listMyItems } from "./queries";
import { auditOf, dueIn, launched, nodeId } from "./test-helpers";

let t: TestDatabase;
let chloe: Actor; // analyst
let priya: Actor; // reviewer
let beatriz: Actor; // auditor
let github: string;
const omarEmail = "omar@northwind.example";

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  chloe = await actorByEmail(t, "chloe@northwind.example");
  priya = await actorByEmail(t, "priya@northwind.example");
  beatriz = await actorByEmail(t, "beatriz@northwind.example");
  github = await nodeId(t.db, "GitHub MCP server");
});
afterAll(() => t.cleanup());

const preview = (scope: Record<string, unknown>, over: Record<string, unknown> = {}) =>
  previewDefinition(t.db, chloe, { name: "preview", scope, reviewerStrategy: "target_owner", fallbackReviewer: omarEmail, dueAt: dueIn(14), ...over });
const names = (p: Awaited<ReturnType<typeof preview>>) => p.sample.map((s) => `${s.subject.name} → ${s.target.name}`).sort();
const allItems = async (id: string, actor: Actor = chloe) => (await listCampaignItems(t.db, actor, id, { status: "all", limit: 500 })).items;

describe("scope selection on the demo organisation", () => {
  it("selects every connection to the GitHub MCP server, named by id or by source:kind:externalId", async () => {
    const byRef = await preview({ edgeKinds: ["connects_to"], targets: ["mcp-configs:mcp_server:github-mcp"] });
    const byId = await preview({ edgeKinds: ["connects_to"], targets: [github] });
    expect(byRef.items).toBe(6);
    expect(names(byRef)).toEqual(names(byId));
    expect(names(byRef)).toEqual([
      "Incident Responder → GitHub MCP server",
      "Lucas Ferreira → GitHub MCP server",
      "Lucas's Claude Desktop assistant → GitHub MCP server",
      "Mei Chen → GitHub MCP server",
      "Mei's Cursor agent → GitHub MCP server",
      "PR Review Assistant → GitHub MCP server",
    ]);
    expect(byRef.byEdgeKind).toEqual({ connects_to: 6 });
  });

  it("narrows by subject kind, by source, and by who owns the subject", async () => {
    expect(names(await preview({ edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: [github] }))).toEqual([
      "Lucas Ferreira → GitHub MCP server",
      "Mei Chen → GitHub MCP server",
    ]);
    expect((await preview({ edgeKinds: ["connects_to"], sources: ["agent-registry"], targets: [github] })).items).toBe(4);
    const ownedByPriya = await preview({ edgeKinds: ["connects_to"], ownedBy: [await nodeId(t.db, "Priya Natarajan")] });
    expect(names(ownedByPriya)).toEqual([
      "Lucas's Claude Desktop assistant → Filesystem (engineering share)",
      "Lucas's Claude Desktop assistant → GitHub MCP server",
      "Lucas's Claude Desktop assistant → Memory (agent knowledge graph)",
    ]);
  });

  it("keeps only access reaching tools at or above the minimum risk", async () => {
    // The finance filesystem's write_file declares itself destructive: critical. GitHub's tools carry no annotations: high.
    const fin = await nodeId(t.db, "Filesystem (finance reports)");
    expect((await preview({ edgeKinds: ["connects_to"], targets: [fin] })).byRisk).toEqual({ critical: 2 });
    expect((await preview({ edgeKinds: ["connects_to"], targets: [fin], minToolRisk: "critical" })).items).toBe(2);
    expect((await preview({ edgeKinds: ["connects_to"], targets: [github] })).byRisk).toEqual({ high: 6 });
    expect((await preview({ edgeKinds: ["connects_to"], targets: [github], minToolRisk: "critical" })).items).toBe(0);
    const readOnly = await preview({ edgeKinds: ["has_entitlement"], targets: [await nodeId(t.db, "mcp:filesystem-finance:read")] });
    expect(readOnly.byRisk).toEqual({ low: 1 });
    expect((await preview({ edgeKinds: ["has_entitlement"], targets: [await nodeId(t.db, "mcp:filesystem-finance:read")], minToolRisk: "medium" })).items).toBe(
      0,
    );
  });

  it("reviews ownership itself, and recommends revoking what a terminated person holds", async () => {
    const p = await preview({ edgeKinds: ["owns"], targets: [await nodeId(t.db, "Pipeline Doctor")] });
    expect(p.sample).toHaveLength(1);
    expect(p.sample[0]).toMatchObject({
      subject: { name: "Viktor Sokolov" },
      access: "owns",
      recommendation: "revoke",
      recommendationReason: "revoke: subject terminated",
    });
    // Pipeline Doctor's only owner is the departed Viktor: no owner resolves, the fallback reviews.
    expect(p.sample[0]!.reviewer).toBe("Omar Farouk");
    expect(p.sample[0]!.reviewerReason).toBe("fallback reviewer: the target has no active owner");
  });

  it("refuses unknown targets and sources, naming the field", async () => {
    await expect(preview({ edgeKinds: ["connects_to"], targets: ["mcp-configs:mcp_server:nope"] })).rejects.toMatchObject({
      code: "validation",
      details: [{ path: "scope.targets[0]" }],
    });
    await expect(preview({ edgeKinds: ["connects_to"], sources: ["nowhere"] })).rejects.toMatchObject({
      code: "validation",
      details: [{ path: "scope.sources[0]" }],
    });
    await expect(preview({ edgeKinds: [] })).rejects.toMatchObject({ code: "validation" });
    await expect(preview({ edgeKinds: ["manages"] })).rejects.toMatchObject({ code: "validation" });
    await expect(preview({ edgeKinds: ["connects_to"] }, { dueAt: "2020-01-01" })).rejects.toMatchObject({
      details: [{ path: "dueAt", message: "must be in the future" }],
    });
    await expect(preview({ edgeKinds: ["connects_to"] }, { fallbackReviewer: "chloe@northwind.example" })).rejects.toMatchObject({
      details: [{ path: "fallbackReviewer" }],
    });
  });
});

describe("reviewer resolution", () => {
  it("routes each item to the business owner of its target, and to the fallback when the owner owns the subject", async () => {
    const p = await preview({ edgeKinds: ["connects_to"], targets: [github] });
    expect(p.reviewers.map((r) => [r.name, r.items])).toEqual([
      ["Priya Natarajan", 5],
      ["Omar Farouk", 1],
    ]);
    const claude = p.sample.find((s) => s.subject.name === "Lucas's Claude Desktop assistant")!;
    expect(claude.reviewer).toBe("Omar Farouk");
    expect(claude.reviewerReason).toBe("fallback reviewer: separation of duties: Priya Natarajan owns the subject");
    expect(p.sample.find((s) => s.subject.name === "Mei Chen")!.reviewerReason).toBe("business owner of the target");
  });

  it("routes a person's own access away from them: Claire never reviews her own finance connection", async () => {
    const fin = await nodeId(t.db, "Filesystem (finance reports)");
    const p = await preview({ edgeKinds: ["connects_to"], targets: [fin] });
    expect(p.sample.map((s) => [s.subject.name, s.reviewer, s.reviewerReason])).toEqual([
      ["Claire Dubois", "Omar Farouk", "fallback reviewer: separation of duties: Claire Dubois is the subject"],
      ["Finance Close Copilot", "Omar Farouk", "fallback reviewer: separation of duties: Claire Dubois owns the subject"],
    ]);
    const named = await preview({ edgeKinds: ["connects_to"], targets: [fin] }, { reviewerStrategy: { reviewer: "claire@northwind.example" } });
    expect(named.reviewers.map((r) => r.name)).toEqual(["Omar Farouk"]);
  });

  it("the manager strategy sends people's access to their manager, and to the fallback when the manager is not a reviewer", async () => {
    const p = await preview(
      { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: [github, await nodeId(t.db, "Memory (agent knowledge graph)")] },
      { reviewerStrategy: "manager" },
    );
    const by = Object.fromEntries(p.sample.map((s) => [`${s.subject.name} → ${s.target.name}`, `${s.reviewer}: ${s.reviewerReason}`]));
    expect(by["Mei Chen → GitHub MCP server"]).toBe("Priya Natarajan: manager of the subject");
    expect(by["Hannah Schmidt → Memory (agent knowledge graph)"]).toBe("Omar Farouk: fallback reviewer: the subject's manager does not review in Attest");
  });

  it("the fallback must not be the subject either: with everyone conflicted the item is unassigned and launch refuses", async () => {
    const incident = await nodeId(t.db, "Incident Responder");
    // Omar owns Incident Responder: as reviewer and as fallback he is ruled out; Chloe (the owner) may not review.
    const def = {
      name: "Omar's agent",
      scope: { edgeKinds: ["connects_to"], subjectKinds: ["agent"], targets: [github], ownedBy: [await nodeId(t.db, "Omar Farouk")] },
      reviewerStrategy: "subject_owner",
      fallbackReviewer: omarEmail,
      dueAt: dueIn(7),
    };
    const p = await previewDefinition(t.db, chloe, def);
    expect(p.unassigned).toBe(2);
    expect(p.unassignedSample.map((u) => u.subject).sort()).toEqual(["Incident Responder", "PR Review Assistant"]);
    const c = await createCampaign(t.db, chloe, def);
    await expect(launchNow(t.db, chloe, c.id)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("2 items have no reviewer") });
    const [row] = await t.db.select().from(campaigns).where(eq(campaigns.id, c.id));
    expect(row!.status).toBe("draft");
    expect(incident).toMatch(/^agt_/);
  });

  it("a second level sends high-risk items to a second, different reviewer", async () => {
    const p = await preview(
      { edgeKinds: ["connects_to"], targets: [github] },
      { fallbackReviewer: "samir@northwind.example", secondLevel: { reviewer: omarEmail, minRisk: "high", rule: "any_revoke" } },
    );
    expect(p.items).toBe(6);
    expect(p.secondLevelItems).toBe(6);
    // Omar owns two of the agents: their second level goes to the fallback, never to the first-level reviewer.
    expect(Object.fromEntries(p.reviewers.map((r) => [r.name, r.items]))).toEqual({ "Priya Natarajan": 5, "Omar Farouk": 4, "Samir Khoury": 3 });
  });
});

describe("launch", () => {
  it("snapshots items with path, risk, owners and recommendation; later imports do not change them", async () => {
    const c = await launched(t.db, chloe, {
      name: "GitHub MCP access",
      control: "SOC 2 CC6.3",
      scope: { edgeKinds: ["connects_to"], targets: [github] },
      fallbackReviewer: omarEmail,
    });
    expect(c.status).toBe("active");
    expect(c.launchGraphVersion).not.toBeNull();
    const before = await allItems(c.id);
    expect(before).toHaveLength(6);
    const mei = before.find((i) => i.subject.name === "Mei Chen")!;
    expect(mei.context.path.nodes.map((n) => n.name).slice(0, 2)).toEqual(["Mei Chen", "GitHub MCP server"]);
    expect(mei.context.path.edges.slice(0, 2)).toEqual(["connects_to", "exposes"]);
    expect(mei.toolRisk).toBe("high");
    expect(mei.highRisk).toBe(true);
    expect(mei.justificationRequiredFor).toEqual(["approve", "revoke"]);
    expect(mei.context.targetOwners.map((o) => `${o.name} (${o.role})`)).toContain("Priya Natarajan (business)");
    expect(mei.context.credentials.map((x) => x.storage)).toContain("hard_coded");
    expect(mei.recommendationReason).toMatch(/^review: /);
    expect(mei.reviewer?.name).toBe("Priya Natarajan");

    const launches = await auditOf(t.db, "campaign.launch", c.id);
    expect(launches).toHaveLength(1);
    expect(launches[0]!.after).toMatchObject({ items: 6, status: "active" });

    // The graph changes: Mei leaves, the server is renamed. The snapshot stays as launched.
    const doc = buildDemoOrg();
    const meiNode = doc.nodes.find((n) => n.name === "Mei Chen")!;
    const server = doc.nodes.find((n) => n.name === "GitHub MCP server")!;
    const imp = (source: string, { source: _s, ...node }: typeof meiNode) =>
      runImport(t.db, chloe, decodeGraphDocument({ source, mode: "incremental", nodes: [node], edges: [] }) as Parameters<typeof runImport>[2], {
        format: "graph",
      });
    expect((await imp("okta", { ...meiNode, attributes: { ...meiNode.attributes, status: "terminated" } })).status).toBe("succeeded");
    expect((await imp("mcp-configs", { ...server, name: "GitHub MCP (renamed)" })).status).toBe("succeeded");
    expect(await allItems(c.id)).toEqual(before);
    // A new preview sees the new graph.
    const again = await preview({ edgeKinds: ["connects_to"], targets: [github] });
    expect(again.sample.find((s) => s.subject.name === "Mei Chen")).toMatchObject({
      target: { name: "GitHub MCP (renamed)" },
      recommendationReason: "revoke: subject terminated",
    });
  });

  it("only a draft can be launched, once", async () => {
    const c = await launched(t.db, chloe, { name: "twice", scope: { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: [github] } });
    await expect(launchCampaign(t.db, chloe, c.id)).rejects.toMatchObject({ code: "conflict" });
    expect(await auditOf(t.db, "campaign.launch", c.id)).toHaveLength(1);
  });

  it("a scope that selects nothing cannot be launched", async () => {
    const c = await createCampaign(t.db, chloe, {
      name: "empty",
      scope: { edgeKinds: ["connects_to"], targets: [github], minToolRisk: "critical" },
      reviewerStrategy: "target_owner",
      dueAt: dueIn(3),
    });
    await expect(launchNow(t.db, chloe, c.id)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("selects no access") });
  });
});

describe("who may do what", () => {
  it("a reviewer and an auditor cannot create campaigns; nothing is written", async () => {
    const n = (await t.db.select().from(campaigns)).length;
    await expect(
      createCampaign(t.db, priya, { name: "x", scope: { edgeKinds: ["owns"] }, reviewerStrategy: "manager", dueAt: dueIn(3) }),
    ).rejects.toMatchObject({ code: "forbidden" });
    await expect(
      createCampaign(t.db, beatriz, { name: "x", scope: { edgeKinds: ["owns"] }, reviewerStrategy: "manager", dueAt: dueIn(3) }),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect((await t.db.select().from(campaigns)).length).toBe(n);
  });

  it("the campaign belongs to its creator and creation is audited", async () => {
    const c = await createCampaign(t.db, chloe, { name: "owned", scope: { edgeKinds: ["owns"] }, reviewerStrategy: "manager", dueAt: "2099-12-31" });
    expect(c.owner?.email).toBe("chloe@northwind.example");
    expect(c.dueAt).toBe("2099-12-31T23:59:59.999Z");
    expect(c.status).toBe("draft");
    expect(await auditOf(t.db, "campaign.create", c.id)).toHaveLength(1);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("an auditor reads every campaign; a reviewer sees only campaigns and items assigned to them", async () => {
    const all = await listCampaigns(t.db, beatriz);
    expect(all.total).toBe((await t.db.select().from(campaigns)).length);
    const mine = await listCampaigns(t.db, priya);
    expect(mine.items.every((c) => c.status !== "draft")).toBe(true);
    const active = mine.items.find((c) => c.name === "GitHub MCP access")!;
    const inbox = await listMyItems(t.db, priya, { status: "all", limit: 500 });
    expect(inbox.items.every((i) => i.reviewer?.name === "Priya Natarajan")).toBe(true);
    expect((await listCampaignItems(t.db, priya, active.id, { status: "all", limit: 500 })).items).toHaveLength(5);
    expect((await getCampaign(t.db, priya, active.id)).progress).toBeNull();
    const other = all.items.find((c) => c.name === "owned")!;
    await expect(getCampaign(t.db, priya, other.id)).rejects.toMatchObject({ code: "not_found" });
    const rows = await t.db.select().from(reviewItems).where(eq(reviewItems.campaignId, active.id));
    expect(rows.filter((r) => r.reviewerId === priya.id)).toHaveLength(5);
  });
});
