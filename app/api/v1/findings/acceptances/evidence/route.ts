import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { acceptanceEvidenceQuerySchema, exportAcceptanceEvidence } from "@/lib/evidence/acceptance-evidence";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor, requestId }) => {
  requirePermission(actor, "evidence.export");
  const out = await exportAcceptanceEvidence(await getDb(), actor, parseQuery(req, acceptanceEvidenceQuerySchema), requestId);
  if (out.format === "json") return out.body;
  return new Response(out.bytes as BodyInit, {
    headers: {
      "content-type": out.contentType,
      "content-disposition": `attachment; filename="${out.filename}"`,
      "cache-control": "no-store",
      "x-request-id": requestId,
    },
  });
});
