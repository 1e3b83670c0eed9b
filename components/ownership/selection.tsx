"use client";

import { useEffect, useRef, useState, type MouseEvent } from "react";
import styles from "./ownership.module.css";

const EMPTY: ReadonlySet<string> = new Set();

/**
 * Row selection for bulk actions: checkboxes (Space toggles, Tab moves),
 * shift-click selects a range, the header box selects or clears the page.
 */
export function useSelection(ids: string[]) {
  const key = ids.join(",");
  // A selection belongs to one list of rows: a new page (or a refresh that changed the rows) starts empty.
  const [state, setState] = useState<{ key: string; ids: Set<string> }>({ key, ids: new Set() });
  const selected: ReadonlySet<string> = state.key === key ? state.ids : EMPTY;
  const setSelected = (fn: (prev: ReadonlySet<string>) => Set<string>) => setState((s) => ({ key, ids: fn(s.key === key ? s.ids : EMPTY) }));
  const last = useRef<number | null>(null);

  function toggle(index: number, e?: MouseEvent) {
    const id = ids[index]!;
    setSelected((prev) => {
      const next = new Set(prev);
      const on = !prev.has(id);
      if (e?.shiftKey && last.current !== null) {
        const [a, b] = [Math.min(last.current, index), Math.max(last.current, index)];
        for (let i = a; i <= b; i++) {
          if (on) next.add(ids[i]!);
          else next.delete(ids[i]!);
        }
      } else if (on) next.add(id);
      else next.delete(id);
      return next;
    });
    last.current = index;
  }
  const all = ids.length > 0 && ids.every((id) => selected.has(id));
  const some = !all && ids.some((id) => selected.has(id));
  return {
    selected,
    toggle,
    all,
    some,
    toggleAll: () => setSelected(() => (all ? new Set() : new Set(ids))),
    clear: () => setSelected(() => new Set()),
  };
}

export function HeaderCheckbox({ all, some, onToggle, label }: { all: boolean; some: boolean; onToggle: () => void; label: string }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = some;
  }, [some]);
  return (
    <th className={styles.check}>
      <input ref={ref} type="checkbox" checked={all} onChange={onToggle} aria-label={label} />
    </th>
  );
}
