import type { Db } from "@/db/client";
import { emitAudit, verifyAuditChain } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { buildAccessReport, type AccessReport, type AccessReportQuery } from "./access-report";
import { pickCaughtUpReadDb } from "@/lib/graph/graph-feed";
import { accessReportCsv, accessReportPackage, accessReportPdf } from "./access-report-files";

export type ExportedReport =
  { format: "json"; report: AccessReport } | { format: "csv" | "pdf" | "zip"; report: AccessReport; bytes: Uint8Array; contentType: string; filename: string };

const CONTENT_TYPE = { csv: "text/csv; charset=utf-8", pdf: "application/pdf", zip: "application/zip" } as const;

/** A file name safe in any header and file system: ASCII letters, digits and dashes. */
function slug(s: string): string {
  return (
    s
      .normalize("NFKD")
      .replace(/[^\x20-\x7e]/g, "")
      .replace(/[^A-Za-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .toLowerCase()
      .slice(0, 40) || "node"
  );
}

/**
 * Exports a point-in-time access report (GET /api/v1/reports/access) as JSON,
 * CSV, PDF or an evidence package (zip). Every export is audited
 * (evidence.export) before the package reads the chain head, so the head in a
 * package's manifest covers its own export.
 */
export async function exportAccessReport(db: Db, actor: Actor, q: AccessReportQuery, requestId?: string): Promise<ExportedReport> {
  requirePermission(actor, "evidence.export");
  const report = await buildAccessReport(db, actor, q);
  await db.transaction((tx) =>
    emitAudit(tx, actor, {
      action: "evidence.export",
      target: { type: "access_report", id: report.id },
      after: {
        format: q.format,
        direction: report.direction,
        subject: report.subject.id,
        asOf: report.asOf,
        maxDepth: report.maxDepth,
        rows: report.rows.length,
        total: report.total,
      },
      requestId,
    }),
  );
  if (q.format === "json") return { format: "json", report };
  const base = `access-report-${report.direction}-${slug(report.subject.name)}-${report.asOf.slice(0, 10)}`;
  if (q.format === "csv")
    return { format: "csv", report, bytes: new TextEncoder().encode(accessReportCsv(report)), contentType: CONTENT_TYPE.csv, filename: `${base}.csv` };
  if (q.format === "pdf") return { format: "pdf", report, bytes: await accessReportPdf(report), contentType: CONTENT_TYPE.pdf, filename: `${base}.pdf` };
  // The whole chain, read after the export's own event committed: the replica once it has replayed that far, else the primary.
  const chain = await verifyAuditChain(await pickCaughtUpReadDb(db));
  const { zip } = await accessReportPackage(report, actor, chain, new Date());
  return { format: "zip", report, bytes: zip, contentType: CONTENT_TYPE.zip, filename: `${base}.zip` };
}
