import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { campaignEvidenceQuerySchema, exportCampaignEvidence } from "@/lib/evidence/campaign-evidence";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ req, actor, params, requestId }) => {
  requirePermission(actor, "evidence.export");
  const out = await exportCampaignEvidence(await getDb(), actor, params.id, parseQuery(req, campaignEvidenceQuerySchema), requestId);
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
