import Link from "next/link";
import { getDb } from "@/db/client";
import { OwnershipTabs } from "@/components/ownership/ownership-tabs";
import styles from "@/components/ownership/ownership.module.css";
import { EmptyState } from "@/components/ui/empty-state";
import { KindBadge } from "@/components/ui/kind-badge";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { ownershipTabCounts } from "@/lib/ownership/coverage";
import { listMyOwnership, mineQuerySchema } from "@/lib/ownership/owned-by";

export const metadata = { title: "What I own · Ownership" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function MinePage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requirePagePermission("owner.read", "review.decide");
  const raw = await searchParams;
  const cursor = typeof raw.cursor === "string" && raw.cursor ? raw.cursor : undefined;
  const db = await getDb();
  const readsAll = can(actor, "owner.read");
  const tabs = readsAll ? await ownershipTabCounts(db, actor) : undefined;
  let page;
  try {
    page = await listMyOwnership(db, actor, mineQuerySchema.parse({ limit: "50", ...(cursor ? { cursor } : {}) }));
  } catch (e) {
    if (!isAppError(e)) throw e;
    page = null;
  }

  return (
    <>
      <h1>What I own</h1>
      <p className="subtitle">
        The agents, accounts, servers, entitlements, resources and credentials you answer for, yourself or through your groups, and what their ownership is
        missing.
      </p>
      <OwnershipTabs current="mine" orphans={tabs?.orphans} queue={tabs?.queue} readsAll={readsAll} />
      {!page ? (
        <EmptyState title="That page link is not valid">
          <Link href="/ownership/mine">Start again</Link>
        </EmptyState>
      ) : !page.linked ? (
        <EmptyState title="Your sign-in is not linked to a person">
          <p>Ask an admin to link your account to your person in the directory; then what you own appears here.</p>
        </EmptyState>
      ) : page.total === 0 ? (
        <EmptyState title="You own nothing yet">
          <p>You are not recorded as the owner of any agent, service account, server, entitlement, resource or credential, nor is any group you belong to.</p>
        </EmptyState>
      ) : (
        <>
          <table className="data" data-testid="mine-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Your role</th>
                <th>Co-owners</th>
                <th>Needs attention</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((i) => (
                <tr key={i.id}>
                  <td>
                    <Link href={`/ownership/nodes/${i.id}`}>{i.name}</Link>
                    <div className={styles.sub}>
                      <KindBadge kind={i.kind} />
                    </div>
                  </td>
                  <td>
                    {i.roles.join(", ") || "—"}
                    {i.via ? <div className={styles.sub}>through {i.via.name}</div> : null}
                  </td>
                  <td className={styles.owners}>
                    {i.owners
                      .filter((o) => o.owner.id !== actor.humanNodeId && o.owner.id !== i.via?.id)
                      .map((o) => (
                        <div key={o.edgeId} className={o.active ? undefined : styles.gone}>
                          {o.owner.name} <span className={styles.sub}>{o.roles.join(", ")}</span>
                        </div>
                      ))}
                  </td>
                  <td>
                    {i.gaps.length ? (
                      <div className={styles.rules}>
                        {i.gaps.map((g) => (
                          <span key={g} className="badge warn">
                            {g}
                          </span>
                        ))}
                      </div>
                    ) : (
                      <span className="badge ok">complete</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <span>
              {page.items.length} shown of {page.total}
            </span>
            {cursor ? <Link href="/ownership/mine">First page</Link> : null}
            {page.nextCursor ? (
              <Link className="btn secondary" href={`/ownership/mine?cursor=${page.nextCursor}`} rel="next">
                Next page →
              </Link>
            ) : null}
          </div>
        </>
      )}
    </>
  );
}
