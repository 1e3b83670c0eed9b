import Link from "next/link";
import { KindBadge, StatusBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import type { AccessSummary } from "@/lib/graph/access-summary";
import { NODE_KIND_LABEL } from "@/lib/graph/model";
import type { NeighborView, NodeView } from "@/lib/graph/nodes";
import type { SectionPage } from "@/lib/hub/common";
import { AccessSummaryPanel } from "./access-summary";
import { AttributeList } from "./attribute-list";
import { HubMore } from "./hub-more";
import styles from "./hub.module.css";

/**
 * Who can reach the node or what it reaches (with links to the paths in the
 * explorer), its relationships one edge away, and its attributes and source.
 * Owners are in the header, so incoming owns edges are not repeated here.
 */
export function HubAccess({
  node,
  access,
  relationships,
  paged,
}: {
  node: NodeView;
  access: AccessSummary | null;
  relationships: SectionPage<NeighborView> & { total: number; owners: number };
  paged: boolean;
}) {
  const groups = new Map<string, NeighborView[]>();
  for (const n of relationships.items) {
    const key = n.edge.direction === "out" ? n.edge.label : `${n.edge.label} this ${NODE_KIND_LABEL[node.kind].toLowerCase()}`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return (
    <>
      {access ? (
        <AccessSummaryPanel nodeId={node.id} summary={access} />
      ) : (
        <p className="subtitle">This node is not in the current graph, so it reaches nothing and nothing reaches it now.</p>
      )}
      <section className="panel" aria-labelledby="hub-rel-title">
        <h2 id="hub-rel-title" className={styles.panelTitle}>
          Relationships <span className="badge">{relationships.total.toLocaleString("en")}</span>
        </h2>
        {relationships.owners ? <p className="subtitle">Owners are listed at the top of the page.</p> : null}
        {relationships.total === 0 ? <p className="subtitle">No relationships.</p> : null}
        {[...groups.entries()].map(([label, items]) => (
          <div key={label} data-testid="neighbor-group">
            <h3 className={styles.relGroup}>
              {label} <span className="badge">{items.length}</span>
            </h3>
            <Table caption={label}>
              <tbody>
                {items.map((n) => (
                  <tr key={n.edge.id}>
                    <td className={styles.nameCell}>
                      <Link href={`/nodes/${n.node.id}`}>{n.node.name}</Link>
                    </td>
                    <td>
                      <KindBadge kind={n.node.kind} />
                    </td>
                    <td>
                      <StatusBadge status={n.node.status} />
                      {typeof n.edge.attributes.role === "string" ? <span className="badge info">{n.edge.attributes.role}</span> : null}
                    </td>
                    <td className={styles.sub}>via {n.edge.source}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        ))}
        <HubMore base={`/nodes/${node.id}?tab=access`} nextCursor={relationships.nextCursor} paged={paged} what="relationships" />
      </section>
      <details className={`panel ${styles.details}`} open>
        <summary>Attributes and source</summary>
        <div className={styles.grid}>
          <div>
            <h3>Attributes</h3>
            <AttributeList attributes={node.attributes} />
          </div>
          <div>
            <h3>Source and validity</h3>
            <dl className="attrs">
              <dt>Source</dt>
              <dd>
                <Link href={`/nodes?source=${encodeURIComponent(node.source)}`}>{node.source}</Link>
              </dd>
              <dt>External id</dt>
              <dd className={styles.mono}>{node.externalId}</dd>
              <dt>Address</dt>
              <dd className={styles.mono}>
                {node.source}:{node.kind}:{node.externalId}
              </dd>
              <dt>First seen</dt>
              <dd>
                <LocalTime value={node.firstSeenAt} />
              </dd>
              <dt>Last seen</dt>
              <dd>
                <LocalTime value={node.lastSeenAt} />
              </dd>
              <dt>Valid from</dt>
              <dd>
                <LocalTime value={node.validFrom} />
              </dd>
              <dt>Valid to</dt>
              <dd>{node.validTo ? <LocalTime value={node.validTo} /> : "still current"}</dd>
            </dl>
          </div>
        </div>
      </details>
    </>
  );
}
