import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { campaigns } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";
import { campaignEvidenceDocument, campaignEvidenceFiles, campaignItemsCsv } from "./campaign-evidence-files";
import { campaignPdf } from "./campaign-evidence-pdf";
import { campaignTotals, loadCampaignSnapshot } from "./campaign-snapshot";
import { ACCESS_REVIEW_FRAMEWORKS } from "./frameworks";
import { buildEvidencePackage } from "./package";

/**
 * The evidence package of one campaign (GET /api/v1/campaigns/{id}/evidence),
 * read from one consistent snapshot of the database (campaign-snapshot.ts) and
 * written as files that depend on nothing else (campaign-evidence-files.ts), so
 * re-exporting a closed campaign changes only manifest.json.
 */

export const EVIDENCE_FORMATS = ["zip", "csv", "json", "pdf"] as const;
export const campaignEvidenceQuerySchema = z
  .object({ format: z.enum(EVIDENCE_FORMATS, { error: `format must be one of ${EVIDENCE_FORMATS.join(", ")}` }).default("zip") })
  .strict();

export type EvidenceExport = { format: "json"; body: unknown } | { format: "csv" | "pdf" | "zip"; bytes: Uint8Array; contentType: string; filename: string };

/**
 * GET /api/v1/campaigns/{id}/evidence?format=zip|csv|json|pdf. Needs
 * evidence.export (auditors, admins). The export is audited first (target
 * campaign_evidence), so the chain head in the package covers it.
 */
export async function exportCampaignEvidence(
  db: Db,
  actor: Actor,
  id: string,
  q: z.infer<typeof campaignEvidenceQuerySchema>,
  requestId?: string,
  now: Date = new Date(),
): Promise<EvidenceExport> {
  requirePermission(actor, "evidence.export");
  requirePermission(actor, "campaign.read");
  const [exists] = await db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, id));
  if (!exists) throw new AppError("not_found", "campaign not found");
  if (exists.status === "draft") throw new AppError("conflict", "the campaign is a draft: it has no items or decisions to evidence until it is launched");
  await db.transaction((tx) =>
    emitAudit(tx, actor, { action: "evidence.export", target: { type: "campaign_evidence", id }, after: { campaignId: id, format: q.format }, requestId }),
  );
  const snap = await loadCampaignSnapshot(db, id);
  const totals = campaignTotals(snap, now);
  const base = `evidence-${id}`;
  if (q.format === "json") return { format: "json", body: { ...campaignEvidenceDocument(snap, totals), auditChain: snap.chain } };
  if (q.format === "csv")
    return { format: "csv", bytes: new TextEncoder().encode(campaignItemsCsv(snap)), contentType: "text/csv; charset=utf-8", filename: `${base}-items.csv` };
  if (q.format === "pdf") return { format: "pdf", bytes: await campaignPdf(snap, totals), contentType: "application/pdf", filename: `${base}.pdf` };
  const c = snap.campaign;
  const { zip } = buildEvidencePackage(
    {
      kind: "campaign",
      id,
      title: `Evidence of campaign "${c.name}"`,
      generatedAt: now,
      actor,
      parameters: { status: c.status, control: c.control, items: totals.items, launchedAt: c.launchedAt, closedAt: c.closedAt, signedOffAt: c.signedOffAt },
      frameworks: ACCESS_REVIEW_FRAMEWORKS,
      chain: snap.chain,
    },
    await campaignEvidenceFiles(snap, totals),
  );
  return { format: "zip", bytes: zip, contentType: "application/zip", filename: `${base}.zip` };
}
