import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { rows as rawRows } from "@/db/rows";
import { campaigns } from "@/db/schema";
import { emitAudit, verifyAuditChain } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { campaignViews, type CampaignView } from "@/lib/campaigns/views";
import { AppError } from "@/lib/errors";
import { campaignEvidenceDocument } from "./campaign-evidence-files";
import { campaignPdf, campaignSummaryPdf, type CampaignSummary } from "./campaign-evidence-pdf";
import { campaignTotals, loadCampaignSnapshot, readSnapshot, sourcesBeforeLaunch } from "./campaign-snapshot";
import {
  auditExtractCsv,
  itemsPass,
  notificationsCsv,
  NOWHERE,
  reassignmentsCsv,
  remediationCsv,
  scopedItemsCsv,
  type ItemsPass,
  type StreamOptions,
  type TextOut,
} from "./campaign-stream";
import { csvLine, Spool } from "./csv-stream";
import { ACCESS_REVIEW_FRAMEWORKS } from "./frameworks";
import { StreamedEvidencePackage } from "./package";
import { pickCaughtUpReadDb } from "@/lib/graph/graph-feed";
import type { ByteSink } from "./zip-stream";

/**
 * The evidence package of one campaign (GET /api/v1/campaigns/{id}/evidence),
 * read in one repeatable-read, read-only transaction (one instant of the
 * database) and streamed: items, delegations, remediation, the audit extract,
 * scoped items and notification deliveries are read from server-side cursors a
 * chunk at a time and written as they arrive, into the zip (entries deflated
 * as written, manifest.json last) or, for format=csv, straight to the
 * response. Memory stays bounded whatever the campaign's size.
 *
 * campaign.json and the PDF list every item, decision and audit event for a
 * campaign of at most FULL_DETAIL_MAX items (as before); above that they are a
 * summary (totals, population, counts, where the detail is) and format=json is
 * refused with 413 pointing to zip or csv. Re-exporting a closed campaign
 * changes only manifest.json.
 */

export const EVIDENCE_FORMATS = ["zip", "csv", "json", "pdf"] as const;
export const campaignEvidenceQuerySchema = z
  .object({ format: z.enum(EVIDENCE_FORMATS, { error: `format must be one of ${EVIDENCE_FORMATS.join(", ")}` }).default("zip") })
  .strict();

/** The most items campaign.json, format=json and the PDF list one by one. */
export const FULL_DETAIL_MAX = 10_000;

/** The files of a campaign package after README.txt, in the order written; manifest.json follows them. */
export const CAMPAIGN_PACKAGE_FILES = [
  "items.csv",
  "scoped-items.csv",
  "population.csv",
  "reviewer-independence.csv",
  "reassignments.csv",
  "remediation.csv",
  "audit-extract.csv",
  "notifications.csv",
  "campaign.json",
  "campaign-report.pdf",
] as const;

export interface ExportOptions extends StreamOptions {
  /** Overrides FULL_DETAIL_MAX (tests). */
  fullDetailMax?: number;
}

export type EvidenceExport =
  { format: "json"; body: unknown } | { format: "csv" | "pdf" | "zip"; contentType: string; filename: string; write: (sink: ByteSink) => Promise<void> };

const encoder = new TextEncoder();
const textTo = (sink: { write(b: Uint8Array | string): Promise<void> | void }): TextOut => ({ write: (t) => sink.write(t) });
const bytesTo = (sink: ByteSink): TextOut => ({ write: (t) => sink.write(encoder.encode(t)) });

async function extraCounts(tx: Db, id: string) {
  const [r] = await rawRows<{ scoped: number; deliveries: number }>(
    tx,
    sql`select (select count(*)::int from review_item_scopes s join review_items i on i.id = s.item_id
                 where s.campaign_id = ${id} and i.campaign_id <> ${id}) as scoped,
               (select count(*)::int from notification_deliveries where campaign_id = ${id}) as deliveries`,
  );
  return { scopedItems: Number(r?.scoped ?? 0), notificationDeliveries: Number(r?.deliveries ?? 0) };
}

/**
 * GET /api/v1/campaigns/{id}/evidence?format=zip|csv|json|pdf. Needs
 * evidence.export (auditors, admins). The export is audited first (target
 * campaign_evidence), so the chain head in the package covers it; then the
 * caller streams it with write(sink).
 */
export async function exportCampaignEvidence(
  db: Db,
  actor: Actor,
  id: string,
  q: z.infer<typeof campaignEvidenceQuerySchema>,
  requestId?: string,
  now: Date = new Date(),
  o: ExportOptions = {},
): Promise<EvidenceExport> {
  requirePermission(actor, "evidence.export");
  requirePermission(actor, "campaign.read");
  const [exists] = await db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, id));
  if (!exists) throw new AppError("not_found", "campaign not found");
  if (exists.status === "draft" || exists.status === "launching")
    throw new AppError("conflict", "the campaign is not launched yet: it has no items or decisions to evidence until it is");
  const max = o.fullDetailMax ?? FULL_DETAIL_MAX;
  if (q.format === "json") {
    const [{ n } = { n: 0 }] = await rawRows<{ n: number }>(db, sql`select count(*)::int as n from review_items where campaign_id = ${id}`);
    if (Number(n) > max)
      throw new AppError(
        "payload_too_large",
        `the campaign has ${Number(n).toLocaleString("en")} items, more than the ${max.toLocaleString("en")} format=json holds: download format=zip (every file streamed, with its hash) or format=csv (the items)`,
      );
  }
  await db.transaction((tx) =>
    emitAudit(tx, actor, { action: "evidence.export", target: { type: "campaign_evidence", id }, after: { campaignId: id, format: q.format }, requestId }),
  );
  const base = `evidence-${id}`;
  if (q.format === "json") {
    const snap = await loadCampaignSnapshot(db, id);
    const extras = await extraCounts(db, id);
    return { format: "json", body: { ...campaignEvidenceDocument(snap, campaignTotals(snap, now)), ...extras, auditChain: snap.chain } };
  }
  const write = (sink: ByteSink) => writeCampaignEvidence(db, actor, id, q.format as "csv" | "pdf" | "zip", sink, now, o);
  if (q.format === "csv") return { format: "csv", contentType: "text/csv; charset=utf-8", filename: `${base}-items.csv`, write };
  if (q.format === "pdf") return { format: "pdf", contentType: "application/pdf", filename: `${base}.pdf`, write };
  return { format: "zip", contentType: "application/zip", filename: `${base}.zip`, write };
}

/** The campaign and what the streamed parts need to know of it. */
async function campaignOf(tx: Db, id: string): Promise<CampaignView> {
  const [row] = await tx.select().from(campaigns).where(eq(campaigns.id, id));
  if (!row) throw new AppError("not_found", "campaign not found");
  const [view] = await campaignViews(tx, [row]);
  return view!;
}

const passInput = (c: CampaignView) => ({ id: c.id, dueAt: c.dueAt, closedAt: c.closedAt, scopeSources: c.scope.sources ?? [] });

/**
 * Writes a campaign's evidence (zip, items CSV or PDF) to `sink` from one
 * repeatable-read, read-only transaction. Backpressure: each write waits for
 * the sink. Throws (leaving the output incomplete: a zip without its manifest
 * and central directory, which no verifier accepts) if reading fails midway.
 */
export async function writeCampaignEvidence(
  db: Db,
  actor: Actor,
  id: string,
  format: "zip" | "csv" | "pdf",
  sink: ByteSink,
  now: Date = new Date(),
  o: ExportOptions = {},
): Promise<void> {
  const max = o.fullDetailMax ?? FULL_DETAIL_MAX;
  // Read-only and whole-campaign: on the read replica (DATABASE_READ_URL) once it has replayed everything committed
  // before this call (the export's own audit event included, so the chain head covers it), else on the primary.
  const readDb = await pickCaughtUpReadDb(db);
  await readDb.transaction(
    async (tx) => {
      // A cursor is read to its end: plan for the whole result, not its first rows.
      await tx.execute(sql`set local cursor_tuple_fraction = 1`);
      // The items are sorted once, server-side: room to do it in memory for a campaign of a million.
      await tx.execute(sql`set local work_mem = '64MB'`);
      const c = await campaignOf(tx, id);
      if (format === "csv") {
        await itemsPass(tx, passInput(c), now, bytesTo(sink), NOWHERE, o);
        return;
      }
      const spool = new Spool();
      try {
        if (format === "pdf") {
          const pass = await itemsPass(tx, passInput(c), now, NOWHERE, NOWHERE, o);
          if (pass.totals.items <= max) {
            const snap = await readSnapshot(tx, id);
            await sink.write(await campaignPdf(snap, campaignTotals(snap, now)));
          } else {
            const files = {
              reassignments: await reassignmentsCsv(tx, id, NOWHERE, o),
              remediation: await remediationCsv(tx, id, NOWHERE, o),
              auditExtract: await auditExtractCsv(tx, id, NOWHERE, o),
              ...(await extraCounts(tx, id)),
            };
            await sink.write(await campaignSummaryPdf(c, await summaryOf(tx, c, pass, files)));
          }
          return;
        }
        const pkg = new StreamedEvidencePackage(sink, `Evidence of campaign "${c.name}"`, CAMPAIGN_PACKAGE_FILES);
        let pass: ItemsPass | undefined;
        await pkg.file("items.csv", async (e) => void (pass = await itemsPass(tx, passInput(c), now, textTo(e), spool, o)));
        const counts = { reassignments: 0, remediation: 0, auditExtract: 0, scopedItems: 0, notificationDeliveries: 0 };
        await pkg.file("scoped-items.csv", async (e) => void (counts.scopedItems = await scopedItemsCsv(tx, id, textTo(e), o)));
        const summary = await summaryOf(tx, c, pass!, counts);
        await pkg.file("population.csv", async (e) => {
          await e.write(csvLine(["dimension", "value", "items"]));
          let text = "";
          for (const [dim, rows] of Object.entries(summary.population.counts)) for (const [v, n] of rows) text += csvLine([dim, v, n]);
          for (const x of summary.population.sources) text += csvLine(["source last import before launch", x.name, x.lastImportBeforeLaunch ?? ""]);
          text += csvLine(["total items", "", summary.population.reconciliation.items]);
          await e.write(text);
        });
        await pkg.file("reviewer-independence.csv", (e) => spool.drain(e));
        await pkg.file("reassignments.csv", async (e) => void (counts.reassignments = await reassignmentsCsv(tx, id, textTo(e), o)));
        await pkg.file("remediation.csv", async (e) => void (counts.remediation = await remediationCsv(tx, id, textTo(e), o)));
        await pkg.file("audit-extract.csv", async (e) => void (counts.auditExtract = await auditExtractCsv(tx, id, textTo(e), o)));
        await pkg.file("notifications.csv", async (e) => void (counts.notificationDeliveries = await notificationsCsv(tx, id, textTo(e), o)));
        summary.files = counts;
        const full = pass!.totals.items <= max ? await readSnapshot(tx, id) : null;
        await pkg.file("campaign.json", async (e) => {
          if (full) {
            const doc = {
              ...campaignEvidenceDocument(full, campaignTotals(full, now)),
              scopedItems: counts.scopedItems,
              notificationDeliveries: counts.notificationDeliveries,
            };
            await e.write(`${JSON.stringify(doc, null, 2)}\n`);
          } else await e.write(`${JSON.stringify(summaryDocument(c, summary, max), null, 2)}\n`);
        });
        await pkg.file("campaign-report.pdf", async (e) =>
          e.write(full ? await campaignPdf(full, campaignTotals(full, now)) : await campaignSummaryPdf(c, summary)),
        );
        await pkg.finish({
          kind: "campaign",
          id,
          title: `Evidence of campaign "${c.name}"`,
          generatedAt: now,
          actor,
          parameters: {
            status: c.status,
            control: c.control,
            items: summary.totals.items,
            launchedAt: c.launchedAt,
            closedAt: c.closedAt,
            signedOffAt: c.signedOffAt,
            detail: full ? "full" : "summary",
          },
          frameworks: ACCESS_REVIEW_FRAMEWORKS,
          chain: full?.chain ?? (await verifyAuditChain(tx)),
        });
      } finally {
        await spool.cleanup();
      }
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

async function summaryOf(tx: Db, c: CampaignView, pass: ItemsPass, files: CampaignSummary["files"]): Promise<CampaignSummary> {
  return {
    totals: pass.totals,
    population: {
      counts: pass.counts,
      reconciliation: pass.reconciliation,
      sources: await sourcesBeforeLaunch(tx, pass.sourceNames, c.launchedAt ? new Date(c.launchedAt) : null),
    },
    independence: pass.independence,
    files,
  };
}

/** campaign.json of a campaign above FULL_DETAIL_MAX items: everything but the per-item lists, which are in the CSV files. */
function summaryDocument(c: CampaignView, x: CampaignSummary, max: number) {
  return {
    format: "attest-campaign-evidence/1",
    detail: "summary",
    note: `${x.totals.items.toLocaleString("en")} items: more than the ${max.toLocaleString("en")} this file lists one by one. Items, delegations, remediation and the audit extract are in items.csv, reassignments.csv, remediation.csv and audit-extract.csv.`,
    campaign: c,
    frameworks: [...(c.control ? [{ framework: "campaign control", control: c.control, title: c.name }] : []), ...ACCESS_REVIEW_FRAMEWORKS],
    population: x.population,
    totals: x.totals,
    signOff: { closedAt: c.closedAt, closedBy: c.closedBy, signedOffAt: c.signedOffAt, signedOffBy: c.signedOffBy, statement: c.signOffStatement },
    reviewerIndependence: {
      checked: x.independence.checked,
      exceptions: x.independence.exceptions,
      unlinked: x.independence.unlinked,
      file: "reviewer-independence.csv",
    },
    rows: {
      "items.csv": x.totals.items,
      "reassignments.csv": x.files.reassignments,
      "remediation.csv": x.files.remediation,
      "audit-extract.csv": x.files.auditExtract,
      "scoped-items.csv": x.files.scopedItems,
      "notifications.csv": x.files.notificationDeliveries,
    },
  };
}
