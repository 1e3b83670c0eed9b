import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { previewDefinition } from "@/lib/campaigns/launch-campaign";

export const dynamic = "force-dynamic";

/** How many items and reviewers a definition would produce, without saving anything. */
export const POST = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "campaign.manage");
  return previewDefinition(await getDb(), actor, await readJsonBody(req, 64 * 1024));
});
