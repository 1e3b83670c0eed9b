"use client";

import Link from "next/link";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
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
  const campaign = useCreateCampaign();
  const update = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch(`/api/v1/findings/${encodeURIComponent(id)}`, { method: "PATCH", body }),
    // The page is server-rendered: refresh it to show the new status and acceptance.
    onSuccess: () => router.refresh(),
  });
  const busy = update.isPending;
  const patch = (body: Record<string, unknown>) => update.mutate(body);

  function accept(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    patch({ status: "accepted", reason: String(form.get("reason") ?? ""), expiresAt: String(form.get("expiresAt") ?? "") });
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
      {update.isError ? (
        <p className={styles.error} role="alert">
          {errorMessage(update.error)}
        </p>
      ) : null}
    </section>
  );
}
