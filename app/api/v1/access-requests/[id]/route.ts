import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { getAccessRequest } from "@/lib/requests/queries";

export const dynamic = "force-dynamic";

/** One access request with the access path behind it; one the caller may not see is 404. */
export const GET = apiRoute<{ id: string }>(async ({ actor, params }) => {
  requirePermission(actor, "review.decide");
  return getAccessRequest(await getDb(), actor, params.id);
});
