import { and, eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findings } from "@/db/schema";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { systemActor } from "@/lib/authz/actor";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { evaluateFindings } from "./evaluate";
import { FINDING_RULES } from "./rules";
import { certify, importDoc, nodeId } from "./test-graphs";

/**
 * The demo organisation shows every rule. Nine fire on the seed as it is; the
 * tenth (a tool changed since its access was certified) needs a certification
 * and a later change of a tool's definition, which this test adds the way the
 * seed is asked to (see the report): definition hashes on the discovered tools,
 * an evaluation, a closed campaign approving PR Review Assistant's connection
 * to the GitHub MCP server, then a rediscovered tool whose description changed.
 */
let t: TestDatabase;
const seed = systemActor("seed");

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, buildDemoOrg());
});
afterAll(() => t.cleanup());

async function openByRule() {
  const rows = await t.db.select({ rule: findings.rule }).from(findings).where(ne(findings.status, "resolved"));
  const counts = Object.fromEntries(FINDING_RULES.map((r) => [r, 0])) as Record<string, number>;
  for (const r of rows) counts[r.rule]!++;
  return counts;
}

const githubTool = (hash: string) => ({
  source: "mcp-discovery",
  mode: "incremental" as const,
  nodes: [{ kind: "tool" as const, externalId: "github-mcp/create_pull_request", name: "create_pull_request", attributes: { server: "github-mcp", risk: "critical", definitionHash: hash } }],
  edges: [],
});

describe("the demo organisation", () => {
  it("shows findings of nine rules as seeded, with the stories the seed tells", async () => {
    const r = await evaluateFindings(t.db, seed, { trigger: "seed" });
    expect(r.counts.new).toBe(r.counts.found);
    const counts = await openByRule();
    for (const rule of FINDING_RULES.filter((x) => x !== "tool_definition_changed")) expect(counts[rule], rule).toBeGreaterThan(0);
    const titles = (await t.db.select({ title: findings.title }).from(findings)).map((f) => f.title);
    expect(titles).toContain("Pipeline Doctor acts for Viktor Sokolov and is owned by Viktor Sokolov, who left");
    expect(titles).toContain("Everything reference server (sandbox) is reached over plain HTTP (http://mcp-sandbox.internal:3001/mcp)");
    expect(titles.some((x) => x.startsWith("SVC_DBT Snowflake password is used by 2 identities"))).toBe(true);
  });

  it("shows the tenth once a certified tool's definition changes", async () => {
    await importDoc(t.db, seed, githubTool("sha256:approved-definition"));
    const [bot, server] = [await nodeId(t.db, "agent-registry", "agent", "agt-pr-review"), await nodeId(t.db, "mcp-configs", "mcp_server", "github-mcp")];
    await certify(t.db, { subjectId: bot, targetId: server, edgeKind: "connects_to", closedAt: new Date(), ownerEmail: "chloe@northwind.example" });
    await importDoc(t.db, seed, githubTool("sha256:changed-description"));
    const counts = await openByRule();
    for (const rule of FINDING_RULES) expect(counts[rule], rule).toBeGreaterThan(0);
    const tool = await nodeId(t.db, "mcp-discovery", "tool", "github-mcp/create_pull_request");
    const [f] = await t.db.select().from(findings).where(and(eq(findings.rule, "tool_definition_changed"), eq(findings.subjectId, tool)));
    expect(f!.title).toMatch(/^create_pull_request \(github-mcp\) changed after access to it was certified/);
  });
});
