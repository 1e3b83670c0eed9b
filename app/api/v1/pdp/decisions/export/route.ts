import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { exportDecisions, exportDecisionsQuerySchema } from "@/lib/usage/decisions-api";

export const dynamic = "force-dynamic";

/** The decisions a filter selects as OCSF API Activity (class 6003) JSON lines, streamed (audit.read); audited. */
export const GET = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "audit.read");
  const f = await exportDecisions(await getDb(), actor, parseQuery(req, exportDecisionsQuerySchema), requestId);
  return new Response(f.body, {
    headers: {
      "content-type": f.contentType,
      "content-disposition": `attachment; filename="${f.filename}"`,
      "cache-control": "no-store",
      "x-request-id": requestId,
    },
  });
});
