import type { AuditEventView } from "@/lib/audit/audit-api";

/** One page of audit events. Before/after are untrusted data: shown as text only. */
export type AuditRow = Omit<AuditEventView, "prevHash">;

const utc = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
const text = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v, null, 2));

export function AuditTable({ rows }: { rows: AuditRow[] }) {
  return (
    <table className="data" data-testid="audit-table">
      <thead>
        <tr>
          <th className="num">Seq</th>
          <th>When (UTC)</th>
          <th>Actor</th>
          <th>Action</th>
          <th>Target</th>
          <th>Change</th>
          <th>Hash</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((e) => {
          const before = text(e.before);
          const after = text(e.after);
          return (
            <tr key={e.id}>
              <td className="num">{e.seq}</td>
              <td className="mono" style={{ whiteSpace: "nowrap" }}>
                {utc(e.occurredAt)}
              </td>
              <td>
                {e.actorLabel ?? e.actorId}
                <div className="subtitle" style={{ margin: 0, fontSize: "0.75rem" }}>
                  {e.actorType}
                </div>
              </td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                {e.targetType ? (
                  <>
                    <span className="badge">{e.targetType}</span> <span className="mono">{e.targetId}</span>
                  </>
                ) : (
                  <span className="subtitle">—</span>
                )}
              </td>
              <td style={{ minWidth: 220, maxWidth: 380 }}>
                {before || after ? (
                  <details>
                    <summary>{before && after ? "before → after" : after ? "after" : "before"}</summary>
                    {before ? (
                      <>
                        <div className="subtitle" style={{ margin: "0.3rem 0 0.15rem", fontSize: "0.75rem" }}>
                          before
                        </div>
                        <pre className="json">{before}</pre>
                      </>
                    ) : null}
                    {after ? (
                      <>
                        <div className="subtitle" style={{ margin: "0.3rem 0 0.15rem", fontSize: "0.75rem" }}>
                          after
                        </div>
                        <pre className="json">{after}</pre>
                      </>
                    ) : null}
                  </details>
                ) : (
                  <span className="subtitle">—</span>
                )}
                {e.requestId ? <div className="subtitle mono" style={{ margin: "0.2rem 0 0", fontSize: "0.72rem" }}>request {e.requestId}</div> : null}
              </td>
              <td className="mono" title={e.hash}>
                {e.hash.slice(0, 12)}…
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
