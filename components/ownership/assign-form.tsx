"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ApiError, apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { OwnerPicker, type PickedOwner } from "./owner-picker";
import styles from "./ownership.module.css";

const ROLES = ["business", "technical", "security"] as const;

export interface ApiProblem {
  message: string;
  details: { path: string; message: string }[];
}

/** Sends JSON through apiFetch and answers the parsed body or the API's error, for callers that show it inline. */
export async function postJson<T>(
  url: string,
  body: unknown,
  method: "POST" | "PUT" = "POST",
): Promise<{ ok: true; body: T } | { ok: false; problem: ApiProblem }> {
  try {
    return { ok: true, body: await apiFetch<T>(url, { method, body }) };
  } catch (e) {
    const details = e instanceof ApiError ? e.details.map((d) => ({ path: d.path ?? "", message: d.message })) : [];
    return { ok: false, problem: { message: e instanceof ApiError ? e.message : errorMessage(e), details } };
  }
}

/**
 * Assigns one owner in one role to the given nodes (POST /api/v1/ownership/assignments,
 * one transaction), then refreshes the page. `bar` is the dark bulk-action bar under a table.
 */
export function AssignForm({
  nodeIds,
  variant,
  onDone,
  noun = "selected",
}: {
  nodeIds: string[];
  variant: "bar" | "inline";
  onDone?: () => void;
  noun?: string;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [owner, setOwner] = useState<PickedOwner | null>(null);
  const [role, setRole] = useState<(typeof ROLES)[number]>("business");
  const [reason, setReason] = useState("");
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const assign = useMutation({
    mutationFn: (body: { nodes: string[]; owner: string; role: string; reason?: string }) =>
      apiFetch<{ assigned: number; unchanged: number }>("/api/v1/ownership/assignments", { method: "POST", body }),
  });
  const busy = assign.isPending;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!owner || nodeIds.length === 0) return;
    setOutcome(null);
    try {
      const r = await assign.mutateAsync({ nodes: nodeIds, owner: owner.id, role, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      setOutcome({
        ok: true,
        text: `${owner.name} is now ${role} owner of ${r.assigned} ${r.assigned === 1 ? "node" : "nodes"}${r.unchanged ? ` (${r.unchanged} already were)` : ""}.`,
      });
      setOwner(null);
      setReason("");
      onDone?.();
      await queryClient.invalidateQueries({ queryKey: ["owners"] });
      router.refresh();
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err) });
    }
  }

  const disabled = busy || !owner || nodeIds.length === 0;
  return (
    <form
      className={variant === "bar" ? `${styles.bulkBar} ${nodeIds.length ? styles.sticky : ""}` : styles.form}
      onSubmit={submit}
      aria-label="Assign an owner"
    >
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
      <input
        type="text"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        placeholder="Why (kept in the audit log)"
        aria-label="Why this owner"
        maxLength={500}
        className={styles.reason}
      />
      <button className="btn" type="submit" disabled={disabled}>
        {busy ? "Assigning…" : variant === "bar" ? `Assign to ${nodeIds.length}` : "Assign"}
      </button>
      {outcome ? (
        <span role={outcome.ok ? "status" : "alert"} className={`${styles.message} ${styles.flush} ${outcome.ok ? styles.ok : styles.error}`}>
          {outcome.text}
        </span>
      ) : null}
    </form>
  );
}
