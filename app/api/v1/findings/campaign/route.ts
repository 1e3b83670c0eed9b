import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { createCampaignFromFindings } from "@/lib/findings/campaign-draft";

export const dynamic = "force-dynamic";

/** A draft campaign reviewing the access behind the given findings. */
export const POST = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "findings.read");
  requirePermission(actor, "campaign.manage");
  const created = await createCampaignFromFindings(await getDb(), actor, await readJsonBody(req, 32 * 1024), requestId);
  return NextResponse.json(created, { status: 201 });
});
