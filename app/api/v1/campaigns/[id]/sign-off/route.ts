import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { signOffCampaign } from "@/lib/campaigns/close-campaign";
import { optionalJsonBody } from "@/lib/campaigns/http";

export const dynamic = "force-dynamic";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params, requestId }) => {
  requirePermission(actor, "campaign.manage");
  return signOffCampaign(await getDb(), actor, params.id, await optionalJsonBody(req), { requestId });
});
