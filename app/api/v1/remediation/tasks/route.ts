import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { listRemediationTasks, listTasksQuerySchema } from "@/lib/campaigns/remediation";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => {
  requirePermission(actor, "campaign.read");
  return listRemediationTasks(await getDb(), actor, parseQuery(req, listTasksQuerySchema));
});
