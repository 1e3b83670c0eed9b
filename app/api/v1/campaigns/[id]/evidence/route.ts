import { getDatabase } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { campaignEvidenceQuerySchema, exportCampaignEvidence } from "@/lib/evidence/campaign-evidence";
import { streamedBody } from "@/lib/evidence/http-stream";

export const dynamic = "force-dynamic";

/** The export is checked and audited before the first byte; the body is then streamed as it is read from the database. */
export const GET = apiRoute<{ id: string }>(async ({ req, actor, params, requestId }) => {
  requirePermission(actor, "evidence.export");
  const database = await getDatabase();
  const out = await exportCampaignEvidence(database.db, actor, params.id, parseQuery(req, campaignEvidenceQuerySchema), requestId);
  if (out.format === "json") return out.body;
  return new Response(streamedBody(out.write, requestId, { noBackpressure: database.kind === "pglite" }), {
    headers: {
      "content-type": out.contentType,
      "content-disposition": `attachment; filename="${out.filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "x-request-id": requestId,
    },
  });
});
