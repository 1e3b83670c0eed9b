"use client";

import { useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";

export interface ImportRow {
  id: string;
  sourceName: string | null;
  format: string;
  mode: string;
  status: "running" | "succeeded" | "rejected" | "failed";
  fileName: string | null;
  recordsTotal: number;
  recordsAccepted: number;
  recordsRejected: number;
  counts: Record<string, number> | null;
  errors: { path: string; message: string }[];
  errorCount: number;
  /** What the converter dropped or found unusual (paths and key names only). */
  warnings?: string[];
  /** The variant read, e.g. the MCP client ("codex", "vscode+claude-code"). */
  detectedFormat?: string | null;
  actorLabel: string | null;
  startedAt: string;
  durationMs: number | null;
  progress?: { processed: number; phase: string };
}

const TONE = { running: "info", succeeded: "ok", rejected: "danger", failed: "danger" } as const;

/** Import history; polls every second while an import is running. */
export function ImportsTable({ initial }: { initial: ImportRow[] }) {
  const [open, setOpen] = useState<{ id: string; what: "problems" | "warnings" } | null>(null);
  const toggle = (id: string, what: "problems" | "warnings") => setOpen(open?.id === id && open.what === what ? null : { id, what });
  const { data } = useQuery({
    queryKey: ["imports"],
    queryFn: async () => {
      const r = await fetch("/api/v1/imports?limit=50");
      if (!r.ok) throw new Error(`imports: ${r.status}`);
      return ((await r.json()) as { items: ImportRow[] }).items;
    },
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.some((i) => i.status === "running") ? 1000 : false),
  });
  if (data.length === 0) {
    return (
      <div className="panel empty" role="status">
        <h2>No imports yet</h2>
        <p>Upload a file above, or send one to POST /api/v1/imports.</p>
      </div>
    );
  }
  return (
    <table className="data" data-testid="imports-table" tabIndex={0}>
      <thead>
        <tr>
          <th>Started</th>
          <th>Source</th>
          <th>Format</th>
          <th>Status</th>
          <th className="num">Records</th>
          <th>Changes</th>
          <th>By</th>
        </tr>
      </thead>
      <tbody>
        {data.map((i) => (
          <Fragment key={i.id}>
            <tr>
              <td>
                <span title={i.id}>{new Date(i.startedAt).toISOString().replace("T", " ").slice(0, 19)}</span>
                {i.durationMs !== null ? <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }}>{(i.durationMs / 1000).toFixed(1)} s</div> : null}
              </td>
              <td>{i.sourceName ?? "—"}</td>
              <td>
                {i.format} · {i.mode}
                {i.detectedFormat ? (
                  <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }} title="The variant this import recognised">
                    read as {i.detectedFormat}
                  </div>
                ) : null}
                {i.fileName ? <div className="subtitle mono" style={{ margin: 0 }}>{i.fileName}</div> : null}
              </td>
              <td>
                <span className={`badge ${TONE[i.status]}`}>{i.status}</span>
                {i.progress ? <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }}>{i.progress.processed.toLocaleString("en")} records · {i.progress.phase}</div> : null}
              </td>
              <td className="num">
                {i.recordsTotal.toLocaleString("en")}
                {i.recordsRejected ? <div className="subtitle" style={{ margin: 0, fontSize: "0.8rem" }}>{i.recordsRejected} rejected</div> : null}
              </td>
              <td style={{ fontSize: "0.85rem" }}>
                {i.counts ? (
                  <>
                    nodes +{i.counts.nodesCreated} ~{i.counts.nodesUpdated} −{i.counts.nodesEnded}
                    <br />
                    edges +{i.counts.edgesCreated} ~{i.counts.edgesUpdated} −{i.counts.edgesEnded}
                  </>
                ) : null}
                {i.errorCount ? (
                  <button type="button" className="btn secondary" style={{ padding: "0.1rem 0.5rem", marginTop: 4 }} aria-expanded={open?.id === i.id && open.what === "problems"} onClick={() => toggle(i.id, "problems")}>
                    {i.errorCount} problem{i.errorCount === 1 ? "" : "s"}
                  </button>
                ) : null}
                {i.warnings?.length ? (
                  <button type="button" className="btn secondary" style={{ padding: "0.1rem 0.5rem", marginTop: 4, marginLeft: 4 }} aria-expanded={open?.id === i.id && open.what === "warnings"} onClick={() => toggle(i.id, "warnings")}>
                    {i.warnings.length} warning{i.warnings.length === 1 ? "" : "s"}
                  </button>
                ) : null}
              </td>
              <td>{i.actorLabel}</td>
            </tr>
            {open?.id === i.id && open.what === "problems" ? (
              <tr>
                <td colSpan={7}>
                  <ul style={{ margin: 0, paddingLeft: "1.2rem", maxHeight: 240, overflow: "auto" }}>
                    {i.errors.map((e, n) => (
                      <li key={n}>
                        <code>{e.path}</code>: {e.message}
                      </li>
                    ))}
                    {i.errorCount > i.errors.length ? <li>… and {i.errorCount - i.errors.length} more</li> : null}
                  </ul>
                </td>
              </tr>
            ) : null}
            {open?.id === i.id && open.what === "warnings" ? (
              <tr>
                <td colSpan={7}>
                  <ul aria-label="Warnings" style={{ margin: 0, paddingLeft: "1.2rem", maxHeight: 240, overflow: "auto" }}>
                    {(i.warnings ?? []).map((w, n) => (
                      <li key={n}>{w}</li>
                    ))}
                  </ul>
                </td>
              </tr>
            ) : null}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
