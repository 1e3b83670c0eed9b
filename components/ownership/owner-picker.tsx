"use client";

import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
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

/**
 * A combobox for choosing an owner: a person who has not left, or a group.
 * Type to search (GET /api/v1/nodes), arrows to move, Enter to choose, Escape to close.
 */
export function OwnerPicker({ value, onChange, label = "Owner", inputId }: { value: PickedOwner | null; onChange: (o: PickedOwner | null) => void; label?: string; inputId?: string }) {
  const listId = useId();
  const fallbackId = useId();
  const id = inputId ?? fallbackId;
  // What the person types; once an owner is chosen the input shows the owner's name instead.
  const [text, setText] = useState("");
  const [hits, setHits] = useState<PickedOwner[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const seq = useRef(0);

  const q = text.trim();
  useEffect(() => {
    if (!open || q.length < 2 || value) return;
    const mine = ++seq.current;
    const timer = setTimeout(async () => {
      try {
        const search = (kind: string) => fetch(`/api/v1/nodes?kind=${kind}&limit=8&q=${encodeURIComponent(q)}`).then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))));
        const [people, groups] = await Promise.all([search("human"), search("group")]);
        if (mine !== seq.current) return;
        const list: PickedOwner[] = [...(people.items as NodeHit[]), ...(groups.items as NodeHit[])]
          .filter((n) => !DEPARTED.has(n.status ?? ""))
          .map((n) => ({ id: n.id, name: n.name, kind: n.kind, detail: n.kind === "group" ? "group" : typeof n.attributes.email === "string" ? n.attributes.email : null }));
        setHits(list);
        setActive(0);
        setProblem(list.length ? null : "No person or group matches.");
      } catch {
        if (mine === seq.current) setProblem("Search failed; try again.");
      }
    }, 200);
    return () => clearTimeout(timer);
  }, [q, open, value]);

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
      <label htmlFor={id} className="sr-only" style={{ position: "absolute", width: 1, height: 1, overflow: "hidden", clip: "rect(0 0 0 0)" }}>
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
          setProblem(null);
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
        <span className={styles.hint} role="status" style={{ marginLeft: "0.5rem" }}>
          {problem}
        </span>
      ) : null}
    </span>
  );
}
