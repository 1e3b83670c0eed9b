import { getDb } from "@/db/client";
import { readJsonBody } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { decideAccessRequest } from "@/lib/requests/decide";

export const dynamic = "force-dynamic";

/** `{ decision: "approve" | "deny", note?, grantMinutes?, version }`. */
export const POST = apiRoute<{ id: string }>(async ({ req, actor, params, requestId }) => {
  requirePermission(actor, "review.decide");
  return decideAccessRequest(await getDb(), actor, params.id, await readJsonBody(req, 16 * 1024), { requestId });
});
