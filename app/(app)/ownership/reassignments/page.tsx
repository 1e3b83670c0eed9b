import Link from "next/link";
import { getDb } from "@/db/client";
import { OwnershipTabs } from "@/components/ownership/ownership-tabs";
import { QueueDepartureButton, QueueTable, type QueueRow } from "@/components/ownership/queue-table";
import styles from "@/components/ownership/ownership.module.css";
import { EmptyState } from "@/components/ui/empty-state";
import { PendingChanges } from "@/components/ui/pending-changes";
import { StatusBadge } from "@/components/ui/kind-badge";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { zodDetails } from "@/lib/errors";
import { pendingChanges } from "@/lib/graph/after-change";
import { ownershipTabCounts } from "@/lib/ownership/coverage";
import { listDepartures, listReassignments, listReassignmentsQuerySchema } from "@/lib/ownership/reassignments";
import { hrefWith } from "@/lib/nav/url-state";

export const metadata = { title: "Reassignment queue · Ownership" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const STATUSES = [
  ["open", "Open"],
  ["reassigned", "Reassigned"],
  ["dismissed", "Dismissed"],
  ["all", "All"],
] as const;

const href = (params: Record<string, string>, change: Record<string, string | undefined>) => hrefWith("/ownership/reassignments", params, change);

export default async function ReassignmentsPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requirePagePermission("owner.read");
  const raw = await searchParams;
  const params: Record<string, string> = {};
  for (const k of ["status", "cursor"]) if (typeof raw[k] === "string" && raw[k] !== "") params[k] = raw[k] as string;
  const parsed = listReassignmentsQuerySchema.safeParse({ ...params, limit: "50" });
  const db = await getDb();
  const [tabs, pending] = await Promise.all([ownershipTabCounts(db, actor), pendingChanges(db)]);
  const canResolve = can(actor, "owner.assign");
  const header = (
    <>
      <h1>Reassignment queue</h1>
      <p className="subtitle">
        When someone leaves (by SCIM, an import or by hand), everything they own lands here with a suggested successor, their manager first. Agents still acting
        for them are flagged.
      </p>
      <OwnershipTabs current="reassignments" orphans={tabs.orphans} queue={tabs.queue} readsAll />
      {/* Someone who just left is queued by the after-change pipeline, moments after the change that says so. */}
      <PendingChanges count={pending.count} what="this queue" />
    </>
  );
  if (!parsed.success) {
    return (
      <>
        {header}
        <EmptyState title="That filter is not valid">
          {zodDetails(parsed.error.issues).map((d) => (
            <p key={d.path}>
              <code>{d.path}</code>: {d.message}
            </p>
          ))}
          <Link href="/ownership/reassignments">Show open rows</Link>
        </EmptyState>
      </>
    );
  }
  const [page, departures] = await Promise.all([listReassignments(db, actor, parsed.data), listDepartures(db, actor)]);
  const unqueued = departures.items.filter((d) => d.unqueued > 0 || d.actingAgents > 0);
  const { cursor, ...filters } = params;
  const status = parsed.data.status;

  return (
    <>
      {header}
      {unqueued.length ? (
        <section className="panel" aria-labelledby="departed" data-testid="departures">
          <h2 id="departed" style={{ marginTop: 0 }}>
            People who left but still own things
          </h2>
          <p className="subtitle" style={{ marginBottom: "0.6rem" }}>
            These departures were not reported while Attest was watching (or happened before), so nothing is queued for them yet.
          </p>
          <table className="data">
            <thead>
              <tr>
                <th>Person</th>
                <th className="num">Still owns</th>
                <th className="num">Not queued</th>
                <th className="num">Agents acting for them</th>
                {canResolve ? <th /> : null}
              </tr>
            </thead>
            <tbody>
              {unqueued.map((d) => (
                <tr key={d.human.id}>
                  <td>
                    {d.human.name} {d.human.ended ? <span className="badge danger">gone</span> : <StatusBadge status={d.human.status} />}
                  </td>
                  <td className="num">{d.owns}</td>
                  <td className="num">{d.unqueued}</td>
                  <td className="num">{d.actingAgents}</td>
                  {canResolve ? (
                    <td>
                      <QueueDepartureButton humanId={d.human.id} name={d.human.name} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      <nav className="chips" aria-label="Filter by status">
        {STATUSES.map(([s, label]) => (
          <Link key={s} className="chip" href={href({}, { status: s === "open" ? undefined : s })} aria-current={status === s ? "true" : undefined}>
            {label}
            {s === "open" ? ` ${Object.values(page.open).reduce((a, n) => a + n, 0)}` : ""}
          </Link>
        ))}
      </nav>

      {page.total === 0 ? (
        <EmptyState title={status === "open" ? "Nothing to reassign" : "No rows"}>
          <p>{status === "open" ? "Nobody who left still owns anything that is waiting for a new owner." : "No queue rows have this status."}</p>
        </EmptyState>
      ) : (
        <>
          <QueueTable items={JSON.parse(JSON.stringify(page.items)) as QueueRow[]} canResolve={canResolve} />
          <div className="pager">
            <span>
              {page.items.length} shown of {page.total.toLocaleString("en")}
            </span>
            {cursor ? <Link href={href(filters, { cursor: undefined })}>First page</Link> : null}
            {page.nextCursor ? (
              <Link className="btn secondary" href={href(filters, { cursor: page.nextCursor })} rel="next">
                Next page →
              </Link>
            ) : null}
          </div>
        </>
      )}
      <p className={styles.sub}>
        Accepting or reassigning moves the roles the former owner held to the new owner and end-dates the former owner&apos;s edge; every change is in the audit
        log.
      </p>
    </>
  );
}
