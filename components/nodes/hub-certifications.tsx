import Link from "next/link";
import { KindBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import type { CertificationRow, CertificationSummary } from "@/lib/hub/certifications";
import { EDGE_RULES, isEdgeKind } from "@/lib/graph/model";
import { HubMore } from "./hub-more";
import styles from "./hub.module.css";

const TONE: Record<string, string> = { approve: "ok", revoke: "danger", abstain: "warn", no_response: "warn" };

/** Campaign decisions on the accesses the node holds or that reach it; the last approval first. */
export function HubCertifications({
  nodeId,
  items,
  summary,
  nextCursor,
  paged,
}: {
  nodeId: string;
  items: CertificationRow[];
  summary: CertificationSummary;
  nextCursor: string | null;
  paged: boolean;
}) {
  const last = summary.lastCertified;
  return (
    <section className="panel" aria-labelledby="hub-cert-title" data-testid="hub-certifications">
      <h2 id="hub-cert-title" className={styles.panelTitle}>
        Certifications <span className="badge">{summary.total.toLocaleString("en")} reviews</span>
        {summary.pending ? <span className="badge warn">{summary.pending} awaiting a decision</span> : null}
      </h2>
      <p className={styles.lead} data-testid="last-certified">
        {last ? (
          <>
            Last certified <LocalTime value={last.at} /> by <strong>{last.by ?? "the campaign's outcome"}</strong> in{" "}
            <Link href={`/campaigns/${last.campaign.id}`}>{last.campaign.name}</Link>.
          </>
        ) : (
          <>Never certified: no campaign has approved access of or to this node.</>
        )}
      </p>
      {items.length === 0 ? null : (
        <Table caption="Campaign decisions on this node's access" testId="hub-certifications-table">
          <thead>
            <tr>
              <th>Access reviewed</th>
              <th>Decision</th>
              <th>By</th>
              <th>When</th>
              <th>Campaign</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.itemId}>
                <td className={styles.nameCell}>
                  <span className={styles.path}>
                    {c.role === "subject" ? (
                      <strong>{c.subject.name}</strong>
                    ) : (
                      <>
                        <Link href={`/nodes/${c.subject.id}`}>{c.subject.name}</Link> <KindBadge kind={c.subject.kind} />
                      </>
                    )}
                    <span className={styles.sub}>{isEdgeKind(c.edgeKind) ? EDGE_RULES[c.edgeKind].label : c.edgeKind}</span>
                    {c.role === "target" ? (
                      <strong>{c.target.name}</strong>
                    ) : (
                      <>
                        <Link href={`/nodes/${c.target.id}`}>{c.target.name}</Link> <KindBadge kind={c.target.kind} />
                      </>
                    )}
                  </span>
                  {c.level === 2 ? <div className={styles.sub}>second-level review</div> : null}
                </td>
                <td>
                  {c.decision || c.outcome ? (
                    <span className={`badge ${TONE[c.outcome ?? c.decision ?? ""] ?? ""}`}>{(c.outcome ?? c.decision)!.replace("_", " ")}</span>
                  ) : (
                    <span className="badge">pending</span>
                  )}
                  {c.justification ? <div className={styles.sub}>“{c.justification}”</div> : null}
                </td>
                <td>{c.decidedBy ?? (c.reviewer ? <span className={styles.sub}>{c.reviewer} (reviewer)</span> : "—")}</td>
                <td>
                  <LocalTime value={c.decidedAt ?? c.at} />
                </td>
                <td>
                  <Link href={`/campaigns/${c.campaign.id}`}>{c.campaign.name}</Link>
                  <div className={styles.sub}>{c.campaign.status.replace("_", " ")}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <HubMore base={`/nodes/${nodeId}?tab=certifications`} nextCursor={nextCursor} paged={paged} what="reviews" />
    </section>
  );
}
