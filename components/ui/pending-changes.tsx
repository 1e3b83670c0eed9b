"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

const REFRESH_MS = 5_000;

/**
 * "Evaluating…": graph changes are committed but their follow-ups (findings,
 * offboarding, coverage) have not run yet, so the numbers below may be behind.
 * While any are waiting the page reloads its data every few seconds, so it
 * catches up by itself. Nothing shown when nothing is waiting.
 */
export function PendingChanges({ count, what }: { count: number; what: string }) {
  const router = useRouter();
  useEffect(() => {
    if (count === 0) return;
    const timer = setInterval(() => router.refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [count, router]);
  if (count === 0) return null;
  return (
    <p role="status" data-testid="pending-changes">
      <span className="badge warn">Evaluating…</span> {count.toLocaleString("en")} change{count === 1 ? "" : "s"} waiting: {what} may not show them yet.
    </p>
  );
}
