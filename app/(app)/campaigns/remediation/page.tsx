import Link from "next/link";
import { getDb } from "@/db/client";
import { RemediationTable } from "@/components/campaigns/remediation-table";
import { EmptyState } from "@/components/ui/empty-state";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { listRemediationTasks, listTasksQuerySchema } from "@/lib/campaigns/remediation";

export const metadata = { title: "Remediation tasks" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const FILTERS = [
  { key: undefined, label: "All" },
  { key: "open", label: "Open" },
  { key: "done", label: "Done, awaiting sync" },
  { key: "not_effective", label: "Not effective" },
  { key: "verified", label: "Verified" },
] as const;

export default async function RemediationPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requirePagePermission("campaign.read");
  const sp = await searchParams;
  const params: Record<string, string> = {};
  for (const k of ["status", "campaign", "cursor"]) if (typeof sp[k] === "string" && sp[k] !== "") params[k] = sp[k] as string;
  const parsed = listTasksQuerySchema.safeParse({ ...params, limit: "100" });
  const q = parsed.success ? parsed.data : listTasksQuerySchema.parse({ limit: "100" });
  const page = await listRemediationTasks(await getDb(), actor, q);
  const link = (change: Record<string, string | undefined>) => {
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...params, cursor: undefined, ...change })) if (v) next.set(k, v);
    const s = next.toString();
    return s ? `/campaigns/remediation?${s}` : "/campaigns/remediation";
  };
  const exportQuery = new URLSearchParams({ ...(q.campaign ? { campaign: q.campaign } : {}), ...(q.status ? { status: q.status } : {}) }).toString();

  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
        <Link href="/campaigns">← campaigns</Link>
      </p>
      <h1>Remediation tasks</h1>
      <p className="subtitle">
        Every revoke of a closed campaign becomes a task. Marking it done is not the end: the next import or sync of its source that no longer shows the access
        verifies it, and one that still shows it flags the revocation as not effective.
      </p>
      <div className="cards" aria-label="Tasks by status">
        {(["open", "done", "not_effective", "verified"] as const).map((s) => (
          <Link key={s} className="card" href={link({ status: s })}>
            <div className="n" style={s === "not_effective" && page.counts[s] ? { color: "var(--danger)" } : undefined}>
              {page.counts[s] ?? 0}
            </div>
            <div className="l">{s === "not_effective" ? "not effective" : s === "done" ? "done, awaiting sync" : s}</div>
          </Link>
        ))}
      </div>
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <nav className="chips" aria-label="Filter by status" style={{ margin: 0 }}>
          {FILTERS.map((f) => (
            <Link key={f.label} className="chip" href={link({ status: f.key })} aria-current={q.status === f.key ? "true" : undefined}>
              {f.label}
            </Link>
          ))}
        </nav>
        <a className="btn secondary" href={`/api/v1/remediation/tasks/export${exportQuery ? `?${exportQuery}` : ""}`} download>
          Export CSV
        </a>
      </div>
      {q.campaign ? (
        <p className="subtitle">
          One campaign only · <Link href={link({ campaign: undefined })}>show every campaign</Link>
        </p>
      ) : null}
      {page.total === 0 ? (
        <EmptyState title="No remediation tasks here">
          <p>Tasks appear when a campaign closes with revoked access.</p>
        </EmptyState>
      ) : (
        <>
          <RemediationTable tasks={page.items} canComplete={can(actor, "campaign.manage")} />
          <div className="pager">
            <span>
              {page.items.length} shown of {page.total}
            </span>
            {page.nextCursor ? (
              <Link className="btn secondary" href={`/campaigns/remediation?${new URLSearchParams({ ...params, cursor: page.nextCursor })}`}>
                Next page →
              </Link>
            ) : null}
          </div>
        </>
      )}
    </>
  );
}
