import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { appUserRoles, appUsers, campaignNotifications, remediationTasks, reviewItems } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { newId } from "@/lib/ids";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { closeCampaign, signOffCampaign } from "./close-campaign";
import { bulkDecide, decideItem } from "./decide-item";
import { previewDefinition } from "./launch-campaign";
import { getCampaign, listMyItems } from "./queries";
import { runReminders } from "./reminders";
import { auditOf, DAY, launched, nodeId } from "./test-helpers";

let t: TestDatabase;
let chloe: Actor;
let omar: Actor;
let priya: Actor;
let github: string;

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  chloe = await actorByEmail(t, "chloe@northwind.example");
  omar = await actorByEmail(t, "omar@northwind.example");
  priya = await actorByEmail(t, "priya@northwind.example");
  github = await nodeId(t.db, "GitHub MCP server");
});
afterAll(() => t.cleanup());

const mine = async (actor: Actor, campaign: string) => (await listMyItems(t.db, actor, { status: "all", limit: 500, campaign })).items;
const afterDue = (dueAt: string) => new Date(Date.parse(dueAt) + 1000);

describe("close", () => {
  it("refuses to close before the due date while items are undecided", async () => {
    const c = await launched(t.db, chloe, { name: "early", scope: { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: [github] } });
    await expect(closeCampaign(t.db, chloe, c.id)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("2 items are still undecided") });
    // Closed at its deadline so that the next campaigns review these accesses themselves (an open campaign's undecided item is shared).
    await closeCampaign(t.db, chloe, c.id, {}, { now: afterDue(c.dueAt) });
  });

  it("closes at the deadline recording undecided items as no response, opens a task per revoke, and refuses later decisions", async () => {
    const c = await launched(t.db, chloe, {
      name: "Q4 GitHub MCP review",
      scope: { edgeKinds: ["connects_to"], targets: [github] },
      fallbackReviewer: "omar@northwind.example",
    });
    const items = await mine(priya, c.id);
    expect(items).toHaveLength(5);
    const [revoked, approved] = [items.find((i) => i.subject.name === "Lucas Ferreira")!, items.find((i) => i.subject.name === "Mei Chen")!];
    await decideItem(t.db, priya, revoked.id, { decision: "revoke", justification: "uses a hard-coded PAT", version: revoked.version });
    await decideItem(t.db, priya, approved.id, { decision: "approve", justification: "on-call", version: approved.version });

    const closed = await closeCampaign(t.db, chloe, c.id, {}, { now: afterDue(c.dueAt) });
    expect(closed.outcomes).toEqual({ approve: 1, revoke: 1, abstain: 0, no_response: 4 });
    expect(closed.remediationTasks).toBe(1);
    expect(closed.campaign.status).toBe("closed");
    const rows = await t.db.select().from(reviewItems).where(eq(reviewItems.campaignId, c.id));
    expect(rows.filter((r) => r.outcome === "no_response").every((r) => r.decision === null && r.outcomeReason === "no answer by close")).toBe(true);
    const [task] = await t.db.select().from(remediationTasks).where(eq(remediationTasks.campaignId, c.id));
    expect(task).toMatchObject({
      subjectName: "Lucas Ferreira",
      edgeKind: "connects_to",
      targetName: "GitHub MCP server",
      sourceName: "mcp-configs",
      status: "open",
    });
    const [audit] = await auditOf(t.db, "campaign.close", c.id);
    expect(audit!.after).toMatchObject({ status: "closed", outcomes: { no_response: 4 }, remediationTasks: [task!.id] });

    const fresh = (await mine(priya, c.id)).find((i) => i.id === approved.id)!;
    await expect(decideItem(t.db, priya, fresh.id, { decision: "revoke", justification: "changed my mind", version: fresh.version })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("closed"),
    });
    await expect(bulkDecide(t.db, priya, { items: [{ id: fresh.id, version: fresh.version }], decision: "abstain" })).rejects.toMatchObject({
      code: "conflict",
    });
    await expect(closeCampaign(t.db, chloe, c.id)).rejects.toMatchObject({ code: "conflict" });

    const progress = (await getCampaign(t.db, chloe, c.id)).progress!;
    expect(progress.outcomes).toEqual({ approve: 1, revoke: 1, abstain: 0, no_response: 4 });
    expect(progress.remediation).toMatchObject({ open: 1 });
    expect(progress.burndown!.points.at(-1)!.undecided).toBe(4);
  });

  it("closes as soon as every item is decided, and revoke on no response is not needed then", async () => {
    const c = await launched(t.db, chloe, {
      name: "complete",
      scope: { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: [github] },
      revokeOnNoResponse: true,
    });
    const items = await mine(priya, c.id);
    await bulkDecide(t.db, priya, { items: items.map((i) => ({ id: i.id, version: i.version })), decision: "approve", justification: "confirmed" });
    const closed = await closeCampaign(t.db, chloe, c.id);
    expect(closed.outcomes).toEqual({ approve: 2, revoke: 0, abstain: 0, no_response: 0 });
    // The next campaign over the same access recommends approving what has not changed since.
    const next = await previewDefinition(t.db, chloe, {
      name: "next quarter",
      scope: { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: [github] },
      reviewerStrategy: "target_owner",
      dueAt: new Date(Date.now() + 30 * DAY).toISOString(),
    });
    expect(next.byRecommendation).toEqual({ approve: 2 });
    expect(next.sample[0]!.recommendationReason).toMatch(/^approve: unchanged since last certified \(complete, \d{4}-\d{2}-\d{2}\)$/);
  });

  it("revoke on no response revokes every undecided item and opens their tasks", async () => {
    const c = await launched(t.db, chloe, { name: "strict", scope: { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: [github] } });
    const closed = await closeCampaign(t.db, chloe, c.id, { revokeOnNoResponse: true }, { now: afterDue(c.dueAt) });
    expect(closed.outcomes).toMatchObject({ revoke: 2, no_response: 0 });
    const tasks = await t.db.select().from(remediationTasks).where(eq(remediationTasks.campaignId, c.id));
    expect(tasks.map((x) => x.reason)).toEqual(["no answer by close; revoked on no response", "no answer by close; revoked on no response"]);
  });

  it("combines two levels by the campaign's rule: one revoke revokes", async () => {
    const c = await launched(t.db, chloe, {
      name: "two levels",
      scope: { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: [github] },
      secondLevel: { reviewer: "omar@northwind.example", minRisk: "high", rule: "any_revoke" },
    });
    const first = await mine(priya, c.id);
    const second = await mine(omar, c.id);
    expect(first).toHaveLength(2);
    expect(second.map((i) => i.level)).toEqual([2, 2]);
    await bulkDecide(t.db, priya, { items: first.map((i) => ({ id: i.id, version: i.version })), decision: "approve", justification: "ok" });
    const lucas2 = second.find((i) => i.subject.name === "Lucas Ferreira")!;
    const mei2 = second.find((i) => i.subject.name === "Mei Chen")!;
    await decideItem(t.db, omar, lucas2.id, { decision: "revoke", justification: "hard-coded PAT", version: lucas2.version });
    await decideItem(t.db, omar, mei2.id, { decision: "approve", justification: "fine", version: mei2.version });
    const closed = await closeCampaign(t.db, chloe, c.id);
    expect(closed.outcomes).toEqual({ approve: 1, revoke: 1, abstain: 0, no_response: 0 });
    const rows = await t.db.select().from(reviewItems).where(eq(reviewItems.campaignId, c.id));
    expect(rows.filter((r) => r.subjectName === "Lucas Ferreira").map((r) => r.outcome)).toEqual(["revoke", "revoke"]);
  });
});

describe("sign-off", () => {
  it("only the owner signs a closed campaign off, once; it is audited", async () => {
    const c = await launched(t.db, chloe, { name: "sign me", scope: { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: [github] } });
    await expect(signOffCampaign(t.db, chloe, c.id)).rejects.toMatchObject({ code: "conflict" });
    await closeCampaign(t.db, omar, c.id, {}, { now: afterDue(c.dueAt) });
    await expect(signOffCampaign(t.db, omar, c.id)).rejects.toMatchObject({ code: "forbidden" });
    await expect(signOffCampaign(t.db, priya, c.id)).rejects.toMatchObject({ code: "forbidden" });
    const signed = await signOffCampaign(t.db, chloe, c.id, { statement: "Reviewed with the CISO." });
    expect(signed).toMatchObject({ status: "signed_off", signedOffBy: "chloe@northwind.example", signOffStatement: "Reviewed with the CISO." });
    await expect(signOffCampaign(t.db, chloe, c.id)).rejects.toMatchObject({ code: "conflict", message: "the campaign is already signed off" });
    expect(await auditOf(t.db, "campaign.sign_off", c.id)).toHaveLength(1);
  });
});

describe("reminders and escalations", () => {
  it("records one reminder per reviewer before the due date, never twice, then escalates to the reviewer's manager or the owner", async () => {
    // Daniel Novak manages Priya; give him an Attest account so escalations can reach him.
    const [daniel] = await t.db.select({ id: appUsers.id }).from(appUsers).where(eq(appUsers.email, "daniel@northwind.example"));
    expect(daniel).toBeUndefined();
    const danielId = newId("usr");
    await t.db
      .insert(appUsers)
      .values({ id: danielId, email: "daniel@northwind.example", name: "Daniel Novak", humanNodeId: await nodeId(t.db, "Daniel Novak") });
    await t.db.insert(appUserRoles).values({ userId: danielId, role: "auditor" });

    const c = await launched(t.db, chloe, {
      name: "reminders",
      scope: { edgeKinds: ["connects_to"], targets: [github] },
      fallbackReviewer: "omar@northwind.example",
      reminderDays: [7, 1],
    });
    const due = Date.parse(c.dueAt);
    const at = (ms: number) => ({ now: new Date(ms) });

    expect(await runReminders(t.db, chloe, at(due - 10 * DAY))).toMatchObject({ reminders: 0, escalations: 0 });
    const week = await runReminders(t.db, chloe, at(due - 6 * DAY));
    const ours = week.notifications.filter((n) => n.campaignId === c.id);
    expect(ours.map((n) => [n.kind, n.recipient?.name, n.pendingItems]).sort()).toEqual([
      ["reminder", "Omar Farouk", 1],
      ["reminder", "Priya Natarajan", 5],
    ]);
    expect(ours[0]!.message).toMatch(/due in 6 days/);
    expect((await runReminders(t.db, chloe, at(due - 5 * DAY))).notifications.filter((n) => n.campaignId === c.id)).toHaveLength(0);
    expect((await runReminders(t.db, chloe, at(due - DAY / 2))).notifications.filter((n) => n.campaignId === c.id)).toHaveLength(2);

    const late = await runReminders(t.db, chloe, at(due + DAY));
    const esc = late.notifications.filter((n) => n.campaignId === c.id && n.kind === "escalation");
    expect(esc.map((n) => [n.reviewer?.name, n.recipient?.name]).sort()).toEqual([
      ["Omar Farouk", "Chloe Bernard"],
      ["Priya Natarajan", "Daniel Novak"],
    ]);
    // Past the due date each late reviewer is also told, once, that their items are overdue.
    const overdue = late.notifications.filter((n) => n.campaignId === c.id && n.kind === "overdue");
    expect(overdue.map((n) => [n.recipient?.name, n.pendingItems]).sort()).toEqual([
      ["Omar Farouk", 1],
      ["Priya Natarajan", 5],
    ]);
    expect(overdue[0]!.message).toMatch(/^Overdue: .*1 day ago/);
    expect((await runReminders(t.db, chloe, at(due + 2 * DAY))).notifications.filter((n) => n.campaignId === c.id)).toHaveLength(0);
    const progress = (await getCampaign(t.db, chloe, c.id, new Date(due + DAY))).progress!;
    expect(progress.notifications.filter((n) => n.kind === "escalation")).toHaveLength(2);
    expect(progress.overdue).toBe(6);
    expect((await auditOf(t.db, "campaign.notify", c.id)).length).toBe(3);
    const stored = await t.db.select().from(campaignNotifications).where(eq(campaignNotifications.campaignId, c.id));
    expect(stored).toHaveLength(8);
  });

  it("a reviewer may not run reminders", async () => {
    await expect(runReminders(t.db, priya)).rejects.toMatchObject({ code: "forbidden" });
  });
});
