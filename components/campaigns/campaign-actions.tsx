"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import styles from "./campaigns.module.css";
import { ApiError, apiFetch, errorMessage } from "@/lib/client/api-fetch";

interface Props {
  campaignId: string;
  status: string;
  canManage: boolean;
  isOwner: boolean;
  undecided: number;
  dueAt: string;
  revokeOnNoResponse: boolean;
  /** Unassigned items in a draft's preview: launching would be refused. */
  unassigned?: number;
}

type Outcome = { ok: boolean; text: string } | null;

/** The server's message and its first located problems, in one line. */
const errorText = (err: unknown) =>
  err instanceof ApiError
    ? [err.message, ...err.details.slice(0, 5).map((d) => (d.path ? `${d.path}: ${d.message}` : d.message))].join(" · ")
    : errorMessage(err);

/** Launch, close, sign-off and reminders for one campaign, each a POST to the API followed by a refresh. */
export function CampaignActions(p: Props) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [revokeNoResponse, setRevokeNoResponse] = useState(p.revokeOnNoResponse);
  const [statement, setStatement] = useState("");
  const [now] = useState(() => Date.now());
  const pastDue = now >= Date.parse(p.dueAt);

  async function run(label: string, url: string, body?: unknown, done?: (d: Record<string, unknown>) => string) {
    setBusy(true);
    setOutcome(null);
    try {
      const data = (await apiFetch<Record<string, unknown> | undefined>(url, { method: "POST", body })) ?? {};
      setOutcome({ ok: true, text: done ? done(data) : `${label}: done.` });
      router.refresh();
    } catch (err) {
      setOutcome({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }

  const base = `/api/v1/campaigns/${p.campaignId}`;
  const canClose = p.undecided === 0 || pastDue;
  return (
    <div className={`panel ${styles.controls}`} aria-label="Campaign actions" style={{ display: "flex", flexDirection: "column", gap: "0.6rem" }}>
      {p.status === "draft" && p.canManage ? (
        <div className="toolbar" style={{ margin: 0 }}>
          <button
            className="btn"
            type="button"
            disabled={busy || (p.unassigned ?? 0) > 0}
            onClick={() =>
              run(
                "Launch",
                `${base}/launch`,
                undefined,
                () => "Launch started: the items are being snapshotted; they reach the reviewers' inboxes when it ends.",
              )
            }
          >
            Launch campaign
          </button>
          <span className={styles.note}>
            {(p.unassigned ?? 0) > 0
              ? "Some items have no reviewer (everyone who could review them is their subject or owns it): recreate the campaign with another fallback reviewer."
              : "Launching snapshots every item in scope and routes it to its reviewer."}
          </span>
        </div>
      ) : null}
      {p.status === "active" && p.canManage ? (
        <div className="toolbar" style={{ margin: 0 }}>
          <button
            className="btn"
            type="button"
            disabled={busy || !canClose}
            onClick={() =>
              run(
                "Close",
                `${base}/close`,
                { revokeOnNoResponse: revokeNoResponse },
                (d) =>
                  `Closed: ${JSON.stringify(d.outcomes).replace(/[{}"]/g, "").replace(/,/g, ", ")}; ${String(d.remediationTasks)} remediation task(s) opened.`,
              )
            }
          >
            Close campaign
          </button>
          <label style={{ fontSize: "0.88rem" }}>
            <input type="checkbox" checked={revokeNoResponse} onChange={(e) => setRevokeNoResponse(e.target.checked)} /> revoke on no response
          </label>
          <button
            className="btn secondary"
            type="button"
            disabled={busy}
            onClick={() =>
              run(
                "Reminders",
                "/api/v1/campaigns/reminders/run",
                undefined,
                (d) => `Recorded ${String(d.reminders)} reminder(s), ${String(d.overdue ?? 0)} overdue notice(s) and ${String(d.escalations)} escalation(s).`,
              )
            }
          >
            Send reminders and escalations
          </button>
          {!canClose ? <span className={styles.note}>Closes when every item is decided or once the due date has passed ({p.undecided} undecided).</span> : null}
        </div>
      ) : null}
      {p.status === "closed" ? (
        p.isOwner ? (
          <div style={{ display: "flex", flexDirection: "column", gap: "0.4rem" }}>
            <label className={styles.field} style={{ marginTop: 0 }}>
              <span>Sign-off statement</span>
              <textarea
                rows={2}
                value={statement}
                onChange={(e) => setStatement(e.target.value)}
                placeholder="I have reviewed the outcomes of this campaign and sign it off."
                maxLength={4000}
              />
            </label>
            <div>
              <button
                className="btn"
                type="button"
                disabled={busy}
                onClick={() => run("Sign-off", `${base}/sign-off`, statement.trim() ? { statement: statement.trim() } : {}, () => "Signed off.")}
              >
                Sign off
              </button>
            </div>
          </div>
        ) : (
          <p className={styles.note} style={{ margin: 0 }}>
            Closed; waiting for the campaign owner&apos;s sign-off.
          </p>
        )
      ) : null}
      {outcome ? (
        <div
          role={outcome.ok ? "status" : "alert"}
          className={outcome.ok ? "badge ok" : "alert"}
          style={{ display: "block", padding: "0.45rem 0.7rem", borderRadius: 6, whiteSpace: "normal", fontWeight: 500 }}
        >
          {outcome.text}
        </div>
      ) : null}
    </div>
  );
}
