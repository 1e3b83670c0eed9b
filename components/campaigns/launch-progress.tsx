"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { ProgressBar } from "./badges";

/**
 * A launching campaign's progress: accesses examined of the total counted in
 * scope, refreshed every two seconds until the launch ends (the page then shows
 * the active campaign, or the draft with the reason the launch failed).
 */
export function LaunchProgress({ done, total }: { done: number; total: number | null }) {
  const router = useRouter();
  useEffect(() => {
    const t = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(t);
  }, [router]);
  return (
    <section className="panel" aria-labelledby="launch-h" data-testid="launch-progress" aria-live="polite">
      <h2 id="launch-h" style={{ marginTop: 0 }}>
        Launching…
      </h2>
      {total === null ? (
        <p className="subtitle" style={{ margin: 0 }}>
          Counting the accesses in scope.
        </p>
      ) : (
        <>
          <ProgressBar done={done} total={total} label="Accesses snapshotted" />
          <p className="subtitle" style={{ margin: "0.4rem 0 0" }}>
            {done.toLocaleString("en")} of {total.toLocaleString("en")} accesses snapshotted. Reviewers see the items once the launch ends; this page refreshes
            until then.
          </p>
        </>
      )}
    </section>
  );
}
