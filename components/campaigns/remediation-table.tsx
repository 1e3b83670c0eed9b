"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { EDGE_VERB } from "@/lib/campaigns/model";
import type { TaskView } from "@/lib/campaigns/remediation";
import { when } from "./badges";
import styles from "./campaigns.module.css";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";

function TaskStatus({ t }: { t: TaskView }) {
  if (t.status === "verified") return <span className="badge ok">verified</span>;
  if (t.notEffective) return <span className="badge danger">revocation not effective</span>;
  if (t.status === "done") return <span className="badge info">done, awaiting sync</span>;
  return <span className="badge warn">open</span>;
}

/** Remediation tasks; people who may manage campaigns mark them done (with a ticket), imports verify them. */
export function RemediationTable({ tasks, canComplete }: { tasks: TaskView[]; canComplete: boolean }) {
  const router = useRouter();
  const [editing, setEditing] = useState<string | null>(null);
  const [ticket, setTicket] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function complete(id: string) {
    setBusy(true);
    setError(null);
    try {
      await apiFetch(`/api/v1/remediation/tasks/${encodeURIComponent(id)}/complete`, {
        method: "POST",
        body: { ...(ticket.trim() ? { ticket: ticket.trim() } : {}), ...(note.trim() ? { note: note.trim() } : {}) },
      });
      setEditing(null);
      setTicket("");
      setNote("");
      router.refresh();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <table className={`data ${styles.controls}`} data-testid="remediation-table">
      <thead>
        <tr>
          <th>Access to remove</th>
          <th>Campaign</th>
          <th>Status</th>
          <th>Done</th>
          <th>Verified</th>
          {canComplete ? <th aria-label="Actions" /> : null}
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.id}>
            <td style={{ minWidth: 280 }}>
              <strong>{t.subject.name}</strong> <span style={{ color: "var(--muted)" }}>{EDGE_VERB[t.access.kind] ?? t.access.kind}</span>{" "}
              <strong>{t.target.name}</strong>
              <div className="subtitle" style={{ margin: 0, fontSize: "0.78rem" }}>
                reported by <span className="mono">{t.access.source}</span> · {t.reason}
              </div>
            </td>
            <td>
              <Link href={`/campaigns/${t.campaignId}`}>{t.campaignName}</Link>
            </td>
            <td>
              <TaskStatus t={t} />
              {t.notEffective ? (
                <div className="subtitle" style={{ margin: 0, fontSize: "0.78rem" }}>
                  import <span className="mono">{t.notEffectiveImportId}</span> still shows it ({when(t.notEffectiveAt)})
                </div>
              ) : null}
            </td>
            <td style={{ fontSize: "0.85rem" }}>
              {t.doneAt ? (
                <>
                  {t.doneBy} · {when(t.doneAt)}
                  {t.ticket ? <div className="mono">{t.ticket}</div> : null}
                  {t.doneNote ? (
                    <div className="subtitle" style={{ margin: 0 }}>
                      {t.doneNote}
                    </div>
                  ) : null}
                </>
              ) : (
                "—"
              )}
            </td>
            <td style={{ fontSize: "0.85rem" }}>
              {t.verifiedAt ? (
                <>
                  {when(t.verifiedAt)}
                  <div className="subtitle" style={{ margin: 0 }}>
                    by {t.verifiedVia === "scim" ? "a SCIM write" : <span className="mono">{t.verifiedImportId}</span>}
                  </div>
                </>
              ) : (
                "—"
              )}
            </td>
            {canComplete ? (
              <td style={{ minWidth: 200 }}>
                {t.status === "open" || t.notEffective ? (
                  editing === t.id ? (
                    <div style={{ display: "flex", flexDirection: "column", gap: "0.3rem" }}>
                      <label className={styles.field} style={{ marginTop: 0 }}>
                        <span className={styles.hint}>Ticket</span>
                        <input type="text" value={ticket} onChange={(e) => setTicket(e.target.value)} placeholder="e.g. IAM-4211" maxLength={200} />
                      </label>
                      <label className={styles.field} style={{ marginTop: 0 }}>
                        <span className={styles.hint}>Note</span>
                        <input type="text" value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
                      </label>
                      {error ? <span className={styles.error}>{error}</span> : null}
                      <div style={{ display: "flex", gap: "0.3rem" }}>
                        <button
                          type="button"
                          className="btn"
                          disabled={busy}
                          onClick={() => complete(t.id)}
                          style={{ padding: "0.25rem 0.6rem", fontSize: "0.82rem" }}
                        >
                          Confirm done
                        </button>
                        <button
                          type="button"
                          className="btn secondary"
                          onClick={() => setEditing(null)}
                          style={{ padding: "0.25rem 0.6rem", fontSize: "0.82rem" }}
                        >
                          Cancel
                        </button>
                      </div>
                    </div>
                  ) : (
                    <button
                      type="button"
                      className="btn secondary"
                      onClick={() => {
                        setEditing(t.id);
                        setError(null);
                      }}
                      style={{ padding: "0.25rem 0.6rem", fontSize: "0.82rem" }}
                    >
                      {t.notEffective ? "Mark done again" : "Mark done"}
                    </button>
                  )
                ) : null}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
