"use client";

import { useEffect, useState } from "react";
import { KIND_COLOR } from "@/lib/graph/kind-style";
import { NODE_KIND_LABEL, type NodeKind } from "@/lib/graph/model";
import styles from "./campaigns.module.css";

export interface PickedNode {
  id: string;
  name: string;
  kind: NodeKind;
}

interface Props {
  label: string;
  hint: string;
  value: PickedNode[];
  onChange(next: PickedNode[]): void;
  /** Only these kinds are offered. */
  kinds?: NodeKind[];
}

/** Picks graph nodes by name through GET /api/v1/nodes?q=…; the choices show as removable chips. */
export function NodePicker({ label, hint, value, onChange, kinds }: Props) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState<PickedNode[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const term = q.trim();
    if (term.length < 2) return;
    const ctl = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const r = await fetch(`/api/v1/nodes?q=${encodeURIComponent(term)}&limit=20`, { signal: ctl.signal });
        if (!r.ok) {
          setError(r.status === 403 ? "searching the graph needs the graph.read permission" : `search failed (${r.status})`);
          return;
        }
        const body = (await r.json()) as { items: PickedNode[] };
        setError(null);
        setFound(body.items.filter((n) => !kinds || kinds.includes(n.kind)).slice(0, 8));
      } catch {
        // aborted: a newer search replaced this one
      }
    }, 200);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [q, kinds]);

  const shown = q.trim().length >= 2 ? found.filter((f) => !value.some((v) => v.id === f.id)) : [];
  return (
    <div className={styles.field}>
      <span>{label}</span>
      <span className={styles.hint}>{hint}</span>
      <input type="text" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Type a name to search the graph" aria-label={label} />
      {error ? <span className={styles.error}>{error}</span> : null}
      {shown.length ? (
        <div className={styles.suggest} role="listbox" aria-label={`${label}: matches`}>
          {shown.map((n) => (
            <button
              key={n.id}
              type="button"
              role="option"
              aria-selected={false}
              onClick={() => {
                onChange([...value, { id: n.id, name: n.name, kind: n.kind }]);
                setQ("");
              }}
            >
              <span className="dot" style={{ background: KIND_COLOR[n.kind] }} aria-hidden />
              {n.name} <span className="subtitle" style={{ margin: 0 }}>{NODE_KIND_LABEL[n.kind]}</span>
            </button>
          ))}
        </div>
      ) : null}
      {value.length ? (
        <div className={styles.picked}>
          {value.map((n) => (
            <span key={n.id} className="chip">
              <span className="dot" style={{ background: KIND_COLOR[n.kind] }} aria-hidden />
              {n.name}
              <button type="button" onClick={() => onChange(value.filter((v) => v.id !== n.id))} aria-label={`Remove ${n.name}`} style={{ border: "none", background: "none", cursor: "pointer", padding: 0 }}>
                ×
              </button>
            </span>
          ))}
        </div>
      ) : null}
    </div>
  );
}
