import Link from "next/link";
import { KindBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import type { HistoryEvent } from "@/lib/hub/history";
import { HubMore } from "./hub-more";
import styles from "./hub.module.css";

/** The node's timeline from validity periods, newest first, each moment linking to the explorer as of then. */
export function HubHistory({
  nodeId,
  nodeName,
  items,
  nextCursor,
  paged,
}: {
  nodeId: string;
  nodeName: string;
  items: HistoryEvent[];
  nextCursor: string | null;
  paged: boolean;
}) {
  return (
    <section className="panel" aria-labelledby="hub-history-title" data-testid="hub-history">
      <h2 id="hub-history-title" className={styles.panelTitle}>
        History
      </h2>
      <p className={`subtitle ${styles.lead}`}>
        When each relationship began and ended, from the sources&apos; validity periods. Attribute changes a source reported are in the audit section.
      </p>
      {items.length === 0 ? (
        <p className="subtitle">No history.</p>
      ) : (
        <ol className={styles.timeline} aria-label="Timeline of this node" data-testid="hub-history-list">
          {items.map((e) => (
            <li key={`${e.edge?.id ?? "node"}-${e.change}`}>
              <div className={styles.when}>
                <LocalTime value={e.at} />
              </div>
              <div className={styles.what}>
                <span className={`badge ${e.change === "began" ? "ok" : "warn"}`}>{e.change}</span>{" "}
                {e.edge && e.other ? (
                  e.edge.direction === "out" ? (
                    <>
                      {nodeName} <span className={styles.sub}>{e.edge.label}</span> <Link href={`/nodes/${e.other.id}`}>{e.other.name}</Link>{" "}
                      <KindBadge kind={e.other.kind} />
                    </>
                  ) : (
                    <>
                      <Link href={`/nodes/${e.other.id}`}>{e.other.name}</Link> <KindBadge kind={e.other.kind} />{" "}
                      <span className={styles.sub}>{e.edge.label}</span> {nodeName}
                    </>
                  )
                ) : (
                  <>{e.change === "began" ? `${nodeName} first reported` : `${nodeName} no longer reported`}</>
                )}
                <div className={styles.sub}>
                  {e.edge ? `from ${e.edge.source} · ` : ""}
                  <Link href={`/graph?${new URLSearchParams({ node: nodeId, asOf: e.at })}`}>the graph as of then →</Link>
                </div>
              </div>
            </li>
          ))}
        </ol>
      )}
      <HubMore base={`/nodes/${nodeId}?tab=history`} nextCursor={nextCursor} paged={paged} what="changes" />
    </section>
  );
}
