import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { KindBadge, RiskBadge, StatusBadge } from "@/components/ui/kind-badge";
import { AccessSummaryPanel } from "@/components/nodes/access-summary";
import { AttributeList } from "@/components/nodes/attribute-list";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { accessSummaryFor } from "@/lib/graph/access-summary";
import { getNodeFor } from "@/lib/graph/node-api";
import { listNeighbors, type NeighborView } from "@/lib/graph/nodes";

export const metadata = { title: "Node" };

const NEIGHBOR_LIMIT = 500;

export default async function NodePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePagePermission("graph.read");
  const db = await getDb();
  const { id } = await params;
  let node;
  try {
    node = await getNodeFor(db, actor, decodeURIComponent(id));
  } catch (e) {
    if (isAppError(e) && (e.code === "not_found" || e.code === "validation")) notFound();
    throw e;
  }
  const [neighbors, access] = await Promise.all([listNeighbors(db, node.id, { direction: "both", limit: NEIGHBOR_LIMIT }), accessSummaryFor(db, actor, node)]);
  const groups = new Map<string, NeighborView[]>();
  for (const n of neighbors.items) {
    const key = n.edge.direction === "out" ? n.edge.label : `${n.edge.label} (incoming)`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }

  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
        <Link href={`/nodes?kind=${node.kind}`}>← all of this kind</Link>
      </p>
      <h1 style={{ display: "flex", gap: "0.6rem", alignItems: "center", flexWrap: "wrap" }}>
        {node.name} <KindBadge kind={node.kind} /> <StatusBadge status={node.status} /> <RiskBadge risk={node.toolRisk?.risk ?? node.attributes.risk} />
      </h1>
      {node.toolRisk ? (
        <p className="subtitle" data-testid="tool-risk-reason" data-reason-code={node.toolRisk.reasonCode}>
          Why {node.toolRisk.risk}: {node.toolRisk.reason}
        </p>
      ) : null}
      <p className="subtitle">
        <span className="mono">{node.id}</span> ·{" "}
        <Link href={`/graph?node=${node.id}`} data-testid="explore-in-graph">
          Explore in graph →
        </Link>
      </p>
      <div className="grid2">
        <section className="panel" aria-labelledby="attrs">
          <h2 id="attrs" style={{ marginTop: 0 }}>
            Attributes
          </h2>
          <AttributeList attributes={node.attributes} />
        </section>
        <section className="panel" aria-labelledby="provenance">
          <h2 id="provenance" style={{ marginTop: 0 }}>
            Source and history
          </h2>
          <dl className="attrs">
            <dt>Source</dt>
            <dd>
              <Link href={`/nodes?source=${encodeURIComponent(node.source)}`}>{node.source}</Link>
            </dd>
            <dt>External id</dt>
            <dd className="mono">{node.externalId}</dd>
            <dt>Address</dt>
            <dd className="mono">
              {node.source}:{node.kind}:{node.externalId}
            </dd>
            <dt>First seen</dt>
            <dd>{node.firstSeenAt}</dd>
            <dt>Last seen</dt>
            <dd>{node.lastSeenAt}</dd>
            <dt>Valid</dt>
            <dd>
              from {node.validFrom} {node.validTo ? `to ${node.validTo}` : "(current)"}
            </dd>
          </dl>
        </section>
      </div>
      {access ? <AccessSummaryPanel nodeId={node.id} summary={access} /> : null}
      <section className="panel" aria-labelledby="neighbors">
        <h2 id="neighbors" style={{ marginTop: 0 }}>
          Relationships <span className="badge">{neighbors.total}</span>
        </h2>
        {neighbors.total === 0 ? <p className="subtitle">No relationships.</p> : null}
        {neighbors.total > NEIGHBOR_LIMIT ? <p className="subtitle">Showing the first {NEIGHBOR_LIMIT}.</p> : null}
        {[...groups.entries()].map(([label, items]) => (
          <div key={label} data-testid="neighbor-group">
            <h3 style={{ fontSize: "0.95rem", margin: "1rem 0 0.4rem" }}>
              {label} <span className="badge">{items.length}</span>
            </h3>
            <table className="data">
              <tbody>
                {items.map((n) => (
                  <tr key={n.edge.id}>
                    <td style={{ width: "40%" }}>
                      <Link href={`/nodes/${n.node.id}`}>{n.node.name}</Link>
                    </td>
                    <td>
                      <KindBadge kind={n.node.kind} />
                    </td>
                    <td>
                      <StatusBadge status={n.node.status} />
                      {typeof n.edge.attributes.role === "string" ? <span className="badge info">{n.edge.attributes.role}</span> : null}
                    </td>
                    <td className="subtitle" style={{ margin: 0 }}>
                      via {n.edge.source}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </section>
    </>
  );
}
