"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState, type KeyboardEvent } from "react";
import { apiFetch, qs } from "@/lib/client/api-fetch";
import styles from "./ownership.module.css";

export interface PickedOwner {
  id: string;
  name: string;
  kind: "human" | "group";
  detail: string | null;
}

interface NodeHit {
  id: string;
  kind: "human" | "group";
  name: string;
  status: string | null;
  attributes: Record<string, unknown>;
}

const DEPARTED = new Set(["terminated", "inactive"]);

/** People who have not left and groups whose name, external id or email matches (GET /api/v1/nodes, 8 of each). */
async function searchOwners(q: string, signal: AbortSignal): Promise<PickedOwner[]> {
  const search = (kind: string) => apiFetch<{ items: NodeHit[] }>(`/api/v1/nodes${qs({ kind, limit: 8, q })}`, { signal });
  const [people, groups] = await Promise.all([search("human"), search("group")]);
  return [...people.items, ...groups.items]
    .filter((n) => !DEPARTED.has(n.status ?? ""))
    .map((n) => ({
      id: n.id,
      name: n.name,
      kind: n.kind,
      detail: n.kind === "group" ? "group" : typeof n.attributes.email === "string" ? n.attributes.email : null,
    }));
}

/**
 * A combobox for choosing an owner: a person who has not left, or a group.
 * Type to search (GET /api/v1/nodes), arrows to move, Enter to choose, Escape to close.
 */
export function OwnerPicker({
  value,
  onChange,
  label = "Owner",
  inputId,
}: {
  value: PickedOwner | null;
  onChange: (o: PickedOwner | null) => void;
  label?: string;
  inputId?: string;
}) {
  const listId = useId();
  const fallbackId = useId();
  const id = inputId ?? fallbackId;
  // What the person types; once an owner is chosen the input shows the owner's name instead.
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const q = text.trim();
  // Searches wait for a pause in typing.
  const [debounced, setDebounced] = useState(q);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(q), 200);
    return () => clearTimeout(timer);
  }, [q]);
  const search = useQuery({
    queryKey: ["owner-search", debounced],
    queryFn: ({ signal }) => searchOwners(debounced, signal),
    enabled: open && !value && debounced.length >= 2,
    staleTime: 60_000,
  });
  const hits = debounced === q ? (search.data ?? []) : [];
  const problem = search.isError
    ? "Search failed; try again."
    : search.isSuccess && debounced === q && hits.length === 0
      ? "No person or group matches."
      : null;

  function choose(o: PickedOwner) {
    onChange(o);
    setText("");
    setOpen(false);
  }

  function onKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, Math.max(hits.length - 1, 0)));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === "Enter" && open && hits[active]) {
      e.preventDefault();
      choose(hits[active]!);
    } else if (e.key === "Escape") {
      setOpen(false);
    }
  }

  const showList = open && !value && q.length >= 2 && hits.length > 0;
  return (
    <span className={styles.picker}>
      <label htmlFor={id} className={`sr-only ${styles.pickerLabel}`}>
        {label}
      </label>
      <input
        id={id}
        className="text"
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList ? `${listId}-${active}` : undefined}
        placeholder="Search a person or group"
        value={value ? value.name : text}
        autoComplete="off"
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(0);
          if (value) onChange(null);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKey}
      />
      {showList ? (
        <ul id={listId} role="listbox" className={styles.options} aria-label={`${label} matches`}>
          {hits.map((h, i) => (
            <li
              key={h.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(h);
              }}
            >
              <span>{h.name}</span>
              <span className={styles.hint}>{h.detail}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {open && problem && q.length >= 2 && !value ? (
        <span className={`${styles.hint} ${styles.problem}`} role="status">
          {problem}
        </span>
      ) : null}
    </span>
  );
}
