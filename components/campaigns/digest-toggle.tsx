"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { Alert } from "@/components/ui/alert";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";

/** A person's own switch for the new-items digest (PUT /api/v1/me/notification-preferences). */
export function DigestToggle({ digestOptOut }: { digestOptOut: boolean }) {
  const router = useRouter();
  const save = useMutation({
    mutationFn: (optOut: boolean) => apiFetch("/api/v1/me/notification-preferences", { method: "PUT", body: { digestOptOut: optOut } }),
    onSuccess: () => router.refresh(),
  });
  return (
    <>
      <label style={{ display: "flex", gap: "0.5rem", alignItems: "flex-start" }}>
        <input type="checkbox" checked={!digestOptOut} disabled={save.isPending} onChange={(e) => save.mutate(!e.target.checked)} />
        <span>
          <strong>Send me a digest of new items</strong> when a campaign gives me items to review (one message per campaign, listing them all).
        </span>
      </label>
      {save.isError ? <Alert>{errorMessage(save.error)}</Alert> : null}
    </>
  );
}
