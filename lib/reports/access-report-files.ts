import type { ChainVerification } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { toCsv } from "@/lib/evidence/csv";
import { ACCESS_REVIEW_FRAMEWORKS, frameworkLine } from "@/lib/evidence/frameworks";
import { buildEvidencePackage } from "@/lib/evidence/package";
import { renderPdf } from "@/lib/evidence/pdf";
import { NODE_KIND_LABEL, NODE_KINDS } from "@/lib/graph/model";
import { nodeRef, reportTitle, type AccessReport, type ReportNode } from "./access-report";

/**
 * The files of a point-in-time access report. Each depends only on the report
 * (not on who exports it or when), so re-exporting the same question about the
 * same past instant gives the same bytes.
 */

const label = (n: ReportNode) => `${n.name} (${n.kind})`;

/** "Ada (human) → member_of → Engineering (group) → …", the path as a person reads it. */
export function pathText(p: AccessReport["rows"][number]["path"]): string {
  return p.nodes.map((n, i) => (i === 0 ? label(n) : `→ ${p.edges[i - 1]} → ${label(n)}`)).join(" ");
}

const utc = (iso: string) => iso.replace("T", " ").replace(/\.000Z$/, "Z");

export function accessReportCsv(r: AccessReport): string {
  const who = r.direction === "who-can-reach" ? "principal" : "reached";
  return toCsv(
    [
      "#",
      `${who}_name`,
      `${who}_kind`,
      `${who}_source`,
      `${who}_external_id`,
      `${who}_id`,
      "depth",
      "path",
      "path_node_ids",
      "path_edge_kinds",
      "subject_id",
      "as_of",
    ],
    r.rows.map((row, i) => [
      i + 1,
      row.name,
      row.kind,
      row.source,
      row.externalId,
      row.id,
      row.depth,
      pathText(row.path),
      row.path.nodes.map((n) => n.id).join(" "),
      row.path.edges.join(" "),
      r.subject.id,
      r.asOf,
    ]),
  );
}

export function accessReportJson(r: AccessReport): string {
  return `${JSON.stringify({ ...r, title: reportTitle(r), frameworks: ACCESS_REVIEW_FRAMEWORKS }, null, 2)}\n`;
}

export async function accessReportPdf(r: AccessReport): Promise<Uint8Array> {
  const who = r.direction === "who-can-reach";
  const kinds = NODE_KINDS.filter((k) => r.countsByKind[k]);
  return renderPdf({
    title: reportTitle(r),
    subtitle: `as of ${utc(r.asOf)} (UTC)`,
    facts: [
      [who ? "Target" : "Principal", `${r.subject.name} (${NODE_KIND_LABEL[r.subject.kind]})`],
      ["Reference", nodeRef(r.subject)],
      ["Attest id", r.subject.id],
      ["As of", `${utc(r.asOf)}: the graph as it stood then (validity periods of nodes and edges); names as they are today`],
      [
        "Question",
        who
          ? `Every person, service account and agent with a directed path of access edges to the target, at most ${r.maxDepth} edges long`
          : `Every node the principal reached through access edges, at most ${r.maxDepth} edges away`,
      ],
      ["Report id", r.id],
    ],
    totals: [
      { label: who ? "principals could reach it" : "nodes reachable", value: r.total.toLocaleString("en") },
      ...kinds.map((k) => ({ label: NODE_KIND_LABEL[k], value: String(r.countsByKind[k]) })),
    ],
    notes: [
      ...(r.truncated
        ? [`This report lists the first ${r.rows.length.toLocaleString("en")} of ${r.total.toLocaleString("en")}; the access API pages through all of them.`]
        : []),
      "Each row shows one shortest path; there may be others. Paths read from the principal towards what it reaches.",
      `Evidences: ${ACCESS_REVIEW_FRAMEWORKS.map(frameworkLine).join("; ")}.`,
    ],
    sections: [
      {
        heading: who ? "Principals that could reach the target" : "What the principal could reach",
        newPage: true,
        table: {
          columns: [
            { header: "#", width: 4, align: "right" },
            { header: "Name", width: 20 },
            { header: "Kind", width: 11 },
            { header: "Source", width: 10 },
            { header: "Depth", width: 6, align: "right" },
            { header: "Path", width: 49 },
          ],
          rows: r.rows.map((row, i) => [String(i + 1), row.name, NODE_KIND_LABEL[row.kind], row.source, String(row.depth), pathText(row.path)]),
          empty: who ? "No principal could reach the target at that time." : "The principal reached nothing through access edges at that time.",
        },
      },
    ],
    signOff: {
      intro:
        "The reviewer below confirms this report was examined. The package's manifest.json records who exported it, when, the SHA-256 of every file and the audit log's head at that moment.",
      facts: [
        ["Report", reportTitle(r)],
        ["As of", utc(r.asOf)],
        ["Report id", r.id],
      ],
      signatureLines: ["Reviewed by", "Role", "Signature", "Date"],
    },
    footer: `Attest access report ${r.id} · ${reportTitle(r)} · as of ${utc(r.asOf)}`,
    // The content's own instant, so identical content gives identical bytes.
    creationDate: new Date(r.asOf),
  });
}

export const ACCESS_REPORT_FILES = { csv: "access-report.csv", json: "access-report.json", pdf: "access-report.pdf" } as const;

/** The report as an evidence package: manifest, README, CSV, JSON and PDF. */
export async function accessReportPackage(r: AccessReport, actor: Actor, chain: ChainVerification, generatedAt: Date) {
  const enc = new TextEncoder();
  return buildEvidencePackage(
    {
      kind: "access_report",
      id: r.id,
      title: `${reportTitle(r)}, as of ${utc(r.asOf)}`,
      generatedAt,
      actor,
      parameters: {
        direction: r.direction,
        subject: r.subject.id,
        subjectRef: nodeRef(r.subject),
        asOf: r.asOf,
        maxDepth: r.maxDepth,
        rows: r.rows.length,
        total: r.total,
      },
      frameworks: ACCESS_REVIEW_FRAMEWORKS,
      chain,
    },
    [
      { path: ACCESS_REPORT_FILES.csv, data: enc.encode(accessReportCsv(r)) },
      { path: ACCESS_REPORT_FILES.json, data: enc.encode(accessReportJson(r)) },
      { path: ACCESS_REPORT_FILES.pdf, data: await accessReportPdf(r) },
    ],
  );
}
