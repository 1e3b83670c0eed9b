import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { campaignTemplates, campaigns } from "@/db/schema";
import { clearAccessCache } from "@/lib/graph/access-cache";
import type { JobEngine } from "@/lib/jobs/engine";
import { registeredSchedules } from "@/lib/jobs/registry";
import { actorByEmail } from "@/lib/testing/app-context";
import { eventually, startTestEngine } from "@/lib/testing/jobs";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { CAMPAIGN_TEMPLATES_TICK } from "./template-jobs";
import { createTemplate } from "./templates";

let t: TestDatabase;
let engine: JobEngine;

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  engine = await startTestEngine(t, { only: [CAMPAIGN_TEMPLATES_TICK] });
});
afterAll(async () => {
  await engine.stop();
  await t.cleanup();
});

describe(`the template tick job (${testTarget()})`, () => {
  it("is scheduled every minute and, run by the engine, creates the instance of a template whose slot has come", async () => {
    expect(registeredSchedules().find((s) => s.name === CAMPAIGN_TEMPLATES_TICK)?.cron).toBe("* * * * *");
    const chloe = await actorByEmail(t, "chloe@northwind.example");
    const tpl = await createTemplate(t.db, chloe, {
      name: "Daily GitHub MCP",
      scope: { edgeKinds: ["connects_to"], targets: ["mcp-configs:mcp_server:github-mcp"] },
      reviewerStrategy: "target_owner",
      fallbackReviewer: "omar@northwind.example",
      cron: "0 6 * * *",
      durationDays: 2,
    });
    // Its slot came an hour ago (the server was down): the tick makes it now.
    await t.db
      .update(campaignTemplates)
      .set({ nextRunAt: new Date(Date.now() - 3_600_000) })
      .where(eq(campaignTemplates.id, tpl.id));
    await engine.enqueue(CAMPAIGN_TEMPLATES_TICK);
    // The template records its instance last, once the campaign is created and its launch requested.
    const after = await eventually("the instance", async () => {
      const [row] = await t.db.select().from(campaignTemplates).where(eq(campaignTemplates.id, tpl.id));
      return row?.lastCampaignId ? row : null;
    });
    expect(after.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
    const made = await t.db.select().from(campaigns).where(eq(campaigns.templateId, tpl.id));
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ id: after.lastCampaignId, origin: "template", status: "launching", ownerId: chloe.id });
  });
});
