"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/** Queues a failed job again (POST /api/v1/jobs/{id}/retry), then reloads the list. */
export function RetryJobButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function retry() {
    setBusy(true);
    setError(null);
    const r = await fetch(`/api/v1/jobs/${encodeURIComponent(id)}/retry`, { method: "POST" });
    setBusy(false);
    if (!r.ok) {
      setError((await r.json().catch(() => null))?.error?.message ?? `The server answered ${r.status}.`);
      return;
    }
    router.refresh();
  }

  return (
    <>
      <button className="btn secondary" type="button" onClick={retry} disabled={busy} aria-label={`Retry ${name}`}>
        Retry
      </button>
      {error ? (
        <span className="badge danger" role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}
