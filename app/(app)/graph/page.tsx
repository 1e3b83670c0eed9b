import Link from "next/link";
import { getDb } from "@/db/client";
import { ExplorerFilters } from "@/components/graph/explorer-filters";
import { ExplorerView, type ExplorerItem } from "@/components/graph/explorer-view";
import { EmptyState } from "@/components/ui/empty-state";
import { KindBadge } from "@/components/ui/kind-badge";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError, parseInput } from "@/lib/errors";
import { describeNodes, pathsFor, pathsQuerySchema, reachableFromFor, reachableFromQuerySchema, whoCanReachFor, whoCanReachQuerySchema } from "@/lib/graph/access-api";
import type { AccessGroup } from "@/lib/graph/access-groups";
import { GROUP_ABOVE, groupsToElements, pathsToElements, type GraphElements } from "@/lib/graph/elements";
import { PRINCIPAL_KINDS, type NodeKind } from "@/lib/graph/model";
import { getNodeFor, listNodesFor, listNodesQuerySchema, neighborsQuerySchema } from "@/lib/graph/node-api";
import { listNeighbors } from "@/lib/graph/nodes";
import { DEFAULT_DEPTH, MAX_DEPTH } from "@/lib/graph/traverse";

export const metadata = { title: "Graph" };

type Params = Record<string, string | string[] | undefined>;
const one = (p: Params, k: string) => (typeof p[k] === "string" && p[k] !== "" ? (p[k] as string) : undefined);
const MODES = { who: "Who can reach it", reach: "What it reaches", paths: "Paths to…", neighbors: "Neighbourhood" } as const;
type Mode = keyof typeof MODES;

function href(state: Record<string, string | undefined>) {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v) s.set(k, v);
  return `/graph?${s.toString()}`;
}

export default async function GraphPage({ searchParams }: { searchParams: Promise<Params> }) {
  const actor = await requirePagePermission("graph.read");
  const db = await getDb();
  const p = await searchParams;
  const nodeRef = one(p, "node");
  const q = one(p, "q");
  const depth = one(p, "depth") ?? String(DEFAULT_DEPTH);
  const asOf = one(p, "asOf");
  const to = one(p, "to");
  const cursor = one(p, "cursor");
  const kind = one(p, "kind");
  const source = one(p, "source");
  // "groups" or "paths" forces a picture; unset, answers above GROUP_ABOVE are drawn as groups.
  const view = one(p, "view") === "groups" || one(p, "view") === "paths" ? one(p, "view") : undefined;

  const search = (
    <form className="toolbar" role="search" action="/graph">
      <input type="search" name="q" defaultValue={q ?? ""} placeholder="Find a person, agent, tool, credential…" aria-label="Find a node" />
      <button className="btn" type="submit">
        Find
      </button>
    </form>
  );

  if (!nodeRef) {
    const found = q ? await listNodesFor(db, actor, listNodesQuerySchema.parse({ q, limit: "20" })) : null;
    return (
      <>
        <h1>Graph</h1>
        <p className="subtitle">Who or what can reach a tool or resource, what an agent or account can reach, and through which groups, delegations, servers and credentials.</p>
        {search}
        {found ? (
          found.total === 0 ? (
            <EmptyState title="Nothing matches">
              <p>Try a name, an email or an external id.</p>
            </EmptyState>
          ) : (
            <table className="data" data-testid="graph-search-results">
              <tbody>
                {found.items.map((n) => (
                  <tr key={n.id}>
                    <td>
                      <Link href={href({ node: n.id, mode: (PRINCIPAL_KINDS as readonly string[]).includes(n.kind) ? "reach" : "who" })}>{n.name}</Link>
                    </td>
                    <td>
                      <KindBadge kind={n.kind} />
                    </td>
                    <td className="subtitle">{n.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        ) : (
          <EmptyState title="Start from a node">
            <p>Search above, or open any node and choose “Explore in graph”.</p>
          </EmptyState>
        )}
      </>
    );
  }

  let focus;
  try {
    focus = await getNodeFor(db, actor, nodeRef);
  } catch (e) {
    if (!isAppError(e)) throw e;
    return (
      <>
        <h1>Graph</h1>
        {search}
        <p className="alert" role="alert">
          {e.message}
        </p>
      </>
    );
  }
  const isPrincipal = (PRINCIPAL_KINDS as readonly string[]).includes(focus.kind);
  const mode: Mode = (one(p, "mode") as Mode) in MODES ? (one(p, "mode") as Mode) : isPrincipal ? "reach" : "who";
  const state = { node: focus.id, mode, depth, asOf, to, kind, source, view };

  let items: ExplorerItem[] = [];
  let total = 0;
  let nextCursor: string | null = null;
  let problem: string | null = null;
  let names: Record<string, string> = {};
  let kinds = new Map<string, NodeKind>();
  let groups: AccessGroup[] = [];
  try {
    if (mode === "neighbors") {
      // Every relationship one edge away, governance (owns, manages) included: the place to start exploring.
      const q = parseInput(neighborsQuerySchema, { limit: "300", ...(asOf ? { asOf } : {}) }, "query");
      const r = await listNeighbors(db, focus.id, q);
      items = r.items.map((n) => ({
        key: n.edge.id,
        id: n.node.id,
        name: n.node.name,
        kind: n.node.kind,
        depth: 1,
        path: n.edge.direction === "out" ? { nodes: [focus.id, n.node.id], edges: [n.edge.kind] } : { nodes: [n.node.id, focus.id], edges: [n.edge.kind] },
      }));
      total = r.total;
      names = Object.fromEntries([[focus.id, focus.name], ...r.items.map((n) => [n.node.id, n.node.name])]);
      kinds = new Map<string, NodeKind>([[focus.id, focus.kind], ...r.items.map((n) => [n.node.id, n.node.kind] as [string, NodeKind])]);
    } else if (mode === "paths") {
      if (to) {
        const r = await pathsFor(db, actor, pathsQuerySchema.parse({ from: focus.id, to, maxDepth: depth, k: "10", ...(asOf ? { asOf } : {}) }));
        items = r.items.map((path, i) => ({ key: `p${i}`, id: path.nodes[path.nodes.length - 1]!, name: `Path ${i + 1}`, kind: r.nodes[path.nodes[path.nodes.length - 1]!]!.kind, depth: path.length, path }));
        total = r.total;
        names = Object.fromEntries(Object.entries(r.nodes).map(([id, n]) => [id, n.name]));
        kinds = new Map(Object.entries(r.nodes).map(([id, n]) => [id, n.kind]));
      }
    } else {
      const common = { maxDepth: depth, limit: "100", ...(asOf ? { asOf } : {}), ...(cursor ? { cursor } : {}), ...(kind ? { kind } : {}), ...(source ? { source } : {}) };
      const r =
        mode === "who"
          ? await whoCanReachFor(db, actor, parseInput(whoCanReachQuerySchema, { target: focus.id, ...common }, "query"))
          : await reachableFromFor(db, actor, parseInput(reachableFromQuerySchema, { principal: focus.id, ...common }, "query"));
      items = r.items.map((i) => ({ key: i.id, id: i.id, name: i.name, kind: i.kind, source: i.source, depth: i.depth, path: i.path }));
      total = r.total;
      groups = r.groups;
      nextCursor = r.nextCursor;
      const info = await describeNodes(db, [...new Set(items.flatMap((i) => i.path.nodes))]);
      names = Object.fromEntries([...info].map(([id, n]) => [id, n.name]));
      kinds = new Map([...info].map(([id, n]) => [id, n.kind]));
    }
  } catch (e) {
    if (!isAppError(e)) throw e;
    problem = e.message;
  }
  const access = mode === "who" || mode === "reach";
  // Large answers are drawn as (kind, source) groups with counts; a click on a group opens it (both filters set).
  const shownGroups = groups.filter((g) => (!kind || g.kind === kind) && (!source || g.source === source));
  const grouped = access && items.length > 0 && (view === "groups" || (view !== "paths" && total > GROUP_ABOVE && !(kind && source)));
  const groupLinks = grouped ? Object.fromEntries(shownGroups.map((g, i) => [`grp-${i}`, href({ ...state, kind: g.kind, source: g.source, view: undefined, cursor: undefined })])) : undefined;
  const elements: GraphElements = grouped
    ? groupsToElements(shownGroups, focus, mode === "who" ? "in" : "out")
    : pathsToElements(
        items.map((i) => i.path),
        (id) => (kinds.has(id) ? { name: names[id] ?? id, kind: kinds.get(id)! } : undefined),
        [focus.id],
      );
  const filtered = Boolean(kind || source);
  const all = groups.reduce((n, g) => n + g.count, 0);
  const csvHref = access
    ? `/api/v1/access/${mode === "who" ? "who-can-reach" : "reachable-from"}?${new URLSearchParams({ [mode === "who" ? "target" : "principal"]: focus.id, maxDepth: depth, ...(asOf ? { asOf } : {}), ...(kind ? { kind } : {}), ...(source ? { source } : {}), format: "csv" })}`
    : mode === "paths" && to
      ? `/api/v1/access/paths?${new URLSearchParams({ from: focus.id, to, maxDepth: depth, k: "10", ...(asOf ? { asOf } : {}), format: "csv" })}`
      : mode === "neighbors"
        ? `/api/v1/nodes/${focus.id}/neighbors?${new URLSearchParams({ ...(asOf ? { asOf } : {}), format: "csv" })}`
        : null;

  return (
    <>
      <h1 style={{ display: "flex", gap: "0.6rem", alignItems: "center", flexWrap: "wrap" }}>
        <Link href={`/nodes/${focus.id}`}>{focus.name}</Link> <KindBadge kind={focus.kind} />
      </h1>
      <div className="toolbar">
        <nav className="segmented" aria-label="Question">
          {(Object.keys(MODES) as Mode[]).map((m) => (
            <Link key={m} href={href({ ...state, mode: m, cursor: undefined, kind: undefined, source: undefined, view: undefined })} aria-current={m === mode ? "true" : undefined}>
              {MODES[m]}
            </Link>
          ))}
        </nav>
        <form className="toolbar" action="/graph" style={{ margin: 0 }}>
          <input type="hidden" name="node" value={focus.id} />
          <input type="hidden" name="mode" value={mode} />
          {view ? <input type="hidden" name="view" value={view} /> : null}
          {access ? <ExplorerFilters groups={groups} kind={kind} source={source} /> : null}
          {mode === "paths" ? <input className="text" name="to" defaultValue={to ?? ""} placeholder="to: id or source:kind:externalId" aria-label="Path target" style={{ minWidth: 240 }} /> : null}
          <label>
            Depth{" "}
            <select name="depth" defaultValue={depth} aria-label="Depth">
              {Array.from({ length: MAX_DEPTH }, (_, i) => String(i + 1)).map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </label>
          <label>
            As of <input type="date" name="asOf" defaultValue={asOf?.slice(0, 10) ?? ""} aria-label="As of date" />
          </label>
          <button className="btn secondary" type="submit">
            Apply
          </button>
        </form>
      </div>
      {problem ? (
        <p className="alert" role="alert">
          {problem}
        </p>
      ) : null}
      <p className="subtitle" data-testid="graph-summary">
        {mode === "neighbors"
          ? `${total.toLocaleString("en")} relationships one edge away${total > 300 ? " (the first 300 shown)" : ""}${asOf ? `, as of ${asOf}` : ""}.`
          : mode === "paths"
          ? to
            ? `${total} path${total === 1 ? "" : "s"} within ${depth} hops${asOf ? `, as of ${asOf}` : ""}.`
            : "Name a target to list the shortest paths to it."
          : `${total.toLocaleString("en")} ${mode === "who" ? "principals can reach it" : "nodes reachable"} within ${depth} hops${asOf ? `, as of ${asOf}` : ""}${filtered ? ` (of ${all.toLocaleString("en")}, filtered by ${[kind, source].filter(Boolean).join(" and ")})` : ""}.`}
        {grouped ? ` Drawn as ${shownGroups.length} group${shownGroups.length === 1 ? "" : "s"} by kind and source: click one to open it.` : ""}
        {nextCursor ? (
          <>
            {" "}
            <Link href={href({ ...state, cursor: nextCursor })}>Next 100 →</Link>
          </>
        ) : null}
      </p>
      {access && (items.length > 0 || filtered) ? (
        <p className="toolbar" data-testid="graph-view-links">
          {filtered ? <Link href={href({ ...state, kind: undefined, source: undefined, cursor: undefined })}>{all > GROUP_ABOVE ? "← all groups" : "← clear filters"}</Link> : null}
          {items.length === 0 ? null : grouped ? (
            <Link href={href({ ...state, view: "paths", cursor: undefined })}>Draw this page’s paths instead</Link>
          ) : (
            <Link href={href({ ...state, view: "groups", cursor: undefined })}>Group by kind and source</Link>
          )}
          {csvHref && items.length > 0 ? (
            <a className="btn secondary" href={csvHref} download data-testid="download-csv">
              Download CSV (all {total.toLocaleString("en")})
            </a>
          ) : null}
        </p>
      ) : csvHref && items.length > 0 ? (
        <p className="toolbar">
          <a className="btn secondary" href={csvHref} download data-testid="download-csv">
            Download CSV{mode === "neighbors" ? ` (all ${total.toLocaleString("en")})` : ""}
          </a>
        </p>
      ) : null}
      {items.length === 0 && !problem ? (
        <EmptyState title={filtered ? "Nothing matches these filters" : mode === "who" ? "Nobody can reach this" : mode === "reach" ? "This reaches nothing" : mode === "neighbors" ? "No relationships" : "No path"}>
          <p>No access path within {depth} hops. Try a greater depth.</p>
        </EmptyState>
      ) : (
        <ExplorerView
          elements={elements}
          items={items}
          names={names}
          focusId={focus.id}
          exploreHref={href({ depth, asOf })}
          direction={mode === "who" ? "in" : "out"}
          layout={grouped ? "concentric" : mode === "neighbors" ? "force" : "paths"}
          groupLinks={groupLinks}
          pngName={`attest-${mode}-${focus.id}.png`}
        />
      )}
    </>
  );
}
