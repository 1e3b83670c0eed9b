import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { decideItem } from "@/lib/campaigns/decide-item";

export const dynamic = "force-dynamic";

/** `{ decision, justification, version }` or `{ delegateTo, reason }`. */
export const POST = apiRoute<{ id: string }>(async ({ req, actor, params, requestId }) => {
  requirePermission(actor, "review.decide");
  return decideItem(await getDb(), actor, params.id, await readJsonBody(req, 16 * 1024), { requestId });
});
