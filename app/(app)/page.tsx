import Link from "next/link";
import { getDb } from "@/db/client";
import { FindingsCard } from "@/components/findings/findings-card";
import { FixFirstCard } from "@/components/findings/fix-first-card";
import { EmptyState } from "@/components/ui/empty-state";
import { KindBadge } from "@/components/ui/kind-badge";
import { can } from "@/lib/authz/permissions";
import { requirePageActor } from "@/lib/authz/session";
import { KIND_COLOR } from "@/lib/graph/kind-style";
import { EDGE_RULES, NODE_KINDS, NODE_KIND_LABEL, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { graphCounts } from "@/lib/graph/nodes";
import { listFindingGroups, listGroupsQuerySchema } from "@/lib/findings/group-queries";
import { findingsSummary } from "@/lib/findings/queries";
import { listOwnedByActor } from "@/lib/ownership/owned-by";
import { ReviewSummaryPanel } from "@/components/campaigns/review-summary-panel";
import { summarizeMyReviews } from "@/lib/campaigns/reviewer-summary";

export const metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const actor = await requirePageActor();
  const db = await getDb();
  // Independent reads, side by side.
  const [owned, counts, findings, fixFirst, reviews] = await Promise.all([
    listOwnedByActor(db, actor),
    can(actor, "graph.read") ? graphCounts(db) : null,
    can(actor, "findings.read") ? findingsSummary(db, actor, { status: "open" }) : null,
    can(actor, "findings.read") ? listFindingGroups(db, actor, listGroupsQuerySchema.parse({ limit: "5" })) : null,
    can(actor, "review.decide") ? summarizeMyReviews(db, actor) : null,
  ]);
  // The reviewer's work leads their home: first for anyone with review items, and for reviewers who read nothing else.
  const reviewsFirst = reviews !== null && (reviews.campaigns.length > 0 || !counts);

  const sources = counts ? [...new Set(counts.bySource.map((r) => r.source))] : [];
  const perSource = (source: string) => counts!.bySource.filter((r) => r.source === source);

  return (
    <>
      <h1>Welcome, {actor.name.split(" ")[0]}</h1>
      <p className="subtitle">
        {counts
          ? `${counts.total.toLocaleString("en")} identities, systems and credentials in the graph, from ${sources.length} sources.`
          : "Your review work and what you own."}
      </p>

      {reviews && reviewsFirst ? <ReviewSummaryPanel summary={reviews} /> : null}

      {counts ? (
        counts.total === 0 ? (
          <EmptyState title="The graph is empty">
            <p>
              Nothing has been imported yet. Imports arrive through the API (<code>POST /api/v1/imports</code>) or SCIM.
            </p>
          </EmptyState>
        ) : (
          <>
            <div className="cards" aria-label="Counts by kind">
              {NODE_KINDS.map((k) => (
                <Link key={k} className="card" href={`/nodes?kind=${k}`} data-testid={`count-${k}`}>
                  <div className="n">{(counts.byKind[k] ?? 0).toLocaleString("en")}</div>
                  <div className="l">
                    <span className="dot" style={{ background: KIND_COLOR[k] }} aria-hidden />
                    {NODE_KIND_LABEL[k]}
                  </div>
                </Link>
              ))}
            </div>
            <div className="grid2">
              <section className="panel" aria-labelledby="by-source">
                <h2 id="by-source" style={{ marginTop: 0 }}>
                  By source
                </h2>
                <table className="data">
                  <thead>
                    <tr>
                      <th>Source</th>
                      <th>Mix</th>
                      <th className="num">Nodes</th>
                    </tr>
                  </thead>
                  <tbody>
                    {sources.map((s) => {
                      const rows = perSource(s);
                      const total = rows.reduce((a, r) => a + r.count, 0);
                      return (
                        <tr key={s} data-testid={`source-${s}`}>
                          <td>
                            <Link href={`/nodes?source=${encodeURIComponent(s)}`}>{s}</Link>
                          </td>
                          <td style={{ width: "45%" }}>
                            <div className="bar" title={rows.map((r) => `${NODE_KIND_LABEL[r.kind as NodeKind]}: ${r.count}`).join(", ")}>
                              {rows.map((r) => (
                                <span key={r.kind} style={{ width: `${(100 * r.count) / total}%`, background: KIND_COLOR[r.kind as NodeKind] }} />
                              ))}
                            </div>
                          </td>
                          <td className="num">{total}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </section>
              <section className="panel" aria-labelledby="edges">
                <h2 id="edges" style={{ marginTop: 0 }}>
                  Relationships
                </h2>
                <table className="data">
                  <thead>
                    <tr>
                      <th>Edge</th>
                      <th>Carries access</th>
                      <th className="num">Count</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(counts.edgesByKind)
                      .sort((a, b) => b[1] - a[1])
                      .map(([k, n]) => (
                        <tr key={k}>
                          <td>{EDGE_RULES[k as EdgeKind].label}</td>
                          <td>{EDGE_RULES[k as EdgeKind].access ? "yes" : "governance"}</td>
                          <td className="num">{n}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </section>
            </div>
          </>
        )
      ) : null}

      {findings && fixFirst ? (
        <div className="grid2">
          <FixFirstCard groups={fixFirst.items} total={fixFirst.total} />
          <FindingsCard summary={findings} />
        </div>
      ) : null}

      <section className="panel" aria-labelledby="owned">
        <h2 id="owned" style={{ marginTop: 0 }}>
          What you own
        </h2>
        {owned.length === 0 ? (
          <p className="subtitle" style={{ margin: 0 }}>
            {actor.humanNodeId
              ? "You are not recorded as the owner of any agent, server, account or credential."
              : "Your sign-in is not linked to a person in the graph."}
          </p>
        ) : (
          <table className="data" data-testid="owned-list" tabIndex={0}>
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th>Your role</th>
              </tr>
            </thead>
            <tbody>
              {owned.map((o) => (
                <tr key={o.id}>
                  <td>{can(actor, "graph.read") ? <Link href={`/nodes/${o.id}`}>{o.name}</Link> : o.name}</td>
                  <td>
                    <KindBadge kind={o.kind} />
                  </td>
                  <td>{o.role ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {can(actor, "review.decide") && !reviewsFirst ? (
        <section className="panel" aria-labelledby="reviews">
          <h2 id="reviews" style={{ marginTop: 0 }}>
            Your reviews
          </h2>
          <p className="subtitle" style={{ margin: 0 }}>
            Access reviews assigned to you are in your <Link href="/campaigns/inbox">review inbox</Link>.
          </p>
        </section>
      ) : null}
    </>
  );
}
