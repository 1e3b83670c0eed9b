import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { listAuditEventsFor, listAuditQuerySchema } from "@/lib/audit/audit-api";
import { requirePermission } from "@/lib/authz/permissions";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "audit.read");
  return listAuditEventsFor(await getDb(), actor, parseQuery(req, listAuditQuerySchema));
});
