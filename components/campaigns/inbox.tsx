"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { KindBadge, StatusBadge } from "@/components/ui/kind-badge";
import { ApiError, apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { BulkResult } from "@/lib/campaigns/decide-item";
import { EDGE_VERB, type Decision } from "@/lib/campaigns/model";
import type { ReachNode } from "@/lib/campaigns/item-reach";
import type { ItemView, UserRef } from "@/lib/campaigns/views";
import { DecisionDialog, DelegateDialog, ShortcutsDialog, type Pending } from "./inbox-dialogs";
import { InboxRow as Row } from "./inbox-row";
import styles from "./campaigns.module.css";

export type { GroupBy } from "./inbox-row";
import type { GroupBy } from "./inbox-row";

interface Props {
  items: ItemView[];
  /** What the nodes on the items' paths do (descriptions, tool risk, a server's riskiest tools), by node id. */
  reach: Record<string, ReachNode>;
  groupBy: GroupBy;
  candidates: UserRef[];
  meId: string;
  /** Whether names may link to the node pages (the reader holds graph.read). */
  canOpenNodes: boolean;
  /** Shown when there is nothing to list (and nothing was decided here since the page loaded). */
  empty: ReactNode;
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

/**
 * Keeps the reader's list as it was when the page loaded: a refresh from the server updates
 * items in place and appends new ones, but never drops or reorders what is shown (a decided
 * item leaves the "to decide" answer, yet stays on screen, marked decided, until the reader
 * reloads or changes the filter: the page keys this component by its filters).
 */
export function mergeInPlace(shown: ItemView[], fresh: ItemView[]): ItemView[] {
  const byId = new Map(fresh.map((i) => [i.id, i]));
  const known = new Set(shown.map((i) => i.id));
  return [...shown.map((i) => byId.get(i.id) ?? i), ...fresh.filter((i) => !known.has(i.id))];
}

/** The next item after `from` (wrapping round) that is still to decide, or -1. */
function nextUndecided(flat: ItemView[], from: number, skip: (i: ItemView) => boolean): number {
  for (let k = 1; k <= flat.length; k++) {
    const n = (from + k) % flat.length;
    if (!flat[n]!.decision && !skip(flat[n]!)) return n;
  }
  return -1;
}

type DecideVars = { decision: Decision; on: ItemView[]; justification?: string };
type DecideResult = { decided: Map<string, number>; conflicts: number; views: Map<string, ItemView> };

/**
 * The reviewer inbox: items grouped by subject or by access, each with its
 * recommendation, path and context; approve / revoke / abstain / delegate one
 * item or a selection; keyboard first (j/k, x, a, r, n, d, ?). The list keeps its
 * order after a decision and the focus moves on to the next item to decide.
 */
export function Inbox({ items, reach: freshReach, groupBy, candidates, meId, canOpenNodes, empty }: Props) {
  const router = useRouter();
  const [list, setList] = useState(items);
  const [seen, setSeen] = useState(items);
  const [reach, setReach] = useState(freshReach);
  const [seenReach, setSeenReach] = useState(freshReach);
  if (seen !== items) {
    setSeen(items);
    setList((l) => mergeInPlace(l, items));
  }
  if (seenReach !== freshReach) {
    setSeenReach(freshReach);
    setReach((r) => ({ ...r, ...freshReach }));
  }
  /** Items handed to someone else here: they stay in place, no longer actionable. */
  const [handed, setHanded] = useState<Map<string, string>>(new Map());
  const groups = useMemo(() => groupItems(list, groupBy), [list, groupBy]);
  const flat = useMemo(() => groups.flatMap((g) => g.items), [groups]);
  const [focusRaw, setFocus] = useState(0);
  const focus = Math.min(focusRaw, Math.max(0, flat.length - 1));
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const selected = flat.filter((i) => picked.has(i.id) && !handed.has(i.id));
  const [pending, setPending] = useState<Pending | null>(null);
  const [delegating, setDelegating] = useState<ItemView | null>(null);
  const [help, setHelp] = useState(false);
  const [note, setNote] = useState<Note>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  /** Set when focus moved by itself (after a decision): the item then takes the keyboard focus too. */
  const moveFocus = useRef(false);

  /** Not on the first render: the page opens at its top (title, filters), not scrolled to the first item. */
  const focusMoved = useRef(false);
  useEffect(() => {
    const el = listRef.current?.querySelector<HTMLElement>(`[data-index="${focus}"]`);
    if (focusMoved.current) el?.scrollIntoView({ block: "nearest" });
    focusMoved.current = true;
    if (moveFocus.current) {
      moveFocus.current = false;
      el?.focus({ preventScroll: true });
    }
  }, [focus]);

  const decide = useMutation<DecideResult, Error, DecideVars>({
    mutationFn: async ({ decision, on, justification }) => {
      const extra = justification ? { justification } : {};
      if (on.length === 1) {
        const it = await apiFetch<ItemView>(`/api/v1/review-items/${on[0]!.id}/decision`, {
          method: "POST",
          body: { decision, version: on[0]!.version, ...extra },
        });
        return { decided: new Map([[it.id, it.version]]), conflicts: 0, views: new Map([[it.id, it]]) };
      }
      const r = await apiFetch<BulkResult>("/api/v1/review-items/decisions", {
        method: "POST",
        body: { items: on.map((i) => ({ id: i.id, version: i.version })), decision, ...extra },
      });
      return { decided: new Map(r.items.filter((i) => i.status === "decided").map((i) => [i.id, i.version])), conflicts: r.conflicts, views: new Map() };
    },
    onSuccess: ({ decided, conflicts, views }, { decision, on, justification }) => {
      setPending(null);
      const at = new Date().toISOString();
      const me = candidates.find((c) => c.id === meId) ?? null;
      // Decided items change in place; the refresh below brings fresh counts (and the conflicting items' new versions).
      setList((l) =>
        l.map((i) =>
          views.has(i.id)
            ? { ...i, ...views.get(i.id)! }
            : decided.has(i.id)
              ? { ...i, decision, justification: justification ?? null, decidedAt: at, decidedBy: me ?? i.decidedBy, version: decided.get(i.id)! }
              : i,
        ),
      );
      const last = Math.max(...on.map((i) => flat.findIndex((f) => f.id === i.id)));
      const next = nextUndecided(flat, last, (i) => decided.has(i.id) || handed.has(i.id));
      if (next >= 0) {
        moveFocus.current = true;
        setFocus(next);
      }
      setNote({
        ok: true,
        text: `${PAST[decision]} ${decided.size} item${decided.size === 1 ? "" : "s"}.${conflicts ? ` ${conflicts} changed meanwhile and were reloaded: check them again.` : ""}`,
      });
      setPicked(new Set());
      router.refresh();
    },
    onError: (err, { decision, on }) => {
      if (err instanceof ApiError && err.status === 400) {
        setDialogError(errorMessage(err));
        setPending((p) => p ?? { decision, items: on });
        return;
      }
      setPending(null);
      setNote({
        ok: false,
        text:
          err instanceof ApiError
            ? err.status === 409
              ? `${errorMessage(err)} The inbox has been reloaded.`
              : errorMessage(err)
            : "The decision did not reach the server; nothing was recorded.",
      });
      router.refresh();
    },
  });

  const delegate = useMutation<ItemView, Error, { item: ItemView; to: string; reason: string }>({
    mutationFn: ({ item, to, reason }) =>
      apiFetch<ItemView>(`/api/v1/review-items/${item.id}/decision`, { method: "POST", body: { delegateTo: to, reason, version: item.version } }),
    onSuccess: (after, { item }) => {
      setDelegating(null);
      const name = after.reviewer?.name ?? "them";
      setHanded((h) => new Map(h).set(item.id, name));
      setNote({ ok: true, text: `Delegated to ${name}.` });
      router.refresh();
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 400) {
        setDialogError(errorMessage(err));
        return;
      }
      setDelegating(null);
      setNote({ ok: false, text: errorMessage(err) });
      router.refresh();
    },
  });

  const busy = decide.isPending || delegate.isPending;

  /** The items an action applies to: the selection, else the focused item. */
  const targets = (): ItemView[] => (selected.length ? selected : flat[focus] && !handed.has(flat[focus]!.id) ? [flat[focus]!] : []);

  function act(decision: Decision, on: ItemView[] = targets()) {
    if (on.length === 0 || busy) return;
    const needs = decision === "revoke" || (decision === "approve" && on.some((i) => i.highRisk));
    setDialogError(null);
    setNote(null);
    if (needs) setPending({ decision, items: on });
    else decide.mutate({ decision, on });
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
          if (current && !current.decision && !handed.has(current.id)) {
            setDialogError(null);
            setDelegating(current);
          }
          break;
        case "*":
          setPicked(new Set(flat.filter((i) => !handed.has(i.id)).map((i) => i.id)));
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

  if (list.length === 0) return <>{empty}</>;

  let index = -1;
  return (
    <>
      <div role="status" aria-live="polite">
        {note ? <div className={note.ok ? styles.noteOk : styles.noteError}>{note.text}</div> : null}
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
      <div className={`toolbar ${styles.listBar}`}>
        <span className={styles.note}>
          {flat.length} item{flat.length === 1 ? "" : "s"} shown ·{" "}
          <button
            type="button"
            className={`btn secondary ${styles.small}`}
            onClick={() => setPicked(new Set(flat.filter((i) => !handed.has(i.id)).map((i) => i.id)))}
            disabled={flat.length === 0}
          >
            Select all shown
          </button>
        </span>
        <button type="button" className={`btn secondary ${styles.small}`} onClick={() => setHelp(true)} aria-keyshortcuts="?">
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
                  {g.items.filter((i) => !i.decision && !handed.has(i.id)).length} of {g.items.length} undecided
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
                  canOpenNodes={canOpenNodes}
                  reach={reach}
                  handedTo={handed.get(i.id) ?? null}
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
      {pending ? (
        <DecisionDialog
          pending={pending}
          busy={busy}
          error={dialogError}
          onCancel={() => setPending(null)}
          onConfirm={(text) => decide.mutate({ decision: pending.decision, on: pending.items, justification: text })}
        />
      ) : null}
      {delegating ? (
        <DelegateDialog
          item={delegating}
          candidates={candidates.filter((c) => c.id !== meId)}
          busy={busy}
          error={dialogError}
          onCancel={() => setDelegating(null)}
          onConfirm={(to, reason) => delegate.mutate({ item: delegating, to, reason })}
        />
      ) : null}
      {help ? <ShortcutsDialog onClose={() => setHelp(false)} /> : null}
    </>
  );
}
