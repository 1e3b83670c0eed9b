"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import styles from "./queue.module.css";

/**
 * Drafts a review campaign over a root-cause group (POST /api/v1/findings/campaign with `{ group }`: its top open
 * findings by score) and opens the draft, where it is previewed and launched.
 */
export function GroupCampaignButton({ group, causeName, compact }: { group: string; causeName: string; compact?: boolean }) {
  const router = useRouter();
  const m = useMutation({
    mutationFn: () => apiFetch<{ campaign: { id: string } }>("/api/v1/findings/campaign", { body: { group } }),
    // Stays busy through the navigation to the new campaign.
    onSuccess: (body) => router.push(`/campaigns/${body.campaign.id}`),
  });
  const busy = m.isPending || m.isSuccess;
  return (
    <span className={styles.campaign}>
      <button
        type="button"
        className={`btn secondary ${compact ? styles.small : ""}`}
        disabled={busy}
        onClick={() => m.mutate()}
        aria-label={`Draft a campaign for ${causeName}`}
        data-testid="group-campaign"
      >
        {busy ? "Drafting…" : "Draft a campaign"}
      </button>
      {m.error ? (
        <span className={styles.error} role="alert">
          {errorMessage(m.error)}
        </span>
      ) : null}
    </span>
  );
}
