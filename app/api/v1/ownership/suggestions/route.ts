import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { suggestOwners, suggestionsQuerySchema } from "@/lib/ownership/suggestions";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "owner.read");
  return suggestOwners(await getDb(), actor, parseQuery(req, suggestionsQuerySchema));
});
