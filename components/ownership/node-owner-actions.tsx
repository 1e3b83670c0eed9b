"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import styles from "./ownership.module.css";

export interface SuggestionRow {
  owner: { id: string; kind: "human" | "group"; name: string; status: string | null; email: string | null };
  role: string;
  reasons: string[];
}

/** Suggestions with their reasons; "Accept" adds that owner in the suggested role. */
export function SuggestionList({ nodeId, items, canAssign }: { nodeId: string; items: SuggestionRow[]; canAssign: boolean }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const accept = useMutation({
    mutationFn: (s: SuggestionRow) =>
      apiFetch("/api/v1/ownership/assignments", {
        method: "POST",
        body: { nodes: [nodeId], owner: s.owner.id, role: s.role, reason: `suggestion: ${s.reasons[0] ?? ""}`.slice(0, 500) },
      }),
    onMutate: (s) => {
      setBusy(s.owner.id);
      setError(null);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["owners"] });
      router.refresh();
    },
    onError: (e) => setError(errorMessage(e)),
    onSettled: () => setBusy(null),
  });
  return (
    <div data-testid="suggestions">
      {items.map((s) => (
        <div key={s.owner.id} className={styles.suggestion}>
          <div>
            <strong>{s.owner.name}</strong> <span className="badge info">{s.role} owner</span>{" "}
            {s.owner.kind === "group" ? <span className="badge">group</span> : null}
            {s.owner.email ? <span className={styles.sub}> {s.owner.email}</span> : null}
            <ul>
              {s.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </div>
          {canAssign ? (
            <button
              className="btn secondary"
              type="button"
              disabled={busy !== null}
              onClick={() => accept.mutate(s)}
              aria-label={`Accept ${s.owner.name} as ${s.role} owner`}
            >
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
export function RemoveOwnerButton({
  nodeId,
  keep,
  label,
  reason = "removed on the ownership page",
}: {
  nodeId: string;
  keep: { owner: string; role: string }[];
  label: string;
  reason?: string;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const remove = useMutation({
    mutationFn: () => apiFetch(`/api/v1/nodes/${encodeURIComponent(nodeId)}/owners`, { method: "PUT", body: { owners: keep, reason } }),
    onSuccess: async () => {
      setAsking(false);
      await queryClient.invalidateQueries({ queryKey: ["owners"] });
      router.refresh();
    },
  });
  return (
    <>
      <button className={`btn secondary ${styles.danger}`} type="button" onClick={() => setAsking(true)} disabled={remove.isPending} aria-label={label}>
        {remove.isPending ? "Removing…" : "Remove"}
      </button>
      <ConfirmDialog
        open={asking}
        title={`${label}?`}
        confirmLabel="Remove"
        tone="danger"
        busy={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : null}
        onConfirm={() => remove.mutate()}
        onCancel={() => {
          setAsking(false);
          remove.reset();
        }}
      >
        <p>The owner edge is end-dated and kept as history.</p>
      </ConfirmDialog>
    </>
  );
}
