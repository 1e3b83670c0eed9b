"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { FindingStatus } from "@/lib/findings/rules";
import { useCreateCampaign } from "./findings-table";
import styles from "./findings.module.css";

interface Props {
  id: string;
  status: FindingStatus;
  subject: { id: string; ownable: boolean };
  /** Extra explorer links: "both paths" for a dual access path, and the like. */
  links: { href: string; label: string }[];
  canManage: boolean;
  canCreateCampaign: boolean;
  canAssignOwner: boolean;
  maxAcceptanceDays: number;
}

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** What an analyst does with a finding: accept the risk, reopen it, assign an owner, explore, or seed a campaign. */
export function FindingActions({ id, status, subject, links, canManage, canCreateCampaign, canAssignOwner, maxAcceptanceDays }: Props) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const campaign = useCreateCampaign();

  async function patch(body: Record<string, unknown>) {
    setBusy(true);
    setError(null);
    try {
      const r = await fetch(`/api/v1/findings/${encodeURIComponent(id)}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const answer = await r.json();
      if (!r.ok) throw new Error(answer?.error?.details?.[0] ? `${answer.error.details[0].path}: ${answer.error.details[0].message}` : (answer?.error?.message ?? `failed (${r.status})`));
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  function accept(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    void patch({ status: "accepted", reason: String(form.get("reason") ?? ""), expiresAt: String(form.get("expiresAt") ?? "") });
  }

  return (
    <section className="panel" aria-labelledby="actions" data-testid="finding-actions">
      <h2 id="actions" style={{ marginTop: 0 }}>
        Actions
      </h2>
      <div className={styles.form}>
        <Link className="btn secondary" href={`/graph?node=${encodeURIComponent(subject.id)}`}>
          Open in the explorer
        </Link>
        {links.map((l) => (
          <Link key={l.href} className="btn secondary" href={l.href}>
            {l.label}
          </Link>
        ))}
        {subject.ownable && canAssignOwner ? (
          <Link className="btn secondary" href={`/ownership/nodes/${encodeURIComponent(subject.id)}`} data-testid="assign-owner">
            Assign owner
          </Link>
        ) : null}
        {canCreateCampaign && status !== "resolved" ? (
          <button type="button" className="btn secondary" disabled={campaign.busy} onClick={() => campaign.create([id])}>
            {campaign.busy ? "Creating…" : "Create a campaign from this finding"}
          </button>
        ) : null}
        {campaign.error ? (
          <span className={styles.error} role="alert">
            {campaign.error}
          </span>
        ) : null}
      </div>

      {canManage && status === "open" ? (
        <form className={styles.form} onSubmit={accept} style={{ marginTop: "1rem" }} data-testid="accept-form">
          <h3 style={{ margin: 0, fontSize: "0.95rem" }}>Accept the risk</h3>
          <label>
            Reason
            <textarea name="reason" required maxLength={1000} rows={3} placeholder="Why this risk is acceptable, and what mitigates it" />
          </label>
          <label>
            Until
            <input type="date" name="expiresAt" required defaultValue={inDays(90)} min={inDays(1)} max={inDays(maxAcceptanceDays)} />
          </label>
          <button className="btn" type="submit" disabled={busy}>
            {busy ? "Saving…" : "Accept risk"}
          </button>
        </form>
      ) : null}
      {canManage && status === "accepted" ? (
        <div className={styles.form} style={{ marginTop: "1rem" }}>
          <button type="button" className="btn secondary" disabled={busy} onClick={() => patch({ status: "open" })} data-testid="reopen">
            {busy ? "Saving…" : "Revoke the acceptance (open again)"}
          </button>
        </div>
      ) : null}
      {status === "resolved" ? <p className={styles.note}>Resolved by an evaluation that no longer found it. It reopens by itself if it comes back.</p> : null}
      {error ? (
        <p className={styles.error} role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
