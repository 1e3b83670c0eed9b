import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { GET as listItemsRoute } from "./[id]/items/route";
import { POST as closeRoute } from "./[id]/close/route";
import { POST as launchRoute } from "./[id]/launch/route";
import { runLaunch } from "@/lib/campaigns/launch-campaign";
import { GET as getRoute } from "./[id]/route";
import { POST as signOffRoute } from "./[id]/sign-off/route";
import { POST as previewRoute } from "./preview/route";
import { POST as remindersRoute } from "./reminders/run/route";
import { GET as listRoute, POST as createRoute } from "./route";
import { POST as decisionRoute } from "../review-items/[id]/decision/route";
import { GET as itemRoute } from "../review-items/[id]/route";
import { POST as bulkRoute } from "../review-items/decisions/route";
import { GET as inboxRoute } from "../review-items/route";
import { GET as reviewersRoute } from "../review-items/reviewers/route";
import { POST as completeRoute } from "../remediation/tasks/[id]/complete/route";
import { GET as exportRoute } from "../remediation/tasks/export/route";
import { GET as tasksRoute } from "../remediation/tasks/route";

let t: TestDatabase;
const tokens: Record<string, string> = {};
const noParams = { params: Promise.resolve({}) } as never;
const params = (id: string) => ({ params: Promise.resolve({ id }) }) as never;
const BASE = "http://attest.test/api/v1";

function req(who: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens[who]}` };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return new Request(`${BASE}${path}`, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}
const json = async (r: Response) => ({ status: r.status, body: await r.json() });

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
    ["beatriz", ["auditor"]],
    ["omar", ["analyst", "reviewer"]],
  ] as const) {
    const u = await actorByEmail(t, `${who}@northwind.example`);
    tokens[who] = (await createApiToken(t.db, samir, { name: who, userId: u.id, roles: [...roles] })).token;
  }
});
afterAll(() => t.cleanup());

const definition = {
  name: "GitHub MCP connections",
  control: "SOC 2 CC6.3",
  scope: { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: ["mcp-configs:mcp_server:github-mcp"] },
  reviewerStrategy: "target_owner",
  fallbackReviewer: "omar@northwind.example",
  dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
};

describe("campaigns API, end to end", () => {
  let campaignId = "";
  let itemIds: string[] = [];

  it("an analyst previews, creates and launches; a reviewer cannot", async () => {
    const preview = await json(await previewRoute(req("chloe", "/campaigns/preview", { method: "POST", body: definition }), noParams));
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ items: 2, unassigned: 0, reviewers: [{ name: "Priya Natarajan", items: 2 }] });
    expect((await createRoute(req("priya", "/campaigns", { method: "POST", body: definition }), noParams)).status).toBe(403);
    const bad = await json(
      await createRoute(req("chloe", "/campaigns", { method: "POST", body: { ...definition, scope: { edgeKinds: ["connects_to"], extra: 1 } } }), noParams),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: "scope.extra", message: "is not a known field" }]);
    const created = await json(await createRoute(req("chloe", "/campaigns", { method: "POST", body: definition }), noParams));
    expect(created.status).toBe(201);
    campaignId = created.body.id;
    expect(created.body).toMatchObject({
      status: "draft",
      owner: { email: "chloe@northwind.example" },
      scope: { targetNodes: [{ name: "GitHub MCP server" }] },
    });
    const launched = await json(await launchRoute(req("chloe", `/campaigns/${campaignId}/launch`, { method: "POST" }), params(campaignId)));
    expect(launched.status).toBe(202);
    expect(launched.body.status).toBe("launching");
    expect(await runLaunch(t.db, campaignId)).toMatchObject({ status: "active", error: null });
    expect((await launchRoute(req("chloe", `/campaigns/${campaignId}/launch`, { method: "POST" }), params(campaignId))).status).toBe(409);
  });

  it("the reviewer's inbox lists their items with recommendation and path; other reviewers get 404", async () => {
    const inbox = await json(await inboxRoute(req("priya", "/review-items?status=pending"), noParams));
    expect(inbox.body.total).toBe(2);
    itemIds = inbox.body.items.map((i: { id: string }) => i.id);
    expect(inbox.body.items[0]).toMatchObject({ recommendation: "review", highRisk: true, context: { path: { edges: ["connects_to", "exposes"] } } });
    expect((await itemRoute(req("claire", `/review-items/${itemIds[0]}`), params(itemIds[0]!))).status).toBe(404);
    expect((await getRoute(req("claire", `/campaigns/${campaignId}`), params(campaignId))).status).toBe(404);
    const items = await json(await listItemsRoute(req("beatriz", `/campaigns/${campaignId}/items?status=all&limit=10`), params(campaignId)));
    expect(items.body.total).toBe(2);
    const reviewers = await json(await reviewersRoute(req("priya", "/review-items/reviewers"), noParams));
    expect(reviewers.body.items.map((r: { name: string }) => r.name)).toEqual(["Claire Dubois", "Omar Farouk", "Priya Natarajan", "Samir Khoury"]);
  });

  it("fires 20 concurrent decisions at one item version: exactly one succeeds, the rest get 409, one audit event", async () => {
    const id = itemIds[0]!;
    const before = await json(await itemRoute(req("priya", `/review-items/${id}`), params(id)));
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        decisionRoute(
          req("priya", `/review-items/${id}/decision`, {
            method: "POST",
            body: { decision: i % 2 ? "approve" : "revoke", justification: `race ${i}`, version: before.body.version },
          }),
          params(id),
        ),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const loser = await answers.find((a) => a.status === 409)!.json();
    expect(loser.error.code).toBe("conflict");
    const [events] = await t.db
      .select({ n: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "review.decide"), eq(auditEvents.targetId, id)));
    expect(events!.n).toBe(1);
    const after = await json(await itemRoute(req("priya", `/review-items/${id}`), params(id)));
    expect(after.body.history).toHaveLength(1);
    expect(after.body.version).toBe(before.body.version + 1);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("a decision without a version, or a revoke without a justification, is a 400", async () => {
    const id = itemIds[1]!;
    const noVersion = await json(
      await decisionRoute(req("priya", `/review-items/${id}/decision`, { method: "POST", body: { decision: "abstain" } }), params(id)),
    );
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.error.details[0].path).toBe("version");
    const noWhy = await json(
      await decisionRoute(req("priya", `/review-items/${id}/decision`, { method: "POST", body: { decision: "revoke", version: 1 } }), params(id)),
    );
    expect(noWhy.body.error.details).toEqual([{ path: "justification", message: "a revoke needs a justification" }]);
  });

  it("bulk decides the rest; the owner closes (complete, so before the deadline) and signs off; decisions after close are 409", async () => {
    const pending = await json(await inboxRoute(req("priya", "/review-items?status=pending"), noParams));
    const bulk = await json(
      await bulkRoute(
        req("priya", "/review-items/decisions", {
          method: "POST",
          body: {
            items: pending.body.items.map((i: { id: string; version: number }) => ({ id: i.id, version: i.version })),
            decision: "revoke",
            justification: "not needed any more",
          },
        }),
        noParams,
      ),
    );
    expect(bulk.body).toMatchObject({ decided: 1, conflicts: 0 });
    expect((await closeRoute(req("priya", `/campaigns/${campaignId}/close`, { method: "POST" }), params(campaignId))).status).toBe(403);
    const closed = await json(await closeRoute(req("chloe", `/campaigns/${campaignId}/close`, { method: "POST" }), params(campaignId)));
    expect(closed.status).toBe(200);
    expect(closed.body.campaign.status).toBe("closed");
    const item = await json(await itemRoute(req("priya", `/review-items/${itemIds[0]}`), params(itemIds[0]!)));
    const late = await decisionRoute(
      req("priya", `/review-items/${itemIds[0]}/decision`, { method: "POST", body: { decision: "abstain", version: item.body.version } }),
      params(itemIds[0]!),
    );
    expect(late.status).toBe(409);
    expect((await signOffRoute(req("omar", `/campaigns/${campaignId}/sign-off`, { method: "POST", body: {} }), params(campaignId))).status).toBe(403);
    const signed = await json(
      await signOffRoute(
        req("chloe", `/campaigns/${campaignId}/sign-off`, { method: "POST", body: { statement: "All access reviewed." } }),
        params(campaignId),
      ),
    );
    expect(signed.body).toMatchObject({ status: "signed_off", signOffStatement: "All access reviewed." });
    const detail = await json(await getRoute(req("beatriz", `/campaigns/${campaignId}`), params(campaignId)));
    expect(detail.body.progress).toMatchObject({ total: 2, decided: 2, byReviewer: [{ name: "Priya Natarajan", total: 2, decided: 2 }] });
    const list = await json(await listRoute(req("beatriz", "/campaigns?status=signed_off"), noParams));
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(campaignId);
  });

  it("remediation tasks list, complete and export as CSV", async () => {
    const tasks = await json(await tasksRoute(req("beatriz", `/remediation/tasks?campaign=${campaignId}`), noParams));
    expect(tasks.body.total).toBeGreaterThanOrEqual(1);
    const id = tasks.body.items[0].id;
    expect((await completeRoute(req("beatriz", `/remediation/tasks/${id}/complete`, { method: "POST" }), params(id))).status).toBe(403);
    const done = await json(await completeRoute(req("chloe", `/remediation/tasks/${id}/complete`, { method: "POST", body: { ticket: "IAM-1" } }), params(id)));
    expect(done.body).toMatchObject({ status: "done", ticket: "IAM-1" });
    const csv = await exportRoute(req("beatriz", `/remediation/tasks/export?campaign=${campaignId}`), noParams);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(await csv.text()).toContain("IAM-1");
    expect((await tasksRoute(req("priya", "/remediation/tasks"), noParams)).status).toBe(403);
  });

  it("reminders run for analysts only", async () => {
    expect((await remindersRoute(req("priya", "/campaigns/reminders/run", { method: "POST" }), noParams)).status).toBe(403);
    const run = await json(await remindersRoute(req("chloe", "/campaigns/reminders/run", { method: "POST" }), noParams));
    expect(run.body).toMatchObject({ reminders: 0, escalations: 0 });
  });
});
