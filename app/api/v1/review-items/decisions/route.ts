import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { bulkDecide } from "@/lib/campaigns/decide-item";

export const dynamic = "force-dynamic";

/** One decision over a selection of the caller's items. */
export const POST = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "review.decide");
  return bulkDecide(await getDb(), actor, await readJsonBody(req, 256 * 1024), { requestId });
});
