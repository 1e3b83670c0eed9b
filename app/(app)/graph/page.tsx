import Link from "next/link";
import { getDb } from "@/db/client";
import { ExplorerFilters } from "@/components/graph/explorer-filters";
import { GraphSearch, PathTarget } from "@/components/graph/explorer-pickers";
import { ExplorerView } from "@/components/graph/explorer-view";
import styles from "@/components/graph/explorer.module.css";
import { EmptyState } from "@/components/ui/empty-state";
import { KindBadge } from "@/components/ui/kind-badge";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { GROUP_ABOVE } from "@/lib/graph/elements";
import { EXPLORER_MODES, exploreNode, type ExplorerAnswer, type ExplorerMode } from "@/lib/graph/explorer";
import { PRINCIPAL_KINDS } from "@/lib/graph/model";
import { getNodeFor, listNodesFor, listNodesQuerySchema } from "@/lib/graph/node-api";
import { MAX_NEIGHBORHOOD_DEPTH, type NodeView } from "@/lib/graph/nodes";
import { DEFAULT_DEPTH, MAX_DEPTH } from "@/lib/graph/traverse";

export const metadata = { title: "Graph" };

type Params = Record<string, string | string[] | undefined>;
const one = (p: Params, k: string) => (typeof p[k] === "string" && p[k] !== "" ? (p[k] as string) : undefined);
const MODES = EXPLORER_MODES;
type Mode = ExplorerMode;

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
  const asOf = one(p, "asOf");
  const to = one(p, "to");
  const cursor = one(p, "cursor");
  const kind = one(p, "kind");
  const source = one(p, "source");
  // "groups" or "paths" forces a picture; unset, pictures above GROUP_ABOVE nodes are drawn as groups.
  const view = one(p, "view") === "groups" || one(p, "view") === "paths" ? (one(p, "view") as "groups" | "paths") : undefined;

  const search = <GraphSearch defaultText={nodeRef ? undefined : q} />;

  if (!nodeRef) {
    const found = q ? await listNodesFor(db, actor, listNodesQuerySchema.parse({ q, limit: "20" })) : null;
    return (
      <>
        <h1>Graph</h1>
        <p className="subtitle">
          Who or what can reach a tool or resource, what an agent or account can reach, and through which groups, delegations, servers and credentials.
        </p>
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
            <p>Type a name above and pick it, or open any node and choose “Explore in graph”.</p>
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
  // A neighbourhood counts edges (1 to 3, one by default); the access questions count hops (6 by default).
  const maxDepth = mode === "neighbors" ? MAX_NEIGHBORHOOD_DEPTH : MAX_DEPTH;
  const askedDepth = Number(one(p, "depth"));
  const depth = String(Number.isInteger(askedDepth) && askedDepth >= 1 && askedDepth <= maxDepth ? askedDepth : mode === "neighbors" ? 1 : DEFAULT_DEPTH);
  const depthParam = one(p, "depth") ? depth : undefined;

  // The paths target: an id (or source:kind:externalId) from the URL, or a name typed without picking: then the
  // matching nodes are offered to choose from.
  let target: NodeView | null = null;
  let candidates: NodeView[] = [];
  let problem: string | null = null;
  if (mode === "paths" && to) {
    try {
      target = await getNodeFor(db, actor, to);
    } catch (e) {
      if (!isAppError(e) || e.code !== "validation") {
        if (!isAppError(e)) throw e;
        problem = e.message;
      } else {
        const found = await listNodesFor(db, actor, listNodesQuerySchema.parse({ q: to.slice(0, 200), limit: "8" }));
        if (found.items.length === 1) target = found.items[0]!;
        else candidates = found.items;
      }
    }
  }
  const state = { node: focus.id, mode, depth: depthParam, asOf, to: target?.id, kind, source, view };

  let answer: ExplorerAnswer | null = null;
  try {
    if (!problem) answer = await exploreNode(db, actor, focus, { mode, depth, asOf, to: target?.id, cursor, kind, source, view });
  } catch (e) {
    if (!isAppError(e)) throw e;
    problem = e.message;
  }
  const items = answer?.items ?? [];
  const total = answer?.total ?? 0;
  const groups = answer?.groups ?? [];
  const grouped = answer?.grouped ?? false;
  const shownGroups = answer?.shownGroups ?? [];
  const access = mode === "who" || mode === "reach";
  const filterable = access || mode === "neighbors";
  // Large pictures are drawn as (kind, source) groups with counts; a click on a group opens it (both filters set).
  const groupLinks = grouped
    ? Object.fromEntries(shownGroups.map((g, i) => [`grp-${i}`, href({ ...state, kind: g.kind, source: g.source, view: undefined, cursor: undefined })]))
    : undefined;
  const filtered = Boolean(kind || source);
  const all = groups.reduce((n, g) => n + g.count, 0);
  const csvHref = access
    ? `/api/v1/access/${mode === "who" ? "who-can-reach" : "reachable-from"}?${new URLSearchParams({ [mode === "who" ? "target" : "principal"]: focus.id, maxDepth: depth, ...(asOf ? { asOf } : {}), ...(kind ? { kind } : {}), ...(source ? { source } : {}), format: "csv" })}`
    : mode === "paths" && target
      ? `/api/v1/access/paths?${new URLSearchParams({ from: focus.id, to: target.id, maxDepth: depth, k: "10", ...(asOf ? { asOf } : {}), format: "csv" })}`
      : mode === "neighbors" && depth === "1" && !filtered
        ? `/api/v1/nodes/${focus.id}/neighbors?${new URLSearchParams({ ...(asOf ? { asOf } : {}), format: "csv" })}`
        : null;
  const summary =
    mode === "neighbors"
      ? depth === "1"
        ? `${total.toLocaleString("en")} relationships one edge away${answer?.truncated ? " (the first 300 shown)" : ""}${asOf ? `, as of ${asOf}` : ""}${filtered ? ` (${items.length} of them ${[kind, source].filter(Boolean).join(" from ")})` : ""}.`
        : `${total.toLocaleString("en")} relationships within ${depth} edges${answer?.truncated ? " (not all of them: busy nodes show only their first few)" : ""}${asOf ? `, as of ${asOf}` : ""}${filtered ? ` (${items.length} of them ${[kind, source].filter(Boolean).join(" from ")})` : ""}.`
      : mode === "paths"
        ? target
          ? `${total} path${total === 1 ? "" : "s"} to ${target.name} within ${depth} hops${asOf ? `, as of ${asOf}` : ""}.`
          : "Name a target (type a name and pick it) to list the shortest paths to it."
        : `${total.toLocaleString("en")} ${mode === "who" ? "principals can reach it" : "nodes reachable"} within ${depth} hops${asOf ? `, as of ${asOf}` : ""}${filtered ? ` (of ${all.toLocaleString("en")}, filtered by ${[kind, source].filter(Boolean).join(" and ")})` : ""}.`;

  return (
    <>
      <h1 className={styles.title}>
        <Link href={`/nodes/${focus.id}`}>{focus.name}</Link> <KindBadge kind={focus.kind} />
      </h1>
      <div className="toolbar">
        <nav className="segmented" aria-label="Question">
          {(Object.keys(MODES) as Mode[]).map((m) => (
            <Link
              key={m}
              // Depth means edges in a neighbourhood and hops elsewhere: switching between them starts from the default.
              href={href({
                ...state,
                mode: m,
                depth: (m === "neighbors") === (mode === "neighbors") ? depthParam : undefined,
                cursor: undefined,
                kind: undefined,
                source: undefined,
                view: undefined,
              })}
              aria-current={m === mode ? "true" : undefined}
            >
              {MODES[m]}
            </Link>
          ))}
        </nav>
        <form className={`toolbar ${styles.controls}`} action="/graph">
          <input type="hidden" name="node" value={focus.id} />
          <input type="hidden" name="mode" value={mode} />
          {view ? <input type="hidden" name="view" value={view} /> : null}
          {filterable ? <ExplorerFilters groups={groups} kind={kind} source={source} /> : null}
          {mode === "paths" ? <PathTarget targetId={target?.id} targetName={target?.name} hrefWithoutTarget={href({ ...state, to: undefined })} /> : null}
          <label>
            Depth{" "}
            <select name="depth" defaultValue={depth} aria-label="Depth">
              {Array.from({ length: maxDepth }, (_, i) => String(i + 1)).map((d) => (
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
      {candidates.length > 0 || (mode === "paths" && to && !target && !problem) ? (
        <div className={styles.candidates} data-testid="path-candidates">
          <p className="subtitle">
            {candidates.length ? "Several nodes match: choose the target." : "No node matches that name: type part of a name and pick it from the list."}
          </p>
          <nav className="chips" aria-label="Matching targets">
            {candidates.map((n) => (
              <Link key={n.id} className="chip" href={href({ ...state, to: n.id })}>
                {n.name}{" "}
                <span className="subtitle">
                  {n.kind.replace("_", " ")} · {n.source}
                </span>
              </Link>
            ))}
          </nav>
        </div>
      ) : null}
      <p className="subtitle" data-testid="graph-summary">
        {summary}
        {grouped ? ` Drawn as ${shownGroups.length} group${shownGroups.length === 1 ? "" : "s"} by kind and source: click one to open it.` : ""}
        {answer?.nextCursor ? (
          <>
            {" "}
            <Link href={href({ ...state, cursor: answer.nextCursor })}>Next 100 →</Link>
          </>
        ) : null}
      </p>
      {filterable && (items.length > 0 || filtered) ? (
        <p className="toolbar" data-testid="graph-view-links">
          {filtered ? (
            <Link href={href({ ...state, kind: undefined, source: undefined, cursor: undefined })}>
              {grouped || all > GROUP_ABOVE ? "← all groups" : "← clear filters"}
            </Link>
          ) : null}
          {items.length === 0 ? null : grouped ? (
            <Link href={href({ ...state, view: "paths", cursor: undefined })}>
              {mode === "neighbors" ? "Draw every relationship instead" : "Draw this page’s paths instead"}
            </Link>
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
            Download CSV
          </a>
        </p>
      ) : null}
      {!answer || (mode === "paths" && !target) ? null : items.length === 0 ? (
        <EmptyState
          title={
            filtered
              ? "Nothing matches these filters"
              : mode === "who"
                ? "Nobody can reach this"
                : mode === "reach"
                  ? "This reaches nothing"
                  : mode === "neighbors"
                    ? "No relationships"
                    : "No path"
          }
        >
          <p>{mode === "neighbors" ? "Nothing is connected to it at that time." : `No access path within ${depth} hops. Try a greater depth.`}</p>
        </EmptyState>
      ) : (
        <ExplorerView
          elements={answer.elements}
          items={items}
          nodes={answer.nodes}
          focusId={focus.id}
          exploreHref={href({ depth: depthParam, asOf })}
          layout={grouped ? "concentric" : mode === "neighbors" ? "rings" : "paths"}
          groupLinks={groupLinks}
          pngName={`attest-${mode}-${focus.id}.png`}
        />
      )}
    </>
  );
}
