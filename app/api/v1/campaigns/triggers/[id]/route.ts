import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { deleteTriggerRule, getTriggerRule, triggerRulesQuerySchema, updateTriggerRule } from "@/lib/campaigns/triggers/rules";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => {
    parseQuery(req, triggerRulesQuerySchema);
    return getTriggerRule(await getDb(), actor, params.id);
  },
  { anyOf: ["campaign.read"] },
);

export const PATCH = apiRoute<{ id: string }>(
  async ({ req, actor, params, requestId }) => updateTriggerRule(await getDb(), actor, params.id, await readJsonBody(req, 16 * 1024), { requestId }),
  { anyOf: ["campaign.manage"] },
);

export const DELETE = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => deleteTriggerRule(await getDb(), actor, params.id, { requestId }), {
  anyOf: ["campaign.manage"],
});
