import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { enqueueLaunch } from "@/lib/campaigns/jobs";
import { launchCampaign } from "@/lib/campaigns/launch-campaign";

export const dynamic = "force-dynamic";

/** Starts a launch: 202 with the campaign `launching`; the job snapshots its items (GET the campaign for progress). */
export const POST = apiRoute<{ id: string }>(async ({ actor, params, requestId }) => {
  const c = await launchCampaign(await getDb(), actor, params.id, { requestId });
  await enqueueLaunch(c.id);
  return NextResponse.json(c, { status: 202, headers: { "x-request-id": requestId } });
});
