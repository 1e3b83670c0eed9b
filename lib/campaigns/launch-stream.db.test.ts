import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { campaigns, reviewItems, reviewItemScopes } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { closeCampaign } from "./close-campaign";
import { decideItem } from "./decide-item";
import { createCampaign, launchCampaign, runLaunch } from "./launch-campaign";
import { getCampaign, getItem, listCampaignItems, listMyItems } from "./queries";
import { auditOf, dueIn, launched, nodeId } from "./test-helpers";

let t: TestDatabase;
let chloe: Actor; // analyst
let priya: Actor; // reviewer
let github: string;
const omarEmail = "omar@northwind.example";
const afterDue = (dueAt: string) => new Date(Date.parse(dueAt) + 1000);

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  chloe = await actorByEmail(t, "chloe@northwind.example");
  priya = await actorByEmail(t, "priya@northwind.example");
  github = await nodeId(t.db, "GitHub MCP server");
});
afterAll(() => t.cleanup());

const wide = { edgeKinds: ["connects_to"], subjectKinds: ["human"] };
const draft = (name: string, scope: Record<string, unknown> = wide) =>
  createCampaign(t.db, chloe, { name, scope, reviewerStrategy: "target_owner", fallbackReviewer: omarEmail, dueAt: dueIn(14) });
const row = async (id: string) => (await t.db.select().from(campaigns).where(eq(campaigns.id, id)))[0]!;
const keys = async (id: string) =>
  (await t.db.select().from(reviewItems).where(eq(reviewItems.campaignId, id))).map((i) => `${i.level} ${i.subjectId} ${i.edgeKind} ${i.targetId}`).sort();
const walk = async (first: (cursor?: string) => Promise<{ items: { id: string }[]; nextCursor: string | null }>) => {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const p = await first(cursor);
    ids.push(...p.items.map((i) => i.id));
    cursor = p.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < 1000);
  return { ids, pages };
};

describe("a launch in chunks", () => {
  let reference: string[] = [];

  it("writes several chunks, shows its progress, keeps its items out of inboxes and lists until the last, then turns active once", async () => {
    const c = await draft("chunked");
    await launchCampaign(t.db, chloe, c.id);
    const seen: { done: number; total: number | null; status: string; inbox: number; listed: number; written: number }[] = [];
    const r = await runLaunch(t.db, c.id, {
      chunkSize: 3,
      afterChunk: async () => {
        const now = await row(c.id);
        const inbox = await listMyItems(t.db, priya, { status: "all", limit: 500 });
        seen.push({
          done: now.launchDone,
          total: now.launchTotal,
          status: now.status,
          inbox: inbox.items.filter((i) => i.campaignId === c.id).length,
          listed: (await listCampaignItems(t.db, chloe, c.id, { status: "all", limit: 500 })).items.length,
          written: (await keys(c.id)).length,
        });
      },
    });
    expect(r).toMatchObject({ status: "active", error: null });
    expect(seen.length).toBeGreaterThan(2);
    const total = seen[0]!.total!;
    expect(total).toBeGreaterThan(6);
    // Progress grows chunk by chunk to the total; items are written as it goes but nobody sees them yet.
    expect(seen.map((s) => s.done)).toEqual([...seen.map((s) => s.done)].sort((a, b) => a - b));
    expect(seen[0]!.done).toBe(3);
    expect(seen.at(-1)!.done).toBe(total);
    expect(seen.every((s) => s.status === "launching" && s.inbox === 0 && s.listed === 0)).toBe(true);
    expect(seen[0]!.written).toBeGreaterThan(0);
    expect(seen[0]!.written).toBeLessThan(seen.at(-1)!.written);

    const after = await row(c.id);
    expect(after).toMatchObject({ status: "active", launchDone: total, launchTotal: total });
    reference = await keys(c.id);
    expect(reference).toHaveLength(r!.items);
    const [audit, ...more] = await auditOf(t.db, "campaign.launch", c.id);
    expect(more).toHaveLength(0);
    const perReviewer = (audit!.after as { reviewers: { items: number }[] }).reviewers.reduce((a, x) => a + x.items, 0);
    expect(perReviewer).toBe(r!.items);
    // Closed so that the next launches review the same accesses themselves.
    await closeCampaign(t.db, chloe, c.id, {}, { now: afterDue(c.dueAt) });
  });

  it("one chunk or many, the same items", async () => {
    const c = await draft("whole");
    await launchCampaign(t.db, chloe, c.id);
    await runLaunch(t.db, c.id);
    expect(await keys(c.id)).toEqual(reference);
    await closeCampaign(t.db, chloe, c.id, {}, { now: afterDue(c.dueAt) });
  });

  it("an interrupted launch stays launching with its progress, and starts again cleanly", async () => {
    const c = await draft("interrupted");
    await launchCampaign(t.db, chloe, c.id);
    let chunks = 0;
    await expect(
      runLaunch(t.db, c.id, {
        chunkSize: 2,
        afterChunk: () => {
          if (++chunks === 2) throw new Error("worker lost");
        },
      }),
    ).rejects.toThrow("worker lost");
    const stuck = await row(c.id);
    expect(stuck).toMatchObject({ status: "launching", launchDone: 4 });
    expect((await keys(c.id)).length).toBeGreaterThan(0);
    expect((await getCampaign(t.db, chloe, c.id)).launch).toMatchObject({ done: 4, total: stuck.launchTotal, error: null });

    const r = await runLaunch(t.db, c.id, { chunkSize: 2 });
    expect(r).toMatchObject({ status: "active" });
    expect(await keys(c.id)).toEqual(reference);
    expect(await auditOf(t.db, "campaign.launch", c.id)).toHaveLength(1);
    // A second run of a launch that already finished does nothing.
    expect(await runLaunch(t.db, c.id)).toBeNull();
    expect(await keys(c.id)).toEqual(reference);
    await closeCampaign(t.db, chloe, c.id, {}, { now: afterDue(c.dueAt) });
  });

  it("an empty scope fails at the end of its chunks, back to draft, nothing left behind", async () => {
    const c = await draft("nothing", { edgeKinds: ["connects_to"], targets: [github], minToolRisk: "critical" });
    await launchCampaign(t.db, chloe, c.id);
    expect(await runLaunch(t.db, c.id, { chunkSize: 3 })).toMatchObject({ status: "draft", error: expect.stringContaining("selects no access") });
    expect(await row(c.id)).toMatchObject({ status: "draft", launchDone: 0 });
    expect(await keys(c.id)).toEqual([]);
  });
});

describe("the same access in two open campaigns", () => {
  it("is decided once, by the campaign that launched first, and shows in both", async () => {
    const scope = { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: [github] };
    const first = await launched(t.db, chloe, { name: "first", scope, fallbackReviewer: omarEmail });
    const second = await launched(t.db, chloe, { name: "second", scope: wide, fallbackReviewer: omarEmail });
    const firstItems = (await listCampaignItems(t.db, chloe, first.id, { status: "all", limit: 500 })).items;
    expect(firstItems.length).toBeGreaterThan(1);

    // The second campaign adds none of the first one's accesses: it links to their items.
    const own = await keys(second.id);
    for (const i of firstItems.filter((x) => x.level === 1)) expect(own).not.toContain(`1 ${i.subject.id} ${i.access.kind} ${i.target.id}`);
    const links = await t.db.select().from(reviewItemScopes).where(eq(reviewItemScopes.campaignId, second.id));
    expect(links.map((l) => l.itemId).sort()).toEqual(
      firstItems
        .filter((i) => i.level === 1)
        .map((i) => i.id)
        .sort(),
    );
    const [audit] = await auditOf(t.db, "campaign.launch", second.id);
    expect(audit!.after).toMatchObject({ reviewedElsewhere: links.length });

    // The second campaign's list shows them, named by the campaign that reviews them; the item names both.
    const listed = await walk(async (cursor) => listCampaignItems(t.db, chloe, second.id, { status: "all", limit: 4, ...(cursor ? { cursor } : {}) }));
    const scoped = (await listCampaignItems(t.db, chloe, second.id, { status: "all", limit: 500 })).items.filter((i) => i.campaignId === first.id);
    expect(scoped.map((i) => i.id).sort()).toEqual(links.map((l) => l.itemId).sort());
    expect(scoped.every((i) => i.campaignName === "first" && i.alsoIn.some((a) => a.id === second.id && a.name === "second"))).toBe(true);
    expect(new Set(listed.ids).size).toBe(listed.ids.length);
    expect(listed.ids).toHaveLength(own.length + links.length);
    expect(listed.pages).toBeGreaterThan(1);

    // Decided once, in the first campaign: the second's progress counts it too.
    const target = scoped[0]!;
    const item = await getItem(t.db, chloe, target.id);
    expect(item.alsoIn).toEqual([{ id: second.id, name: "second" }]);
    const before = (await getCampaign(t.db, chloe, second.id)).progress!;
    expect(before.reviewedElsewhere).toEqual({ total: links.length, decided: 0 });
    const reviewer = await actorByEmail(t, item.reviewer!.email);
    await decideItem(t.db, reviewer, item.id, { decision: "approve", justification: "still needed", version: item.version });
    const progress = (await getCampaign(t.db, chloe, second.id)).progress!;
    expect(progress.reviewedElsewhere).toEqual({ total: links.length, decided: 1 });
    expect(progress.decided).toBe(before.decided + 1);

    // Closing the second campaign leaves the items it does not own alone; the first one records their outcomes.
    await closeCampaign(t.db, chloe, second.id, {}, { now: afterDue(second.dueAt) });
    const untouched = await t.db.select().from(reviewItems).where(eq(reviewItems.campaignId, first.id));
    expect(untouched.every((i) => i.outcome === null)).toBe(true);
    await closeCampaign(t.db, chloe, first.id, {}, { now: afterDue(first.dueAt) });
    const closed = await t.db.select().from(reviewItems).where(eq(reviewItems.id, item.id));
    expect(closed[0]).toMatchObject({ outcome: "approve" });

    // With the first campaign closed, a new campaign reviews those accesses itself again.
    const third = await launched(t.db, chloe, { name: "third", scope, fallbackReviewer: omarEmail });
    expect((await keys(third.id)).filter((k) => k.startsWith("1 "))).toHaveLength(links.length);
    expect(await t.db.select().from(reviewItemScopes).where(eq(reviewItemScopes.campaignId, third.id))).toEqual([]);
    await closeCampaign(t.db, chloe, third.id, {}, { now: afterDue(third.dueAt) });
  });
});

describe("paging by keyset", () => {
  it("walks the inbox and a campaign's items page by page: every item once, in order, the total carried along", async () => {
    const c = await launched(t.db, chloe, { name: "paged", scope: wide, fallbackReviewer: omarEmail });
    const all = await listMyItems(t.db, priya, { status: "all", limit: 500 });
    expect(all.total).toBe(all.items.length);
    expect(all.totalExact).toBe(true);
    const pages = await walk(async (cursor) => {
      const p = await listMyItems(t.db, priya, { status: "all", limit: 3, ...(cursor ? { cursor } : {}) });
      expect(p.total).toBe(all.total);
      return p;
    });
    expect(pages.ids).toEqual(all.items.map((i) => i.id));
    expect(pages.pages).toBe(Math.ceil(all.total / 3));

    const everything = await listCampaignItems(t.db, chloe, c.id, { status: "all", limit: 500 });
    const names = everything.items.map((i) => [i.subject.name, i.access.kind, i.target.name, i.level]);
    const sorted = [...names].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || 0);
    expect(names.map((n) => n[0])).toEqual(sorted.map((n) => n[0]));
    const walked = await walk(async (cursor) => listCampaignItems(t.db, chloe, c.id, { status: "all", limit: 5, ...(cursor ? { cursor } : {}) }));
    expect(walked.ids).toEqual(everything.items.map((i) => i.id));

    // Filters hold across pages.
    const pending = await walk(async (cursor) => listCampaignItems(t.db, chloe, c.id, { status: "pending", limit: 4, ...(cursor ? { cursor } : {}) }));
    expect(pending.ids).toHaveLength(everything.items.filter((i) => i.decision === null).length);

    await expect(listMyItems(t.db, priya, { status: "all", limit: 3, cursor: "bm90LWEtY3Vyc29y" })).rejects.toMatchObject({ code: "validation" });
    await closeCampaign(t.db, chloe, c.id, {}, { now: afterDue(c.dueAt) });
  });
});
