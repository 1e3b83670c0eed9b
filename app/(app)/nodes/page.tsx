import Link from "next/link";
import { getDb } from "@/db/client";
import { OwnerCell } from "@/components/inventory/owner-cell";
import styles from "@/components/inventory/inventory.module.css";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterChips } from "@/components/ui/filter-chips";
import { KindBadge, RiskBadge, StatusBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { Pager } from "@/components/ui/pager";
import { SortHeader, Table, type SortDir } from "@/components/ui/table";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { NODE_KINDS, NODE_KIND_LABEL } from "@/lib/graph/model";
import { listNodeTable, listSourceNames, NODE_STATUSES, type NodeTableRow } from "@/lib/inventory/node-table";
import type { TablePage } from "@/lib/inventory/table-query";
import { hrefWith, pickParams, type RawSearchParams } from "@/lib/nav/url-state";

export const metadata = { title: "Identities" };

const KEYS = ["kind", "q", "source", "status", "sort", "dir", "cursor"] as const;
const PAGE = 50;

export default async function NodesPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const actor = await requirePagePermission("graph.read");
  const params = pickParams(await searchParams, KEYS);
  const { cursor: _cursor, ...view } = params;
  const href = (change: Record<string, string | undefined>) => hrefWith("/nodes", view, { cursor: undefined, ...change });
  const db = await getDb();

  let page: TablePage<NodeTableRow>;
  try {
    page = await listNodeTable(db, actor, { ...params, limit: String(PAGE) });
  } catch (e) {
    if (!isAppError(e) || e.code !== "validation") throw e;
    return (
      <>
        <h1>Identities</h1>
        <EmptyState title="That filter is not valid">
          {(e.details.length ? e.details : [{ path: "", message: e.message }]).map((d) => (
            <p key={d.path}>
              {d.path ? <code>{d.path}</code> : null} {d.message}
            </p>
          ))}
          <Link href="/nodes">Show all identities</Link>
        </EmptyState>
      </>
    );
  }
  const sources = await listSourceNames(db, actor);
  const sortHref = (sort: string, dir: SortDir) => href({ sort, dir });
  const header = (column: string, label: string, numeric?: boolean) => (
    <SortHeader column={column} label={label} sort={page.sort} dir={page.dir} href={sortHref} numeric={numeric} />
  );

  return (
    <>
      <h1>Identities</h1>
      <p className="subtitle">
        People, groups, service accounts, agents, MCP servers, tools, entitlements, resources and credentials. Risk is the most severe open finding about a
        node.
      </p>
      <form className="toolbar" role="search" action="/nodes">
        {view.kind ? <input type="hidden" name="kind" value={view.kind} /> : null}
        {view.status ? <input type="hidden" name="status" value={view.status} /> : null}
        {view.sort ? <input type="hidden" name="sort" value={view.sort} /> : null}
        {view.dir ? <input type="hidden" name="dir" value={view.dir} /> : null}
        <input type="search" name="q" defaultValue={view.q ?? ""} placeholder="Search name, external id or email" aria-label="Search" />
        <select name="source" defaultValue={view.source ?? ""} aria-label="Source">
          <option value="">Any source</option>
          {sources.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <button className="btn" type="submit">
          Search
        </button>
        {Object.keys(view).length ? <Link href="/nodes">Clear</Link> : null}
      </form>
      <div className={styles.filters}>
        <FilterChips
          label="Filter by kind"
          chips={[
            { label: "All kinds", href: href({ kind: undefined }), active: !view.kind },
            ...NODE_KINDS.map((k) => ({ label: NODE_KIND_LABEL[k], href: href({ kind: k }), active: view.kind === k })),
          ]}
        />
        <FilterChips
          label="Filter by status"
          chips={[
            { label: "Any status", href: href({ status: undefined }), active: !view.status },
            ...NODE_STATUSES.map((s) => ({ label: s, href: href({ status: s }), active: view.status === s })),
          ]}
        />
      </div>

      {page.total === 0 ? (
        <EmptyState title="No identities match">
          <p>{view.q ? `Nothing matches “${view.q}”.` : "Nothing with these filters has been imported yet."}</p>
          <Link href="/nodes">Show all identities</Link>
        </EmptyState>
      ) : (
        <>
          <Table caption="Identities" testId="nodes-table">
            <thead>
              <tr>
                {header("name", "Name")}
                {header("kind", "Kind")}
                <th>Status</th>
                <th>Source</th>
                {header("owner", "Owner")}
                {header("risk", "Risk", true)}
                {header("findings", "Open findings", true)}
                {header("lastSeen", "Last seen", true)}
              </tr>
            </thead>
            <tbody>
              {page.items.map((n) => (
                <tr key={n.id}>
                  <td className={styles.nameCell}>
                    <Link href={n.kind === "mcp_server" ? `/mcp/${n.id}` : `/nodes/${n.id}`}>{n.name}</Link>
                    {n.email ? (
                      <p className={styles.sub}>{n.email}</p>
                    ) : n.externalId !== n.name ? (
                      <p className={`mono ${styles.sub}`}>{n.externalId}</p>
                    ) : null}
                  </td>
                  <td>
                    <KindBadge kind={n.kind} />
                  </td>
                  <td>
                    <StatusBadge status={n.status} />
                  </td>
                  <td>{n.source}</td>
                  <td>{n.kind === "human" || n.kind === "group" ? <span className={styles.none}>—</span> : <OwnerCell owner={n.owner} />}</td>
                  <td className="num">{n.risk ? <RiskBadge risk={n.risk} /> : <span className={styles.none}>—</span>}</td>
                  <td className="num">{n.findings ? <span className="badge danger">{n.findings}</span> : <span className={styles.none}>0</span>}</td>
                  <td className="num">
                    <LocalTime value={n.lastSeenAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
          <div data-testid="nodes-total">
            <Pager
              from={page.offset}
              shown={page.items.length}
              total={page.total}
              prevHref={page.prevCursor ? hrefWith("/nodes", view, { cursor: page.offset > PAGE ? page.prevCursor : undefined }) : null}
              nextHref={page.nextCursor ? hrefWith("/nodes", view, { cursor: page.nextCursor }) : null}
            />
          </div>
        </>
      )}
    </>
  );
}
