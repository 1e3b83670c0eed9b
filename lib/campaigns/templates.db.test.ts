import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { appUsers, campaignTemplates, campaigns, reviewItems } from "@/db/schema";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { isAppError } from "@/lib/errors";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { decideItem } from "./decide-item";
import { runLaunch } from "./launch-campaign";
import { getCampaign, getItem, listCampaignItems } from "./queries";
import { runTemplateNow, runTemplateTick, periodLabel } from "./template-instances";
import { createTemplate, deleteTemplate, getTemplate, listTemplates, setTemplateEnabled, updateTemplate } from "./templates";
import { auditOf } from "./test-helpers";

let t: TestDatabase;
let chloe: Actor; // analyst: campaign.manage
let beatriz: Actor; // auditor: campaign.read only
const omar = "omar@northwind.example";
const claire = "claire@northwind.example";
const QUARTERLY = "0 9 * 1,4,7,10 1#1"; // 09:00 UTC on the first Monday of each quarter

const definition = (over: Record<string, unknown> = {}) => ({
  name: "GitHub MCP access",
  control: "SOC 2 CC6.3",
  scope: { edgeKinds: ["connects_to"], targets: ["mcp-configs:mcp_server:github-mcp"] },
  reviewerStrategy: "target_owner",
  fallbackReviewer: omar,
  cron: QUARTERLY,
  durationDays: 14,
  ...over,
});

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  chloe = await actorByEmail(t, "chloe@northwind.example");
  beatriz = await actorByEmail(t, "beatriz@northwind.example");
});
afterAll(() => t.cleanup());

async function refusal(p: Promise<unknown>): Promise<{ code: string; paths: string[] }> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return { code: e.code, paths: e.details.map((d) => d.path) };
    throw e;
  }
  throw new Error("expected a refusal");
}

const items = async (campaignId: string) => (await listCampaignItems(t.db, chloe, campaignId, { status: "all", limit: 500 })).items;

describe(`campaign templates (${testTarget()})`, () => {
  it("refuses bad input with 400 naming the field: cron, duration, a due date, unknown references", async () => {
    const now = new Date("2027-01-01T00:00:00Z");
    const create = (over: Record<string, unknown>) => refusal(createTemplate(t.db, chloe, definition(over), { now }));
    expect(await create({ cron: "0 9 * *" })).toEqual({ code: "validation", paths: ["cron"] });
    expect(await create({ cron: "0 25 * * *" })).toEqual({ code: "validation", paths: ["cron"] });
    expect(await create({ cron: "*/30 * * * *" })).toEqual({ code: "validation", paths: ["cron"] });
    expect(await create({ durationDays: 0 })).toEqual({ code: "validation", paths: ["durationDays"] });
    expect(await create({ durationDays: 366 })).toEqual({ code: "validation", paths: ["durationDays"] });
    expect((await create({ dueAt: "2027-02-01" })).code).toBe("validation");
    expect(await create({ scope: { edgeKinds: ["connects_to"], targets: ["mcp-configs:mcp_server:no-such"] } })).toEqual({
      code: "validation",
      paths: ["scope.targets[0]"],
    });
    expect(await create({ reviewerStrategy: { reviewer: "nobody@northwind.example" } })).toMatchObject({ paths: ["reviewerStrategy.reviewer"] });
    expect(await refusal(createTemplate(t.db, beatriz, definition(), { now }))).toMatchObject({ code: "forbidden" });
    expect(await t.db.select().from(campaignTemplates)).toHaveLength(0);
  });

  it("is created owned by its creator, audited, its next slot the first Monday of the next quarter, said in words", async () => {
    const tpl = await createTemplate(t.db, chloe, definition({ name: "Words" }), { now: new Date("2027-01-01T00:00:00Z") });
    expect(tpl).toMatchObject({
      owner: { email: "chloe@northwind.example" },
      enabled: true,
      nextRunAt: "2027-01-04T09:00:00.000Z",
      schedule: "Quarterly: at 09:00 UTC, on the first Monday of the month, only in January, April, July, and October",
      scheduleWarning: null,
      instances: 0,
    });
    expect(tpl.definition).not.toHaveProperty("cron");
    expect((await auditOf(t.db, "campaign_template.create", tpl.id))[0]?.after).toMatchObject({ cron: QUARTERLY, durationDays: 14 });
    expect((await listTemplates(t.db, beatriz)).items.map((x) => x.id)).toContain(tpl.id);
    // Day of month and day of week both set: cron runs on either, and the words say so.
    const ored = await updateTemplate(t.db, chloe, tpl.id, { cron: "0 9 1-7 1,4,7,10 1" }, { now: new Date("2027-01-01T00:00:00Z") });
    expect(ored.schedule).toContain("or on Monday");
    expect(ored.scheduleWarning).toMatch(/OR/);
    expect((await deleteTemplate(t.db, chloe, tpl.id)).deleted).toBe(true);
    expect((await auditOf(t.db, "campaign_template.delete", tpl.id)).length).toBe(1);
    expect(await refusal(getTemplate(t.db, chloe, tpl.id))).toMatchObject({ code: "not_found" });
  });

  it("creates its instances on schedule, once per slot, each linked to the previous one, with what changed since last time", async () => {
    const jan1 = new Date("2027-01-01T00:00:00Z");
    const tpl = await createTemplate(
      t.db,
      chloe,
      definition({ scope: { edgeKinds: ["connects_to"], subjectKinds: ["agent"], targets: ["mcp-configs:mcp_server:github-mcp"] } }),
      { now: jan1 },
    );

    expect(await runTemplateTick(t.db, new Date("2027-01-04T08:59:00Z"))).toEqual({ created: [], failed: [] });
    const slot1 = new Date("2027-01-04T09:00:00Z");
    const [first, again] = await Promise.all([runTemplateTick(t.db, slot1), runTemplateTick(t.db, new Date("2027-01-04T09:00:30Z"))]);
    expect([...first.created, ...again.created]).toHaveLength(1);
    expect((await runTemplateTick(t.db, new Date("2027-01-04T09:01:00Z"))).created).toEqual([]);
    const q1 = [...first.created, ...again.created][0]!;
    expect(await runLaunch(t.db, q1, { now: slot1 })).toMatchObject({ status: "active" });
    const c1 = await getCampaign(t.db, chloe, q1, slot1);
    expect(c1).toMatchObject({
      name: "GitHub MCP access — 2027 Q1",
      origin: "template",
      templateId: tpl.id,
      previousCampaignId: null,
      owner: { email: "chloe@northwind.example" },
    });
    expect(c1.dueAt).toBe("2027-01-18T09:00:00.000Z");
    expect((await getTemplate(t.db, chloe, tpl.id)).nextRunAt).toBe("2027-04-05T09:00:00.000Z");
    expect((await auditOf(t.db, "campaign_template.instance", tpl.id)).map((e) => e.after)).toEqual([
      expect.objectContaining({ campaignId: q1, slot: slot1.toISOString(), previousCampaignId: null }),
    ]);

    // Last quarter's decisions, by the item's reviewer.
    const firstItems = await items(q1);
    expect(firstItems.length).toBeGreaterThan(1);
    expect(firstItems.every((i) => i.sinceLast === undefined)).toBe(true);
    const decided = firstItems[0]!;
    const reviewer = await actorByEmail(t, decided.reviewer!.email);
    await decideItem(
      t.db,
      reviewer,
      decided.id,
      { decision: "revoke", justification: "no longer used", version: decided.version },
      { now: new Date("2027-01-05T10:00:00Z") },
    );

    // Next quarter: every connection to the server, people included, routed to one named reviewer.
    await updateTemplate(
      t.db,
      chloe,
      tpl.id,
      { scope: { edgeKinds: ["connects_to"], targets: ["mcp-configs:mcp_server:github-mcp"] }, reviewerStrategy: { reviewer: claire } },
      { now: new Date("2027-02-01T00:00:00Z") },
    );
    const slot2 = new Date("2027-04-05T09:00:00Z");
    const second = await runTemplateTick(t.db, slot2);
    expect(second.created).toHaveLength(1);
    const q2 = second.created[0]!;
    expect(await runLaunch(t.db, q2, { now: slot2 })).toMatchObject({ status: "active" });
    expect(await getCampaign(t.db, chloe, q2, slot2)).toMatchObject({ name: "GitHub MCP access — 2027 Q2", previousCampaignId: q1, templateId: tpl.id });

    const secondItems = await items(q2);
    const same = secondItems.find((i) => i.subject.id === decided.subject.id && i.target.id === decided.target.id && i.access.kind === decided.access.kind)!;
    expect(same.sinceLast).toMatchObject({
      previousCampaign: { id: q1, name: "GitHub MCP access — 2027 Q1" },
      previous: {
        itemId: decided.id,
        decision: "revoke",
        justification: "no longer used",
        decidedBy: { email: decided.reviewer!.email },
        decidedAt: "2027-01-05T10:00:00.000Z",
      },
    });
    expect(same.reviewer!.email).not.toBe(decided.reviewer!.email);
    expect(same.sinceLast!.changes!.reviewer).toMatchObject({ from: { email: decided.assignedReviewer!.email }, to: { email: same.reviewer!.email } });
    // An undecided item last time: shown as such.
    const undecided = secondItems.find((i) => i.sinceLast?.previous && i.sinceLast.previous.itemId !== decided.id)!;
    expect(undecided.sinceLast!.previous).toMatchObject({ decision: null, decidedBy: null });
    // People were not in last quarter's scope: new since last time.
    const people = secondItems.filter((i) => i.subject.kind === "human");
    expect(people.length).toBeGreaterThan(0);
    expect(people.every((i) => i.sinceLast?.previous === null && i.sinceLast.previousCampaign.id === q1)).toBe(true);
    // The item view says the same.
    expect((await getItem(t.db, chloe, same.id)).sinceLast?.previous?.decision).toBe("revoke");

    // What changed is read from the two snapshots: last quarter's as it was shown then.
    const [prevRow] = await t.db.select().from(reviewItems).where(eq(reviewItems.id, decided.id));
    await t.db
      .update(reviewItems)
      .set({
        toolRisk: same.toolRisk === "low" ? "medium" : "low",
        recommendation: same.recommendation === "approve" ? "review" : "approve",
        subjectStatus: "leave",
        context: { ...prevRow!.context, flags: [{ code: "gone_flag", tone: "info", message: "a flag of last quarter" }] },
      })
      .where(eq(reviewItems.id, decided.id));
    const changes = (await getItem(t.db, chloe, same.id)).sinceLast!.changes!;
    expect(changes.risk).toEqual({ from: same.toolRisk === "low" ? "medium" : "low", to: same.toolRisk });
    expect(changes.recommendation?.to).toBe(same.recommendation);
    expect(changes.subjectStatus).toEqual({ from: "leave", to: same.subject.status });
    expect(changes.flagsRemoved.map((f) => f.code)).toEqual(["gone_flag"]);
    expect(changes.flagsAdded.map((f) => f.code)).toEqual(same.context.flags.map((f) => f.code));
  });

  it("after downtime makes one instance for the latest missed slot, not one per slot; the next slot comes as usual", async () => {
    const tpl = await createTemplate(t.db, chloe, definition({ name: "Monthly", cron: "0 8 1 * *", durationDays: 7 }), {
      now: new Date("2027-01-01T00:00:00Z"),
    });
    expect(tpl.nextRunAt).toBe("2027-01-01T08:00:00.000Z");
    const late = new Date("2027-04-15T12:00:00Z"); // January to April missed
    const r = await runTemplateTick(t.db, late);
    const mine = (await t.db.select().from(campaigns).where(eq(campaigns.templateId, tpl.id))).map((c) => c.name);
    expect(mine).toEqual(["Monthly — April 2027"]);
    expect(r.created).toHaveLength(1);
    const after = await getTemplate(t.db, chloe, tpl.id);
    expect(after).toMatchObject({ nextRunAt: "2027-05-01T08:00:00.000Z", lastRunAt: late.toISOString(), lastCampaign: { id: r.created[0] }, instances: 1 });
    await setTemplateEnabled(t.db, chloe, tpl.id, false);
  });

  it("records a failed instance on the template, audited, and the next slot still comes", async () => {
    const tpl = await createTemplate(t.db, chloe, definition({ name: "Named", cron: "0 6 * * 1", reviewerStrategy: { reviewer: "priya@northwind.example" } }), {
      now: new Date("2027-06-01T00:00:00Z"),
    });
    await t.db.update(appUsers).set({ status: "disabled" }).where(eq(appUsers.email, "priya@northwind.example"));
    const monday = new Date("2027-06-07T06:00:00Z");
    const r = await runTemplateTick(t.db, monday);
    expect(r).toEqual({ created: [], failed: [tpl.id] });
    const failed = await getTemplate(t.db, chloe, tpl.id);
    expect(failed.lastError).toMatch(/reviewerStrategy\.reviewer/);
    expect(failed.nextRunAt).toBe("2027-06-14T06:00:00.000Z");
    expect((await auditOf(t.db, "campaign_template.instance_failed", tpl.id))[0]?.after).toMatchObject({ slot: monday.toISOString() });

    // Changing it is refused while its reviewer is gone, naming the field; disabling it is always possible.
    expect(await refusal(updateTemplate(t.db, chloe, tpl.id, { durationDays: 10 }))).toEqual({ code: "validation", paths: ["reviewerStrategy.reviewer"] });
    expect((await setTemplateEnabled(t.db, chloe, tpl.id, false)).enabled).toBe(false);

    await t.db.update(appUsers).set({ status: "active" }).where(eq(appUsers.email, "priya@northwind.example"));
    expect((await setTemplateEnabled(t.db, chloe, tpl.id, true, { now: new Date("2027-06-14T05:00:00Z") })).nextRunAt).toBe("2027-06-14T06:00:00.000Z");
    const next = await runTemplateTick(t.db, new Date("2027-06-14T06:00:00Z"));
    expect(next.created).toHaveLength(1);
    expect((await getTemplate(t.db, chloe, tpl.id)).lastError).toBeNull();
    await setTemplateEnabled(t.db, chloe, tpl.id, false);
  });

  it("a launch that fails later (nothing in scope) is recorded on its template by the next tick", async () => {
    const tpl = await createTemplate(
      t.db,
      chloe,
      definition({ name: "Empty", cron: "0 6 * * 2", scope: { edgeKinds: ["connects_to"], minToolRisk: "critical", subjectKinds: ["credential"] } }),
      {
        now: new Date("2027-06-01T00:00:00Z"),
      },
    );
    const slot = new Date("2027-06-01T06:00:00Z");
    const [id] = (await runTemplateTick(t.db, slot)).created;
    expect(await runLaunch(t.db, id!, { now: slot })).toMatchObject({ status: "draft" });
    await runTemplateTick(t.db, new Date("2027-06-01T06:01:00Z"));
    expect((await getTemplate(t.db, chloe, tpl.id)).lastError).toMatch(/did not launch: the scope selects no access/);
    await setTemplateEnabled(t.db, chloe, tpl.id, false);
  });

  it("is disabled (audited, no more instances), runs now on request, and a delete keeps one that made instances, disabled", async () => {
    const now = new Date("2027-07-01T00:00:00Z");
    const tpl = await createTemplate(t.db, chloe, definition({ name: "Toggle", cron: "0 6 * * *", durationDays: 3 }), { now });
    const off = await setTemplateEnabled(t.db, chloe, tpl.id, false, { now });
    expect(off).toMatchObject({ enabled: false, nextRunAt: null });
    expect((await auditOf(t.db, "campaign_template.disable", tpl.id))[0]).toMatchObject({ before: { enabled: true }, after: { enabled: false } });
    expect((await runTemplateTick(t.db, new Date("2027-07-02T06:00:00Z"))).created).toEqual([]);
    expect(await refusal(setTemplateEnabled(t.db, beatriz, tpl.id, true))).toMatchObject({ code: "forbidden" });

    const run = await runTemplateNow(t.db, chloe, tpl.id, { now: new Date("2027-07-02T10:00:00Z") });
    expect(run).toMatchObject({ status: "launching", name: "Toggle — run 2027-07-02 10:00 UTC", templateId: tpl.id, origin: "template" });
    expect((await auditOf(t.db, "campaign_template.instance", tpl.id))[0]?.actorLabel).toBe("chloe@northwind.example");

    const on = await setTemplateEnabled(t.db, chloe, tpl.id, true, { now: new Date("2027-07-03T07:00:00Z") });
    expect(on.nextRunAt).toBe("2027-07-04T06:00:00.000Z"); // slots missed while disabled are not made up

    const del = await deleteTemplate(t.db, chloe, tpl.id);
    expect(del).toMatchObject({ deleted: false, template: { enabled: false, nextRunAt: null, instances: 1 } });
    expect(await refusal(updateTemplate(t.db, chloe, tpl.id, { colour: "red" }))).toMatchObject({ code: "validation", paths: ["colour"] });
    expect(await refusal(updateTemplate(t.db, chloe, tpl.id, {}))).toMatchObject({ code: "validation" });
    expect(await refusal(updateTemplate(t.db, chloe, tpl.id, { name: null }))).toMatchObject({ code: "validation", paths: ["name"] });
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("names instances by their period", () => {
    expect(periodLabel(QUARTERLY, new Date("2027-10-04T09:00:00Z"))).toBe("2027 Q4");
    expect(periodLabel("0 8 1 * *", new Date("2027-03-01T08:00:00Z"))).toBe("March 2027");
    expect(periodLabel("0 8 1 1 *", new Date("2028-01-01T08:00:00Z"))).toBe("2028");
    expect(periodLabel("0 6 * * 1", new Date("2027-06-07T06:00:00Z"))).toBe("2027-06-07");
  });
});
