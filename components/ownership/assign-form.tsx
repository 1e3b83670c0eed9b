"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { OwnerPicker, type PickedOwner } from "./owner-picker";
import styles from "./ownership.module.css";

const ROLES = ["business", "technical", "security"] as const;

export interface ApiProblem {
  message: string;
  details: { path: string; message: string }[];
}

/** POSTs JSON and answers the parsed body or the API's error. */
export async function postJson<T>(url: string, body: unknown, method = "POST"): Promise<{ ok: true; body: T } | { ok: false; problem: ApiProblem }> {
  try {
    const r = await fetch(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const parsed = await r.json().catch(() => null);
    if (r.ok) return { ok: true, body: parsed as T };
    return { ok: false, problem: { message: parsed?.error?.message ?? `The server answered ${r.status}.`, details: parsed?.error?.details ?? [] } };
  } catch {
    return { ok: false, problem: { message: "The request did not reach the server.", details: [] } };
  }
}

/**
 * Assigns one owner in one role to the given nodes (POST /api/v1/ownership/assignments,
 * one transaction), then refreshes the page. `bar` is the dark bulk-action bar under a table.
 */
export function AssignForm({ nodeIds, variant, onDone, noun = "selected" }: { nodeIds: string[]; variant: "bar" | "inline"; onDone?: () => void; noun?: string }) {
  const router = useRouter();
  const [owner, setOwner] = useState<PickedOwner | null>(null);
  const [role, setRole] = useState<(typeof ROLES)[number]>("business");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!owner || nodeIds.length === 0) return;
    setBusy(true);
    setOutcome(null);
    const r = await postJson<{ assigned: number; unchanged: number }>("/api/v1/ownership/assignments", { nodes: nodeIds, owner: owner.id, role, ...(reason.trim() ? { reason: reason.trim() } : {}) });
    setBusy(false);
    if (r.ok) {
      setOutcome({ ok: true, text: `${owner.name} is now ${role} owner of ${r.body.assigned} ${r.body.assigned === 1 ? "node" : "nodes"}${r.body.unchanged ? ` (${r.body.unchanged} already were)` : ""}.` });
      setOwner(null);
      setReason("");
      onDone?.();
      router.refresh();
    } else {
      setOutcome({ ok: false, text: [r.problem.message, ...r.problem.details.map((d) => `${d.path}: ${d.message}`)].join(" ") });
    }
  }

  const disabled = busy || !owner || nodeIds.length === 0;
  return (
    <form className={variant === "bar" ? `${styles.bulkBar} ${nodeIds.length ? styles.sticky : ""}` : styles.form} onSubmit={submit} aria-label="Assign an owner">
      {variant === "bar" ? (
        <strong aria-live="polite" data-testid="selected-count">
          {nodeIds.length} {noun}
        </strong>
      ) : null}
      <OwnerPicker value={owner} onChange={setOwner} label="New owner" />
      <label>
        <span className={variant === "bar" ? styles.muted : undefined}>as </span>
        <select value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])} aria-label="Owner role">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r} owner
            </option>
          ))}
        </select>
      </label>
      <input type="text" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Why (kept in the audit log)" aria-label="Why this owner" maxLength={500} style={{ minWidth: 220 }} />
      <button className="btn" type="submit" disabled={disabled}>
        {busy ? "Assigning…" : variant === "bar" ? `Assign to ${nodeIds.length}` : "Assign"}
      </button>
      {outcome ? (
        <span role={outcome.ok ? "status" : "alert"} className={`${styles.message} ${outcome.ok ? styles.ok : styles.error}`} style={{ margin: 0 }}>
          {outcome.text}
        </span>
      ) : null}
    </form>
  );
}
