import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { coverageQuerySchema, getCoverage } from "@/lib/ownership/coverage";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "owner.read");
  return getCoverage(await getDb(), actor, parseQuery(req, coverageQuerySchema));
});
