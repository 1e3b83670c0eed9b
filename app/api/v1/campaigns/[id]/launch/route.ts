import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { launchCampaign } from "@/lib/campaigns/launch-campaign";

export const dynamic = "force-dynamic";

export const POST = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => launchCampaign(await getDb(), actor, params.id, { requestId }));
