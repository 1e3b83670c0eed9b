import Link from "next/link";
import { KindBadge, RiskBadge, StatusBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import type { HubHeader as Header } from "@/lib/hub/header";
import { HubOwners } from "./hub-owners";
import styles from "./hub.module.css";

/** Name, kind, source, status, risk with its reasons, and the owners panel. */
export function HubHeader({ header }: { header: Header }) {
  const { node, toolRisk, risk, owners } = header;
  return (
    <>
      <p className={`subtitle ${styles.back}`}>
        <Link href={`/nodes?kind=${node.kind}`}>← all of this kind</Link>
      </p>
      <div className={styles.header}>
        <div>
          <h1 className={styles.title}>
            {node.name} <KindBadge kind={node.kind} /> <StatusBadge status={node.status} />
            {node.validTo ? <span className="badge danger">ended</span> : null}
            <RiskBadge risk={toolRisk?.risk ?? risk?.level ?? node.attributes.risk} />
          </h1>
          <dl className={styles.facts}>
            <div>
              <dt>Source</dt>
              <dd>
                <Link href={`/nodes?source=${encodeURIComponent(node.source)}`}>{node.source}</Link>
              </dd>
            </div>
            <div>
              <dt>Last seen</dt>
              <dd>
                <LocalTime value={node.lastSeenAt} />
              </dd>
            </div>
            {node.validTo ? (
              <div>
                <dt>Ended</dt>
                <dd>
                  <LocalTime value={node.validTo} />
                </dd>
              </div>
            ) : null}
            <div>
              <dt>Id</dt>
              <dd className={styles.mono}>{node.id}</dd>
            </div>
            <div>
              <dt className="sr-only">Graph</dt>
              <dd>
                <Link href={`/graph?node=${node.id}`} data-testid="explore-in-graph">
                  Explore in graph →
                </Link>
              </dd>
            </div>
          </dl>
          {toolRisk ? (
            <p className={styles.risk} data-testid="tool-risk-reason" data-reason-code={toolRisk.reasonCode}>
              <strong>Why {toolRisk.risk}:</strong> {toolRisk.reason}
            </p>
          ) : null}
          {risk && !toolRisk ? (
            <div className={styles.risk} data-testid="hub-risk" data-level={risk.level}>
              <strong>
                {risk.level[0]!.toUpperCase()}
                {risk.level.slice(1)} risk
              </strong>{" "}
              <span className="subtitle">(score {risk.score}, from what it is and what it reaches)</span>
              {risk.factors.length ? (
                <ul className={styles.factors} aria-label="Risk factors">
                  {risk.factors.map((f) => (
                    <li key={f}>{f}</li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
        </div>
        {owners ? <HubOwners nodeId={node.id} nodeName={node.name} owners={owners.items} why={owners.why} canAssign={header.can.assignOwners} /> : null}
      </div>
    </>
  );
}
