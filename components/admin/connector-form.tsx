"use client";

import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { ConnectorKindView, ConnectorView } from "@/lib/connectors/manage";
import { describeSchedule, scheduleProblem } from "@/lib/connectors/schedule";
import { ConnectorFields, readFields } from "./connector-fields";
import styles from "./connectors.module.css";

/** The schedule in words as it is typed, or why it is refused. */
export function ScheduleWords({ cron, id }: { cron: string; id: string }) {
  const c = cron.trim();
  const problem = c ? scheduleProblem(c) : null;
  return (
    <p className={styles.help} id={id} aria-live="polite">
      {!c ? "Empty: runs only when started by hand." : problem ? `Not accepted: ${problem}.` : `Runs ${describeSchedule(c)}.`} Five cron fields in UTC, e.g.{" "}
      <code>30 2 * * *</code> (every day at 02:30 UTC), at most every 15 minutes.
    </p>
  );
}

/** "Add connector": a kind's own fields (GET /api/v1/connectors/kinds), its credential, a schedule. */
export function ConnectorForm({
  kinds,
  canStoreCredential,
  onCreated,
}: {
  kinds: ConnectorKindView[];
  canStoreCredential: boolean;
  onCreated(c: ConnectorView): void;
}) {
  const uid = useId();
  const [kind, setKind] = useState(kinds[0]?.kind ?? "");
  const [cron, setCron] = useState("");
  const spec = kinds.find((k) => k.kind === kind);
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch<ConnectorView>("/api/v1/connectors", { method: "POST", body }),
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!spec) return;
    const form = e.currentTarget;
    const f = new FormData(form);
    const credential = readFields(f, spec.credentialFields);
    const sourceName = String(f.get("sourceName") ?? "").trim();
    create.mutate(
      {
        name: String(f.get("connectorName") ?? "").trim(),
        kind,
        ...(sourceName ? { sourceName } : {}),
        settings: readFields(f, spec.settingsFields, spec.defaultSettings as Record<string, unknown>),
        ...(Object.keys(credential).length ? { credential } : {}),
        schedule: cron.trim() || null,
        scheduleMode: f.get("scheduleMode") === "incremental" ? "incremental" : "full",
        enabled: f.get("enabled") === "on",
      },
      {
        onSuccess: (c) => {
          form.reset();
          setCron("");
          onCreated(c);
        },
      },
    );
  }

  if (!kinds.length)
    return (
      <p className="subtitle" role="status">
        This server has no connector kinds yet. Vendor exports can still be imported as files on the Imports page.
      </p>
    );
  return (
    <form className="panel" onSubmit={submit} aria-labelledby={`${uid}-title`} data-testid="connector-form">
      <h3 id={`${uid}-title`} style={{ marginTop: 0 }}>
        Add connector
      </h3>
      <div className={styles.field}>
        <label htmlFor={`${uid}-kind`}>System</label>
        <select id={`${uid}-kind`} value={kind} onChange={(e) => setKind(e.target.value)}>
          {kinds.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      <div className={styles.inline}>
        <div className={styles.field}>
          <label htmlFor={`${uid}-name`}>Name</label>
          <input id={`${uid}-name`} name="connectorName" required maxLength={100} placeholder={`e.g. ${spec?.label ?? "Okta"} production`} />
        </div>
        <div className={styles.field}>
          <label htmlFor={`${uid}-source`}>Graph source (optional)</label>
          <input
            id={`${uid}-source`}
            name="sourceName"
            maxLength={100}
            pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,99}"
            title="Letters, digits, dot, dash or underscore"
            placeholder="from the name"
            aria-describedby={`${uid}-source-help`}
          />
          <p className={styles.help} id={`${uid}-source-help`}>
            Where its identities appear in the graph.
          </p>
        </div>
      </div>
      {spec ? (
        <div key={spec.kind}>
          {spec.settingsFields.length ? (
            <fieldset className={styles.fieldset}>
              <legend>Settings</legend>
              <ConnectorFields fields={spec.settingsFields} idPrefix={`${uid}-s`} values={spec.defaultSettings as Record<string, unknown>} />
            </fieldset>
          ) : null}
          <fieldset className={styles.fieldset} disabled={!canStoreCredential}>
            <legend>Credential</legend>
            <p className={styles.help} style={{ marginBottom: "0.5rem" }}>
              {canStoreCredential
                ? "Stored encrypted and never shown again: you can replace it, not read it."
                : "This server cannot store credentials (no ATTEST_SECRET_KEY): add the connector now and its credential later."}
            </p>
            <ConnectorFields fields={spec.credentialFields} idPrefix={`${uid}-c`} secret />
          </fieldset>
        </div>
      ) : null}
      <div className={styles.inline}>
        <div className={styles.field}>
          <label htmlFor={`${uid}-cron`}>Schedule (optional)</label>
          <input
            id={`${uid}-cron`}
            name="schedule"
            className="mono"
            value={cron}
            onChange={(e) => setCron(e.target.value)}
            placeholder="30 2 * * *"
            aria-describedby={`${uid}-cron-words`}
          />
          <ScheduleWords cron={cron} id={`${uid}-cron-words`} />
        </div>
        <div className={styles.field} style={{ flex: "0 1 17rem" }}>
          <label htmlFor={`${uid}-mode`}>Scheduled runs</label>
          <select id={`${uid}-mode`} name="scheduleMode" defaultValue="full">
            <option value="full">full (end-date what is gone)</option>
            <option value="incremental">incremental</option>
          </select>
        </div>
      </div>
      <label className={styles.check}>
        <input type="checkbox" name="enabled" defaultChecked /> Enabled (its schedule runs)
      </label>
      <div className="toolbar">
        <button className="btn" type="submit" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add connector"}
        </button>
      </div>
      {create.isError ? <Alert>{errorMessage(create.error)}</Alert> : null}
    </form>
  );
}
