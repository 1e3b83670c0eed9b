"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMutation } from "@tanstack/react-query";
import { HeaderCheckbox, useSelection } from "@/components/ownership/selection";
import { KindBadge } from "@/components/ui/kind-badge";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { FindingView } from "@/lib/findings/views";
import { FindingStatusBadge, OwaspTags, SeverityBadge } from "./badges";
import styles from "./findings.module.css";

const day = (iso: string) => iso.slice(0, 10);

/** POSTs the selected findings to /api/v1/findings/campaign and opens the draft campaign. */
export function useCreateCampaign() {
  const router = useRouter();
  const m = useMutation({
    mutationFn: (findingIds: string[]) => apiFetch<{ campaign: { id: string } }>("/api/v1/findings/campaign", { body: { findingIds } }),
    // Stays busy through the navigation to the new campaign.
    onSuccess: (body) => router.push(`/campaigns/${body.campaign.id}`),
  });
  return { create: (findingIds: string[]) => m.mutate(findingIds), busy: m.isPending || m.isSuccess, error: m.error ? errorMessage(m.error) : null };
}

/** The findings list: select rows to seed a campaign; each row links to its evidence. */
export function FindingsTable({ items, canCreateCampaign }: { items: FindingView[]; canCreateCampaign: boolean }) {
  const ids = items.map((i) => i.id);
  const sel = useSelection(ids);
  const campaign = useCreateCampaign();
  const chosen = ids.filter((id) => sel.selected.has(id));
  return (
    <>
      {canCreateCampaign ? (
        <div className={styles.actionsBar}>
          <button
            type="button"
            className="btn"
            disabled={chosen.length === 0 || campaign.busy}
            onClick={() => campaign.create(chosen)}
            data-testid="create-campaign"
          >
            {campaign.busy
              ? "Creating…"
              : `Create a campaign from ${chosen.length ? `${chosen.length} selected` : "selected"} finding${chosen.length === 1 ? "" : "s"}`}
          </button>
          <span className={styles.note}>
            A draft scoped to the findings&apos; subjects and targets, reviewed by the targets&apos; owners; preview and launch it from the campaign page.
          </span>
          {campaign.error ? (
            <span className={styles.error} role="alert">
              {campaign.error}
            </span>
          ) : null}
        </div>
      ) : null}
      <table className="data" data-testid="findings-table">
        <thead>
          <tr>
            {canCreateCampaign ? <HeaderCheckbox all={sel.all} some={sel.some} onToggle={sel.toggleAll} label="Select every finding on this page" /> : null}
            <th className="num">Score</th>
            <th>Severity</th>
            <th>Finding</th>
            <th>Subject</th>
            <th>Rule</th>
            <th className={styles.nowrap}>First seen</th>
            <th className={styles.nowrap}>Last seen</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {items.map((f, i) => (
            <tr key={f.id} data-testid="finding-row" data-rule={f.rule}>
              {canCreateCampaign ? (
                <td>
                  <input
                    type="checkbox"
                    checked={sel.selected.has(f.id)}
                    onChange={() => undefined}
                    onClick={(e) => sel.toggle(i, e)}
                    aria-label={`Select: ${f.title}`}
                  />
                </td>
              ) : null}
              <td className={`num ${styles.nowrap}`} data-testid="finding-score">
                {f.score}
              </td>
              <td>
                <SeverityBadge severity={f.severity} />
              </td>
              <td className={styles.title}>
                <Link href={`/findings/${f.id}`}>{f.title}</Link>
                {f.acceptance && f.status === "accepted" ? (
                  <div className={styles.sub}>
                    Accepted until {day(f.acceptance.expiresAt)}: {f.acceptance.reason}
                  </div>
                ) : null}
              </td>
              <td className={styles.subject}>
                <KindBadge kind={f.subject.kind} /> <Link href={`/nodes/${f.subject.id}`}>{f.subject.name}</Link>
              </td>
              <td>
                <div>{f.ruleLabel}</div>
                <OwaspTags items={f.owasp} />
              </td>
              <td className={styles.nowrap}>{day(f.firstSeenAt)}</td>
              <td className={styles.nowrap}>{day(f.lastSeenAt)}</td>
              <td>
                <FindingStatusBadge status={f.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
