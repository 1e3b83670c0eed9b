import { and, eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, campaigns, findings, findingToolDefinitions, nodes } from "@/db/schema";
import { DEMO_CHANGED_TOOL, DEMO_PAST_CAMPAIGN, POISONED_SUFFIX, seedDemoHistory } from "@/db/seed/demo-history";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { actorForUser } from "@/lib/authz/load-user";
import { appUsers } from "@/db/schema";
import { getFinding } from "./queries";
import { toolDefinitionChange } from "./tool-definition-change";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { FINDING_RULES, type FindingRule } from "./rules";
import { nodeId } from "./test-graphs";

/**
 * The demo organisation as `npm start` seeds it (db/prepare.ts): the graph,
 * then its history through the real domain functions — a campaign closed last
 * quarter certifying the agents' connections to the GitHub MCP server, and a
 * later discovery run in which one of that server's tools changed its
 * description. It shows a finding of every rule.
 */
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, buildDemoOrg());
  await seedDemoHistory(t.db);
});
afterAll(() => t.cleanup());

async function openOf(rule: FindingRule) {
  return t.db
    .select()
    .from(findings)
    .where(and(eq(findings.rule, rule), ne(findings.status, "resolved")));
}

describe("the demo organisation", () => {
  it("shows open findings of every rule that reads the graph; none from gateways' usage, which the demo has none of", async () => {
    // unused_high_risk_access needs tool-call telemetry (decision log, OTLP spans): without it, no finding by design.
    for (const rule of FINDING_RULES.filter((r) => r !== "unused_high_risk_access")) expect((await openOf(rule)).length, rule).toBeGreaterThan(0);
    expect(await openOf("unused_high_risk_access")).toEqual([]);
  });

  it("tells the seed's stories", async () => {
    const titles = (await t.db.select({ title: findings.title }).from(findings)).map((f) => f.title);
    expect(titles).toContain("Pipeline Doctor acts for Viktor Sokolov and is owned by Viktor Sokolov, who left");
    expect(titles.some((x) => x.startsWith("Everything reference server (sandbox) is reached over plain HTTP (http://mcp-sandbox.internal:3001/mcp)"))).toBe(
      true,
    );
    expect(titles.some((x) => x.startsWith("SVC_DBT Snowflake password is used by 2 identities"))).toBe(true);
  });

  it("flags the unpinned npx launches and not the pinned one", async () => {
    const unpinned = (await openOf("insecure_mcp_server"))
      .filter((f) => /unpinned package/.test(f.title))
      .map((f) => f.subjectName)
      .sort();
    expect(unpinned).toEqual(["Filesystem (finance reports)", "GitHub MCP server", "Memory (agent knowledge graph)", "Postgres (orders, read-only)"]);
    // The engineering share's server is launched as `npx -y @modelcontextprotocol/server-filesystem@<version>`.
    expect(unpinned).not.toContain("Filesystem (engineering share)");
  });

  it("holds a signed-off campaign from last quarter, made through the audited domain functions", async () => {
    const [c] = await t.db.select().from(campaigns).where(eq(campaigns.name, DEMO_PAST_CAMPAIGN));
    expect(c!.status).toBe("signed_off");
    expect(Date.now() - c!.closedAt!.getTime()).toBeGreaterThan(30 * 86_400_000);
    const actions = (await t.db.select({ action: auditEvents.action }).from(auditEvents)).map((a) => a.action);
    for (const a of ["campaign.create", "campaign.launch", "campaign.close", "campaign.sign_off"]) expect(actions, a).toContain(a);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("shows the GitHub tool whose description changed after that campaign certified access to it", async () => {
    const tool = await nodeId(t.db, DEMO_CHANGED_TOOL.source, "tool", DEMO_CHANGED_TOOL.externalId);
    const [row] = await t.db.select({ attributes: nodes.attributes }).from(nodes).where(eq(nodes.id, tool));
    expect(String((row!.attributes as Record<string, unknown>).description)).toContain(POISONED_SUFFIX.trim());
    const [f] = (await openOf("tool_definition_changed")).filter((x) => x.subjectId === tool);
    expect(f!.title).toMatch(new RegExp(`^create_pull_request \\(github-mcp\\) changed after access to it was certified in "${DEMO_PAST_CAMPAIGN}"`));
    // Its evidence draws the tool, its server and the certified connection to it.
    expect(f!.evidence.edges.map((e) => e.kind).sort()).toEqual(["connects_to", "exposes"]);
    // Only that tool changed: the other GitHub tools keep the definition that was certified.
    expect((await openOf("tool_definition_changed")).map((x) => x.subjectId)).toEqual([tool]);
  });

  it("keeps each definition the tool showed, so the finding shows the changed description as a diff", async () => {
    const tool = await nodeId(t.db, DEMO_CHANGED_TOOL.source, "tool", DEMO_CHANGED_TOOL.externalId);
    const history = await t.db.select().from(findingToolDefinitions).where(eq(findingToolDefinitions.toolId, tool)).orderBy(findingToolDefinitions.firstSeenAt);
    expect(history).toHaveLength(2);
    const [then, now] = history.map((h) => h.definition as Record<string, unknown>);
    expect(String(then!.description)).not.toContain(POISONED_SUFFIX.trim());
    expect(String(now!.description)).toContain(POISONED_SUFFIX.trim());
    expect(Object.keys(then!).sort()).toEqual(expect.arrayContaining(["description", "inputSchema"]));

    const [u] = await t.db.select({ id: appUsers.id }).from(appUsers).where(eq(appUsers.email, "chloe@northwind.example"));
    const analyst = (await actorForUser(t.db, u!.id))!;
    const [f] = (await openOf("tool_definition_changed")).filter((x) => x.subjectId === tool);
    const change = (await toolDefinitionChange(t.db, analyst, await getFinding(t.db, analyst, f!.id)))!;
    expect(change).toMatchObject({ recorded: true, certifiedHash: history[0]!.definitionHash, currentHash: history[1]!.definitionHash });
    expect(change.changed.map((c) => c.part)).toEqual(["description"]);
    expect(change.unchanged).toContain("Input schema");
    const lines = change.changed[0]!.lines;
    // The old one-line description against the new one, the words the server slipped in marked as added.
    const del = lines.filter((l) => l.op === "del");
    const add = lines.filter((l) => l.op === "add");
    expect(del.map((l) => l.text).join("")).toBe(String(then!.description));
    expect(add.map((l) => l.text).join("")).toBe(String(now!.description));
    const inserted = add
      .flatMap((l) => l.words ?? [])
      .filter((w) => w.op === "add")
      .map((w) => w.text)
      .join("");
    expect(inserted.trim()).toBe(POISONED_SUFFIX.trim());
    expect(del.flatMap((l) => l.words ?? []).filter((w) => w.op === "del")).toEqual([]);
    // Another rule's finding has no definition change.
    const [other] = await openOf("hardcoded_secret");
    expect(await toolDefinitionChange(t.db, analyst, await getFinding(t.db, analyst, other!.id))).toBeNull();
  });
});
