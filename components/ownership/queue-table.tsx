"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { KindBadge } from "@/components/ui/kind-badge";
import type { NodeKind } from "@/lib/graph/model";
import { postJson } from "./assign-form";
import { OwnerPicker, type PickedOwner } from "./owner-picker";
import { HeaderCheckbox, useSelection } from "./selection";
import styles from "./ownership.module.css";

export interface QueueRow {
  id: string;
  kind: "owner_departed" | "owner_group_empty" | "agent_principal_departed";
  status: string;
  node: { id: string; kind: NodeKind; name: string; source: string };
  formerOwner: { id: string; name: string; status: string | null };
  role: string | null;
  reason: string;
  suggestedOwner: { id: string; name: string } | null;
  suggestionReason: string | null;
  resolvedOwner: { id: string; name: string } | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  note: string | null;
  createdAt: string;
}

const KIND_LABEL: Record<QueueRow["kind"], string> = {
  owner_departed: "owner left",
  owner_group_empty: "owner group emptied",
  agent_principal_departed: "agent acts for someone who left",
};

/** The reassignment queue; open rows can be selected and accepted, reassigned or dismissed together. */
export function QueueTable({ items, canResolve }: { items: QueueRow[]; canResolve: boolean }) {
  const router = useRouter();
  const open = items.filter((i) => i.status === "open");
  const sel = useSelection(open.map((i) => i.id));
  const [owner, setOwner] = useState<PickedOwner | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const chosen = [...sel.selected];
  const withoutSuggestion = items.filter((i) => sel.selected.has(i.id) && !i.suggestedOwner).length;

  async function act(action: "accept" | "assign" | "dismiss") {
    setBusy(true);
    setOutcome(null);
    const body = { items: chosen, action, ...(action === "assign" && owner ? { owner: owner.id } : {}), ...(note.trim() ? { note: note.trim() } : {}) };
    const r = await postJson<{ items: unknown[] }>("/api/v1/ownership/reassignments/resolve", body);
    setBusy(false);
    if (r.ok) {
      setOutcome({
        ok: true,
        text: `${r.body.items.length} ${r.body.items.length === 1 ? "row" : "rows"} ${action === "dismiss" ? "dismissed" : "reassigned"}.`,
      });
      sel.clear();
      setOwner(null);
      setNote("");
      router.refresh();
    } else setOutcome({ ok: false, text: [r.problem.message, ...r.problem.details.map((d) => `${d.path}: ${d.message}`)].join(" ") });
  }

  const selectable = canResolve && open.length > 0;
  return (
    <>
      <table className="data" data-testid="queue-table">
        <thead>
          <tr>
            {selectable ? <HeaderCheckbox all={sel.all} some={sel.some} onToggle={sel.toggleAll} label="Select every open row on this page" /> : null}
            <th>Node</th>
            <th>What happened</th>
            <th>Suggested successor</th>
            <th>{items.some((i) => i.status !== "open") ? "Outcome" : "Queued"}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => {
            const i = open.findIndex((o) => o.id === r.id);
            return (
              <tr key={r.id} className={sel.selected.has(r.id) ? styles.selected : undefined}>
                {selectable ? (
                  <td className={styles.check}>
                    {r.status === "open" ? (
                      <input
                        type="checkbox"
                        checked={sel.selected.has(r.id)}
                        onChange={() => undefined}
                        onClick={(e) => sel.toggle(i, e)}
                        aria-label={`Select ${r.node.name}`}
                      />
                    ) : null}
                  </td>
                ) : null}
                <td>
                  <Link href={`/ownership/nodes/${r.node.id}`}>{r.node.name}</Link>
                  <div className={styles.sub}>
                    <KindBadge kind={r.node.kind} /> {r.node.source}
                  </div>
                </td>
                <td>
                  <span className={`badge ${r.kind === "agent_principal_departed" ? "danger" : "warn"}`}>{KIND_LABEL[r.kind]}</span>
                  <div className={styles.sub} style={{ marginTop: "0.2rem" }}>
                    {r.formerOwner.name}
                    {r.role ? `, ${r.role} owner` : ""} — {r.reason}
                  </div>
                </td>
                <td>
                  {r.suggestedOwner ? (
                    <>
                      {r.suggestedOwner.name}
                      <div className={styles.sub}>{r.suggestionReason}</div>
                    </>
                  ) : (
                    <span className={styles.sub}>none: assign by hand</span>
                  )}
                </td>
                <td className={`${styles.sub} ${styles.nowrap}`}>
                  {r.status === "open" ? (
                    r.createdAt.slice(0, 10)
                  ) : (
                    <>
                      <span className={`badge ${r.status === "reassigned" ? "ok" : ""}`}>{r.status}</span> {r.resolvedOwner ? `to ${r.resolvedOwner.name}` : ""}
                      <div>
                        {r.resolvedBy} {r.resolvedAt?.slice(0, 10)}
                        {r.note ? ` · “${r.note}”` : ""}
                      </div>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {selectable ? (
        <div className={`${styles.bulkBar} ${chosen.length ? styles.sticky : ""}`} role="group" aria-label="Work the selected rows">
          <strong aria-live="polite">{chosen.length} selected</strong>
          <button
            className="btn"
            type="button"
            disabled={busy || chosen.length === 0 || withoutSuggestion > 0}
            onClick={() => act("accept")}
            title={withoutSuggestion ? "Some selected rows have no suggestion" : undefined}
          >
            Accept suggested successor
          </button>
          <span className={styles.muted}>or</span>
          <OwnerPicker value={owner} onChange={setOwner} label="Reassign to" />
          <button className="btn" type="button" disabled={busy || chosen.length === 0 || !owner} onClick={() => act("assign")}>
            Reassign
          </button>
          <input type="text" value={note} onChange={(e) => setNote(e.target.value)} placeholder="Note (needed to dismiss)" aria-label="Note" maxLength={500} />
          <button className="btn secondary" type="button" disabled={busy || chosen.length === 0 || !note.trim()} onClick={() => act("dismiss")}>
            Dismiss
          </button>
          {outcome ? (
            <span role={outcome.ok ? "status" : "alert"} className={`${styles.message} ${outcome.ok ? styles.ok : styles.error}`} style={{ margin: 0 }}>
              {outcome.text}
            </span>
          ) : null}
        </div>
      ) : null}
    </>
  );
}

/** Queues, by hand, what a departed person still owns (POST /api/v1/ownership/reassignments). */
export function QueueDepartureButton({ humanId, name }: { humanId: string; name: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function queue() {
    setBusy(true);
    const r = await postJson("/api/v1/ownership/reassignments", { humans: [humanId], reason: "departure found on the ownership page" });
    setBusy(false);
    if (r.ok) router.refresh();
    else setError(r.problem.message);
  }
  return (
    <>
      <button className="btn secondary" type="button" onClick={queue} disabled={busy} aria-label={`Queue what ${name} owns for reassignment`}>
        {busy ? "Queueing…" : "Queue for reassignment"}
      </button>
      {error ? <span role="alert"> {error}</span> : null}
    </>
  );
}
