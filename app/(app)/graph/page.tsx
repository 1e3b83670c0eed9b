import Link from "next/link";
import { getDb } from "@/db/client";
import { ExplorerView, type ExplorerItem } from "@/components/graph/explorer-view";
import { EmptyState } from "@/components/ui/empty-state";
import { KindBadge } from "@/components/ui/kind-badge";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError, parseInput } from "@/lib/errors";
import { describeNodes, pathsFor, pathsQuerySchema, reachableFromFor, reachableFromQuerySchema, whoCanReachFor, whoCanReachQuerySchema } from "@/lib/graph/access-api";
import { pathsToElements } from "@/lib/graph/elements";
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
  const state = { node: focus.id, mode, depth, asOf, to };

  let items: ExplorerItem[] = [];
  let total = 0;
  let nextCursor: string | null = null;
  let problem: string | null = null;
  let names: Record<string, string> = {};
  let kinds = new Map<string, NodeKind>();
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
      const common = { maxDepth: depth, limit: "100", ...(asOf ? { asOf } : {}), ...(cursor ? { cursor } : {}) };
      const r = mode === "who" ? await whoCanReachFor(db, actor, whoCanReachQuerySchema.parse({ target: focus.id, ...common })) : await reachableFromFor(db, actor, reachableFromQuerySchema.parse({ principal: focus.id, ...common }));
      items = r.items.map((i) => ({ key: i.id, id: i.id, name: i.name, kind: i.kind, depth: i.depth, path: i.path }));
      total = r.total;
      nextCursor = r.nextCursor;
      const info = await describeNodes(db, [...new Set(items.flatMap((i) => i.path.nodes))]);
      names = Object.fromEntries([...info].map(([id, n]) => [id, n.name]));
      kinds = new Map([...info].map(([id, n]) => [id, n.kind]));
    }
  } catch (e) {
    if (!isAppError(e)) throw e;
    problem = e.message;
  }
  const elements = pathsToElements(
    items.map((i) => i.path),
    (id) => (kinds.has(id) ? { name: names[id] ?? id, kind: kinds.get(id)! } : undefined),
    [focus.id],
  );

  return (
    <>
      <h1 style={{ display: "flex", gap: "0.6rem", alignItems: "center", flexWrap: "wrap" }}>
        <Link href={`/nodes/${focus.id}`}>{focus.name}</Link> <KindBadge kind={focus.kind} />
      </h1>
      <div className="toolbar">
        <nav className="segmented" aria-label="Question">
          {(Object.keys(MODES) as Mode[]).map((m) => (
            <Link key={m} href={href({ ...state, mode: m, cursor: undefined })} aria-current={m === mode ? "true" : undefined}>
              {MODES[m]}
            </Link>
          ))}
        </nav>
        <form className="toolbar" action="/graph" style={{ margin: 0 }}>
          <input type="hidden" name="node" value={focus.id} />
          <input type="hidden" name="mode" value={mode} />
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
          : `${total.toLocaleString("en")} ${mode === "who" ? "principals can reach it" : "nodes reachable"} within ${depth} hops${asOf ? `, as of ${asOf}` : ""}.`}
        {nextCursor ? (
          <>
            {" "}
            <Link href={href({ ...state, cursor: nextCursor })}>Next 100 →</Link>
          </>
        ) : null}
      </p>
      {items.length === 0 && !problem ? (
        <EmptyState title={mode === "who" ? "Nobody can reach this" : mode === "reach" ? "This reaches nothing" : mode === "neighbors" ? "No relationships" : "No path"}>
          <p>No access path within {depth} hops. Try a greater depth.</p>
        </EmptyState>
      ) : (
        <ExplorerView elements={elements} items={items} names={names} focusId={focus.id} exploreHref={href({ depth, asOf })} direction={mode === "who" ? "in" : "out"} />
      )}
    </>
  );
}
