"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment, useState } from "react";
import { LocalTime } from "@/components/ui/local-time";
import { apiFetch } from "@/lib/client/api-fetch";
import { formatDuration } from "./import-run-detail";
import styles from "./imports.module.css";

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

/** Import history, each run linking to its page; polls every second while an import is running. */
export function ImportsTable({ initial }: { initial: ImportRow[] }) {
  const [open, setOpen] = useState<{ id: string; what: "problems" | "warnings" } | null>(null);
  const toggle = (id: string, what: "problems" | "warnings") => setOpen(open?.id === id && open.what === what ? null : { id, what });
  const { data } = useQuery({
    queryKey: ["imports"],
    queryFn: async ({ signal }) => (await apiFetch<{ items: ImportRow[] }>("/api/v1/imports?limit=50", { signal })).items,
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
                <Link
                  href={`/imports/${encodeURIComponent(i.id)}`}
                  className={styles.rowLink}
                  aria-label={`Import ${i.sourceName ?? i.fileName ?? i.id}, started ${i.startedAt}`}
                >
                  <LocalTime value={i.startedAt} relative={false} />
                </Link>
                {i.durationMs !== null ? <div className={styles.small}>{formatDuration(i.durationMs)}</div> : null}
              </td>
              <td>{i.sourceName ?? "—"}</td>
              <td>
                {i.format} · {i.mode}
                {i.detectedFormat ? (
                  <div className={styles.small} title="The variant this import recognised">
                    read as {i.detectedFormat}
                  </div>
                ) : null}
                {i.fileName ? <div className={`${styles.small} mono`}>{i.fileName}</div> : null}
              </td>
              <td>
                <span className={`badge ${TONE[i.status]}`}>{i.status}</span>
                {i.progress ? (
                  <div className={styles.small}>
                    {i.progress.processed.toLocaleString("en")} records · {i.progress.phase}
                  </div>
                ) : null}
              </td>
              <td className="num">
                {i.recordsTotal.toLocaleString("en")}
                {i.recordsRejected ? <div className={styles.small}>{i.recordsRejected} rejected</div> : null}
              </td>
              <td className={styles.changes}>
                {i.counts ? (
                  <>
                    nodes +{i.counts.nodesCreated} ~{i.counts.nodesUpdated} −{i.counts.nodesEnded}
                    <br />
                    edges +{i.counts.edgesCreated} ~{i.counts.edgesUpdated} −{i.counts.edgesEnded}
                  </>
                ) : null}
                {i.errorCount ? (
                  <button
                    type="button"
                    className={`btn secondary ${styles.detail}`}
                    aria-expanded={open?.id === i.id && open.what === "problems"}
                    onClick={() => toggle(i.id, "problems")}
                  >
                    {i.errorCount} problem{i.errorCount === 1 ? "" : "s"}
                  </button>
                ) : null}
                {i.warnings?.length ? (
                  <button
                    type="button"
                    className={`btn secondary ${styles.detail} ${styles.detailNext}`}
                    aria-expanded={open?.id === i.id && open.what === "warnings"}
                    onClick={() => toggle(i.id, "warnings")}
                  >
                    {i.warnings.length} warning{i.warnings.length === 1 ? "" : "s"}
                  </button>
                ) : null}
              </td>
              <td>{i.actorLabel}</td>
            </tr>
            {open?.id === i.id && open.what === "problems" ? (
              <tr>
                <td colSpan={7}>
                  <ul className={styles.list}>
                    {i.errors.slice(0, 20).map((e, n) => (
                      <li key={n}>
                        <code>{e.path}</code>: {e.message}
                      </li>
                    ))}
                    {i.errorCount > 20 ? (
                      <li>
                        <Link href={`/imports/${encodeURIComponent(i.id)}`}>all {i.errorCount.toLocaleString("en")} on the run&apos;s page →</Link>
                      </li>
                    ) : null}
                  </ul>
                </td>
              </tr>
            ) : null}
            {open?.id === i.id && open.what === "warnings" ? (
              <tr>
                <td colSpan={7}>
                  <ul aria-label="Warnings" className={styles.list}>
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
