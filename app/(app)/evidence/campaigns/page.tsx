import Link from "next/link";
import { getDb } from "@/db/client";
import { EmptyState } from "@/components/ui/empty-state";
import { requirePagePermission } from "@/lib/authz/session";
import { listCampaigns } from "@/lib/campaigns/queries";
import { FULL_DETAIL_MAX } from "@/lib/evidence/campaign-evidence";

export const metadata = { title: "Campaign evidence" };

const STATUS_TONE: Record<string, string> = { draft: "", active: "info", closed: "warn", signed_off: "ok" };
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");

export default async function CampaignEvidencePage() {
  const actor = await requirePagePermission("evidence.export");
  const { items } = await listCampaigns(await getDb(), actor);
  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.25rem" }}>
        <Link href="/evidence">Evidence</Link> /
      </p>
      <h1>Campaign evidence</h1>
      <p className="subtitle">
        One package per campaign, read from a single consistent snapshot: scope and population, every item with its reviewer and decision, reviewer
        independence, reassignments, totals, sign-off, remediation proof, the campaign&apos;s audit extract, items decided in an earlier campaign and the
        notifications reviewers were sent. Downloads are streamed as they are read, whatever the campaign&apos;s size; the manifest with every file&apos;s hash
        comes last. Re-exporting a closed campaign gives the same files; only the manifest&apos;s time changes. Above {FULL_DETAIL_MAX.toLocaleString("en")}{" "}
        items the PDF is a summary and JSON is not offered: the items are in the CSV.
      </p>
      {items.length === 0 ? (
        <EmptyState title="No campaigns yet">
          <p>Campaigns appear here once an analyst creates one.</p>
        </EmptyState>
      ) : (
        <table className="data" data-testid="campaign-evidence-table">
          <thead>
            <tr>
              <th>Campaign</th>
              <th>Control</th>
              <th>Status</th>
              <th className="num">Items</th>
              <th>Closed</th>
              <th>Signed off</th>
              <th>Evidence</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td>
                  {c.name}
                  <div className="subtitle mono" style={{ margin: 0, fontSize: "0.75rem" }}>
                    {c.id}
                  </div>
                </td>
                <td>{c.control ?? "—"}</td>
                <td>
                  <span className={`badge ${STATUS_TONE[c.status] ?? ""}`}>{c.status.replace("_", " ")}</span>
                </td>
                <td className="num">
                  {c.counts.decided}/{c.counts.items}
                </td>
                <td>{day(c.closedAt)}</td>
                <td>{day(c.signedOffAt)}</td>
                <td style={{ whiteSpace: "nowrap" }}>
                  {c.status === "draft" || c.status === "launching" ? (
                    <span className="subtitle">not launched</span>
                  ) : (
                    <span style={{ display: "inline-flex", gap: "0.6rem" }}>
                      <a href={`/api/v1/campaigns/${c.id}/evidence?format=zip`} download aria-label={`Evidence package for ${c.name}`}>
                        package
                      </a>
                      <a href={`/api/v1/campaigns/${c.id}/evidence?format=pdf`} download aria-label={`PDF report for ${c.name}`}>
                        PDF
                      </a>
                      <a href={`/api/v1/campaigns/${c.id}/evidence?format=csv`} download aria-label={`Items CSV for ${c.name}`}>
                        CSV
                      </a>
                      {c.counts.items <= FULL_DETAIL_MAX ? (
                        <a href={`/api/v1/campaigns/${c.id}/evidence?format=json`} aria-label={`JSON for ${c.name}`}>
                          JSON
                        </a>
                      ) : null}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
