"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import styles from "./findings.module.css";

interface EvaluationAnswer {
  durationMs: number;
  counts: { found: number; new: number; resolved: number; reopened: number };
}

/** Evaluates every rule now (POST /api/v1/findings/evaluate) and reloads the page's data. */
export function EvaluateButton() {
  const router = useRouter();
  const run = useMutation({
    mutationFn: () => apiFetch<EvaluationAnswer>("/api/v1/findings/evaluate", { method: "POST" }),
    onSuccess: () => router.refresh(),
  });
  const c = run.data?.counts;
  return (
    <>
      <button type="button" className="btn secondary" onClick={() => run.mutate()} disabled={run.isPending} data-testid="evaluate-now">
        {run.isPending ? "Evaluating…" : "Evaluate now"}
      </button>
      {run.isError ? (
        <span className={styles.error} role="status" data-testid="evaluate-result">
          {errorMessage(run.error)}
        </span>
      ) : c ? (
        <span className={styles.note} role="status" data-testid="evaluate-result">
          Evaluated in {run.data!.durationMs} ms: {c.found} found, {c.new} new, {c.resolved} resolved, {c.reopened} reopened.
        </span>
      ) : null}
    </>
  );
}
