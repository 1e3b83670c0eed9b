import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { exportRemediationCsv, exportTasksQuerySchema } from "@/lib/campaigns/remediation";

export const dynamic = "force-dynamic";

/** Remediation tasks as CSV, for a ticketing system. */
export const GET = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "campaign.read");
  const csv = await exportRemediationCsv(await getDb(), actor, parseQuery(req, exportTasksQuerySchema));
  const day = new Date().toISOString().slice(0, 10);
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="attest-remediation-${day}.csv"`,
      "x-request-id": requestId,
    },
  });
});
