import Link from "next/link";
import { getDb } from "@/db/client";
import { RetryJobButton } from "@/components/admin/retry-job-button";
import { EmptyState } from "@/components/ui/empty-state";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { JOB_STATES, listJobs, summarizeJobs, type JobState } from "@/lib/jobs/admin";

export const metadata = { title: "Background jobs" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const STATE_LABEL: Record<JobState, string> = {
  created: "queued",
  retry: "queued (retry)",
  active: "running",
  completed: "completed",
  cancelled: "cancelled",
  failed: "failed",
};
const STATE_BADGE: Record<JobState, string> = { created: "info", retry: "warn", active: "info", completed: "ok", cancelled: "", failed: "danger" };
const when = (s: string | null) => (s ? s.replace("T", " ").slice(0, 19) : "—");
const ms = (n: number | null) => (n == null ? "—" : n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`);

export default async function JobsPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requirePagePermission("admin.jobs");
  const db = await getDb();
  const sp = await searchParams;
  const state = typeof sp.state === "string" && (JOB_STATES as readonly string[]).includes(sp.state) ? (sp.state as JobState) : undefined;
  const cursor = typeof sp.cursor === "string" ? sp.cursor : undefined;
  const summary = await summarizeJobs(db, actor);
  // A cursor edited by hand or from an older list: show the first page rather than an error page.
  const list = await listJobs(db, actor, { state, cursor, limit: 50 }).catch((e: unknown) => {
    if (isAppError(e) && e.code === "validation") return listJobs(db, actor, { state, limit: 50 });
    throw e;
  });
  const href = (q: Record<string, string | undefined>) =>
    `/admin/jobs?${new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1])).toString()}`;

  return (
    <>
      <h1>Background jobs</h1>
      <p className="subtitle">
        Work the server does after a request has answered, and on schedules (times in UTC). A job whose process stopped is marked failed, with the reason,
        within two minutes; failed jobs can be retried. <Link href="/admin">Back to Admin</Link>
      </p>
      <h2>By job</h2>
      <table className="data" data-testid="job-names" tabIndex={0}>
        <thead>
          <tr>
            <th>Job</th>
            <th>Schedule</th>
            <th>Queued</th>
            <th>Running</th>
            <th>Failed</th>
            <th>Last run</th>
          </tr>
        </thead>
        <tbody>
          {summary.map((s) => (
            <tr key={s.name}>
              <td>
                <code>{s.name}</code>
              </td>
              <td>{s.schedule ? <span title={`cron ${s.schedule.cron} (UTC)`}>{s.schedule.description}</span> : "on demand"}</td>
              <td>{s.queued}</td>
              <td>{s.running}</td>
              <td>{s.failed ? <Link href={href({ state: "failed" })}>{s.failed}</Link> : 0}</td>
              <td>
                {s.lastRun
                  ? `${s.lastRun.state} ${when(s.lastRun.startedAt)} UTC, ${ms(s.lastRun.durationMs)}${s.lastRun.errorClass ? ` (${s.lastRun.errorClass})` : ""}`
                  : "never"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 id="jobs-title">Jobs</h2>
      <nav className="toolbar" aria-label="Filter jobs by state">
        <Link className={`btn ${state ? "secondary" : ""}`} href="/admin/jobs">
          All
        </Link>
        {(["created", "active", "failed", "completed"] as const).map((s) => (
          <Link key={s} className={`btn ${state === s ? "" : "secondary"}`} href={href({ state: s })}>
            {STATE_LABEL[s]}
          </Link>
        ))}
      </nav>
      {list.items.length === 0 ? (
        <EmptyState title={state ? `No ${STATE_LABEL[state]} jobs` : "No jobs yet"}>
          <p>Jobs appear here when the server enqueues them: after graph changes, and on the schedules above.</p>
        </EmptyState>
      ) : (
        <>
          <p className="subtitle">
            {list.total} job{list.total === 1 ? "" : "s"}
            {state ? ` ${STATE_LABEL[state]}` : ""}, newest first.
          </p>
          <table className="data" data-testid="jobs-table" aria-labelledby="jobs-title" tabIndex={0}>
            <thead>
              <tr>
                <th>Job</th>
                <th>State</th>
                <th>Queued at (UTC)</th>
                <th>Started</th>
                <th>Took</th>
                <th>Attempts</th>
                <th>Error</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.items.map((j) => (
                <tr key={j.id}>
                  <td>
                    <code>{j.name}</code>
                    <div className="subtitle" style={{ margin: 0, fontSize: "0.75rem" }}>
                      {j.id}
                    </div>
                  </td>
                  <td>
                    <span className={`badge ${STATE_BADGE[j.state]}`}>{STATE_LABEL[j.state]}</span>
                  </td>
                  <td>{when(j.createdAt)}</td>
                  <td>{when(j.startedAt)}</td>
                  <td>{ms(j.durationMs)}</td>
                  <td>
                    {j.retryCount + (j.startedAt ? 1 : 0)} of {j.retryLimit + 1}
                  </td>
                  <td>
                    {j.errorClass ? (
                      <span title={j.errorMessage ?? undefined}>
                        {j.errorClass}
                        {j.errorMessage ? `: ${j.errorMessage}` : ""}
                      </span>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>{j.state === "failed" ? <RetryJobButton id={j.id} name={j.name} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="toolbar">
            {cursor ? (
              <Link className="btn secondary" href={href({ state })}>
                First page
              </Link>
            ) : null}
            {list.nextCursor ? (
              <Link className="btn secondary" href={href({ state, cursor: list.nextCursor })}>
                Next page
              </Link>
            ) : null}
          </div>
        </>
      )}
    </>
  );
}
