import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { exportAuditEvents, exportAuditQuerySchema } from "@/lib/audit/audit-export";
import { requirePermission } from "@/lib/authz/permissions";

export const dynamic = "force-dynamic";

/** The audit events a filter selects, as a CSV or JSON download streamed in pages (audit.read); audited as audit.export. */
export const GET = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "audit.read");
  const f = await exportAuditEvents(await getDb(), actor, parseQuery(req, exportAuditQuerySchema), requestId);
  return new Response(f.body, {
    headers: {
      "content-type": f.contentType,
      "content-disposition": `attachment; filename="${f.filename}"`,
      "cache-control": "no-store",
      "x-request-id": requestId,
      "x-total-count": String(f.rows),
    },
  });
});
