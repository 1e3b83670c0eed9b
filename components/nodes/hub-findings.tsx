import Link from "next/link";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import type { FindingView } from "@/lib/findings/views";
import { HubMore } from "./hub-more";
import styles from "./hub.module.css";

const SEVERITY_TONE: Record<string, string> = { critical: "danger", high: "warn", medium: "info", low: "" };

/** The node's findings, most severe first, each linking to its page. */
export function HubFindings({
  nodeId,
  items,
  openCount,
  status,
  nextCursor,
  paged,
}: {
  nodeId: string;
  items: FindingView[];
  openCount: number;
  status: "open" | "all";
  nextCursor: string | null;
  paged: boolean;
}) {
  const base = `/nodes/${nodeId}?tab=findings${status === "all" ? "&status=all" : ""}`;
  return (
    <section className="panel" aria-labelledby="hub-findings-title" data-testid="hub-findings">
      <h2 id="hub-findings-title" className={styles.panelTitle}>
        Findings <span className={`badge ${openCount ? "danger" : "ok"}`}>{openCount} open</span>
      </h2>
      <nav className="chips" aria-label="Which findings">
        <Link className="chip" href={`/nodes/${nodeId}?tab=findings`} aria-current={status === "open" ? "true" : undefined} scroll={false}>
          Open and accepted
        </Link>
        <Link className="chip" href={`/nodes/${nodeId}?tab=findings&status=all`} aria-current={status === "all" ? "true" : undefined} scroll={false}>
          All, resolved too
        </Link>
      </nav>
      {items.length === 0 ? (
        <p className="subtitle">{status === "open" ? "No open finding about this node." : "No finding about this node."}</p>
      ) : (
        <Table caption="Findings about this node" testId="hub-findings-table">
          <thead>
            <tr>
              <th>Severity</th>
              <th>Finding</th>
              <th>Status</th>
              <th>First seen</th>
            </tr>
          </thead>
          <tbody>
            {items.map((f) => (
              <tr key={f.id}>
                <td>
                  <span className={`badge ${SEVERITY_TONE[f.severity] ?? ""}`}>{f.severity}</span>
                </td>
                <td className={styles.nameCell}>
                  <Link href={`/findings/${f.id}`}>{f.title}</Link>
                  <div className={styles.sub}>
                    {f.ruleLabel}
                    {f.owasp.length ? ` · ${f.owasp.map((o) => o.id).join(", ")}` : ""}
                  </div>
                </td>
                <td>
                  <span className={`badge ${f.status === "open" ? "danger" : f.status === "accepted" ? "warn" : "ok"}`}>{f.status}</span>
                  {f.acceptance && f.status === "accepted" ? (
                    <div className={styles.sub}>
                      until <LocalTime value={f.acceptance.expiresAt} relative={false} />
                    </div>
                  ) : null}
                </td>
                <td>
                  <LocalTime value={f.firstSeenAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <HubMore base={base} nextCursor={nextCursor} paged={paged} what="findings" />
    </section>
  );
}
