"use client";

import { useEffect, useRef, useState, type ReactNode } from "react";
import { EDGE_VERB, type Decision } from "@/lib/campaigns/model";
import type { ItemView, UserRef } from "@/lib/campaigns/views";
import styles from "./campaigns.module.css";

export interface Pending {
  decision: Decision;
  items: ItemView[];
}

function Dialog({ title, onClose, children }: { title: string; onClose(): void; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });
  // Focus the first field once, when the dialog opens; Escape closes it.
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>("textarea, select, button")?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") close.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <div className={styles.backdrop} onClick={onClose}>
      <div ref={ref} className={`${styles.dialog} ${styles.controls}`} role="dialog" aria-modal="true" aria-label={title} onClick={(e) => e.stopPropagation()}>
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

const VERB: Record<Decision, string> = { approve: "Approve", revoke: "Revoke", abstain: "Abstain on" };

/** Asks for the justification a revoke, or the approval of high-risk access, needs. Ctrl+Enter confirms. */
export function DecisionDialog({
  pending,
  busy,
  error,
  onCancel,
  onConfirm,
}: {
  pending: Pending;
  busy: boolean;
  error: string | null;
  onCancel(): void;
  onConfirm(text: string): void;
}) {
  const [text, setText] = useState("");
  const n = pending.items.length;
  const highRisk = pending.items.filter((i) => i.highRisk).length;
  const title = `${VERB[pending.decision]} ${n === 1 ? `${pending.items[0]!.subject.name}'s access` : `${n} items`}`;
  const why =
    pending.decision === "revoke"
      ? "A revoke needs a justification: it goes to the remediation task and the evidence."
      : `${highRisk === n ? "This is" : `${highRisk} of these are`} high-risk access: say why it should stay.`;
  const confirm = () => text.trim() && onConfirm(text.trim());
  return (
    <Dialog title={title} onClose={onCancel}>
      {n === 1 ? (
        <p style={{ marginTop: 0, fontSize: "0.9rem" }}>
          {pending.items[0]!.subject.name} {EDGE_VERB[pending.items[0]!.access.kind]} <strong>{pending.items[0]!.target.name}</strong>
        </p>
      ) : null}
      <label className={styles.field} style={{ marginTop: 0 }}>
        <span>Justification (required)</span>
        <span className={styles.hint}>{why}</span>
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={4000}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              confirm();
            }
          }}
        />
      </label>
      {error ? (
        <p className={styles.error} role="alert">
          {error}
        </p>
      ) : null}
      <div className={styles.dialogButtons}>
        <button type="button" className={`btn ${styles.plain}`} onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className={`btn ${pending.decision === "revoke" ? styles.revoke : styles.approve}`}
          disabled={busy || !text.trim()}
          onClick={confirm}
        >
          {VERB[pending.decision]}
          {n > 1 ? ` ${n} items` : ""}
        </button>
      </div>
    </Dialog>
  );
}

/** Hands one undecided item to another reviewer, with a reason. */
export function DelegateDialog({
  item,
  candidates,
  busy,
  error,
  onCancel,
  onConfirm,
}: {
  item: ItemView;
  candidates: UserRef[];
  busy: boolean;
  error: string | null;
  onCancel(): void;
  onConfirm(to: string, reason: string): void;
}) {
  const [to, setTo] = useState("");
  const [reason, setReason] = useState("");
  return (
    <Dialog title="Delegate this item" onClose={onCancel}>
      <p style={{ marginTop: 0, fontSize: "0.9rem" }}>
        {item.subject.name} {EDGE_VERB[item.access.kind]} <strong>{item.target.name}</strong>
      </p>
      <label className={styles.field} style={{ marginTop: 0 }}>
        <span>Delegate to</span>
        <select value={to} onChange={(e) => setTo(e.target.value)}>
          <option value="">Choose a reviewer…</option>
          {candidates.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.email})
            </option>
          ))}
        </select>
      </label>
      <label className={styles.field}>
        <span>Reason (required)</span>
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />
      </label>
      {error ? (
        <p className={styles.error} role="alert">
          {error}
        </p>
      ) : null}
      <div className={styles.dialogButtons}>
        <button type="button" className={`btn ${styles.plain}`} onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn" disabled={busy || !to || !reason.trim()} onClick={() => onConfirm(to, reason.trim())}>
          Delegate
        </button>
      </div>
    </Dialog>
  );
}

const KEYS: [string, string][] = [
  ["j / ↓", "next item"],
  ["k / ↑", "previous item"],
  ["x", "select or unselect the item"],
  ["*", "select every item shown"],
  ["a", "approve (the selection, else the item)"],
  ["r", "revoke (asks for a justification)"],
  ["n", "abstain"],
  ["d", "delegate the item"],
  ["Esc", "clear the selection, close a dialog"],
  ["Ctrl+Enter", "confirm a justification"],
  ["?", "this help"],
];

export function ShortcutsDialog({ onClose }: { onClose(): void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <dl className={styles.shortcuts}>
        {KEYS.map(([k, what]) => (
          <div key={k} style={{ display: "contents" }}>
            <dt>
              <span className={styles.kbd}>{k}</span>
            </dt>
            <dd style={{ margin: 0 }}>{what}</dd>
          </div>
        ))}
      </dl>
      <div className={styles.dialogButtons}>
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
