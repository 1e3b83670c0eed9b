import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { auditEvents, reviewDecisions, reviewItems } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { bulkDecide, decideItem } from "./decide-item";
import { getItem, listMyItems } from "./queries";
import { auditOf, launched, nodeId } from "./test-helpers";
import type { ItemView } from "./views";

let t: TestDatabase;
let chloe: Actor;
let omar: Actor;
let priya: Actor;
let claire: Actor;
let campaignId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  chloe = await actorByEmail(t, "chloe@northwind.example");
  omar = await actorByEmail(t, "omar@northwind.example");
  priya = await actorByEmail(t, "priya@northwind.example");
  claire = await actorByEmail(t, "claire@northwind.example");
  const github = await nodeId(t.db, "GitHub MCP server");
  const fsEng = await nodeId(t.db, "Filesystem (engineering share)");
  campaignId = (
    await launched(t.db, chloe, {
      name: "Engineering MCP access",
      scope: { edgeKinds: ["connects_to"], targets: [github, fsEng] },
      fallbackReviewer: "omar@northwind.example",
    })
  ).id;
});
afterAll(() => t.cleanup());

async function inbox(actor: Actor): Promise<ItemView[]> {
  return (await listMyItems(t.db, actor, { status: "all", limit: 500, campaign: campaignId })).items;
}
async function itemOf(actor: Actor, subject: string, target = "GitHub MCP server"): Promise<ItemView> {
  const i = (await inbox(actor)).find((x) => x.subject.name === subject && x.target.name === target);
  if (!i) throw new Error(`${actor.name} has no item ${subject} → ${target}`);
  return i;
}
async function historyCount(itemId: string) {
  const [r] = await t.db.select({ n: count() }).from(reviewDecisions).where(eq(reviewDecisions.itemId, itemId));
  return r!.n;
}
async function decideAudits(itemId: string) {
  const [r] = await t.db
    .select({ n: count() })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "review.decide"), eq(auditEvents.targetId, itemId)));
  return r!.n;
}

describe("deciding", () => {
  it("a reviewer approves with a justification: the item, its history and one audit event record it", async () => {
    const item = await itemOf(priya, "Mei Chen");
    const after = await decideItem(t.db, priya, item.id, { decision: "approve", justification: "SRE on-call needs it", version: item.version });
    expect(after).toMatchObject({
      decision: "approve",
      justification: "SRE on-call needs it",
      version: item.version + 1,
      decidedBy: { name: "Priya Natarajan" },
    });
    expect(await auditOf(t.db, "review.decide", item.id)).toHaveLength(1);
    expect(await historyCount(item.id)).toBe(1);
  });

  it("a revoke needs a justification, and so does approving high-risk access; nothing is written without one", async () => {
    const item = await itemOf(priya, "Lucas Ferreira");
    await expect(decideItem(t.db, priya, item.id, { decision: "revoke", version: item.version })).rejects.toMatchObject({
      code: "validation",
      details: [{ path: "justification", message: "a revoke needs a justification" }],
    });
    await expect(decideItem(t.db, priya, item.id, { decision: "approve", justification: "  ", version: item.version })).rejects.toMatchObject({
      code: "validation",
    });
    expect(await historyCount(item.id)).toBe(0);
    // Abstaining needs none.
    expect((await decideItem(t.db, priya, item.id, { decision: "abstain", version: item.version })).decision).toBe("abstain");
  });

  it("a decision can change until close, and every change is kept in order", async () => {
    const item = await itemOf(priya, "Mei's Cursor agent");
    const v2 = await decideItem(t.db, priya, item.id, { decision: "approve", justification: "used daily", version: item.version });
    const v3 = await decideItem(t.db, priya, item.id, { decision: "revoke", justification: "agent should use a scoped token", version: v2.version });
    expect(v3.version).toBe(item.version + 2);
    const full = await getItem(t.db, priya, item.id);
    expect(full.history.map((h) => [h.version, h.decision, h.justification])).toEqual([
      [item.version + 1, "approve", "used daily"],
      [item.version + 2, "revoke", "agent should use a scoped token"],
    ]);
    // The history is append-only in the database itself.
    await expect(t.db.update(reviewDecisions).set({ decision: "approve" }).where(eq(reviewDecisions.itemId, item.id))).rejects.toThrow();
  });

  it("a decision on an old version is refused with 409 naming the current version and the winner", async () => {
    const item = await itemOf(priya, "Lucas Ferreira", "Filesystem (engineering share)");
    await decideItem(t.db, priya, item.id, { decision: "approve", justification: "reviewed", version: item.version });
    await expect(decideItem(t.db, priya, item.id, { decision: "revoke", justification: "late", version: item.version })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining(`now version ${item.version + 1} (approve by Priya Natarajan)`),
    });
  });

  it("of 20 concurrent decisions on one item version exactly one wins, with one history row and one audit event", async () => {
    const item = await itemOf(priya, "Incident Responder");
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        decideItem(t.db, priya, item.id, { decision: i % 2 ? "revoke" : "approve", justification: `attempt ${i}`, version: item.version }),
      ),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    expect(lost.every((r) => (r.reason as { code?: string }).code === "conflict")).toBe(true);
    expect(await historyCount(item.id)).toBe(1);
    expect(await decideAudits(item.id)).toBe(1);
    const [row] = await t.db.select().from(reviewItems).where(eq(reviewItems.id, item.id));
    expect(row!.version).toBe(item.version + 1);
  });

  it("nobody decides another reviewer's item: 404 for a reviewer, 403 for someone who may read campaigns", async () => {
    const omars = await itemOf(omar, "Lucas's Claude Desktop assistant");
    await expect(decideItem(t.db, priya, omars.id, { decision: "approve", justification: "x", version: omars.version })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(getItem(t.db, priya, omars.id)).rejects.toMatchObject({ code: "not_found" });
    const priyas = await itemOf(priya, "Mei Chen", "Filesystem (engineering share)");
    await expect(decideItem(t.db, omar, priyas.id, { decision: "approve", justification: "x", version: priyas.version })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(decideItem(t.db, chloe, priyas.id, { decision: "approve", justification: "x", version: priyas.version })).rejects.toMatchObject({
      code: "forbidden",
    });
  });
});

describe("delegation", () => {
  it("hands an undecided item to another reviewer with a reason; the history and audit keep it", async () => {
    const item = await itemOf(priya, "Mei Chen", "Filesystem (engineering share)");
    const moved = await decideItem(t.db, priya, item.id, {
      delegateTo: "claire@northwind.example",
      reason: "Claire runs the share audit",
      version: item.version,
    });
    expect(moved).toMatchObject({
      reviewer: { name: "Claire Dubois" },
      assignedReviewer: { name: "Priya Natarajan" },
      version: item.version + 1,
      decision: null,
    });
    expect(moved.reviewerReason).toContain("Claire runs the share audit");
    expect((await inbox(priya)).some((i) => i.id === item.id)).toBe(false);
    expect((await inbox(claire)).some((i) => i.id === item.id)).toBe(true);
    await expect(decideItem(t.db, priya, item.id, { decision: "abstain", version: moved.version })).rejects.toMatchObject({ code: "not_found" });
    const [audit] = await auditOf(t.db, "review.delegate", item.id);
    expect(audit!.after).toMatchObject({ reviewerId: claire.id, reason: "Claire runs the share audit" });
    const h = (await getItem(t.db, claire, item.id)).history;
    expect(h).toMatchObject([
      { kind: "delegation", from: { name: "Priya Natarajan" }, to: { name: "Claire Dubois" }, justification: "Claire runs the share audit" },
    ]);
    expect((await decideItem(t.db, claire, item.id, { decision: "approve", justification: "needed", version: moved.version })).decidedBy?.name).toBe(
      "Claire Dubois",
    );
  });

  it("refuses to delegate to someone who owns the subject (separation of duties)", async () => {
    const pr = await itemOf(priya, "PR Review Assistant");
    expect(pr.context.subjectOwners.map((o) => o.name)).toContain("Omar Farouk");
    await expect(decideItem(t.db, priya, pr.id, { delegateTo: "omar@northwind.example", reason: "security review" })).rejects.toMatchObject({
      code: "validation",
      message: "separation of duties: Omar Farouk owns the subject",
    });
    expect(await auditOf(t.db, "review.delegate", pr.id)).toHaveLength(0);
  });

  it("refuses to delegate to non-reviewers, to oneself, without a reason, or once decided", async () => {
    const fresh = await itemOf(priya, "PR Review Assistant");
    await expect(decideItem(t.db, priya, fresh.id, { delegateTo: "chloe@northwind.example", reason: "x" })).rejects.toMatchObject({
      code: "validation",
      details: [{ path: "delegateTo" }],
    });
    await expect(decideItem(t.db, priya, fresh.id, { delegateTo: "priya@northwind.example", reason: "x" })).rejects.toMatchObject({ code: "validation" });
    await expect(decideItem(t.db, priya, fresh.id, { delegateTo: "claire@northwind.example" })).rejects.toMatchObject({
      code: "validation",
      details: [{ path: "reason" }],
    });
    const decided = await itemOf(priya, "Mei Chen");
    await expect(decideItem(t.db, priya, decided.id, { delegateTo: "claire@northwind.example", reason: "x" })).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("bulk decisions", () => {
  it("approves a selection in one request, one history row and one audit event per item", async () => {
    const pending = (await inbox(priya)).filter((i) => !i.decision);
    expect(pending.length).toBeGreaterThanOrEqual(1);
    const before = (await auditOf(t.db, "review.decide")).length;
    await expect(bulkDecide(t.db, priya, { items: pending.map((i) => ({ id: i.id, version: i.version })), decision: "approve" })).rejects.toMatchObject({
      code: "validation",
    });
    expect((await auditOf(t.db, "review.decide")).length).toBe(before);
    const r = await bulkDecide(t.db, priya, {
      items: pending.map((i) => ({ id: i.id, version: i.version })),
      decision: "approve",
      justification: "team access confirmed",
    });
    expect(r).toMatchObject({ decided: pending.length, conflicts: 0 });
    expect((await auditOf(t.db, "review.decide")).length).toBe(before + pending.length);
    expect((await inbox(priya)).filter((i) => !i.decision)).toHaveLength(0);
  });

  it("reports items changed meanwhile as conflicts and decides the rest", async () => {
    const mine = await inbox(priya);
    const [a, b] = [mine[0]!, mine[1]!];
    const r = await bulkDecide(t.db, priya, {
      items: [
        { id: a.id, version: a.version - 1 },
        { id: b.id, version: b.version },
      ],
      decision: "abstain",
    });
    expect(r.items).toEqual([
      { id: a.id, status: "conflict", version: a.version, message: `changed since version ${a.version - 1}; reload` },
      { id: b.id, status: "decided", version: b.version + 1 },
    ]);
  });

  it("a selection naming another reviewer's item changes nothing", async () => {
    const mine = await inbox(priya);
    const theirs = (await inbox(omar))[0]!;
    const before = (await auditOf(t.db, "review.decide")).length;
    await expect(
      bulkDecide(t.db, priya, {
        items: [
          { id: mine[0]!.id, version: mine[0]!.version },
          { id: theirs.id, version: theirs.version },
        ],
        decision: "abstain",
      }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect((await auditOf(t.db, "review.decide")).length).toBe(before);
  });
});
