"use client";

import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import type { UserRef } from "@/lib/campaigns/views";
import { apiFetch } from "@/lib/client/api-fetch";
import { cronInWords, upcomingSlots } from "@/lib/jobs/cron";
import { CampaignForm } from "./campaign-form";
import styles from "./campaigns.module.css";

/** Schedules people ask for; cron in UTC. "1#1" is the first Monday: cron ORs a day of month with a day of week. */
export const CRON_PRESETS: { label: string; cron: string }[] = [
  { label: "Quarterly, first Monday, 09:00 UTC", cron: "0 9 * 1,4,7,10 1#1" },
  { label: "Monthly, on the 1st, 09:00 UTC", cron: "0 9 1 * *" },
  { label: "Half-yearly, first Monday of January and July, 09:00 UTC", cron: "0 9 * 1,7 1#1" },
  { label: "Yearly, first Monday of January, 09:00 UTC", cron: "0 9 * 1 1#1" },
  { label: "Weekly, Mondays 09:00 UTC", cron: "0 9 * * 1" },
];

/** The schedule in words and its next runs, as typed; null words when the expression does not parse. */
function describe(cron: string): { text: string | null; warning: string | null; next: string[] } {
  try {
    const w = cronInWords(cron);
    return {
      text: w.text,
      warning: w.warning,
      next: upcomingSlots(cron, new Date(), 3).map((d) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`),
    };
  } catch {
    return { text: null, warning: null, next: [] };
  }
}

/** A recurring campaign: the campaign form's scope and reviewers, with a schedule in place of the due date. */
export function TemplateForm({ sources, reviewers }: { sources: string[]; reviewers: UserRef[] }) {
  const router = useRouter();
  const [cron, setCron] = useState(CRON_PRESETS[0]!.cron);
  const [durationDays, setDuration] = useState(14);
  const words = useMemo(() => describe(cron), [cron]);
  const preset = CRON_PRESETS.find((p) => p.cron === cron.trim())?.cron ?? "";

  const fields = (
    <>
      <div className={styles.row}>
        <label className={styles.field}>
          <span>Repeat</span>
          <select value={preset} onChange={(e) => e.target.value && setCron(e.target.value)}>
            {CRON_PRESETS.map((p) => (
              <option key={p.cron} value={p.cron}>
                {p.label}
              </option>
            ))}
            <option value="">Custom (cron below)</option>
          </select>
        </label>
        <label className={styles.field}>
          <span>Cron (five fields, UTC)</span>
          <input type="text" value={cron} onChange={(e) => setCron(e.target.value)} maxLength={120} spellCheck={false} aria-describedby="cron-words" />
        </label>
        <label className={styles.field}>
          <span>Each instance is due after (days)</span>
          <input type="number" min={1} max={365} value={durationDays} onChange={(e) => setDuration(Math.min(365, Math.max(1, Number(e.target.value) || 1)))} />
        </label>
      </div>
      <p id="cron-words" className={styles.hint} data-testid="cron-words" aria-live="polite">
        {words.text ? (
          <>
            {words.text}
            {words.next.length ? ` · next: ${words.next.join(", ")}` : ""}
          </>
        ) : (
          "Not a valid cron expression: five fields, minute hour day-of-month month day-of-week."
        )}
      </p>
      {words.warning ? (
        <p className={styles.hint} role="note">
          Note: {words.warning}.
        </p>
      ) : null}
    </>
  );

  return (
    <CampaignForm
      sources={sources}
      reviewers={reviewers}
      template={{
        fields,
        durationDays,
        save: async (definition) => {
          await apiFetch("/api/v1/campaign-templates", { method: "POST", body: { ...definition, cron: cron.trim(), durationDays } });
          router.push("/campaigns/templates");
        },
      }}
    />
  );
}
