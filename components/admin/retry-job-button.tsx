"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";

/** Queues a failed job again (POST /api/v1/jobs/{id}/retry), then reloads the server-rendered list. */
export function RetryJobButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const retry = useMutation({
    mutationFn: () => apiFetch(`/api/v1/jobs/${encodeURIComponent(id)}/retry`, { method: "POST" }),
    onSuccess: () => router.refresh(),
  });
  return (
    <>
      <button className="btn secondary" type="button" onClick={() => retry.mutate()} disabled={retry.isPending} aria-label={`Retry ${name}`}>
        Retry
      </button>
      {retry.isError ? (
        <span className="badge danger" role="alert">
          {errorMessage(retry.error)}
        </span>
      ) : null}
    </>
  );
}
