import Link from "next/link";
import { getDb } from "@/db/client";
import { ReportPath } from "@/components/evidence/report-path";
import { EmptyState } from "@/components/ui/empty-state";
import { KindBadge } from "@/components/ui/kind-badge";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError, zodDetails } from "@/lib/errors";
import { listNodesFor, listNodesQuerySchema } from "@/lib/graph/node-api";
import { NODE_KIND_LABEL, NODE_KINDS } from "@/lib/graph/model";
import { parseNodeRef } from "@/lib/graph/node-ref";
import { DEFAULT_DEPTH, MAX_DEPTH } from "@/lib/graph/traverse";
import { accessReportQuerySchema, buildAccessReport, nodeRef, reportTitle, type AccessReport } from "@/lib/reports/access-report";

export const metadata = { title: "Point-in-time access report" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const PAGE_SIZE = 100;

function single(params: Record<string, string | string[] | undefined>) {
  const out: Record<string, string> = {};
  for (const key of ["direction", "node", "date", "time", "depth", "page"]) {
    const v = params[key];
    if (typeof v === "string" && v.trim() !== "") out[key] = v.trim();
  }
  return out;
}

const pageHref = (params: Record<string, string>, change: Record<string, string | undefined>) => {
  const next = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...change })) if (v) next.set(k, v);
  return `/evidence/access?${next.toString()}`;
};

export default async function AccessReportPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requirePagePermission("evidence.export");
  const db = await getDb();
  const params = single(await searchParams);
  const direction = params.direction === "reachable-from" ? "reachable-from" : "who-can-reach";
  const asOf = params.date ? `${params.date}T${params.time ?? "00:00"}:00Z` : undefined;

  let report: AccessReport | null = null;
  let problem: { title: string; lines: string[] } | null = null;
  let candidates: { id: string; name: string; kind: (typeof NODE_KINDS)[number]; source: string; ref: string }[] = [];
  let apiQuery = "";

  if (params.node) {
    let isRef = true;
    try {
      parseNodeRef(params.node);
    } catch {
      isRef = false;
    }
    if (!isRef) {
      // Not an id or source:kind:externalId: treat it as a search and offer the matches.
      const found = await listNodesFor(db, actor, listNodesQuerySchema.parse({ q: params.node.slice(0, 200), limit: "12" }));
      candidates = found.items.map((n) => ({ id: n.id, name: n.name, kind: n.kind, source: n.source, ref: `${n.source}:${n.kind}:${n.externalId}` }));
    } else {
      const raw = {
        [direction === "who-can-reach" ? "target" : "principal"]: params.node,
        ...(asOf ? { asOf } : {}),
        ...(params.depth ? { maxDepth: params.depth } : {}),
      };
      const parsed = accessReportQuerySchema.safeParse(raw);
      if (!parsed.success) problem = { title: "That question is not valid", lines: zodDetails(parsed.error.issues).map((d) => `${d.path}: ${d.message}`) };
      else {
        try {
          report = await buildAccessReport(db, actor, parsed.data);
          apiQuery = new URLSearchParams({ ...raw, asOf: report.asOf }).toString();
        } catch (err) {
          if (!isAppError(err) || (err.code !== "not_found" && err.code !== "validation")) throw err;
          problem = { title: err.code === "not_found" ? "No such node at that time" : "That question is not valid", lines: [err.message] };
        }
      }
    }
  }

  const page = Math.max(1, Number.parseInt(params.page ?? "1", 10) || 1);
  const rows = report ? report.rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE) : [];
  const who = direction === "who-can-reach";

  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.25rem" }}>
        <Link href="/evidence">Evidence</Link> /
      </p>
      <h1>Point-in-time access report</h1>
      <p className="subtitle">
        Who could reach a tool, server, resource or credential on a given date, or what an identity could reach, each with the path of access that allowed it,
        from the graph as it stood then.
      </p>

      <form className="panel toolbar" action="/evidence/access" aria-label="Report question" style={{ alignItems: "flex-end" }}>
        <label style={{ display: "flex", flexDirection: "column", gap: "0.25rem", fontSize: "0.85rem" }}>
          Question
          <select name="direction" defaultValue={direction}>
            <option value="who-can-reach">Who could reach…</option>
            <option value="reachable-from">What could … reach</option>
          </select>
        </label>
        <label style={{ display: "flex", flexDirection: "column", gap: "0.25rem", fontSize: "0.85rem" }}>
          Node (name, id or source:kind:externalId)
          <input className="text" type="search" name="node" defaultValue={params.node ?? ""} placeholder="github-mcp, mcp-configs:mcp_server:github" required />
        </label>
        <label style={{ display: "flex", flexDirection: "column", gap: "0.25rem", fontSize: "0.85rem" }}>
          On date (UTC)
          <input className="text" style={{ minWidth: 0 }} type="date" name="date" defaultValue={params.date ?? ""} />
        </label>
        <label style={{ display: "flex", flexDirection: "column", gap: "0.25rem", fontSize: "0.85rem" }}>
          Time (UTC)
          <input className="text" style={{ minWidth: 0 }} type="time" name="time" defaultValue={params.time ?? ""} />
        </label>
        <label style={{ display: "flex", flexDirection: "column", gap: "0.25rem", fontSize: "0.85rem" }}>
          Max depth
          <input
            className="text"
            style={{ minWidth: 0, width: "5rem" }}
            type="number"
            name="depth"
            min={1}
            max={MAX_DEPTH}
            defaultValue={params.depth ?? String(DEFAULT_DEPTH)}
          />
        </label>
        <button className="btn" type="submit">
          Run report
        </button>
      </form>
      <p className="subtitle" style={{ marginTop: "-0.5rem", fontSize: "0.85rem" }}>
        A date alone means 00:00 UTC that day; leave it empty for now.
      </p>

      {problem ? (
        <EmptyState title={problem.title}>
          {problem.lines.map((l) => (
            <p key={l}>{l}</p>
          ))}
        </EmptyState>
      ) : null}

      {params.node && !report && !problem ? (
        candidates.length === 0 ? (
          <EmptyState title="No node matches">
            <p>Nothing is called “{params.node}”. Search by name, external id or email, or paste an id.</p>
          </EmptyState>
        ) : (
          <section className="panel" aria-labelledby="pick">
            <h2 id="pick" style={{ marginTop: 0 }}>
              Which one?
            </h2>
            <ul style={{ margin: 0, paddingLeft: "1.1rem", lineHeight: 1.9 }} data-testid="candidates">
              {candidates.map((c) => (
                <li key={c.id}>
                  <Link href={pageHref(params, { node: c.id, page: undefined })}>{c.name}</Link> <KindBadge kind={c.kind} />{" "}
                  <span className="mono subtitle">{c.ref}</span>
                </li>
              ))}
            </ul>
          </section>
        )
      ) : null}

      {report ? (
        <>
          <section className="panel" aria-labelledby="report-title" data-testid="report-summary">
            <h2 id="report-title" style={{ marginTop: 0 }}>
              {reportTitle(report)}
            </h2>
            <p className="subtitle" style={{ marginBottom: "0.75rem" }}>
              as of <span className="mono">{report.asOf}</span> · <span className="mono">{nodeRef(report.subject)}</span> · up to {report.maxDepth} edges ·
              report <span className="mono">{report.id}</span>
            </p>
            <div className="cards" aria-label="Totals">
              <div className="card">
                <div className="n" data-testid="report-total">
                  {report.total.toLocaleString("en")}
                </div>
                <div className="l">{who ? "could reach it" : "reachable"}</div>
              </div>
              {NODE_KINDS.filter((k) => report.countsByKind[k]).map((k) => (
                <div className="card" key={k}>
                  <div className="n">{report.countsByKind[k]}</div>
                  <div className="l">{NODE_KIND_LABEL[k]}</div>
                </div>
              ))}
            </div>
            <div className="toolbar" style={{ marginBottom: 0 }}>
              <span className="subtitle" style={{ margin: 0 }}>
                Export:
              </span>
              <a className="btn" href={`/api/v1/reports/access?${apiQuery}&format=zip`} download>
                Evidence package (zip)
              </a>
              <a className="btn secondary" href={`/api/v1/reports/access?${apiQuery}&format=pdf`} download>
                PDF
              </a>
              <a className="btn secondary" href={`/api/v1/reports/access?${apiQuery}&format=csv`} download>
                CSV
              </a>
              <a className="btn secondary" href={`/api/v1/reports/access?${apiQuery}&format=json`}>
                JSON
              </a>
            </div>
            {report.truncated ? (
              <p className="subtitle">
                The report holds the first {report.rows.length.toLocaleString("en")} of {report.total.toLocaleString("en")}.
              </p>
            ) : null}
          </section>

          {report.rows.length === 0 ? (
            <EmptyState title={who ? "Nobody could reach it then" : "It reached nothing then"}>
              <p>No path of access edges existed at that time within {report.maxDepth} edges.</p>
            </EmptyState>
          ) : (
            <>
              <table className="data" data-testid="report-table">
                <thead>
                  <tr>
                    <th className="num">#</th>
                    <th>{who ? "Principal" : "Reached"}</th>
                    <th>Kind</th>
                    <th>Source</th>
                    <th className="num">Depth</th>
                    <th>Path</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r, i) => (
                    <tr key={r.id}>
                      <td className="num">{(page - 1) * PAGE_SIZE + i + 1}</td>
                      <td>
                        <Link href={`/nodes/${r.id}`}>{r.name}</Link>
                      </td>
                      <td>
                        <KindBadge kind={r.kind} />
                      </td>
                      <td>{r.source}</td>
                      <td className="num">{r.depth}</td>
                      <td>
                        <ReportPath nodes={r.path.nodes} edges={r.path.edges} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="pager">
                <span>
                  {rows.length} shown of {report.rows.length.toLocaleString("en")}
                </span>
                {page > 1 ? <Link href={pageHref(params, { page: String(page - 1) })}>← Previous</Link> : null}
                {page * PAGE_SIZE < report.rows.length ? (
                  <Link className="btn secondary" href={pageHref(params, { page: String(page + 1) })} rel="next">
                    Next page →
                  </Link>
                ) : null}
              </div>
            </>
          )}
        </>
      ) : null}
    </>
  );
}
