import Link from "next/link";
import { getDb } from "@/db/client";
import { AuditTable } from "@/components/evidence/audit-table";
import styles from "@/components/evidence/audit.module.css";
import { ChainStatus } from "@/components/evidence/chain-status";
import { EmptyState } from "@/components/ui/empty-state";
import { auditFacetsFor, listAuditEventsFor, listAuditQuerySchema, verifyAuditLogFor } from "@/lib/audit/audit-api";
import { nameAuditEvents } from "@/lib/audit/audit-export";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError, zodDetails } from "@/lib/errors";
import { hrefWith } from "@/lib/nav/url-state";

export const metadata = { title: "Audit log" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const KEYS = ["action", "actor", "targetType", "target", "from", "to", "cursor"] as const;

function single(params: Record<string, string | string[] | undefined>) {
  const out: Record<string, string> = {};
  for (const key of KEYS) {
    const v = params[key];
    if (typeof v === "string" && v.trim() !== "") out[key] = v.trim();
  }
  return out;
}

const href = (params: Record<string, string>, change: Record<string, string | undefined>) => hrefWith("/evidence/audit", params, change);

export default async function AuditLogPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requirePagePermission("audit.read");
  const db = await getDb();
  const params = single(await searchParams);
  const [verification, facets] = await Promise.all([verifyAuditLogFor(db, actor), auditFacetsFor(db, actor)]);
  // 25 events a page: with their changes spelt out, 50 ran to 17 screens at M (npm run bench:pages).
  const parsed = listAuditQuerySchema.safeParse({ ...params, limit: "25" });
  // A stale or edited cursor is a validation error: show it as a bad filter, not a crash.
  const page = parsed.success
    ? await listAuditEventsFor(db, actor, parsed.data).catch((e: unknown) => (isAppError(e) && e.code === "validation" ? null : Promise.reject(e)))
    : null;
  const named = page ? await nameAuditEvents(db, page.items) : null;
  const { cursor: _cursor, ...filters } = params;
  const filtered = Object.keys(filters).length > 0;
  const exportHref = (format: "csv" | "json") => hrefWith("/api/v1/audit/events/export", { ...filters, format });

  return (
    <>
      <p className={styles.crumb}>
        <Link href="/evidence">Evidence</Link> /
      </p>
      <h1>Audit log</h1>
      <p className="subtitle">
        Every governance action, in the order it was committed, each event hash-chained to the one before it. The log is append-only: the application cannot
        change or remove an event.
      </p>
      <ChainStatus {...verification} />

      <form className={styles.filters} role="search" aria-label="Filter events" action="/evidence/audit">
        <label>
          Action
          <select name="action" defaultValue={filters.action ?? ""}>
            <option value="">Any action</option>
            {facets.actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          Actor
          <input type="search" name="actor" defaultValue={filters.actor ?? ""} placeholder="email, token or id" />
        </label>
        <label>
          Subject type
          <select name="targetType" defaultValue={filters.targetType ?? ""}>
            <option value="">Any subject</option>
            {facets.targetTypes.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Subject id
          <input type="search" name="target" defaultValue={filters.target ?? ""} placeholder="e.g. agt_01…" />
        </label>
        <label>
          From
          <input type="date" name="from" defaultValue={filters.from?.slice(0, 10) ?? ""} />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={filters.to?.slice(0, 10) ?? ""} />
        </label>
        <button className="btn" type="submit">
          Filter
        </button>
        {filtered ? <Link href="/evidence/audit">Clear</Link> : null}
      </form>

      {!parsed.success || !page ? (
        <EmptyState title="That filter is not valid">
          {parsed.error ? (
            zodDetails(parsed.error.issues).map((d) => (
              <p key={d.path}>
                <code>{d.path}</code>: {d.message}
              </p>
            ))
          ) : (
            <p>That page link is not one this log issued.</p>
          )}
          <Link href="/evidence/audit">Show all events</Link>
        </EmptyState>
      ) : page.total === 0 ? (
        <EmptyState title={filtered ? "No events match" : "No events yet"}>
          <p>
            {filtered
              ? "Nothing in the log matches these filters."
              : "Governance actions (imports, token and owner changes, decisions) appear here as they happen."}
          </p>
        </EmptyState>
      ) : (
        <>
          <p className={styles.exports} data-testid="audit-export">
            {page.total === 1 ? "Export this event:" : `Export ${filtered ? "these" : "all"} ${page.total.toLocaleString("en")} events:`}
            <a className="btn secondary" href={exportHref("csv")} download>
              CSV
            </a>
            <a className="btn secondary" href={exportHref("json")} download>
              JSON
            </a>
          </p>
          <AuditTable rows={named!.items} names={named!.names} filterHref={(change) => href({}, change)} />
          <div className="pager">
            <span data-testid="audit-total">
              {page.items.length} shown of {page.total.toLocaleString("en")}
              {filtered ? " matching" : ""}
            </span>
            {params.cursor ? <Link href={href(filters, { cursor: undefined })}>Newest</Link> : null}
            {page.nextCursor ? (
              <Link className="btn secondary" href={href(filters, { cursor: page.nextCursor })} rel="next">
                Older events →
              </Link>
            ) : null}
          </div>
        </>
      )}
    </>
  );
}
