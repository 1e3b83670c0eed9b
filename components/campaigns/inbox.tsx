"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { KindBadge, StatusBadge } from "@/components/ui/kind-badge";
import { EDGE_VERB, type Decision } from "@/lib/campaigns/model";
import type { ItemView, UserRef } from "@/lib/campaigns/views";
import { DecisionDialog, DelegateDialog, ShortcutsDialog, type Pending } from "./inbox-dialogs";
import { InboxRow as Row } from "./inbox-row";
import styles from "./campaigns.module.css";

export type { GroupBy } from "./inbox-row";
import type { GroupBy } from "./inbox-row";

interface Props {
  items: ItemView[];
  groupBy: GroupBy;
  candidates: UserRef[];
  meId: string;
}

interface Group {
  key: string;
  head: ReactNode;
  items: ItemView[];
}

type Note = { ok: boolean; text: string } | null;
const PAST: Record<Decision, string> = { approve: "Approved", revoke: "Revoked", abstain: "Abstained on" };

function groupItems(items: ItemView[], by: GroupBy): Group[] {
  if (by === "none") return [{ key: "all", head: null, items }];
  const groups = new Map<string, Group>();
  for (const i of items) {
    const key = by === "subject" ? i.subject.id : `${i.access.kind}|${i.target.id}`;
    let g = groups.get(key);
    if (!g) {
      const head =
        by === "subject" ? (
          <>
            {i.subject.name} <KindBadge kind={i.subject.kind} /> <StatusBadge status={i.subject.status} />
          </>
        ) : (
          <>
            <span className={styles.verb}>{EDGE_VERB[i.access.kind]}</span> {i.target.name} <KindBadge kind={i.target.kind} />
          </>
        );
      g = { key, head, items: [] };
      groups.set(key, g);
    }
    g.items.push(i);
  }
  const list = [...groups.values()];
  if (by === "access") list.sort((a, b) => a.items[0]!.target.name.localeCompare(b.items[0]!.target.name) || a.key.localeCompare(b.key));
  return list;
}

async function send(url: string, body: unknown): Promise<{ status: number; data: Record<string, unknown> }> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, data: (await r.json().catch(() => ({}))) as Record<string, unknown> };
}
const messageOf = (data: Record<string, unknown>) => (data.error as { message?: string } | undefined)?.message ?? "the request failed";

/**
 * The reviewer inbox: items grouped by subject or by access, each with its
 * recommendation, path and context; approve / revoke / abstain / delegate one
 * item or a selection; keyboard first (j/k, x, a, r, n, d, ?).
 */
export function Inbox({ items, groupBy, candidates, meId }: Props) {
  const router = useRouter();
  const groups = useMemo(() => groupItems(items, groupBy), [items, groupBy]);
  const flat = useMemo(() => groups.flatMap((g) => g.items), [groups]);
  const [focusRaw, setFocus] = useState(0);
  const focus = Math.min(focusRaw, Math.max(0, flat.length - 1));
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const selected = flat.filter((i) => picked.has(i.id));
  const [pending, setPending] = useState<Pending | null>(null);
  const [delegating, setDelegating] = useState<ItemView | null>(null);
  const [help, setHelp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<Note>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    listRef.current?.querySelector(`[data-index="${focus}"]`)?.scrollIntoView({ block: "nearest" });
  }, [focus]);

  /** The items an action applies to: the selection, else the focused item. */
  const targets = (): ItemView[] => (selected.length ? selected : flat[focus] ? [flat[focus]!] : []);

  function act(decision: Decision, on: ItemView[] = targets()) {
    if (on.length === 0 || busy) return;
    const needs = decision === "revoke" || (decision === "approve" && on.some((i) => i.highRisk));
    setDialogError(null);
    if (needs) setPending({ decision, items: on });
    else void submit(decision, on, undefined);
  }

  async function submit(decision: Decision, on: ItemView[], justification: string | undefined) {
    setBusy(true);
    setNote(null);
    try {
      const r =
        on.length === 1
          ? await send(`/api/v1/review-items/${on[0]!.id}/decision`, { decision, version: on[0]!.version, ...(justification ? { justification } : {}) })
          : await send("/api/v1/review-items/decisions", { items: on.map((i) => ({ id: i.id, version: i.version })), decision, ...(justification ? { justification } : {}) });
      if (r.status === 400) {
        setDialogError(messageOf(r.data));
        if (!pending) setPending({ decision, items: on });
        return;
      }
      setPending(null);
      if (r.status === 200) {
        const conflicts = on.length === 1 ? 0 : Number(r.data.conflicts ?? 0);
        const decided = on.length - conflicts;
        setNote({ ok: true, text: `${PAST[decision]} ${decided} item${decided === 1 ? "" : "s"}.${conflicts ? ` ${conflicts} changed meanwhile and were reloaded: check them again.` : ""}` });
        setPicked(new Set());
      } else if (r.status === 409) {
        setNote({ ok: false, text: `${messageOf(r.data)} The inbox has been reloaded.` });
      } else {
        setNote({ ok: false, text: messageOf(r.data) });
      }
      router.refresh();
    } catch {
      setNote({ ok: false, text: "The decision did not reach the server; nothing was recorded." });
    } finally {
      setBusy(false);
    }
  }

  async function delegate(item: ItemView, to: string, reason: string) {
    setBusy(true);
    try {
      const r = await send(`/api/v1/review-items/${item.id}/decision`, { delegateTo: to, reason, version: item.version });
      if (r.status === 400) {
        setDialogError(messageOf(r.data));
        return;
      }
      setDelegating(null);
      setNote(r.status === 200 ? { ok: true, text: `Delegated to ${(r.data.reviewer as UserRef | null)?.name ?? "them"}.` } : { ok: false, text: messageOf(r.data) });
      router.refresh();
    } finally {
      setBusy(false);
    }
  }

  function toggle(id: string) {
    setPicked((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  // Keyboard: one listener on the window, ignored while typing or while a dialog is open.
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target as HTMLElement | null;
      if (el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable)) return;
      if (pending || delegating) return;
      if (help) {
        if (e.key === "Escape" || e.key === "?") setHelp(false);
        return;
      }
      const current = flat[focus];
      switch (e.key) {
        case "j":
        case "ArrowDown":
          setFocus(Math.min(focus + 1, flat.length - 1));
          break;
        case "k":
        case "ArrowUp":
          setFocus(Math.max(focus - 1, 0));
          break;
        case "x":
          if (current) toggle(current.id);
          break;
        case "a":
          act("approve");
          break;
        case "r":
          act("revoke");
          break;
        case "n":
          act("abstain");
          break;
        case "d":
          if (current && !current.decision) {
            setDialogError(null);
            setDelegating(current);
          }
          break;
        case "*":
          setPicked(new Set(flat.map((i) => i.id)));
          break;
        case "Escape":
          setPicked(new Set());
          break;
        case "?":
          setHelp(true);
          break;
        default:
          return;
      }
      e.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  let index = -1;
  return (
    <>
      <div role="status" aria-live="polite" style={{ minHeight: note ? undefined : 0 }}>
        {note ? (
          <div className={note.ok ? "badge ok" : "alert"} style={{ display: "block", padding: "0.45rem 0.75rem", borderRadius: 6, marginBottom: "0.75rem", whiteSpace: "normal", fontWeight: 500 }}>
            {note.text}
          </div>
        ) : null}
      </div>
      {selected.length ? (
        <div className={`${styles.bulk} ${styles.controls}`} role="region" aria-label="Selection">
          <strong>{selected.length} selected</strong>
          <button type="button" className={`btn ${styles.approve}`} disabled={busy} onClick={() => act("approve", selected)}>
            Approve selected
          </button>
          <button type="button" className={`btn ${styles.revoke}`} disabled={busy} onClick={() => act("revoke", selected)}>
            Revoke selected
          </button>
          <button type="button" className={`btn ${styles.plain}`} disabled={busy} onClick={() => act("abstain", selected)}>
            Abstain
          </button>
          <span className={styles.spacer} />
          <button type="button" className={`btn ${styles.plain}`} onClick={() => setPicked(new Set())}>
            Clear <span className={styles.kbd}>Esc</span>
          </button>
        </div>
      ) : null}
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <span className={styles.note}>
          {flat.length} item{flat.length === 1 ? "" : "s"} shown ·{" "}
          <button type="button" className="btn secondary" style={{ padding: "0.15rem 0.5rem", fontSize: "0.8rem" }} onClick={() => setPicked(new Set(flat.map((i) => i.id)))} disabled={flat.length === 0}>
            Select all shown
          </button>
        </span>
        <button type="button" className="btn secondary" style={{ padding: "0.2rem 0.6rem", fontSize: "0.82rem" }} onClick={() => setHelp(true)} aria-keyshortcuts="?">
          Keyboard shortcuts <span className={styles.kbd}>?</span>
        </button>
      </div>
      <div ref={listRef} data-testid="inbox" className={styles.controls}>
        {groups.map((g) => (
          <section key={g.key} className={styles.group} aria-label={g.key === "all" ? "Items" : undefined}>
            {g.head ? (
              <div className={styles.groupHead}>
                {g.head}
                <span className={styles.count}>
                  {g.items.filter((i) => !i.decision).length} of {g.items.length} undecided
                </span>
              </div>
            ) : null}
            {g.items.map((i) => {
              index++;
              const n = index;
              return (
                <Row
                  key={i.id}
                  item={i}
                  index={n}
                  focused={n === focus}
                  picked={picked.has(i.id)}
                  groupBy={groupBy}
                  busy={busy}
                  onFocus={() => setFocus(n)}
                  onToggle={() => toggle(i.id)}
                  onDecide={(d) => {
                    setFocus(n);
                    act(d, [i]);
                  }}
                  onDelegate={() => {
                    setFocus(n);
                    setDialogError(null);
                    setDelegating(i);
                  }}
                />
              );
            })}
          </section>
        ))}
      </div>
      {pending ? <DecisionDialog pending={pending} busy={busy} error={dialogError} onCancel={() => setPending(null)} onConfirm={(text) => submit(pending.decision, pending.items, text)} /> : null}
      {delegating ? (
        <DelegateDialog item={delegating} candidates={candidates.filter((c) => c.id !== meId)} busy={busy} error={dialogError} onCancel={() => setDelegating(null)} onConfirm={(to, reason) => delegate(delegating, to, reason)} />
      ) : null}
      {help ? <ShortcutsDialog onClose={() => setHelp(false)} /> : null}
    </>
  );
}
