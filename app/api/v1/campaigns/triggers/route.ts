import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { createTriggerRule, listTriggerRules, triggerRulesQuerySchema } from "@/lib/campaigns/triggers/rules";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async ({ req, actor }) => {
    parseQuery(req, triggerRulesQuerySchema);
    return listTriggerRules(await getDb(), actor);
  },
  { anyOf: ["campaign.read"] },
);

export const POST = apiRoute(
  async ({ req, actor, requestId }) => {
    const created = await createTriggerRule(await getDb(), actor, await readJsonBody(req, 16 * 1024), { requestId });
    return NextResponse.json(created, { status: 201 });
  },
  { anyOf: ["campaign.manage"] },
);
