"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { postJson } from "./assign-form";
import styles from "./ownership.module.css";

export interface SuggestionRow {
  owner: { id: string; kind: "human" | "group"; name: string; status: string | null; email: string | null };
  role: string;
  reasons: string[];
}

/** Suggestions with their reasons; "Accept" adds that owner in the suggested role. */
export function SuggestionList({ nodeId, items, canAssign }: { nodeId: string; items: SuggestionRow[]; canAssign: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function accept(s: SuggestionRow) {
    setBusy(s.owner.id);
    setError(null);
    const r = await postJson("/api/v1/ownership/assignments", { nodes: [nodeId], owner: s.owner.id, role: s.role, reason: `suggestion: ${s.reasons[0] ?? ""}`.slice(0, 500) });
    setBusy(null);
    if (r.ok) router.refresh();
    else setError(r.problem.message);
  }
  return (
    <div data-testid="suggestions">
      {items.map((s) => (
        <div key={s.owner.id} className={styles.suggestion}>
          <div>
            <strong>{s.owner.name}</strong> <span className="badge info">{s.role} owner</span> {s.owner.kind === "group" ? <span className="badge">group</span> : null}
            {s.owner.email ? <span className={styles.sub}> {s.owner.email}</span> : null}
            <ul>
              {s.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </div>
          {canAssign ? (
            <button className="btn secondary" type="button" disabled={busy !== null} onClick={() => accept(s)} aria-label={`Accept ${s.owner.name} as ${s.role} owner`}>
              {busy === s.owner.id ? "Assigning…" : "Accept"}
            </button>
          ) : null}
        </div>
      ))}
      {error ? (
        <p role="alert" className={`${styles.message} ${styles.error}`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Removes one (owner, role) from the node: PUT /api/v1/nodes/{id}/owners with
 * every other direct pair, so the removed edge is end-dated and the rest stay.
 */
export function RemoveOwnerButton({ nodeId, keep, label }: { nodeId: string; keep: { owner: string; role: string }[]; label: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function remove() {
    if (!window.confirm(`${label}? The owner edge is end-dated and kept as history.`)) return;
    setBusy(true);
    const r = await postJson(`/api/v1/nodes/${encodeURIComponent(nodeId)}/owners`, { owners: keep, reason: "removed on the ownership page" }, "PUT");
    setBusy(false);
    if (r.ok) router.refresh();
    else setError(r.problem.message);
  }
  return (
    <>
      <button className={`btn secondary ${styles.danger}`} type="button" onClick={remove} disabled={busy} aria-label={label}>
        {busy ? "Removing…" : "Remove"}
      </button>
      {error ? (
        <span role="alert" className={styles.sub}>
          {" "}
          {error}
        </span>
      ) : null}
    </>
  );
}
