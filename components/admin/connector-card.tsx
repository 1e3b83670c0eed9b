"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { LocalTime } from "@/components/ui/local-time";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { ConnectorKindView, ConnectorRunView, ConnectorView } from "@/lib/connectors/manage";
import { ConnectorFields, readFields } from "./connector-fields";
import { ScheduleWords } from "./connector-form";
import { isOpen, plainMessage } from "./connector-format";
import { ConnectorRuns, RunSummary, runsKey } from "./connector-runs";
import styles from "./connectors.module.css";

export const CONNECTORS_KEY = ["admin", "connectors"] as const;

type TestAnswer = { ok: boolean; code: string | null; message: string; run: ConnectorRunView };
type Panel = "edit" | "credential" | null;

/**
 * One connector: what it pulls, when, how its last run went, a pending run
 * while one is queued or running; for admins, test, run, edit, replace the
 * credential, delete. Every write is the API's (audited there).
 */
export function ConnectorCard({
  c,
  kind,
  canManage,
  canStoreCredential,
}: {
  c: ConnectorView;
  kind: ConnectorKindView | undefined;
  canManage: boolean;
  canStoreCredential: boolean;
}) {
  const uid = useId();
  const qc = useQueryClient();
  const [panel, setPanel] = useState<Panel>(null);
  const [askDelete, setAskDelete] = useState(false);
  const [cron, setCron] = useState(c.schedule ?? "");
  const [notice, setNotice] = useState<string | null>(null);
  const [showRuns, setShowRuns] = useState(false);
  const base = `/api/v1/connectors/${encodeURIComponent(c.id)}`;
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: CONNECTORS_KEY });
  };

  const test = useMutation({
    mutationFn: () => apiFetch<TestAnswer>(`${base}/test`, { method: "POST" }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: runsKey(c.id) }),
  });
  const run = useMutation({
    mutationFn: (mode: "full" | "incremental") => apiFetch<ConnectorRunView>(`${base}/runs`, { method: "POST", body: { mode } }),
    onSuccess: (r) => {
      setNotice(`A ${r.mode} run is queued; this page follows it.`);
      refresh();
    },
  });
  const patch = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch<ConnectorView>(base, { method: "PATCH", body: { ...body, expectedVersion: c.version } }),
    onSuccess: () => {
      setPanel(null);
      setNotice("Saved.");
      refresh();
    },
  });
  const credential = useMutation({
    mutationFn: (value: Record<string, string>) => apiFetch<ConnectorView>(`${base}/credential`, { method: "PUT", body: { credential: value } }),
    onSuccess: () => {
      setPanel(null);
      setNotice("Credential replaced; the previous one is gone.");
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => apiFetch(base, { method: "DELETE" }),
    onSuccess: () => {
      setAskDelete(false);
      qc.setQueryData<{ items: ConnectorView[] }>(CONNECTORS_KEY, (old) => (old ? { ...old, items: old.items.filter((x) => x.id !== c.id) } : old));
      refresh();
    },
  });
  const writeError = [run, patch].find((m) => m.isError)?.error;

  function saveEdit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    let settings: Record<string, unknown> | undefined;
    if (kind) {
      // Settings the form does not show are kept; a text field emptied is removed (its default applies).
      const typed = readFields(f, kind.settingsFields, sample);
      settings = { ...c.settings };
      for (const field of kind.settingsFields) {
        if (field.name in typed) settings[field.name] = typed[field.name];
        else delete settings[field.name];
      }
    }
    patch.mutate({
      name: String(f.get("connectorName") ?? "").trim(),
      ...(settings ? { settings } : {}),
      schedule: cron.trim() || null,
      scheduleMode: f.get("scheduleMode") === "incremental" ? "incremental" : "full",
      enabled: f.get("enabled") === "on",
    });
  }
  function saveCredential(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (kind) credential.mutate(readFields(new FormData(e.currentTarget), kind.credentialFields) as Record<string, string>);
  }
  const open = (p: Panel) => {
    setNotice(null);
    patch.reset();
    credential.reset();
    setCron(c.schedule ?? "");
    setPanel(panel === p ? null : p);
  };

  const active = isOpen(c.activeRun) ? c.activeRun : null;
  const sample = { ...((kind?.defaultSettings as Record<string, unknown> | undefined) ?? {}), ...c.settings };
  return (
    <article className={`panel ${styles.card}`} aria-labelledby={`${uid}-name`} data-testid={`connector-${c.name}`}>
      <div className={styles.head}>
        <h3 id={`${uid}-name`}>{c.name}</h3>
        <span>
          {c.enabled ? <Badge tone="ok">enabled</Badge> : <Badge>disabled</Badge>}{" "}
          {active ? (
            <span className={styles.pending} role="status" data-testid="connector-pending">
              <Badge tone="info">{active.status === "queued" ? "queued" : "running"}</Badge>
              {active.progress ? <span className={styles.help}>{active.progress}</span> : null}
            </span>
          ) : null}
        </span>
      </div>
      <dl className={`attrs ${styles.facts}`}>
        <dt>System</dt>
        <dd>{c.label}</dd>
        <dt>Graph source</dt>
        <dd>
          <code>{c.sourceName}</code>
        </dd>
        <dt>Schedule</dt>
        <dd>
          {c.schedule ? (
            <>
              {c.scheduleText}, {c.scheduleMode} <span className={styles.help}>(cron {c.schedule})</span>
            </>
          ) : (
            "by hand only"
          )}
        </dd>
        <dt>Next run</dt>
        <dd>{c.nextRunAt ? <LocalTime value={c.nextRunAt} /> : c.schedule && !c.enabled ? "none while disabled" : "—"}</dd>
        <dt>Credential</dt>
        <dd data-testid="connector-credential">
          {c.credentialSet ? (
            <>
              set on <LocalTime value={c.credentialSetAt} relative={false} dateOnly />
              {c.credentialNeedsReseal ? (
                <>
                  {" "}
                  <Badge tone="warn">sealed with an older key</Badge>
                </>
              ) : null}
            </>
          ) : (
            <Badge tone="warn">not set</Badge>
          )}
        </dd>
        <dt>Last run</dt>
        <dd>{c.lastRun ? <RunSummary run={c.lastRun} /> : "never"}</dd>
      </dl>

      {canManage ? (
        <>
          <div className={styles.actions} role="group" aria-label={`Actions on ${c.name}`}>
            <button className="btn secondary" type="button" onClick={() => test.mutate()} disabled={test.isPending || !c.credentialSet}>
              {test.isPending ? "Testing…" : "Test connection"}
            </button>
            <button className="btn" type="button" onClick={() => run.mutate("full")} disabled={run.isPending || !!active}>
              Run now (full)
            </button>
            <button className="btn secondary" type="button" onClick={() => run.mutate("incremental")} disabled={run.isPending || !!active}>
              Run incremental
            </button>
            <button className="btn secondary" type="button" aria-expanded={panel === "edit"} onClick={() => open("edit")}>
              Edit
            </button>
            <button className="btn secondary" type="button" onClick={() => patch.mutate({ enabled: !c.enabled })} disabled={patch.isPending}>
              {c.enabled ? "Disable" : "Enable"}
            </button>
            <button className="btn secondary" type="button" aria-expanded={panel === "credential"} onClick={() => open("credential")}>
              {c.credentialSet ? "Replace credential" : "Set credential"}
            </button>
            <button className={`btn secondary ${styles.danger}`} type="button" onClick={() => setAskDelete(true)}>
              Delete
            </button>
          </div>
          {!c.credentialSet ? <p className={styles.help}>Set a credential to test or run this connector.</p> : null}
          <div aria-live="polite">
            {test.data ? (
              <Alert tone={test.data.ok ? "ok" : "danger"}>
                <span data-testid="connector-test-answer">
                  {test.data.ok ? `Connection works: ${test.data.message}.` : `Connection failed: ${plainMessage(test.data.message)}.`}
                </span>
              </Alert>
            ) : null}
            {test.isError ? <Alert>{errorMessage(test.error)}</Alert> : null}
            {notice ? <Alert tone="ok">{notice}</Alert> : null}
            {writeError ? <Alert>{errorMessage(writeError)}</Alert> : null}
          </div>

          {panel === "edit" ? (
            <form className={styles.editor} onSubmit={saveEdit} aria-label={`Edit ${c.name}`}>
              <div className={styles.field}>
                <label htmlFor={`${uid}-ename`}>Name</label>
                <input id={`${uid}-ename`} name="connectorName" defaultValue={c.name} required maxLength={100} />
              </div>
              {kind?.settingsFields.length ? <ConnectorFields fields={kind.settingsFields} idPrefix={`${uid}-es`} values={sample} /> : null}
              <div className={styles.inline}>
                <div className={styles.field}>
                  <label htmlFor={`${uid}-ecron`}>Schedule</label>
                  <input
                    id={`${uid}-ecron`}
                    className="mono"
                    value={cron}
                    onChange={(e) => setCron(e.target.value)}
                    placeholder="30 2 * * *"
                    aria-describedby={`${uid}-ecron-words`}
                  />
                  <ScheduleWords cron={cron} id={`${uid}-ecron-words`} />
                </div>
                <div className={styles.field} style={{ flex: "0 1 17rem" }}>
                  <label htmlFor={`${uid}-emode`}>Scheduled runs</label>
                  <select id={`${uid}-emode`} name="scheduleMode" defaultValue={c.scheduleMode}>
                    <option value="full">full (end-date what is gone)</option>
                    <option value="incremental">incremental</option>
                  </select>
                </div>
              </div>
              <label className={styles.check}>
                <input type="checkbox" name="enabled" defaultChecked={c.enabled} /> Enabled (its schedule runs)
              </label>
              <div className="toolbar">
                <button className="btn" type="submit" disabled={patch.isPending}>
                  Save changes
                </button>
                <button className="btn secondary" type="button" onClick={() => setPanel(null)}>
                  Cancel
                </button>
              </div>
            </form>
          ) : null}

          {panel === "credential" ? (
            <form className={styles.editor} onSubmit={saveCredential} aria-label={`Replace the credential of ${c.name}`}>
              {!canStoreCredential ? (
                <Alert tone="warn">This server has no ATTEST_SECRET_KEY: it refuses to store credentials.</Alert>
              ) : (
                <p className={styles.help}>The new credential replaces the stored one at once; the old one cannot be read back.</p>
              )}
              {kind ? <ConnectorFields fields={kind.credentialFields} idPrefix={`${uid}-ec`} secret /> : <p>This server has no driver for this kind.</p>}
              <div className="toolbar">
                <button className="btn" type="submit" disabled={credential.isPending || !canStoreCredential || !kind}>
                  Save credential
                </button>
                <button className="btn secondary" type="button" onClick={() => setPanel(null)}>
                  Cancel
                </button>
              </div>
              {credential.isError ? <Alert>{errorMessage(credential.error)}</Alert> : null}
            </form>
          ) : null}
        </>
      ) : null}

      <details className={styles.runs} onToggle={(e) => setShowRuns(e.currentTarget.open)}>
        <summary>Runs and tests</summary>
        {showRuns ? <ConnectorRuns id={c.id} name={c.name} polling={!!active} /> : null}
      </details>

      <ConfirmDialog
        open={askDelete}
        title={`Delete ${c.name}?`}
        confirmLabel="Delete connector"
        tone="danger"
        busy={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : null}
        onConfirm={() => remove.mutate()}
        onCancel={() => setAskDelete(false)}
      >
        <p>
          Its stored credential, schedule and run history are removed. What it imported stays in the graph under the source <code>{c.sourceName}</code>.
        </p>
      </ConfirmDialog>
    </article>
  );
}
