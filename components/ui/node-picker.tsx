"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { apiFetch, errorMessage, qs } from "@/lib/client/api-fetch";
import { KIND_COLOR } from "@/lib/graph/kind-style";
import { NODE_KIND_LABEL, type NodeKind } from "@/lib/graph/model";
import type { NodeView, Page } from "@/lib/graph/nodes";
import styles from "./node-picker.module.css";

export interface PickedNode {
  id: string;
  name: string;
  kind: NodeKind;
}

type Found = Pick<NodeView, "id" | "name" | "kind" | "source" | "externalId">;

/** Shown at most; the search asks for a few more so that filtering by kind still leaves a full list. */
const SHOWN = 8;

/** `value` once it has stopped changing for `ms`: one search per pause in typing, not one per key. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** Nodes whose name, external id or email contains `text` (GET /api/v1/nodes?q=…), through React Query. */
function useNodeSearch(text: string, kinds?: readonly NodeKind[]) {
  const term = useSettled(text.trim(), 200);
  const oneKind = kinds && kinds.length === 1 ? kinds[0] : undefined;
  const query = useQuery({
    queryKey: ["nodes", "search", term, oneKind ?? null],
    queryFn: ({ signal }) => apiFetch<Page<Found>>(`/api/v1/nodes${qs({ q: term, kind: oneKind, limit: 25 })}`, { signal }),
    enabled: term.length >= 2,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
  const items = term.length >= 2 ? (query.data?.items ?? []).filter((n) => !kinds || kinds.includes(n.kind)) : [];
  return { items, error: query.error, settled: term === text.trim() && !query.isFetching };
}

interface ComboboxProps {
  /** The accessible name of the input. */
  label: string;
  /** Only these kinds are offered. */
  kinds?: readonly NodeKind[];
  onPick(node: PickedNode): void;
  /** Ids never offered (already picked). */
  exclude?: readonly string[];
  placeholder?: string;
  /** The text shown at first: the name of the node the field currently names. */
  defaultText?: string;
  /**
   * For plain forms: a hidden input of this name carries the picked node's id
   * (the URL keeps ids, the field shows names), or the typed text when nothing was picked.
   */
  name?: string;
  defaultValue?: string;
  /** Empty the field after a pick (a multi-picker's chips show the choice instead). */
  clearOnPick?: boolean;
  className?: string;
  testId?: string;
  /** Told when the text is edited after a pick: the field no longer names the node picked. */
  onEdit?(): void;
}

/**
 * A node search field with a typeahead, following the WAI-ARIA combobox
 * pattern (list autocomplete, first option active): ↓/↑ move through the
 * matches, Enter picks the active one, Escape closes the list (or, closed,
 * clears the field). Names are rendered as text.
 */
export function NodeCombobox({
  label,
  kinds,
  onPick,
  exclude,
  placeholder = "Type a name…",
  defaultText = "",
  name,
  defaultValue,
  clearOnPick,
  className,
  testId,
  onEdit,
}: ComboboxProps) {
  const listId = useId();
  const [text, setText] = useState(defaultText);
  const [picked, setPicked] = useState<string | undefined>(defaultValue);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const { items, error, settled } = useNodeSearch(text, kinds);
  const shown = items.filter((n) => !exclude?.includes(n.id)).slice(0, SHOWN);
  const expanded = open && text.trim().length >= 2 && (shown.length > 0 || settled);
  const current = Math.min(active, Math.max(shown.length - 1, 0));
  // Matches sharing a name (a tool on two servers) are told apart by their external id.
  const twice = new Set(shown.map((n) => n.name).filter((name, i, all) => all.indexOf(name) !== i));

  function pick(n: Found) {
    setOpen(false);
    setActive(0);
    setPicked(n.id);
    setText(clearOnPick ? "" : n.name);
    onPick({ id: n.id, name: n.name, kind: n.kind });
  }

  return (
    <span className={`${styles.combo} ${className ?? ""}`} data-testid={testId}>
      <input
        type="text"
        role="combobox"
        aria-label={label}
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && shown.length > 0 ? `${listId}-${current}` : undefined}
        autoComplete="off"
        spellCheck={false}
        value={text}
        placeholder={placeholder}
        onChange={(e) => {
          setText(e.target.value);
          if (picked !== undefined) onEdit?.();
          setPicked(undefined);
          setOpen(true);
          setActive(0);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            if (!open) return setOpen(true);
            if (shown.length === 0) return;
            setActive((current + (e.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length);
          } else if (e.key === "Enter") {
            if (expanded && shown[current]) {
              e.preventDefault();
              pick(shown[current]);
            }
          } else if (e.key === "Escape") {
            if (expanded) {
              e.preventDefault();
              setOpen(false);
            } else if (text) {
              e.preventDefault();
              setText("");
              setPicked(undefined);
            }
          }
        }}
      />
      {name ? <input type="hidden" name={name} value={picked ?? text.trim()} /> : null}
      <ul id={listId} role="listbox" aria-label={`${label}: matches`} className={styles.list} hidden={!expanded}>
        {expanded && shown.length === 0 ? (
          <li className={styles.none} role="presentation">
            {error ? errorMessage(error) : "No node matches"}
          </li>
        ) : null}
        {expanded
          ? shown.map((n, i) => (
              <li
                key={n.id}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === current}
                className={styles.option}
                // Keep the focus in the input: the pick happens on click.
                onMouseDown={(e) => e.preventDefault()}
                onMouseEnter={() => setActive(i)}
                onClick={() => pick(n)}
              >
                <span className="dot" style={{ background: KIND_COLOR[n.kind] }} aria-hidden />
                <span className={styles.name}>{n.name}</span>
                <span className={styles.meta}>
                  {NODE_KIND_LABEL[n.kind]} · {n.source}
                  {twice.has(n.name) ? ` · ${n.externalId}` : ""}
                </span>
              </li>
            ))
          : null}
      </ul>
      <span className="sr-only" aria-live="polite">
        {expanded && settled ? `${shown.length} match${shown.length === 1 ? "" : "es"}` : ""}
      </span>
    </span>
  );
}

interface PickerProps {
  label: string;
  hint: string;
  value: PickedNode[];
  onChange(next: PickedNode[]): void;
  /** Only these kinds are offered. */
  kinds?: NodeKind[];
}

/** Picks several graph nodes by name; the choices show as removable chips. */
export function NodePicker({ label, hint, value, onChange, kinds }: PickerProps) {
  const hintId = useId();
  return (
    <div className={styles.field}>
      <span className={styles.label}>{label}</span>
      <span className={styles.hint} id={hintId}>
        {hint}
      </span>
      <NodeCombobox
        label={label}
        kinds={kinds}
        exclude={value.map((v) => v.id)}
        onPick={(n) => onChange([...value, n])}
        placeholder="Type a name to search the graph"
        clearOnPick
      />
      {value.length ? (
        <div className={styles.picked}>
          {value.map((n) => (
            <span key={n.id} className="chip">
              <span className="dot" style={{ background: KIND_COLOR[n.kind] }} aria-hidden />
              {n.name}
              <button type="button" className={styles.remove} onClick={() => onChange(value.filter((v) => v.id !== n.id))} aria-label={`Remove ${n.name}`}>
                ×
              </button>
            </span>
          ))}
        </div>
      ) : null}
    </div>
  );
}
