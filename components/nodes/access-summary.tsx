import Link from "next/link";
import { KindBadge } from "@/components/ui/kind-badge";
import type { AccessSummary } from "@/lib/graph/access-summary";
import { NODE_KIND_LABEL } from "@/lib/graph/model";

/** "Who can reach this" / "What this can reach" on a node page: counts by kind, the nearest few, links into the explorer. */
export function AccessSummaryPanel({ nodeId, summary }: { nodeId: string; summary: AccessSummary }) {
  const explore = (kind?: string) => `/graph?${new URLSearchParams({ node: nodeId, mode: summary.mode, ...(kind ? { kind } : {}) })}`;
  const title = summary.mode === "who" ? "Who can reach this" : "What this can reach";
  return (
    <section className="panel" aria-labelledby="access-summary" data-testid="access-summary">
      <h2 id="access-summary" style={{ marginTop: 0 }}>
        {title} <span className="badge">{summary.total.toLocaleString("en")}</span>
      </h2>
      {summary.total === 0 ? (
        <p className="subtitle">
          {summary.mode === "who" ? "No principal" : "Nothing"} within {summary.maxDepth} hops of access edges.
        </p>
      ) : (
        <>
          <p className="chips" aria-label="By kind">
            {summary.byKind.map((k) => (
              <Link key={k.kind} className="chip" href={explore(k.kind)}>
                {NODE_KIND_LABEL[k.kind]} <span className="badge">{k.count.toLocaleString("en")}</span>
              </Link>
            ))}
          </p>
          <table className="data">
            <tbody>
              {summary.first.map((f) => (
                <tr key={f.id}>
                  <td style={{ width: "50%" }}>
                    <Link href={`/nodes/${f.id}`}>{f.name}</Link>
                  </td>
                  <td>
                    <KindBadge kind={f.kind} />
                  </td>
                  <td className="subtitle" style={{ margin: 0 }}>
                    {f.depth} hop{f.depth === 1 ? "" : "s"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <p className="subtitle" style={{ marginBottom: 0 }}>
        <Link href={explore()} data-testid="access-summary-explore">
          {summary.total > summary.first.length
            ? `All ${summary.total.toLocaleString("en")}, with their paths, in the explorer →`
            : "See the paths in the explorer →"}
        </Link>
      </p>
    </section>
  );
}
