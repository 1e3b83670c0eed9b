import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { auditEvents, findings, findingSuppressions, nodes } from "@/db/schema";
import { auditEventView, type AuditEventView } from "@/lib/audit/audit-api";
import { emitAudit, verifyAuditChain, type ChainVerification } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { RULES } from "@/lib/findings/rules";
import { toCsv } from "./csv";
import { buildEvidencePackage } from "./package";

/**
 * Evidence of accepted risk (GET /api/v1/findings/acceptances/evidence): every
 * suppression (acceptance by rule and scope: rule, scope and its node, reason,
 * expiry, creator, matched, revocation) and every finding accepted now, by a
 * person or by a suppression (named), with the suppressions' audit trail. Reads
 * one consistent snapshot; the export itself is audited first, so the chain
 * head in the package covers it.
 */

export const ACCEPTANCE_EVIDENCE_FORMATS = ["zip", "csv", "json"] as const;
export const acceptanceEvidenceQuerySchema = z
  .object({ format: z.enum(ACCEPTANCE_EVIDENCE_FORMATS, { error: `format must be one of ${ACCEPTANCE_EVIDENCE_FORMATS.join(", ")}` }).default("zip") })
  .strict();

export interface SuppressionEvidence {
  id: string;
  rule: string | null;
  ruleLabel: string;
  scope: string;
  node: { id: string; kind: string; name: string };
  reason: string;
  expiresAt: string;
  createdBy: string;
  createdAt: string;
  revokedBy: string | null;
  revokedAt: string | null;
  matched: number;
  status: "active" | "expired" | "revoked";
}

export interface AcceptedFindingEvidence {
  id: string;
  rule: string;
  severity: string;
  title: string;
  subject: { id: string; kind: string; name: string };
  reason: string | null;
  acceptedUntil: string | null;
  acceptedBy: string | null;
  acceptedAt: string | null;
  /** The suppression that accepted it; null: a person accepted this finding alone. */
  suppressionId: string | null;
}

export interface AcceptanceSnapshot {
  asOf: string;
  suppressions: SuppressionEvidence[];
  accepted: AcceptedFindingEvidence[];
  audit: AuditEventView[];
  chain: ChainVerification;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** One consistent read (a repeatable-read transaction on PostgreSQL; PGlite has one connection). */
export async function loadAcceptanceSnapshot(db: Db, now: Date): Promise<AcceptanceSnapshot> {
  return db.transaction(
    async (tx) => {
      const sup = await tx
        .select({ s: findingSuppressions, kind: nodes.kind, name: nodes.name })
        .from(findingSuppressions)
        .innerJoin(nodes, eq(nodes.id, findingSuppressions.nodeId))
        .orderBy(asc(findingSuppressions.createdAt), asc(findingSuppressions.id));
      const acc = await tx
        .select()
        .from(findings)
        .where(and(eq(findings.status, "accepted"), sql`${findings.acceptedUntil} > ${now.toISOString()}::timestamptz`))
        .orderBy(asc(findings.rule), asc(findings.subjectName), asc(findings.id));
      const audit = await tx
        .select()
        .from(auditEvents)
        .where(inArray(auditEvents.targetType, ["finding_suppression"]))
        .orderBy(asc(auditEvents.seq));
      const chain = await verifyAuditChain(tx);
      return {
        asOf: now.toISOString(),
        suppressions: sup.map(({ s, kind, name }) => ({
          id: s.id,
          rule: s.rule,
          ruleLabel: s.rule ? RULES[s.rule].label : "Every rule",
          scope: s.scopeKind,
          node: { id: s.nodeId, kind, name },
          reason: s.reason,
          expiresAt: s.expiresAt.toISOString(),
          createdBy: s.createdBy,
          createdAt: s.createdAt.toISOString(),
          revokedBy: s.revokedBy,
          revokedAt: iso(s.revokedAt),
          matched: s.matched,
          status: s.revokedAt ? "revoked" : s.expiresAt.getTime() <= now.getTime() ? "expired" : "active",
        })),
        accepted: acc.map((f) => ({
          id: f.id,
          rule: f.rule,
          severity: f.severity,
          title: f.title,
          subject: { id: f.subjectId, kind: f.subjectKind, name: f.subjectName },
          reason: f.acceptedReason,
          acceptedUntil: iso(f.acceptedUntil),
          acceptedBy: f.acceptedBy,
          acceptedAt: iso(f.acceptedAt),
          suppressionId: f.suppressionId,
        })),
        audit: audit.map(auditEventView),
        chain,
      };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

export function suppressionsCsv(s: AcceptanceSnapshot): string {
  return toCsv(
    [
      "suppression_id",
      "status",
      "rule",
      "scope",
      "node",
      "node_kind",
      "node_id",
      "reason",
      "expires_at",
      "created_by",
      "created_at",
      "revoked_by",
      "revoked_at",
      "matched",
    ],
    s.suppressions.map((x) => [
      x.id,
      x.status,
      x.rule ?? "every rule",
      x.scope,
      x.node.name,
      x.node.kind,
      x.node.id,
      x.reason,
      x.expiresAt,
      x.createdBy,
      x.createdAt,
      x.revokedBy,
      x.revokedAt,
      x.matched,
    ]),
  );
}

export function acceptedFindingsCsv(s: AcceptanceSnapshot): string {
  return toCsv(
    [
      "finding_id",
      "rule",
      "severity",
      "title",
      "subject",
      "subject_kind",
      "subject_id",
      "reason",
      "accepted_until",
      "accepted_by",
      "accepted_at",
      "suppression_id",
    ],
    s.accepted.map((f) => [
      f.id,
      f.rule,
      f.severity,
      f.title,
      f.subject.name,
      f.subject.kind,
      f.subject.id,
      f.reason,
      f.acceptedUntil,
      f.acceptedBy,
      f.acceptedAt,
      f.suppressionId,
    ]),
  );
}

function auditCsv(s: AcceptanceSnapshot): string {
  return toCsv(
    ["seq", "id", "occurred_at", "actor_id", "actor_label", "action", "target_id", "before", "after", "request_id", "hash"],
    s.audit.map((e) => [
      e.seq,
      e.id,
      e.occurredAt,
      e.actorId,
      e.actorLabel,
      e.action,
      e.targetId,
      JSON.stringify(e.before),
      JSON.stringify(e.after),
      e.requestId,
      e.hash,
    ]),
  );
}

export function acceptanceDocument(s: AcceptanceSnapshot) {
  return { format: "attest-acceptance-evidence/1", asOf: s.asOf, suppressions: s.suppressions, acceptedFindings: s.accepted, auditExtract: s.audit };
}

export type AcceptanceExport = { format: "json"; body: unknown } | { format: "csv" | "zip"; bytes: Uint8Array; contentType: string; filename: string };

/**
 * GET /api/v1/findings/acceptances/evidence?format=zip|csv|json (evidence.export and findings.read: auditors,
 * admins). csv: the suppressions alone; zip: a verifiable package with suppressions.csv, accepted-findings.csv,
 * audit-extract.csv and acceptances.json.
 */
export async function exportAcceptanceEvidence(
  db: Db,
  actor: Actor,
  q: z.infer<typeof acceptanceEvidenceQuerySchema>,
  requestId?: string,
  now: Date = new Date(),
): Promise<AcceptanceExport> {
  requirePermission(actor, "evidence.export");
  requirePermission(actor, "findings.read");
  await db.transaction((tx) =>
    emitAudit(tx, actor, { action: "evidence.export", target: { type: "acceptance_evidence", id: "acceptances" }, after: { format: q.format }, requestId }),
  );
  const snap = await loadAcceptanceSnapshot(db, now);
  const day = snap.asOf.slice(0, 10);
  if (q.format === "json") return { format: "json", body: { ...acceptanceDocument(snap), auditChain: snap.chain } };
  const enc = (x: string) => new TextEncoder().encode(x);
  if (q.format === "csv")
    return { format: "csv", bytes: enc(suppressionsCsv(snap)), contentType: "text/csv; charset=utf-8", filename: `suppressions-${day}.csv` };
  const { zip } = buildEvidencePackage(
    {
      kind: "acceptances",
      id: `acceptances-${day}`,
      title: `Accepted risk in Attest as of ${snap.asOf}`,
      generatedAt: now,
      actor,
      parameters: { asOf: snap.asOf, suppressions: snap.suppressions.length, acceptedFindings: snap.accepted.length },
      chain: snap.chain,
    },
    [
      { path: "acceptances.json", data: enc(`${JSON.stringify(acceptanceDocument(snap), null, 2)}\n`) },
      { path: "suppressions.csv", data: enc(suppressionsCsv(snap)) },
      { path: "accepted-findings.csv", data: enc(acceptedFindingsCsv(snap)) },
      { path: "audit-extract.csv", data: enc(auditCsv(snap)) },
    ],
  );
  return { format: "zip", bytes: zip, contentType: "application/zip", filename: `acceptances-${day}.zip` };
}
