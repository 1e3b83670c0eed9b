import Link from "next/link";
import { KindBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import type { NodeToolUsage, ToolUsageRow } from "@/lib/hub/tool-usage";
import styles from "./hub.module.css";

const DAY_MS = 86_400_000;

/** "today", "1 day ago", "N days ago"; `now` is the page's render time (a server component). */
function daysAgo(iso: string, now: number): string {
  const d = Math.max(0, Math.floor((now - Date.parse(iso)) / DAY_MS));
  return d === 0 ? "today" : d === 1 ? "1 day ago" : `${d} days ago`;
}

function LastUsed({ row, now }: { row: ToolUsageRow; now: number }) {
  if (row.lastUsedAt)
    return (
      <span title={new Date(row.lastUsedAt).toISOString()}>
        last used {daysAgo(row.lastUsedAt, now)}{" "}
        <span className={styles.sub}>
          (<LocalTime value={row.lastUsedAt} relative={false} dateOnly />)
        </span>
      </span>
    );
  return row.toolHasUsageData ? <span className="badge warn">never seen</span> : <span className={styles.sub}>no usage data for this tool</span>;
}

/**
 * "Last used" per (subject, tool): on a principal's page the tools it can reach, on a tool's page who can reach it,
 * each with its last call as the decision log and gateways' telemetry saw it (docs/DECISION-LOG.md).
 */
export function ToolUsagePanel({
  usage,
  now,
  nodeId,
  canReadDecisions = false,
}: {
  usage: NodeToolUsage;
  now: number;
  nodeId?: string;
  canReadDecisions?: boolean;
}) {
  const title = usage.side === "subject" ? "Tool usage" : "Who used this tool";
  return (
    <section className="panel" aria-labelledby="hub-usage-title" data-testid="tool-usage">
      <h2 id="hub-usage-title" className={styles.panelTitle}>
        {title} <span className="badge">{(usage.rows.length + usage.more).toLocaleString("en")}</span>
      </h2>
      {usage.rows.length === 0 ? (
        <p className="subtitle">{usage.side === "subject" ? "Reaches no tool now." : "No one can reach this tool now."}</p>
      ) : (
        <Table caption={title}>
          <tbody>
            {usage.rows.map((r) => (
              <tr key={r.id}>
                <td className={styles.nameCell}>
                  <Link href={`/nodes/${r.id}`}>{r.name}</Link>
                </td>
                <td>
                  <KindBadge kind={r.kind} />
                </td>
                <td>
                  <LastUsed row={r} now={now} />
                </td>
                <td className={styles.sub}>
                  {r.lastUsedAt ? `${r.calls.toLocaleString("en")} calls, via ${r.via === "otlp" ? "gateway telemetry" : "decision log"}` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {usage.more ? <p className="subtitle">and {usage.more.toLocaleString("en")} more reachable, never seen or seen less recently.</p> : null}
      {nodeId && canReadDecisions ? (
        <p>
          <Link href={`/decisions?${usage.side === "subject" ? "subject" : "tool"}=${encodeURIComponent(nodeId)}`} data-testid="node-decisions-link">
            Runtime decisions {usage.side === "subject" ? "for this identity" : "about this tool"} →
          </Link>
        </p>
      ) : null}
    </section>
  );
}
