import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { previewCampaign } from "@/lib/campaigns/launch-campaign";

export const dynamic = "force-dynamic";

/** What launching this draft now would produce. */
export const GET = apiRoute<{ id: string }>(async ({ actor, params }) => previewCampaign(await getDb(), actor, params.id));
