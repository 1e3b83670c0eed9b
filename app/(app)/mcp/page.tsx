import Link from "next/link";
import { getDb } from "@/db/client";
import { OwnerCell } from "@/components/inventory/owner-cell";
import styles from "@/components/inventory/inventory.module.css";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterChips } from "@/components/ui/filter-chips";
import { RiskBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { Pager } from "@/components/ui/pager";
import { SortHeader, Table, type SortDir } from "@/components/ui/table";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { TOOL_RISKS } from "@/lib/graph/tool-risk";
import { listMcpServerTable, type McpServerPage } from "@/lib/inventory/mcp-servers";
import { hrefWith, pickParams, type RawSearchParams } from "@/lib/nav/url-state";

export const metadata = { title: "MCP servers & tools" };

const KEYS = ["q", "risk", "sort", "dir", "cursor"] as const;
const RISK_FILTERS = [...[...TOOL_RISKS].reverse(), "none"] as const;

export default async function McpPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const actor = await requirePagePermission("graph.read");
  const params = pickParams(await searchParams, KEYS);
  const { cursor: _cursor, ...view } = params;
  const href = (change: Record<string, string | undefined>) => hrefWith("/mcp", view, { cursor: undefined, ...change });

  let page: McpServerPage;
  try {
    page = await listMcpServerTable(await getDb(), actor, { ...params, limit: "50" });
  } catch (e) {
    if (!isAppError(e) || e.code !== "validation") throw e;
    return (
      <>
        <h1>MCP servers &amp; tools</h1>
        <EmptyState title="That view cannot be shown">
          {(e.details.length ? e.details : [{ path: "", message: e.message }]).map((d) => (
            <p key={d.path}>
              {d.path ? <code>{d.path}</code> : null} {d.message}
            </p>
          ))}
          <Link href="/mcp">Show every server</Link>
        </EmptyState>
      </>
    );
  }
  const sortHref = (sort: string, dir: SortDir) => href({ sort, dir });
  const anyServers = Object.values(page.byRisk).some((n) => n > 0);
  const allCount = Object.values(page.byRisk).reduce((a, n) => a + n, 0);

  return (
    <>
      <h1>MCP servers &amp; tools</h1>
      <p className="subtitle">
        Every MCP server agents can connect to. A server&apos;s risk is its riskiest tool&apos;s, read from the tools&apos; own annotations with the MCP
        defaults: destructive is critical; writes without saying whether they destroy, open-world writes and tools without annotations are high; other writes
        are medium; read-only is low. Open a server for its tools, who connects to it, its credentials and findings.
      </p>
      <form className="toolbar" role="search" action="/mcp">
        {view.risk ? <input type="hidden" name="risk" value={view.risk} /> : null}
        {view.sort ? <input type="hidden" name="sort" value={view.sort} /> : null}
        {view.dir ? <input type="hidden" name="dir" value={view.dir} /> : null}
        <input type="search" name="q" defaultValue={view.q ?? ""} placeholder="Search name, URL or command" aria-label="Search servers" />
        <button className="btn" type="submit">
          Search
        </button>
        {Object.keys(view).length ? <Link href="/mcp">Clear</Link> : null}
      </form>
      <FilterChips
        label="Filter by risk"
        chips={[
          { label: "Any risk", href: href({ risk: undefined }), active: !view.risk, count: allCount },
          ...RISK_FILTERS.map((r) => ({ label: r === "none" ? "no tools" : r, href: href({ risk: r }), active: view.risk === r, count: page.byRisk[r] })),
        ]}
      />

      {page.total === 0 ? (
        anyServers || view.q ? (
          <EmptyState title="No servers match">
            <p>{view.q ? `Nothing matches “${view.q}” with this filter.` : "No server has this risk."}</p>
            <Link href="/mcp">Show every server</Link>
          </EmptyState>
        ) : (
          <EmptyState title="No MCP servers yet">
            <p>Import an MCP client configuration or discover a live server to see its tools here.</p>
          </EmptyState>
        )
      ) : (
        <>
          <Table caption="MCP servers" testId="mcp-table">
            <thead>
              <tr>
                <SortHeader column="name" label="Server" sort={page.sort} dir={page.dir} href={sortHref} />
                <SortHeader column="tools" label="Tools" sort={page.sort} dir={page.dir} href={sortHref} numeric />
                <SortHeader column="agents" label="Connecting" sort={page.sort} dir={page.dir} href={sortHref} numeric />
                <SortHeader column="risk" label="Risk" sort={page.sort} dir={page.dir} href={sortHref} numeric />
                <SortHeader column="findings" label="Open findings" sort={page.sort} dir={page.dir} href={sortHref} numeric />
                <SortHeader column="owner" label="Owner" sort={page.sort} dir={page.dir} href={sortHref} />
                <SortHeader column="lastSeen" label="Last seen" sort={page.sort} dir={page.dir} href={sortHref} numeric />
              </tr>
            </thead>
            <tbody>
              {page.items.map((s) => (
                <tr key={s.id} data-testid="mcp-server-row">
                  <td className={styles.nameCell}>
                    <Link href={`/mcp/${s.id}`}>{s.name}</Link>{" "}
                    {s.transport ? <span className={`badge ${s.endpoint?.startsWith("http://") ? "danger" : ""}`}>{s.transport}</span> : null}
                    {s.endpoint ? <p className={`mono ${styles.endpoint}`}>{s.endpoint}</p> : null}
                  </td>
                  <td className="num">{s.tools.toLocaleString("en")}</td>
                  <td className="num">{s.agents.toLocaleString("en")}</td>
                  <td className="num">{s.risk ? <RiskBadge risk={s.risk} /> : <span className={styles.none}>no tools</span>}</td>
                  <td className="num">{s.findings ? <span className="badge danger">{s.findings}</span> : <span className={styles.none}>0</span>}</td>
                  <td>
                    <OwnerCell owner={s.owner} />
                  </td>
                  <td className="num">
                    <LocalTime value={s.lastSeenAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
          <Pager
            from={page.offset}
            shown={page.items.length}
            total={page.total}
            prevHref={page.prevCursor ? hrefWith("/mcp", view, { cursor: page.offset > 50 ? page.prevCursor : undefined }) : null}
            nextHref={page.nextCursor ? hrefWith("/mcp", view, { cursor: page.nextCursor }) : null}
          />
        </>
      )}
    </>
  );
}
