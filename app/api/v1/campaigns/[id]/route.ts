import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { getCampaign } from "@/lib/campaigns/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ actor, params }) => getCampaign(await getDb(), actor, params.id));
