import Link from "next/link";
import { getDb } from "@/db/client";
import { OrphansTable, type OrphanRow } from "@/components/ownership/orphans-table";
import { OwnershipTabs } from "@/components/ownership/ownership-tabs";
import { EmptyState } from "@/components/ui/empty-state";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { KIND_COLOR } from "@/lib/graph/kind-style";
import { NODE_KIND_LABEL, OWNABLE_KINDS } from "@/lib/graph/model";
import { openQueueCount } from "@/lib/ownership/coverage";
import { listOrphans, type OrphanPage } from "@/lib/ownership/orphans";
import { ORPHAN_RULE_LABEL, type OrphanRule } from "@/lib/ownership/owner-state";
import { hrefWith } from "@/lib/nav/url-state";

export const metadata = { title: "Orphans · Ownership" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const KEYS = ["kind", "source", "rule", "q", "cursor"] as const;
const PAGE = 50;

const href = (params: Record<string, string>, change: Record<string, string | undefined>) => hrefWith("/ownership/orphans", params, change);

export default async function OrphansPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requirePagePermission("owner.read");
  const raw = await searchParams;
  const params: Record<string, string> = {};
  for (const k of KEYS) if (typeof raw[k] === "string" && raw[k] !== "") params[k] = raw[k] as string;
  const { cursor, ...filters } = params;
  const db = await getDb();
  const queue = await openQueueCount(db, actor);

  let page: OrphanPage | null = null;
  let problem: string | null = null;
  try {
    // Tools orphaned only because their server is fold into the server's row, unless the view is narrowed to a kind or source.
    page = await listOrphans(db, actor, { ...params, limit: String(PAGE), collapseTools: filters.kind || filters.source ? "false" : "true" });
  } catch (e) {
    if (!isAppError(e) || (e.code !== "validation" && e.code !== "conflict")) throw e;
    problem = e.code === "conflict" ? "The graph changed since the first page was read." : e.message;
  }
  const canAssign = can(actor, "owner.assign");
  const start = page?.offset ?? 0;

  return (
    <>
      <h1>Orphans</h1>
      <p className="subtitle">
        Agents, accounts, servers, tools, entitlements, resources and credentials nobody active answers for: no owner, only owners who left, or an owner group
        with no active members. Most dangerous first.
      </p>
      {/* Without a source filter the counts cover every orphan: the tab needs no second pass over the graph. */}
      <OwnershipTabs
        current="orphans"
        orphans={page && !filters.source ? Object.values(page.counts.byKind).reduce((a, n) => a + n, 0) : undefined}
        queue={queue}
        readsAll
      />

      {problem || !page ? (
        <EmptyState title="That view cannot be shown">
          <p>{problem}</p>
          <Link href="/ownership/orphans">Start again</Link>
        </EmptyState>
      ) : (
        <>
          <form className="toolbar" role="search" action="/ownership/orphans">
            {filters.kind ? <input type="hidden" name="kind" value={filters.kind} /> : null}
            {filters.source ? <input type="hidden" name="source" value={filters.source} /> : null}
            {filters.rule ? <input type="hidden" name="rule" value={filters.rule} /> : null}
            <input type="search" name="q" defaultValue={filters.q ?? ""} placeholder="Filter by name" aria-label="Filter orphans by name" />
            <button className="btn secondary" type="submit">
              Filter
            </button>
            {filters.source ? (
              <span className="chip">
                source: {filters.source}{" "}
                <Link href={href(filters, { source: undefined })} aria-label="Clear source filter">
                  ×
                </Link>
              </span>
            ) : null}
            {Object.keys(filters).length ? <Link href="/ownership/orphans">Clear filters</Link> : null}
          </form>
          <nav className="chips" aria-label="Filter by kind">
            <Link className="chip" href={href(filters, { kind: undefined })} aria-current={!filters.kind ? "true" : undefined}>
              All kinds
            </Link>
            {OWNABLE_KINDS.filter((k) => page.counts.byKind[k]).map((k) => (
              <Link key={k} className="chip" href={href(filters, { kind: k })} aria-current={filters.kind === k ? "true" : undefined}>
                <span className="dot" style={{ background: KIND_COLOR[k] }} aria-hidden />
                {NODE_KIND_LABEL[k]} {page.counts.byKind[k]}
              </Link>
            ))}
          </nav>
          <nav className="chips" aria-label="Filter by reason">
            <Link className="chip" href={href(filters, { rule: undefined })} aria-current={!filters.rule ? "true" : undefined}>
              Any reason
            </Link>
            {(Object.keys(ORPHAN_RULE_LABEL) as OrphanRule[]).map((r) => (
              <Link key={r} className="chip" href={href(filters, { rule: r })} aria-current={filters.rule === r ? "true" : undefined}>
                {ORPHAN_RULE_LABEL[r]} {page.counts.byRule[r]}
              </Link>
            ))}
          </nav>

          {page.total === 0 ? (
            Object.keys(filters).length ? (
              <EmptyState title="No orphans match">
                <p>Nothing without an active owner matches these filters.</p>
                <Link href="/ownership/orphans">Show every orphan</Link>
              </EmptyState>
            ) : (
              <EmptyState title="No orphans">
                <p>Every agent, account, server, tool, entitlement, resource and credential has an active owner.</p>
              </EmptyState>
            )
          ) : (
            <>
              {page.folded ? (
                <p className="subtitle" style={{ marginBottom: "0.5rem" }} data-testid="folded-note">
                  {page.folded} tool{page.folded === 1 ? " is" : "s are"} orphaned only because the MCP server exposing {page.folded === 1 ? "it" : "them"} is:
                  they are folded into the server&apos;s row, and an owner for the server covers them.{" "}
                  <Link href={href(filters, { kind: "tool" })}>Show every orphaned tool</Link>
                </p>
              ) : null}
              {canAssign ? (
                <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
                  Select rows (Space on a checkbox, shift-click for a range), then choose an owner in the bar below the table and assign them all in one step.
                </p>
              ) : null}
              <OrphansTable items={JSON.parse(JSON.stringify(page.items)) as OrphanRow[]} canAssign={canAssign} />
              <div className="pager">
                <span data-testid="orphans-total">
                  {start + 1}–{start + page.items.length} of {page.total.toLocaleString("en")} rows
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
        </>
      )}
    </>
  );
}
