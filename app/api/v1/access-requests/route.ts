import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { listAccessRequests, requestsQuerySchema } from "@/lib/requests/queries";

export const dynamic = "force-dynamic";

/** The caller's access requests to decide (admins: `all=true` for every request). */
export const GET = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "review.decide");
  return listAccessRequests(await getDb(), actor, parseQuery(req, requestsQuerySchema));
});
