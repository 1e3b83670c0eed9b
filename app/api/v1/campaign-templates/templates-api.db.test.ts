import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { runLaunch } from "@/lib/campaigns/launch-campaign";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { POST as runRoute } from "./[id]/run/route";
import { DELETE as deleteRoute, GET as getRoute, PATCH as patchRoute } from "./[id]/route";
import { GET as listRoute, POST as createRoute } from "./route";

let t: TestDatabase;
const tokens: Record<string, string> = {};
const noParams = { params: Promise.resolve({}) } as never;
const params = (id: string) => ({ params: Promise.resolve({ id }) }) as never;

function req(who: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens[who]}` };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return new Request(`http://attest.test/api/v1${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> & { error?: { details: { path: string }[] } } });

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  useAsAppDatabase(t);
  const samir = await actorByEmail(t, "samir@northwind.example");
  for (const [who, roles] of [
    ["chloe", ["analyst"]],
    ["beatriz", ["auditor"]],
  ] as const) {
    const u = await actorByEmail(t, `${who}@northwind.example`);
    tokens[who] = (await createApiToken(t.db, samir, { name: who, userId: u.id, roles: [...roles] })).token;
  }
});
afterAll(() => t.cleanup());

const body = {
  name: "Quarterly GitHub MCP review",
  scope: { edgeKinds: ["connects_to"], targets: ["mcp-configs:mcp_server:github-mcp"] },
  reviewerStrategy: "target_owner",
  fallbackReviewer: "omar@northwind.example",
  cron: "0 9 * 1,4,7,10 1#1",
  durationDays: 14,
};

describe(`/api/v1/campaign-templates (${testTarget()})`, () => {
  it("creates, lists, runs now (202, launched by the job), disables and deletes a template", async () => {
    const bad = await json(await createRoute(req("chloe", "/campaign-templates", { method: "POST", body: { ...body, cron: "every quarter" } }), noParams));
    expect(bad.status).toBe(400);
    expect(bad.body.error!.details.map((d) => d.path)).toEqual(["cron"]);
    expect(JSON.stringify(bad.body)).not.toContain("every quarter");

    const created = await json(await createRoute(req("chloe", "/campaign-templates", { method: "POST", body }), noParams));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.schedule).toMatch(/^Quarterly: at 09:00 UTC, on the first Monday/);

    const list = await json(await listRoute(req("beatriz", "/campaign-templates"), noParams));
    expect((list.body.items as { id: string }[]).map((x) => x.id)).toEqual([id]);
    expect((await listRoute(req("beatriz", "/campaign-templates?enabled=true"), noParams)).status).toBe(400);

    const run = await json(await runRoute(req("chloe", `/campaign-templates/${id}/run`, { method: "POST" }), params(id)));
    expect(run.status).toBe(202);
    expect(run.body).toMatchObject({ status: "launching", templateId: id, origin: "template" });
    expect(await runLaunch(t.db, run.body.id as string)).toMatchObject({ status: "active" });
    const after = await json(await getRoute(req("beatriz", `/campaign-templates/${id}`), params(id)));
    expect(after.body).toMatchObject({ instances: 1, lastCampaign: { id: run.body.id, status: "active" }, lastError: null });

    expect((await patchRoute(req("beatriz", `/campaign-templates/${id}`, { method: "PATCH", body: { enabled: false } }), params(id))).status).toBe(403);
    const off = await json(await patchRoute(req("chloe", `/campaign-templates/${id}`, { method: "PATCH", body: { enabled: false } }), params(id)));
    expect(off.body).toMatchObject({ enabled: false, nextRunAt: null });
    const del = await json(await deleteRoute(req("chloe", `/campaign-templates/${id}`, { method: "DELETE" }), params(id)));
    expect(del.body).toMatchObject({ deleted: false, template: { id, enabled: false } });
    expect((await getRoute(req("chloe", "/campaign-templates/tpl_nope"), params("tpl_nope"))).status).toBe(404);
  });
});
