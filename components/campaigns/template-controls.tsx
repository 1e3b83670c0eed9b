"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";

/** A template's actions in its row: enable or disable, run an instance now, delete (a template with instances is kept, disabled). */
export function TemplateControls({ id, name, enabled, canManage }: { id: string; name: string; enabled: boolean; canManage: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string; href?: string } | null>(null);
  const path = `/api/v1/campaign-templates/${encodeURIComponent(id)}`;

  async function act(fn: () => Promise<{ ok: boolean; text: string; href?: string } | null>) {
    setBusy(true);
    setNote(null);
    try {
      setNote(await fn());
      router.refresh();
    } catch (err) {
      setNote({ ok: false, text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  }

  if (!canManage) return <span>{enabled ? "enabled" : "disabled"}</span>;
  return (
    <div className="toolbar" style={{ margin: 0, gap: "0.4rem", flexWrap: "wrap" }}>
      <label style={{ display: "inline-flex", gap: "0.3rem", alignItems: "center" }}>
        <input
          type="checkbox"
          checked={enabled}
          disabled={busy}
          aria-label={`Enabled: ${name}`}
          onChange={(e) => {
            const on = e.target.checked;
            void act(async () => {
              await apiFetch(path, { method: "PATCH", body: { enabled: on } });
              return null;
            });
          }}
        />
        {enabled ? "enabled" : "disabled"}
      </label>
      <button
        type="button"
        className="btn secondary"
        disabled={busy}
        onClick={() =>
          act(async () => {
            const c = await apiFetch<{ id: string; name: string }>(`${path}/run`, { method: "POST" });
            return { ok: true, text: `Launching ${c.name}`, href: `/campaigns/${encodeURIComponent(c.id)}` };
          })
        }
      >
        Run now
      </button>
      <button
        type="button"
        className="btn secondary"
        disabled={busy}
        onClick={() => {
          if (!window.confirm(`Delete the template "${name}"? One that made campaigns is disabled and kept.`)) return;
          void act(async () => {
            const r = await apiFetch<{ deleted: boolean }>(path, { method: "DELETE" });
            return { ok: true, text: r.deleted ? "Deleted" : "Kept, disabled: it made campaigns" };
          });
        }}
      >
        Delete
      </button>
      {note ? (
        <span role="status" className={note.ok ? undefined : "badge danger"}>
          {note.href ? <Link href={note.href}>{note.text}</Link> : note.text}
        </span>
      ) : null}
    </div>
  );
}
