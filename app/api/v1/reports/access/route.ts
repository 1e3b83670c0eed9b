import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { accessReportQuerySchema } from "@/lib/reports/access-report";
import { exportAccessReport } from "@/lib/reports/export-access-report";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "evidence.export");
  const out = await exportAccessReport(await getDb(), actor, parseQuery(req, accessReportQuerySchema), requestId);
  if (out.format === "json") return out.report;
  return new Response(out.bytes as BodyInit, {
    headers: {
      "content-type": out.contentType,
      "content-disposition": `attachment; filename="${out.filename}"`,
      "cache-control": "no-store",
      "x-request-id": requestId,
    },
  });
});
