import Link from "next/link";
import { getDb } from "@/db/client";
import { ChainStatus } from "@/components/evidence/chain-status";
import { verifyAuditLogFor } from "@/lib/audit/audit-api";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";

export const metadata = { title: "Evidence" };

export default async function EvidencePage() {
  const actor = await requirePagePermission("evidence.export", "audit.read");
  const verification = can(actor, "audit.read") ? await verifyAuditLogFor(await getDb(), actor) : null;
  return (
    <>
      <h1>Evidence</h1>
      <p className="subtitle">
        What an auditor takes away and checks without having to trust Attest: the hash-chained audit log, point-in-time access reports and evidence packages
        whose every file is hashed in a manifest.
      </p>
      {verification ? <ChainStatus {...verification} /> : null}
      <div className="grid2">
        {can(actor, "audit.read") ? (
          <Link className="card" href="/evidence/audit">
            <div style={{ fontWeight: 600, marginBottom: "0.25rem" }}>Audit log →</div>
            <div className="l">
              Every governance action with who, when, what changed and the request it came from; filter by action, actor, target and date.
            </div>
          </Link>
        ) : null}
        {can(actor, "evidence.export") ? (
          <Link className="card" href="/evidence/campaigns">
            <div style={{ fontWeight: 600, marginBottom: "0.25rem" }}>Campaign evidence →</div>
            <div className="l">
              For each recertification campaign: population, decisions, reviewer independence, sign-off, remediation proof and audit extract, as a verifiable
              package, PDF, CSV or JSON.
            </div>
          </Link>
        ) : null}
        {can(actor, "evidence.export") ? (
          <Link className="card" href="/evidence/access">
            <div style={{ fontWeight: 600, marginBottom: "0.25rem" }}>Point-in-time access report →</div>
            <div className="l">
              Who could reach a tool, server or resource on a given date, or what an identity could reach, with the paths; as CSV, PDF or a verifiable package.
            </div>
          </Link>
        ) : null}
        {can(actor, "evidence.export") && can(actor, "findings.read") ? (
          <a className="card" href="/api/v1/findings/acceptances/evidence?format=zip" download data-testid="acceptance-evidence-card">
            <div style={{ fontWeight: 600, marginBottom: "0.25rem" }}>Accepted risk (download) →</div>
            <div className="l">
              Every suppression (acceptance by rule and scope: rule, scope, reason, expiry, who, findings matched, revocation) and every finding accepted now,
              with the audit trail, as a verifiable package.
            </div>
          </a>
        ) : null}
      </div>
      <section className="panel" aria-labelledby="check" style={{ marginTop: "1rem" }}>
        <h2 id="check" style={{ marginTop: 0 }}>
          Checking a package you were given
        </h2>
        <p style={{ margin: "0 0 0.5rem" }}>
          Each package (zip) holds <code>manifest.json</code>: who exported it and when (UTC), the Attest version, the SHA-256 of every other file, and the
          audit log&apos;s head at that moment.
        </p>
        <ul style={{ margin: 0, paddingLeft: "1.1rem", lineHeight: 1.8 }}>
          <li>
            <code>npm run evidence:verify -- package.zip</code> rechecks every hash, or by hand: unzip, <code>sha256sum</code>, compare with the manifest.
          </li>
          <li>
            <code>npm run audit:verify -- --anchor &lt;auditChain.head&gt;</code> (or <code>GET /api/v1/audit/verify?anchor=</code>) proves the log still holds
            that head: nothing recorded before the export was removed since.
          </li>
        </ul>
      </section>
    </>
  );
}
