"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";
import { Pager } from "@/components/ui/pager";
import { Table } from "@/components/ui/table";
import { apiFetch, errorMessage, qs } from "@/lib/client/api-fetch";
import type { ImportRun } from "@/lib/ingest/import-run";
import styles from "./imports.module.css";

/** The run as JSON (dates as strings). */
export type ImportRunView = Omit<ImportRun, "startedAt" | "finishedAt" | "heartbeatAt"> & {
  startedAt: string;
  finishedAt: string | null;
  heartbeatAt: string | null;
};

const TONE = { running: "info", succeeded: "ok", rejected: "danger", failed: "danger" } as const;
const STATUS_WORDS: Record<ImportRunView["status"], string> = {
  running: "Running: nothing is visible to others until it finishes.",
  succeeded: "Applied.",
  rejected: "Rejected: nothing was written.",
  failed: "Failed on our side and rolled back: nothing was written.",
};

export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const pageHref = (offset: number, perPage: number) => (offset <= 0 ? "?" : `?page=${Math.floor(offset / perPage) + 1}`);

/** One import run: what was read, by whom, what it changed, and every warning and problem; polls while it runs. */
export function ImportRunDetail({ initial, errorsOffset, perPage }: { initial: ImportRunView; errorsOffset: number; perPage: number }) {
  const { data: run, error } = useQuery({
    queryKey: ["imports", initial.id, errorsOffset, perPage],
    queryFn: ({ signal }) =>
      apiFetch<ImportRunView>(`/api/v1/imports/${encodeURIComponent(initial.id)}${qs({ errorsOffset, errorsLimit: perPage })}`, { signal }),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.status === "running" ? 1000 : false),
  });
  const c = run.counts;
  const { stored } = run.errorsPage;
  return (
    <>
      <div className={styles.head}>
        <h1>Import of {run.sourceName ?? run.fileName ?? "a file"}</h1>
        <Badge tone={TONE[run.status]}>{run.status}</Badge>
      </div>
      <p className="subtitle">{STATUS_WORDS[run.status]}</p>
      {error ? <Alert tone="warn">Could not refresh: {errorMessage(error)}</Alert> : null}
      {run.status === "running" ? (
        <section className={`panel ${styles.section}`} aria-label="Progress" data-testid="import-progress">
          <div className={styles.progress} role="status">
            <span>
              {(run.progress?.processed ?? 0).toLocaleString("en")} records read · {run.progress?.phase ?? "starting"}
            </span>
            <span className={styles.bar} aria-hidden>
              <span />
            </span>
          </div>
        </section>
      ) : null}

      <section className={`panel ${styles.section}`} aria-labelledby="run-facts">
        <h2 id="run-facts" className="sr-only">
          About this run
        </h2>
        <dl className={styles.facts}>
          <div>
            <dt>Source</dt>
            <dd>{run.sourceName ?? "—"}</dd>
          </div>
          <div>
            <dt>Format</dt>
            <dd>
              {run.format}
              {run.detectedFormat ? <span className={styles.small}> · read as {run.detectedFormat}</span> : null}
            </dd>
          </div>
          <div>
            <dt>Mode</dt>
            <dd>
              {run.mode === "full" ? "full (ends what is missing)" : "incremental (upsert only)"}
              {run.allowPartial ? ", valid records accepted" : ""}
            </dd>
          </div>
          <div>
            <dt>File</dt>
            <dd className="mono">
              {run.fileName ?? "—"}
              {run.bytes !== null ? <span className={styles.small}> · {run.bytes.toLocaleString("en")} bytes</span> : null}
            </dd>
          </div>
          <div>
            <dt>By</dt>
            <dd>{run.actorLabel ?? run.actorType}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>
              <LocalTime value={run.startedAt} />
            </dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>{run.status === "running" ? "running…" : formatDuration(run.durationMs)}</dd>
          </div>
          <div>
            <dt>Records</dt>
            <dd data-testid="import-records">
              {run.recordsTotal.toLocaleString("en")} read · {run.recordsAccepted.toLocaleString("en")} accepted · {run.recordsRejected.toLocaleString("en")}{" "}
              rejected
            </dd>
          </div>
        </dl>
      </section>

      <section className={`panel ${styles.section}`} aria-labelledby="run-changes">
        <h2 id="run-changes">Changes</h2>
        {c ? (
          <Table caption="Changes by kind" testId="import-counts">
            <thead>
              <tr>
                <th>Kind</th>
                <th className="num">Created</th>
                <th className="num">Updated</th>
                <th className="num">Ended</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>Nodes</td>
                <td className="num">{c.nodesCreated.toLocaleString("en")}</td>
                <td className="num">{c.nodesUpdated.toLocaleString("en")}</td>
                <td className="num">{c.nodesEnded.toLocaleString("en")}</td>
              </tr>
              <tr>
                <td>Edges</td>
                <td className="num">{c.edgesCreated.toLocaleString("en")}</td>
                <td className="num">{c.edgesUpdated.toLocaleString("en")}</td>
                <td className="num">{c.edgesEnded.toLocaleString("en")}</td>
              </tr>
            </tbody>
          </Table>
        ) : (
          <p className="subtitle">{run.status === "running" ? "Counted when the run finishes." : "Nothing was written."}</p>
        )}
      </section>

      <section className={`panel ${styles.section}`} aria-labelledby="run-warnings">
        <h2 id="run-warnings">Warnings ({run.warnings.length.toLocaleString("en")})</h2>
        {run.warnings.length ? (
          <ul className={styles.problems} data-testid="import-warnings">
            {run.warnings.map((w, n) => (
              <li key={n}>{w}</li>
            ))}
          </ul>
        ) : (
          <p className="subtitle">The converter dropped nothing and found nothing unusual.</p>
        )}
      </section>

      <section className={`panel ${styles.section}`} aria-labelledby="run-errors">
        <h2 id="run-errors">Problems ({run.errorCount.toLocaleString("en")})</h2>
        {run.errorCount > stored ? <p className="subtitle">The first {stored.toLocaleString("en")} are kept.</p> : null}
        {run.errors.length ? (
          <>
            <ol className={styles.problems} start={errorsOffset + 1} data-testid="import-errors">
              {run.errors.map((e, n) => (
                <li key={errorsOffset + n}>
                  <code>{e.path}</code>: {e.message}
                </li>
              ))}
            </ol>
            <Pager
              from={errorsOffset}
              shown={run.errors.length}
              total={stored}
              prevHref={errorsOffset > 0 ? pageHref(errorsOffset - perPage, perPage) : null}
              nextHref={errorsOffset + run.errors.length < stored ? pageHref(errorsOffset + perPage, perPage) : null}
            />
          </>
        ) : run.errorCount && errorsOffset > 0 ? (
          <p className="subtitle">
            No problems on this page. <Link href="?">First page</Link>
          </p>
        ) : (
          <p className="subtitle">{run.status === "running" ? "Problems are listed when the run finishes." : "None."}</p>
        )}
      </section>
    </>
  );
}
