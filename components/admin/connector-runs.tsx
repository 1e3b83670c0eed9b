"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { ConnectorRunView } from "@/lib/connectors/manage";
import { countsByKind, duration, isOpen, plainMessage, STATUS_TONE, TRIGGER_WORDS } from "./connector-format";
import styles from "./connectors.module.css";

export const runsKey = (id: string) => ["admin", "connectors", id, "runs"] as const;

/** One run in words: status, trigger, when, how long, what it read, what failed and where. */
export function RunSummary({ run }: { run: ConnectorRunView }) {
  return (
    <div className={styles.summary}>
      <p>
        <Badge tone={STATUS_TONE[run.status] ?? "info"}>{run.status}</Badge> {TRIGGER_WORDS[run.trigger] ?? run.trigger}
        {run.trigger === "test" ? "" : `, ${run.mode}`} · <LocalTime value={run.startedAt ?? run.queuedAt} /> · {duration(run.durationMs)}
        {run.actorLabel ? ` · by ${run.actorLabel}` : ""}
      </p>
      {isOpen(run) ? <p className={styles.help}>{run.progress ? `Now: ${run.progress}` : run.status === "queued" ? "Waiting to start" : "Running"}</p> : null}
      {run.counts ? (
        <p>
          Read {countsByKind(run.counts.nodesByKind, "no nodes")} and {countsByKind(run.counts.edgesByKind, "no edges")} in{" "}
          {run.counts.calls.toLocaleString("en")} API call{run.counts.calls === 1 ? "" : "s"}
          {run.counts.retries ? ` (${run.counts.retries} retried after throttling)` : ""}.
        </p>
      ) : null}
      {run.trigger === "test" && run.status === "succeeded" && run.warnings[0] ? <p>Answer: {run.warnings[0]}</p> : null}
      {run.errorMessage ? <p>{plainMessage(run.errorMessage)}</p> : null}
      {run.errors.length ? (
        <ul className={styles.errors} aria-label="Located errors">
          {run.errors.slice(0, 10).map((e, i) => (
            <li key={i}>
              {e.path ? <code>{e.path}</code> : null} {e.message}
            </li>
          ))}
          {run.errors.length > 10 ? <li>… and {run.errors.length - 10} more</li> : null}
        </ul>
      ) : null}
      {run.importId ? (
        <p>
          <Link href={`/imports/${encodeURIComponent(run.importId)}`}>Open the import record</Link>
        </p>
      ) : null}
    </div>
  );
}

/** A connector's history (runs and connection tests), read when opened. */
export function ConnectorRuns({ id, name, polling }: { id: string; name: string; polling: boolean }) {
  const runs = useQuery({
    queryKey: runsKey(id),
    queryFn: () => apiFetch<{ items: ConnectorRunView[] }>(`/api/v1/connectors/${encodeURIComponent(id)}/runs?limit=20`),
    refetchInterval: polling ? 2000 : false,
  });
  if (runs.isPending) return <p className={styles.help}>Loading runs…</p>;
  if (runs.isError) return <p className="alert">{errorMessage(runs.error)}</p>;
  if (!runs.data.items.length) return <p className={styles.help}>No runs or tests yet.</p>;
  return (
    <div role="list" aria-label={`Runs of ${name}`}>
      {runs.data.items.map((r) => (
        <div role="listitem" className={styles.run} key={r.id} data-testid="connector-run">
          <RunSummary run={r} />
        </div>
      ))}
    </div>
  );
}
