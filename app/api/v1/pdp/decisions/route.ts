import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { listDecisions, listDecisionsQuerySchema } from "@/lib/usage/decisions-api";

export const dynamic = "force-dynamic";

/** The decision log, newest first: `subject`, `tool`, `decision` (allow|deny), `from`, `to`, `limit`, `cursor` (usage.read). */
export const GET = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "usage.read");
  return listDecisions(await getDb(), actor, parseQuery(req, listDecisionsQuerySchema));
});
