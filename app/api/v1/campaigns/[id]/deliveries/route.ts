import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { deliveriesQuerySchema, listCampaignDeliveries } from "@/lib/notifications/queries";

export const dynamic = "force-dynamic";

/** Who was told about this campaign, when, on which channel, and how it went (campaign.read); newest first. */
export const GET = apiRoute<{ id: string }>(
  async ({ req, actor, params }) => {
    const q = parseQuery(req, deliveriesQuerySchema);
    return listCampaignDeliveries(await getDb(), actor, params.id, q);
  },
  { anyOf: ["campaign.read"] },
);
