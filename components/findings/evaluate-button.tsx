"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import styles from "./findings.module.css";

/** Evaluates every rule now (POST /api/v1/findings/evaluate) and reloads the page's data. */
export function EvaluateButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  async function run() {
    setBusy(true);
    setMessage(null);
    try {
      const r = await fetch("/api/v1/findings/evaluate", { method: "POST" });
      const body = await r.json();
      if (!r.ok) throw new Error(body?.error?.message ?? `failed (${r.status})`);
      const c = body.counts;
      setMessage({ text: `Evaluated in ${body.durationMs} ms: ${c.found} found, ${c.new} new, ${c.resolved} resolved, ${c.reopened} reopened.`, error: false });
      router.refresh();
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" className="btn secondary" onClick={run} disabled={busy} data-testid="evaluate-now">
        {busy ? "Evaluating…" : "Evaluate now"}
      </button>
      {message ? (
        <span className={message.error ? styles.error : styles.note} role="status" data-testid="evaluate-result">
          {message.text}
        </span>
      ) : null}
    </>
  );
}
