import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { itemsQuerySchema, listMyItems } from "@/lib/campaigns/queries";

export const dynamic = "force-dynamic";

/** The caller's review inbox. */
export const GET = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "review.decide");
  return listMyItems(await getDb(), actor, parseQuery(req, itemsQuerySchema));
});
