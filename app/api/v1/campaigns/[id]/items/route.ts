import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { can, requirePermission } from "@/lib/authz/permissions";
import { itemsQuerySchema, listCampaignItems } from "@/lib/campaigns/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  if (!can(actor, "campaign.read")) requirePermission(actor, "review.decide");
  return listCampaignItems(await getDb(), actor, params.id, parseQuery(req, itemsQuerySchema));
});
