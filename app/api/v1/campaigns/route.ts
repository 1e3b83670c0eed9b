import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { can, requirePermission } from "@/lib/authz/permissions";
import { createCampaign } from "@/lib/campaigns/launch-campaign";
import { listCampaigns, listCampaignsQuerySchema } from "@/lib/campaigns/queries";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => {
  if (!can(actor, "campaign.read")) requirePermission(actor, "review.decide");
  return listCampaigns(await getDb(), actor, parseQuery(req, listCampaignsQuerySchema));
});

export const POST = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "campaign.manage");
  const created = await createCampaign(await getDb(), actor, await readJsonBody(req, 64 * 1024), { requestId });
  return NextResponse.json(created, { status: 201 });
});
