import Link from "next/link";
import { getDb } from "@/db/client";
import { EmptyState } from "@/components/ui/empty-state";
import { KindBadge, StatusBadge } from "@/components/ui/kind-badge";
import { requirePagePermission } from "@/lib/authz/session";
import { zodDetails } from "@/lib/errors";
import { listNodesFor, listNodesQuerySchema } from "@/lib/graph/node-api";
import { KIND_COLOR } from "@/lib/graph/kind-style";
import { NODE_KINDS, NODE_KIND_LABEL } from "@/lib/graph/model";
import { hrefWith } from "@/lib/nav/url-state";

export const metadata = { title: "Identities" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function single(params: Record<string, string | string[] | undefined>) {
  const out: Record<string, string> = {};
  for (const key of ["kind", "q", "source", "status", "cursor"]) {
    const v = params[key];
    if (typeof v === "string" && v !== "") out[key] = v;
  }
  return out;
}

const href = (params: Record<string, string>, change: Record<string, string | undefined>) => hrefWith("/nodes", params, change);

export default async function NodesPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requirePagePermission("graph.read");
  const params = single(await searchParams);
  const parsed = listNodesQuerySchema.safeParse({ ...params, limit: "50" });
  if (!parsed.success) {
    return (
      <EmptyState title="That filter is not valid">
        {zodDetails(parsed.error.issues).map((d) => (
          <p key={d.path}>
            <code>{d.path}</code>: {d.message}
          </p>
        ))}
        <Link href="/nodes">Show all identities</Link>
      </EmptyState>
    );
  }
  const page = await listNodesFor(await getDb(), actor, parsed.data);
  const { cursor: _cursor, ...filters } = params;

  return (
    <>
      <h1>Identities</h1>
      <p className="subtitle">People, groups, service accounts, agents, MCP servers, tools, entitlements, resources and credentials.</p>
      <form className="toolbar" role="search" action="/nodes">
        {filters.kind ? <input type="hidden" name="kind" value={filters.kind} /> : null}
        {filters.source ? <input type="hidden" name="source" value={filters.source} /> : null}
        <input type="search" name="q" defaultValue={filters.q ?? ""} placeholder="Search name, external id or email" aria-label="Search" />
        <button className="btn" type="submit">
          Search
        </button>
        {filters.source ? (
          <span className="chip">
            source: {filters.source} <Link href={href(filters, { source: undefined })} aria-label="Clear source filter">×</Link>
          </span>
        ) : null}
      </form>
      <nav className="chips" aria-label="Filter by kind">
        <Link className="chip" href={href(filters, { kind: undefined })} aria-current={!filters.kind ? "true" : undefined}>
          All kinds
        </Link>
        {NODE_KINDS.map((k) => (
          <Link key={k} className="chip" href={href(filters, { kind: k })} aria-current={filters.kind === k ? "true" : undefined}>
            <span className="dot" style={{ background: KIND_COLOR[k] }} aria-hidden />
            {NODE_KIND_LABEL[k]}
          </Link>
        ))}
      </nav>

      {page.total === 0 ? (
        <EmptyState title="No identities match">
          <p>{filters.q ? `Nothing matches “${filters.q}”.` : "Nothing of this kind has been imported yet."}</p>
        </EmptyState>
      ) : (
        <>
          <table className="data" data-testid="nodes-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th>Status</th>
                <th>Source</th>
                <th>External id</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((n) => (
                <tr key={n.id}>
                  <td>
                    <Link href={`/nodes/${n.id}`}>{n.name}</Link>
                    {typeof n.attributes.email === "string" ? <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }}>{n.attributes.email}</div> : null}
                  </td>
                  <td>
                    <KindBadge kind={n.kind} />
                  </td>
                  <td>
                    <StatusBadge status={n.status} />
                  </td>
                  <td>{n.source}</td>
                  <td className="mono">{n.externalId}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <span data-testid="nodes-total">
              {page.items.length} shown of {page.total.toLocaleString("en")}
            </span>
            {params.cursor ? <Link href={href(filters, { cursor: undefined })}>First page</Link> : null}
            {page.nextCursor ? (
              <Link className="btn secondary" href={href(filters, { cursor: page.nextCursor })} rel="next">
                Next page →
              </Link>
            ) : null}
          </div>
        </>
      )}
    </>
  );
}
