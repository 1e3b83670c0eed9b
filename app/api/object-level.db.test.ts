import { count, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, reviewDecisions, reviewItems } from "@/db/schema";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { runLaunch } from "@/lib/campaigns/launch-campaign";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { GET as campaignItemsRoute } from "./v1/campaigns/[id]/items/route";
import { POST as launchRoute } from "./v1/campaigns/[id]/launch/route";
import { GET as campaignRoute } from "./v1/campaigns/[id]/route";
import { POST as createRoute } from "./v1/campaigns/route";
import { POST as decisionRoute } from "./v1/review-items/[id]/decision/route";
import { GET as itemRoute } from "./v1/review-items/[id]/route";
import { POST as bulkRoute } from "./v1/review-items/decisions/route";
import { GET as inboxRoute } from "./v1/review-items/route";

/**
 * Issue #8, object-level checks over HTTP: a reviewer holds review.decide, so
 * the route lets them in; what they may touch is decided per object. Another
 * reviewer's item, or a campaign they review nothing in, answers 404 (the same
 * as an id that does not exist, so ids cannot be probed) and nothing changes:
 * no version bump, no decision row, no audit event.
 */

let t: TestDatabase;
const tokens: Record<string, string> = {};
const none = { params: Promise.resolve({}) } as never;
const params = (id: string) => ({ params: Promise.resolve({ id }) }) as never;

type Handler = (req: Request, ctx: never) => Promise<Response>;
async function call(handler: Handler, who: string, path: string, ctx: never, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens[who]}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await handler(
    new Request(`http://attest.test/api/v1${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    ctx,
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string; requestId: string } } };
}

const dueAt = new Date(Date.now() + 14 * 86_400_000).toISOString();
const scope = { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: ["mcp-configs:mcp_server:github-mcp"] };
let campaignA = ""; // reviewed by Priya
let campaignB = ""; // reviewed by Claire
let priyaItems: { id: string; version: number }[] = [];
let claireItems: { id: string; version: number }[] = [];

async function snapshot(ids: string[]) {
  const items = await t.db
    .select({ id: reviewItems.id, version: reviewItems.version, decision: reviewItems.decision, reviewerId: reviewItems.reviewerId })
    .from(reviewItems)
    .where(inArray(reviewItems.id, ids));
  const [decisions] = await t.db.select({ n: count() }).from(reviewDecisions).where(inArray(reviewDecisions.itemId, ids));
  const [events] = await t.db.select({ n: count() }).from(auditEvents);
  return { items: items.sort((a, b) => a.id.localeCompare(b.id)), decisions: decisions!.n, events: events!.n };
}

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  useAsAppDatabase(t);
  const samir = await actorByEmail(t, "samir@northwind.example");
  for (const [who, roles] of [
    ["chloe", ["analyst"]],
    ["priya", ["reviewer"]],
    ["claire", ["reviewer"]],
  ] as const) {
    const u = await actorByEmail(t, `${who}@northwind.example`);
    tokens[who] = (await createApiToken(t.db, samir, { name: who, userId: u.id, roles: [...roles] })).token;
  }
  for (const [name, reviewer] of [
    ["A: Priya reviews", "priya@northwind.example"],
    ["B: Claire reviews", "claire@northwind.example"],
  ] as const) {
    const created = await call(createRoute, "chloe", "/campaigns", none, {
      name,
      control: "SOC 2 CC6.3",
      // Two open campaigns over different accesses: an access under review in one open campaign is not added to another.
      scope: reviewer.startsWith("priya") ? scope : { ...scope, targets: ["mcp-configs:mcp_server:filesystem-eng"] },
      reviewerStrategy: { reviewer },
      fallbackReviewer: "omar@northwind.example",
      dueAt,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect((await call(launchRoute, "chloe", `/campaigns/${id}/launch`, params(id), {})).status).toBe(202);
    expect(await runLaunch(t.db, id)).toMatchObject({ status: "active" });
    if (reviewer.startsWith("priya")) campaignA = id;
    else campaignB = id;
  }
  const inbox = async (who: string, campaign: string) =>
    (await call(inboxRoute, who, `/review-items?campaign=${campaign}&status=all`, none)).body.items as { id: string; version: number }[];
  priyaItems = await inbox("priya", campaignA);
  claireItems = await inbox("claire", campaignB);
});
afterAll(() => t.cleanup());

describe("object-level access for reviewers", () => {
  it("each reviewer has items of their own to start from", () => {
    expect(priyaItems.length).toBeGreaterThan(0);
    expect(claireItems.length).toBeGreaterThan(0);
  });

  it("a reviewer deciding another reviewer's item gets 404, like an unknown id, and nothing changes", async () => {
    const target = priyaItems[0]!;
    const before = await snapshot([target.id]);
    const other = await call(decisionRoute, "claire", `/review-items/${target.id}/decision`, params(target.id), {
      decision: "approve",
      justification: "looks fine",
      version: target.version,
    });
    const unknown = await call(decisionRoute, "claire", "/review-items/itm_00000000000000000000000000/decision", params("itm_00000000000000000000000000"), {
      decision: "approve",
      justification: "looks fine",
      version: 1,
    });
    expect(other.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(other.body.error).toEqual({ ...unknown.body.error, requestId: other.body.error!.requestId } as never);
    expect(await snapshot([target.id])).toEqual(before);
  });

  it("a reviewer delegating another reviewer's item gets 404 and nothing changes", async () => {
    const target = priyaItems[0]!;
    const before = await snapshot([target.id]);
    const r = await call(decisionRoute, "claire", `/review-items/${target.id}/decision`, params(target.id), {
      delegateTo: "omar@northwind.example",
      reason: "Omar knows it",
      version: target.version,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(404);
    expect(await snapshot([target.id])).toEqual(before);
  });

  it("a bulk decision that slips in another reviewer's item changes nothing, not even the caller's own items", async () => {
    const ids = [claireItems[0]!.id, priyaItems[0]!.id];
    const before = await snapshot(ids);
    const r = await call(bulkRoute, "claire", "/review-items/decisions", none, {
      items: [claireItems[0]!, priyaItems[0]!].map(({ id, version }) => ({ id, version })),
      decision: "revoke",
      justification: "all of it",
    });
    expect(r.status, JSON.stringify(r.body)).toBe(404);
    expect(await snapshot(ids)).toEqual(before);
  });

  it("reading another reviewer's item, or another campaign and its items, answers 404", async () => {
    expect((await call(itemRoute, "claire", `/review-items/${priyaItems[0]!.id}`, params(priyaItems[0]!.id))).status).toBe(404);
    expect((await call(campaignRoute, "claire", `/campaigns/${campaignA}`, params(campaignA))).status).toBe(404);
    expect((await call(campaignItemsRoute, "claire", `/campaigns/${campaignA}/items?status=all`, params(campaignA))).status).toBe(404);
    expect((await call(campaignItemsRoute, "priya", `/campaigns/${campaignB}/items?status=all`, params(campaignB))).status).toBe(404);
    // Naming another campaign in one's own inbox filter shows nothing of it.
    const filtered = await call(inboxRoute, "claire", `/review-items?campaign=${campaignA}&status=all`, none);
    expect(filtered.status).toBe(200);
    expect(filtered.body.total).toBe(0);
  });

  it("the owner of the item still decides it afterwards: the refusals above left it untouched", async () => {
    const target = priyaItems[0]!;
    const r = await call(decisionRoute, "priya", `/review-items/${target.id}/decision`, params(target.id), {
      decision: "approve",
      justification: "still needed",
      version: target.version,
    });
    expect(r.status).toBe(200);
    const [row] = await t.db.select().from(reviewItems).where(eq(reviewItems.id, target.id));
    expect(row!.version).toBe(target.version + 1);
  });
});
