import { and, eq, inArray, or } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CHANGED_TOOL, seedDemoHistory } from "@/db/seed/demo-history";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { auditEvents, campaigns, campaignTriggerFirings, campaignTriggerRules, findings, reviewItems, reviewItemScopes } from "@/db/schema";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { nodeId as nodeOf } from "@/lib/findings/test-graphs";
import { newId } from "@/lib/ids";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { nodeId, userId } from "../test-helpers";
import { createTriggerRule, deleteTriggerRule, getTriggerRule, listTriggerRules, updateTriggerRule } from "./rules";
import { runTriggers } from "./run";

/**
 * Findings-based triggers on the demo organisation with its history (a
 * certified connection to the GitHub MCP server, then one of its tools changed;
 * a departed owner's agent; hard-coded secrets; agents reaching critical tools
 * never certified). Rules made before those findings opened fire once per
 * event, however often the job runs.
 */

let t: TestDatabase;
let chloe: Actor;
let priya: Actor;
const rules: Record<string, string> = {};
const DAY = 86_400_000;

const firingsOf = (ruleId: string) => t.db.select().from(campaignTriggerFirings).where(eq(campaignTriggerFirings.ruleId, ruleId));
const campaignsOf = (ruleId: string) => t.db.select().from(campaigns).where(eq(campaigns.triggerRuleId, ruleId));
/** A campaign's items: its own, and those it scoped from an earlier open campaign (an access under review is reviewed once). */
const itemsOf = (campaignId: string) =>
  t.db
    .select()
    .from(reviewItems)
    .where(
      or(
        eq(reviewItems.campaignId, campaignId),
        inArray(reviewItems.id, t.db.select({ id: reviewItemScopes.itemId }).from(reviewItemScopes).where(eq(reviewItemScopes.campaignId, campaignId))),
      ),
    );

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  chloe = await actorByEmail(t, "chloe@northwind.example");
  priya = await actorByEmail(t, "priya@northwind.example");
  const made = new Date(Date.now() - DAY);
  const rule = async (kind: string, over: Record<string, unknown> = {}) =>
    (await createTriggerRule(t.db, chloe, { name: `on ${kind}`, kind, fallbackReviewer: "samir@northwind.example", ...over }, { now: made })).id;
  rules.tool = await rule("tool_definition_changed", { reviewerStrategy: "target_owner" });
  rules.path = await rule("new_critical_path", { reviewerStrategy: "subject_owner" });
  rules.departed = await rule("owner_departed", { reviewerStrategy: "subject_owner" });
  rules.secret = await rule("hard_coded_secret", { reviewerStrategy: "subject_owner" });
  // The history's evaluations open the findings after the rules exist.
  await seedDemoHistory(t.db);
});
afterAll(() => t.cleanup());

describe("findings-based triggers", () => {
  it("open exactly one micro-campaign per event, and nothing more when the job runs again or reads the same findings again", async () => {
    // A run fires at most `maxEvents`; a rule cut short keeps its watermark, so the next run goes on where it stopped.
    const capped = await runTriggers(t.db, { maxEvents: 2 });
    expect(capped.outcomes.opened + capped.outcomes.no_access + capped.outcomes.failed).toBe(2);
    const first = await runTriggers(t.db);
    expect(first.outcomes.opened + capped.outcomes.opened).toBeGreaterThanOrEqual(4);
    expect(first.outcomes.skipped).toBeGreaterThanOrEqual(1);
    const failed = (await t.db.select().from(campaignTriggerFirings)).filter((f) => f.outcome === "failed").map((f) => f.detail.reason);
    expect(failed).toEqual([]);
    const snapshot = async () => {
      const out: Record<string, { firings: number; campaigns: number }> = {};
      for (const [k, id] of Object.entries(rules)) out[k] = { firings: (await firingsOf(id)).length, campaigns: (await campaignsOf(id)).length };
      return out;
    };
    const after = await snapshot();
    for (const [k, v] of Object.entries(after)) {
      expect(v.firings, k).toBeGreaterThan(0);
      const opened = (await firingsOf(rules[k]!)).filter((f) => f.outcome === "opened").length;
      expect(v.campaigns, k).toBe(opened);
    }
    // Again, as the every-minute schedule would; and again from scratch, as a redelivery that lost the watermark would.
    expect((await runTriggers(t.db)).outcomes.opened).toBe(0);
    await t.db.update(campaignTriggerRules).set({ scannedTo: null });
    const again = await runTriggers(t.db);
    expect(again.outcomes.opened).toBe(0);
    expect(again.outcomes.skipped).toBeGreaterThan(0);
    expect(await snapshot()).toEqual(after);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("a tool whose definition changed after certification: its campaign reviews the access reaching that tool, routed to the server's owner", async () => {
    const tool = await nodeOf(t.db, DEMO_CHANGED_TOOL.source, "tool", DEMO_CHANGED_TOOL.externalId);
    const github = await nodeId(t.db, "GitHub MCP server");
    const [c, ...rest] = await campaignsOf(rules.tool!);
    expect(rest).toEqual([]);
    expect(c!.status).toBe("active");
    expect(c!.origin).toBe("trigger");
    expect(c!.triggerEvent).toMatchObject({ kind: "tool_definition_changed", nodeId: tool });
    expect(c!.triggerEvent!.summary).toBe("tool create_pull_request (github-mcp)'s definition changed after access to it was certified");
    expect(c!.scope.targets).toEqual([tool]);
    const items = await itemsOf(c!.id);
    const toGithub = items.filter((i) => i.edgeKind === "connects_to" && i.targetId === github);
    expect(toGithub.length).toBe(6);
    const priyaId = await userId(t.db, "priya@northwind.example");
    const samirId = await userId(t.db, "samir@northwind.example");
    // Priya owns the server; where she also owns the agent (separation of duties), the rule's fallback reviewer has it.
    for (const i of toGithub) {
      if (i.reviewerId !== priyaId)
        expect([i.reviewerId, i.reviewerReason]).toEqual([samirId, expect.stringMatching(/^fallback reviewer: separation of duties/)]);
    }
    expect(toGithub.filter((i) => i.reviewerId === priyaId).length).toBeGreaterThanOrEqual(3);
    // Nothing that does not reach the tool.
    expect(items.every((i) => i.targetId === tool || i.targetId === github || i.edgeKind !== "connects_to")).toBe(true);
  });

  it("an owner departed: the agent's access goes to the fallback reviewer, since its only owner left", async () => {
    const doctor = await nodeId(t.db, "Pipeline Doctor");
    const all = await campaignsOf(rules.departed!);
    const c = all.find((x) => x.triggerEvent?.nodeId === doctor);
    expect(c, "a campaign for Pipeline Doctor").toBeDefined();
    expect(c!.triggerEvent!.summary).toBe("Pipeline Doctor acts for Viktor Sokolov and is owned by Viktor Sokolov, who left");
    const items = await itemsOf(c!.id);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.subjectId === doctor)).toBe(true);
    const samir = await userId(t.db, "samir@northwind.example");
    expect(items.every((i) => i.reviewerId === samir)).toBe(true);
    // One event for the agent, although two findings (no active owner, agent of a departed person) name it.
    expect(all.filter((x) => x.triggerEvent?.nodeId === doctor)).toHaveLength(1);
  });

  it("a hard-coded secret: the campaign reviews the identities using that credential, and nothing else of theirs", async () => {
    const all = await campaignsOf(rules.secret!);
    expect(all.length).toBeGreaterThan(0);
    for (const c of all) {
      const cred = c.triggerEvent!.nodeId!;
      expect(c.scope.targets).toEqual([cred]);
      const items = await itemsOf(c.id);
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((i) => c.scope.subjects!.includes(i.subjectId))).toBe(true);
      expect(items.some((i) => i.edgeKind === "uses_credential" && i.targetId === cred)).toBe(true);
    }
  });

  it("a new path to a critical tool: the campaign reviews that principal's access to the critical tools named", async () => {
    const all = await campaignsOf(rules.path!);
    expect(all.length).toBeGreaterThan(0);
    for (const c of all) {
      expect(c.scope.subjects).toEqual([c.triggerEvent!.nodeId]);
      expect(c.triggerEvent!.summary).toMatch(/^new path from .+ to critical-risk tool /);
      const items = await itemsOf(c.id);
      expect(items.every((i) => i.subjectId === c.triggerEvent!.nodeId)).toBe(true);
    }
  });

  it("an event that touches nothing reviewable records no_access and opens no campaign", async () => {
    // A hard-coded secret nobody uses: no access of anyone's reaches it.
    const cred = await nodeId(t.db, "SVC_DBT Snowflake password");
    const now = new Date();
    await t.db.insert(findings).values({
      id: newId("fnd"),
      rule: "hardcoded_secret",
      key: `test-unused:${cred}`,
      subjectId: cred,
      subjectKind: "credential",
      subjectName: "unused",
      severity: "critical",
      title: "unused secret is hard-coded",
      evidence: { nodes: [cred], edges: [], attributes: [], facts: {} },
      fingerprint: "x",
      firstSeenAt: now,
      lastSeenAt: now,
      createdAt: now,
      updatedAt: now,
    });
    const before = (await campaignsOf(rules.secret!)).length;
    const r = await runTriggers(t.db);
    expect(r.outcomes.no_access).toBe(1);
    expect((await campaignsOf(rules.secret!)).length).toBe(before);
    const [f] = (await firingsOf(rules.secret!)).filter((x) => x.outcome === "no_access");
    expect(f!.campaignId).toBeNull();
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "campaign_trigger.fired"), eq(auditEvents.targetId, rules.secret!)));
    expect(audit.some((a) => (a.after as { outcome: string }).outcome === "no_access")).toBe(true);
  });
});

describe("rules", () => {
  it("are managed with campaign.manage, audited; a rule that fired cannot be deleted, only disabled; a new rule does not fire for what was already open", async () => {
    await expect(createTriggerRule(t.db, priya, { name: "x", kind: "owner_departed" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(createTriggerRule(t.db, chloe, { name: "x", kind: "owner_departed", filter: { eventTypes: ["session-revoked"] } })).rejects.toMatchObject({
      code: "validation",
      details: [expect.objectContaining({ path: "filter.eventTypes" })],
    });
    await expect(createTriggerRule(t.db, chloe, { name: "x", kind: "ssf_event", filter: { eventTypes: ["account-purged"] } })).rejects.toMatchObject({
      code: "validation",
    });
    // Chloe does not review: what the strategy cannot route needs a fallback reviewer.
    await expect(createTriggerRule(t.db, chloe, { name: "x", kind: "owner_departed" })).rejects.toMatchObject({
      code: "validation",
      details: [expect.objectContaining({ path: "fallbackReviewer" })],
    });
    const fresh = await createTriggerRule(t.db, chloe, { name: "late", kind: "owner_departed", fallbackReviewer: "samir@northwind.example" });
    expect((await runTriggers(t.db)).outcomes.opened).toBe(0);
    expect(await firingsOf(fresh.id)).toEqual([]);
    await expect(deleteTriggerRule(t.db, chloe, rules.departed!)).rejects.toMatchObject({ code: "conflict" });
    const off = await updateTriggerRule(t.db, chloe, rules.departed!, { enabled: false });
    expect(off.enabled).toBe(false);
    expect(await deleteTriggerRule(t.db, chloe, fresh.id)).toEqual({ id: fresh.id, deleted: true });
    const listed = await listTriggerRules(t.db, chloe);
    expect(listed.items.map((r) => r.id)).not.toContain(fresh.id);
    const detail = await getTriggerRule(t.db, chloe, rules.tool!);
    expect(detail.recentFirings[0]).toMatchObject({ outcome: "opened", campaign: expect.objectContaining({ status: "active" }) });
    const actions = (await t.db.select({ action: auditEvents.action }).from(auditEvents)).map((a) => a.action);
    for (const a of ["campaign_trigger.create", "campaign_trigger.update", "campaign_trigger.delete", "campaign_trigger.fired"]) expect(actions).toContain(a);
  });
});
