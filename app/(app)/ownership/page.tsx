import Link from "next/link";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { CoverageKinds } from "@/components/ownership/coverage-kinds";
import { OwnershipTabs } from "@/components/ownership/ownership-tabs";
import { pct, ShareBar } from "@/components/ownership/share";
import { TrendChart } from "@/components/ownership/trend-chart";
import styles from "@/components/ownership/ownership.module.css";
import { EmptyState } from "@/components/ui/empty-state";
import { PendingChanges } from "@/components/ui/pending-changes";
import { KindBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { pendingChanges } from "@/lib/graph/after-change";
import { getCoverage } from "@/lib/ownership/coverage";
import { listDepartures, listReassignments, listReassignmentsQuerySchema } from "@/lib/ownership/reassignments";

export const metadata = { title: "Ownership" };

const GAP_ROWS = 12;

export default async function OwnershipPage() {
  const actor = await requirePagePermission("owner.read", "review.decide");
  // Reviewers see only what they own.
  if (!can(actor, "owner.read")) redirect("/ownership/mine");
  const db = await getDb();
  const [coverage, queue, departures, pending] = await Promise.all([
    // The coverage point the after-change pipeline keeps: no whole-graph count in this request.
    getCoverage(db, actor, undefined, { kept: true }),
    listReassignments(db, actor, listReassignmentsQuerySchema.parse({ limit: "1" })),
    listDepartures(db, actor),
    pendingChanges(db),
  ]);
  const unqueued = departures.items.filter((d) => d.unqueued > 0 || d.actingAgents > 0);
  const t = coverage.totals;
  const worst = coverage.gaps.filter((g) => g.unowned > 0);

  return (
    <>
      <h1>Ownership</h1>
      <p className="subtitle">
        Every agent, service account, MCP server, tool, entitlement, resource and credential needs an accountable owner who still works here.
      </p>
      <OwnershipTabs current="coverage" orphans={t.unowned} queue={queue.total} readsAll />
      <PendingChanges count={pending.count} what="the reassignment queue and today's trend point" />
      {coverage.kept && !coverage.kept.current ? (
        <p role="status" data-testid="coverage-pending">
          <span className="badge warn">Recounting…</span> These figures were counted <LocalTime value={coverage.kept.computedAt} />, before the latest changes;
          they are being recounted.
        </p>
      ) : null}

      {t.total === 0 ? (
        <EmptyState title="Nothing to own yet">
          <p>Once agents, accounts, servers or credentials are imported, their ownership coverage appears here.</p>
        </EmptyState>
      ) : (
        <>
          <div className={styles.cards}>
            <div className={`${styles.stat} ${t.ownedShare !== null && t.ownedShare >= 0.9 ? styles.good : ""}`} data-testid="coverage-owned">
              <div className={styles.value}>{pct(t.ownedShare)}</div>
              <div className={styles.label}>
                {t.owned.toLocaleString("en")} of {t.total.toLocaleString("en")} have an active owner
              </div>
            </div>
            <div className={styles.stat} data-testid="coverage-both">
              <div className={styles.value}>{pct(t.businessAndTechnicalShare)}</div>
              <div className={styles.label}>have both a business and a technical owner</div>
            </div>
            <Link className={`${styles.stat} ${t.unowned > 0 ? styles.bad : styles.good}`} href="/ownership/orphans" data-testid="coverage-orphans">
              <div className={styles.value}>{t.unowned.toLocaleString("en")}</div>
              <div className={styles.label}>orphans: no active owner →</div>
            </Link>
            <Link
              className={`${styles.stat} ${queue.total + unqueued.length > 0 ? styles.bad : styles.good}`}
              href="/ownership/reassignments"
              data-testid="coverage-queue"
            >
              {queue.total === 0 && unqueued.length > 0 ? (
                <>
                  <div className={styles.value}>{unqueued.length}</div>
                  <div className={styles.label}>departed {unqueued.length === 1 ? "person still owns" : "people still own"} things, not queued yet →</div>
                </>
              ) : (
                <>
                  <div className={styles.value}>{queue.total.toLocaleString("en")}</div>
                  <div className={styles.label}>
                    open reassignments{unqueued.length ? `; ${unqueued.length} more departed ${unqueued.length === 1 ? "person" : "people"} not queued` : ""} →
                  </div>
                </>
              )}
            </Link>
          </div>

          <div className="grid2">
            <section className="panel" aria-labelledby="by-kind">
              <h2 id="by-kind" style={{ marginTop: 0 }}>
                By kind
              </h2>
              <CoverageKinds rows={coverage.byKind} />
            </section>
            <section className="panel" aria-labelledby="trend">
              <h2 id="trend" style={{ marginTop: 0 }}>
                Trend, last 90 days
              </h2>
              <TrendChart points={coverage.trend} />
            </section>
          </div>

          <section className="panel" aria-labelledby="gaps">
            <h2 id="gaps" style={{ marginTop: 0 }}>
              Worst gaps
            </h2>
            {worst.length === 0 ? (
              <p className="subtitle" style={{ margin: 0 }}>
                No gaps: everything has an active owner.
              </p>
            ) : (
              <>
                <p className="subtitle" style={{ marginBottom: "0.6rem" }}>
                  Kinds and sources with the most nodes without an active owner, then the lowest share.
                </p>
                <table className="data" data-testid="gaps-table">
                  <thead>
                    <tr>
                      <th>Kind</th>
                      <th>Source</th>
                      <th className="num">Without owner</th>
                      <th>Owned</th>
                      <th>Business + technical</th>
                    </tr>
                  </thead>
                  <tbody>
                    {worst.slice(0, GAP_ROWS).map((g) => (
                      <tr key={`${g.kind}/${g.source}`}>
                        <td>
                          <KindBadge kind={g.kind} />
                        </td>
                        <td>{g.source}</td>
                        <td className="num">
                          <Link href={`/ownership/orphans?kind=${g.kind}&source=${encodeURIComponent(g.source)}`}>
                            {g.unowned} of {g.total}
                          </Link>
                        </td>
                        <td>
                          <ShareBar share={g.ownedShare} />
                        </td>
                        <td>
                          <ShareBar share={g.businessAndTechnicalShare} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {worst.length > GAP_ROWS ? <p className="pager">{worst.length - GAP_ROWS} smaller gaps not shown; the coverage API lists them all.</p> : null}
              </>
            )}
          </section>

          <section className="panel" aria-labelledby="by-source">
            <h2 id="by-source" style={{ marginTop: 0 }}>
              By source
            </h2>
            <table className="data">
              <thead>
                <tr>
                  <th>Source</th>
                  <th className="num">Nodes</th>
                  <th>Owned</th>
                  <th>Business + technical</th>
                  <th className="num">Without owner</th>
                </tr>
              </thead>
              <tbody>
                {coverage.bySource.map((s) => (
                  <tr key={s.source}>
                    <td>{s.source}</td>
                    <td className="num">{s.total}</td>
                    <td>
                      <ShareBar share={s.ownedShare} />
                    </td>
                    <td>
                      <ShareBar share={s.businessAndTechnicalShare} />
                    </td>
                    <td className="num">{s.unowned > 0 ? <Link href={`/ownership/orphans?source=${encodeURIComponent(s.source)}`}>{s.unowned}</Link> : 0}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </>
  );
}
