"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { SmtpStatus } from "@/lib/notifications/config";
import type { ChannelView, TestResult } from "@/lib/notifications/channels";
import styles from "./admin.module.css";

const EVENTS = [
  { key: "digest", label: "New-items digest" },
  { key: "reminder", label: "Reminders" },
  { key: "overdue", label: "Overdue notices" },
  { key: "escalation", label: "Escalations" },
] as const;

const said = (r: TestResult) => (r.ok ? `Sent to ${r.to}.` : `Not delivered to ${r.to}: ${r.reason ?? "unknown reason"}.`);

/** E-mail status (from the environment) and its test button. */
export function EmailPanel({ smtp, myEmail }: { smtp: SmtpStatus; myEmail: string }) {
  const test = useMutation({ mutationFn: () => apiFetch<TestResult>("/api/v1/notifications/test-email", { method: "POST" }) });
  return (
    <section className="panel" aria-labelledby="email-h">
      <h3 id="email-h" className={styles.formTitle}>
        E-mail
      </h3>
      {smtp.configured ? (
        <p data-testid="smtp-status">
          Through <code>{smtp.host}</code> ({smtp.secure ? "TLS" : "STARTTLS when offered"}
          {smtp.auth ? ", with a login" : ", no login"}), from <code>{smtp.from}</code>.
        </p>
      ) : (
        <p data-testid="smtp-status">
          Off: {smtp.problem}. Set <code>ATTEST_SMTP_URL</code> (e.g. <code>smtp://mail.example.com:587</code>) and <code>ATTEST_MAIL_FROM</code>, then restart.
          Until then e-mail deliveries are recorded as skipped.
        </p>
      )}
      <div className="toolbar">
        <button className="btn secondary" type="button" disabled={!smtp.configured || test.isPending} onClick={() => test.mutate()}>
          Send a test e-mail to {myEmail}
        </button>
      </div>
      {test.data ? <Alert tone={test.data.ok ? "ok" : undefined}>{said(test.data)}</Alert> : null}
      {test.isError ? <Alert>{errorMessage(test.error)}</Alert> : null}
    </section>
  );
}

/** Chat channels: add (the URL is sealed and never shown again), test, turn off, remove. */
export function ChannelsPanel({ channels }: { channels: ChannelView[] }) {
  const router = useRouter();
  const [removing, setRemoving] = useState<ChannelView | null>(null);
  const [results, setResults] = useState<Record<string, string>>({});
  const add = useMutation({
    mutationFn: (body: unknown) => apiFetch<ChannelView>("/api/v1/notifications/channels", { method: "POST", body }),
    onSuccess: () => router.refresh(),
  });
  const patch = useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => apiFetch(`/api/v1/notifications/channels/${id}`, { method: "PATCH", body: { enabled } }),
    onSuccess: () => router.refresh(),
  });
  const remove = useMutation({
    mutationFn: (id: string) => apiFetch(`/api/v1/notifications/channels/${id}`, { method: "DELETE" }),
    onSuccess: () => {
      setRemoving(null);
      router.refresh();
    },
  });
  const test = useMutation({
    mutationFn: (id: string) => apiFetch<TestResult>(`/api/v1/notifications/channels/${id}/test`, { method: "POST" }),
    onSuccess: (r, id) => setResults((m) => ({ ...m, [id]: said(r) })),
    onError: (e, id) => setResults((m) => ({ ...m, [id]: errorMessage(e) })),
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    add.mutate(
      { kind: f.get("kind"), name: String(f.get("name") ?? ""), url: String(f.get("url") ?? ""), events: f.getAll("events").map(String) },
      { onSuccess: () => form.reset() },
    );
  }

  return (
    <section className="panel" aria-labelledby="chat-h">
      <h3 id="chat-h" className={styles.formTitle}>
        Chat channels
      </h3>
      {channels.length === 0 ? <p className="subtitle">No channel yet.</p> : null}
      <ul style={{ listStyle: "none", padding: 0, margin: 0 }} data-testid="channels">
        {channels.map((c) => (
          <li key={c.id} style={{ padding: "0.5rem 0", borderBottom: "1px solid var(--border)" }}>
            <div className={styles.row}>
              <strong>{c.name}</strong>
              <span className="badge info">{c.kind === "teams" ? "Teams" : "Slack"}</span>
              <code style={{ overflowWrap: "anywhere" }}>{c.host}</code>
              {c.enabled ? null : <span className="badge warn">off</span>}
            </div>
            <div className="subtitle">Receives: {c.events.join(", ")}</div>
            <div className={styles.row}>
              <button className={`btn secondary ${styles.small}`} type="button" disabled={test.isPending} onClick={() => test.mutate(c.id)}>
                Send test
              </button>
              <button className={`btn secondary ${styles.small}`} type="button" onClick={() => patch.mutate({ id: c.id, enabled: !c.enabled })}>
                {c.enabled ? "Turn off" : "Turn on"}
              </button>
              <button className={`btn danger ${styles.small}`} type="button" onClick={() => setRemoving(c)}>
                Remove
              </button>
            </div>
            {results[c.id] ? <div role="status">{results[c.id]}</div> : null}
          </li>
        ))}
      </ul>
      <form onSubmit={submit} style={{ marginTop: "0.75rem" }} aria-label="Add a chat channel">
        <div className={styles.row}>
          <select name="kind" aria-label="Kind" defaultValue="slack">
            <option value="slack">Slack (incoming webhook)</option>
            <option value="teams">Teams (workflow webhook)</option>
          </select>
          <input name="name" aria-label="Channel name" placeholder="#access-reviews" required maxLength={100} />
        </div>
        <div className={styles.row} style={{ marginTop: "0.4rem" }}>
          <input
            name="url"
            type="url"
            aria-label="Webhook URL"
            placeholder="https://hooks.slack.com/services/…"
            required
            maxLength={2000}
            style={{ flex: "1 1 14rem", minWidth: 0 }}
          />
        </div>
        <fieldset className={styles.row} style={{ border: 0, padding: 0, margin: "0.4rem 0" }}>
          <legend className="subtitle">Messages it receives</legend>
          {EVENTS.map((e) => (
            <label key={e.key}>
              <input type="checkbox" name="events" value={e.key} defaultChecked /> {e.label}
            </label>
          ))}
        </fieldset>
        <button className="btn" type="submit" disabled={add.isPending}>
          Add channel
        </button>
        <p className="subtitle">
          The URL carries the channel&apos;s secret: it is stored encrypted and shown only as its host. Requests go through the outbound client: a private
          address stays closed unless opened under Admin → Outbound requests.
        </p>
      </form>
      {add.isError ? <Alert>{errorMessage(add.error)}</Alert> : null}
      {patch.isError ? <Alert>{errorMessage(patch.error)}</Alert> : null}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove the channel “${removing?.name ?? ""}”?`}
        confirmLabel="Remove"
        tone="danger"
        busy={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : null}
        onConfirm={() => removing && remove.mutate(removing.id)}
        onCancel={() => setRemoving(null)}
      >
        <p>Nothing more is posted there. What was already delivered stays recorded.</p>
      </ConfirmDialog>
    </section>
  );
}
