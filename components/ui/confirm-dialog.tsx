"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";
import styles from "./ui.module.css";

interface Props {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  /** "danger" paints the confirm button red (revocations, removals). */
  tone?: "danger" | "default";
  busy?: boolean;
  error?: string | null;
  onConfirm(): void;
  onCancel(): void;
}

/**
 * Asks before a change that cannot be undone with one click (role changes,
 * revocations). A native modal <dialog>: focus moves into it, Escape cancels,
 * the page behind is inert. Cancel has focus first so Enter never confirms by accident.
 */
export function ConfirmDialog({ open, title, children, confirmLabel, tone = "default", busy, error, onConfirm, onCancel }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal?.();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={styles.dialog}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      {open ? (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
          {error ? <Alert>{error}</Alert> : null}
          <div className={styles.dialogActions}>
            <button type="button" className="btn secondary" onClick={onCancel} disabled={busy} autoFocus>
              Cancel
            </button>
            <button type="button" className={`btn ${tone === "danger" ? styles.danger : ""}`} onClick={onConfirm} disabled={busy}>
              {busy ? "Working…" : confirmLabel}
            </button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}

/** A message in a coloured box; errors are announced to screen readers at once. */
export function Alert({ tone = "danger", children }: { tone?: "danger" | "warn" | "ok" | "info"; children: ReactNode }) {
  return (
    <div className={`${styles.alert} ${styles[`alert-${tone}`]}`} role={tone === "danger" ? "alert" : "status"}>
      {children}
    </div>
  );
}
