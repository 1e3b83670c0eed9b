import { and, count, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { campaigns, edges, reviewItems } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { closeCampaign } from "./close-campaign";
import { decideItem } from "./decide-item";
import { listMyItems } from "./queries";
import { describeItemReach } from "./item-reach";
import { dueState, summarizeMyReviews } from "./reviewer-summary";
import { DAY, dueIn, launched, nodeId } from "./test-helpers";
import { actorUserId } from "./views";

let t: TestDatabase;
let chloe: Actor;
let omar: Actor;
let priya: Actor;
let soon: string;
let late: string;
let closed: string;

/** The caller's items per active campaign, counted straight from the table (the summary must agree). */
async function countsFor(actor: Actor) {
  const rows = await t.db
    .select({ campaignId: reviewItems.campaignId, decision: reviewItems.decision, status: campaigns.status })
    .from(reviewItems)
    .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
    .where(eq(reviewItems.reviewerId, actorUserId(actor)!));
  const out = new Map<string, { open: number; decided: number }>();
  for (const r of rows.filter((x) => x.status === "active")) {
    const c = out.get(r.campaignId) ?? { open: 0, decided: 0 };
    if (r.decision) c.decided++;
    else c.open++;
    out.set(r.campaignId, c);
  }
  return out;
}

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  chloe = await actorByEmail(t, "chloe@northwind.example");
  omar = await actorByEmail(t, "omar@northwind.example");
  priya = await actorByEmail(t, "priya@northwind.example");
  const github = await nodeId(t.db, "GitHub MCP server");
  const fsEng = await nodeId(t.db, "Filesystem (engineering share)");
  const scope = { edgeKinds: ["connects_to"], targets: [github, fsEng] };
  closed = (await launched(t.db, chloe, { name: "Closed already", scope, dueAt: dueIn(30), fallbackReviewer: "omar@northwind.example" })).id;
  await closeCampaign(t.db, chloe, closed, {}, { now: new Date(Date.now() + 31 * DAY) });
  // The two open campaigns review different accesses: an access under review in one open campaign is not added to another.
  soon = (
    await launched(t.db, chloe, { name: "Due soon", scope: { ...scope, targets: [github] }, dueAt: dueIn(2.5), fallbackReviewer: "omar@northwind.example" })
  ).id;
  late = (
    await launched(t.db, chloe, { name: "Past due", scope: { ...scope, targets: [fsEng] }, dueAt: dueIn(20), fallbackReviewer: "omar@northwind.example" })
  ).id;
  // A campaign whose due date has passed while it is still active (dates cannot be set in the past through the API).
  await t.db
    .update(campaigns)
    .set({ dueAt: new Date(Date.now() - 3 * DAY - 3_600_000) })
    .where(eq(campaigns.id, late));
});
afterAll(() => t.cleanup());

describe("the reviewer's summary", () => {
  it("counts only the caller's own items, per active campaign, open and decided", async () => {
    const mine = await countsFor(priya);
    expect(mine.size).toBeGreaterThan(0);
    const item = (await listMyItems(t.db, priya, { status: "pending", campaign: soon, limit: 500 })).items[0]!;
    await decideItem(t.db, priya, item.id, { decision: "approve", justification: "needed on call", version: item.version });

    const s = await summarizeMyReviews(t.db, priya);
    const expected = await countsFor(priya);
    expect(Object.fromEntries(s.campaigns.map((c) => [c.id, { open: c.open, decided: c.decided }]))).toEqual(Object.fromEntries(expected));
    expect(s.campaigns.find((c) => c.id === soon)!.decided).toBe(1);
    expect(s.campaigns.map((c) => c.id)).not.toContain(closed);
    expect(s.open).toBe([...expected.values()].reduce((a, c) => a + c.open, 0));
    expect(s.decided).toBe(1);
    for (const c of s.campaigns) expect(c.total).toBe(c.open + c.decided);
  });

  it("never counts another reviewer's items", async () => {
    const [p, o] = await Promise.all([summarizeMyReviews(t.db, priya), summarizeMyReviews(t.db, omar)]);
    const priyaItems = await t.db
      .select({ id: reviewItems.id })
      .from(reviewItems)
      .where(eq(reviewItems.reviewerId, actorUserId(priya)!));
    const omarCounts = await countsFor(omar);
    expect(Object.fromEntries(o.campaigns.map((c) => [c.id, c.open + c.decided]))).toEqual(
      Object.fromEntries([...omarCounts].map(([k, v]) => [k, v.open + v.decided])),
    );
    expect(p.open + p.decided).toBeLessThanOrEqual(priyaItems.length);
    // The campaign has items for other reviewers too: a summary that leaked them would count more than Priya's own.
    const all = await t.db.select({ id: reviewItems.id }).from(reviewItems).where(eq(reviewItems.campaignId, soon));
    const priyaSoon = p.campaigns.find((c) => c.id === soon)!;
    expect(all.length).toBeGreaterThan(priyaSoon.total);
    expect(priyaSoon.total + (o.campaigns.find((c) => c.id === soon)?.total ?? 0)).toBeLessThanOrEqual(all.length);
  });

  it("gives each campaign its due date, overdue ones marked, soonest-due work first", async () => {
    const s = await summarizeMyReviews(t.db, priya);
    const lateRow = s.campaigns.find((c) => c.id === late)!;
    const soonRow = s.campaigns.find((c) => c.id === soon)!;
    expect(lateRow.due).toMatchObject({ overdue: true, tone: "danger", label: "overdue by 3 days" });
    expect(soonRow.due).toMatchObject({ overdue: false, label: "due in 2 days", tone: "warn" });
    const [row] = await t.db.select({ dueAt: campaigns.dueAt }).from(campaigns).where(eq(campaigns.id, soon));
    expect(soonRow.dueAt).toBe(row!.dueAt.toISOString());
    expect(s.overdueOpen).toBe(lateRow.open);
    // Open work comes first, soonest due first: the overdue campaign leads.
    const withOpen = s.campaigns.filter((c) => c.open > 0);
    expect(s.campaigns.slice(0, withOpen.length)).toEqual(withOpen);
    expect(withOpen.map((c) => c.dueAt)).toEqual([...withOpen.map((c) => c.dueAt)].sort());
    expect(withOpen[0]!.id).toBe(late);
  });

  it("a campaign whose items are all decided stays listed, after the open ones", async () => {
    for (const i of (await listMyItems(t.db, priya, { status: "pending", campaign: soon, limit: 500 })).items) {
      await decideItem(t.db, priya, i.id, { decision: "revoke", justification: "not needed", version: i.version });
    }
    const s = await summarizeMyReviews(t.db, priya);
    const last = s.campaigns[s.campaigns.length - 1]!;
    expect(last).toMatchObject({ id: soon, open: 0 });
  });

  it("needs review.decide", async () => {
    await expect(summarizeMyReviews(t.db, { ...priya, roles: ["auditor"] })).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("dueState", () => {
  const now = new Date("2026-03-10T12:00:00Z");
  it("reads days left, today, and overdue", () => {
    expect(dueState("2026-03-13T13:00:00Z", now)).toMatchObject({ label: "due in 3 days", tone: "warn", overdue: false, daysLeft: 3 });
    expect(dueState("2026-03-20T12:00:00Z", now)).toMatchObject({ label: "due in 10 days", tone: "info" });
    expect(dueState("2026-03-11T11:00:00Z", now)).toMatchObject({ label: "due within a day", overdue: false });
    expect(dueState("2026-03-10T11:00:00Z", now)).toMatchObject({ label: "overdue", overdue: true, tone: "danger" });
    expect(dueState("2026-03-08T11:00:00Z", now)).toMatchObject({ label: "overdue by 2 days", overdue: true });
  });
});

describe("what an item reaches, for its reviewer", () => {
  it("describes the nodes beyond the subject on the reviewer's own items: a server's tools, a tool's risk and hints", async () => {
    const mine = (await listMyItems(t.db, priya, { status: "all", campaign: late, limit: 500 })).items;
    const reach = await describeItemReach(t.db, priya, mine);
    const item = mine.find((i) => i.target.kind === "mcp_server")!;
    const server = reach[item.target.id]!;
    expect(server).toMatchObject({ kind: "mcp_server", name: item.target.name });
    const [exposed] = await t.db
      .select({ n: count() })
      .from(edges)
      .where(and(eq(edges.fromId, item.target.id), eq(edges.kind, "exposes"), isNull(edges.validTo)));
    expect(server.tools!.total).toBe(exposed!.n);
    expect(server.tools!.riskiest.length).toBe(Math.min(6, exposed!.n));
    const ranks = server.tools!.riskiest.map((x) => ["low", "medium", "high", "critical"].indexOf(x.risk));
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    const last = item.context.path.nodes[item.context.path.nodes.length - 1]!;
    if (last.kind === "tool") expect(reach[last.id]!.risk!.level).toBe(item.toolRisk);
    // The subject itself is not described, and nothing but the listed fields is returned.
    expect(reach[item.subject.id]).toBeUndefined();
    expect(Object.keys(server).sort()).toEqual(["description", "id", "kind", "name", "tools", "transport"]);
  });

  it("describes nothing of an item assigned to someone else", async () => {
    const omars = (await listMyItems(t.db, omar, { status: "all", limit: 500 })).items;
    const onlyOmars = omars.filter((i) => i.reviewer?.id !== actorUserId(priya));
    expect(onlyOmars.length).toBeGreaterThan(0);
    expect(await describeItemReach(t.db, priya, onlyOmars)).toEqual({});
    expect(Object.keys(await describeItemReach(t.db, omar, onlyOmars)).length).toBeGreaterThan(0);
  });
});
