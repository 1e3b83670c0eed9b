import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findings, nodes, toolUsage } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { systemActor } from "@/lib/authz/actor";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { runEvaluation } from "./evaluate";
import { evaluateIncremental } from "./evaluate-incremental";

/**
 * The small graph: the Triage bot (agent) reaches create_issue (high risk) through github-mcp; a second agent, the
 * Release bot, connects to the same server. Usage is written as gateways would (tool_usage).
 */
let t: TestDatabase;
const id: Record<string, string> = {};
const actor = systemActor("test");
const now = new Date("2026-12-06T00:00:00Z");
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
const open = async () =>
  (
    await t.db
      .select()
      .from(findings)
      .where(and(eq(findings.rule, "unused_high_risk_access"), eq(findings.status, "open")))
  )
    .map((f) => f.subjectName)
    .sort();
const bump = () => t.db.execute(sql`update graph_state set version = version + 1 where id = 1`);

beforeAll(async () => {
  t = await createTestDatabase();
  const g = smallGraph();
  g.nodes.push({ source: "mcp", kind: "agent", externalId: "release", name: "Release bot", attributes: { status: "active" } });
  g.edges.push({ source: "mcp", kind: "connects_to", from: { kind: "agent", externalId: "release" }, to: { kind: "mcp_server", externalId: "github-mcp" } });
  await seedGraph(t.db, g);
  for (const n of await t.db.select({ id: nodes.id, name: nodes.name }).from(nodes)) id[n.name] = n.id;
});
afterAll(() => t.cleanup());

const use = (subject: string, lastDaysAgo: number, firstDaysAgo: number) => ({
  subjectId: id[subject]!,
  toolId: id.create_issue!,
  firstUsedAt: daysAgo(firstDaysAgo),
  lastUsedAt: daysAgo(lastDaysAgo),
  calls: 5,
  lastSeenVia: "otlp",
});

describe("unused high-risk access", () => {
  it("finds nothing without usage data, whatever the reach (no telemetry, no finding)", async () => {
    await runEvaluation(t.db, actor, { trigger: "manual", now });
    expect(await open()).toEqual([]);
  });

  it("opens one finding per agent that has not called a high-risk tool it reaches in 90 days, once usage of it is seen for longer", async () => {
    await t.db.insert(toolUsage).values([use("Triage bot", 3, 200)]);
    await runEvaluation(t.db, actor, { trigger: "manual", now });
    // The Release bot reaches create_issue and was never seen calling it; the Triage bot called it 3 days ago.
    expect(await open()).toEqual(["Release bot"]);
    const [f] = await t.db.select().from(findings).where(eq(findings.rule, "unused_high_risk_access"));
    expect(f!.title).toBe("Release bot can call a high-risk tool it has not used in 90 days: create_issue");
    expect(f!.evidence.facts).toMatchObject({
      unusedDays: 90,
      count: 1,
      unused: [{ tool: id.create_issue, name: "create_issue", risk: "high", lastUsedAt: null, usageSince: daysAgo(200).toISOString() }],
    });
    expect(f!.evidence.nodes).toEqual([id["Release bot"], id.create_issue]);
  });

  it("does not count silence before usage data began", async () => {
    await t.db.update(toolUsage).set({ firstUsedAt: daysAgo(30) });
    await runEvaluation(t.db, actor, { trigger: "manual", now });
    expect(await open()).toEqual([]);
    await t.db.update(toolUsage).set({ firstUsedAt: daysAgo(200) });
    await runEvaluation(t.db, actor, { trigger: "manual", now });
    expect(await open()).toEqual(["Release bot"]);
  });

  it("is re-checked incrementally for the principals a graph change touches", async () => {
    // The Release bot starts calling the tool; its node changes (say, a new attribute): the incremental evaluation
    // re-checks it and resolves the finding.
    await t.db.insert(toolUsage).values([use("Release bot", 1, 1)]);
    await bump();
    await evaluateIncremental(t.db, { nodeIds: [id["Release bot"]!], edgeIds: [], sourceIds: [], full: false }, { now });
    expect(await open()).toEqual([]);
    // The Triage bot's last call ages past 90 days: the clock alone, seen by the next full evaluation.
    await t.db
      .update(toolUsage)
      .set({ lastUsedAt: daysAgo(120) })
      .where(eq(toolUsage.subjectId, id["Triage bot"]!));
    await runEvaluation(t.db, actor, { trigger: "schedule", now });
    expect(await open()).toEqual(["Triage bot"]);
  });
});
