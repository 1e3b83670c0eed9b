"use client";

import Link from "next/link";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { Badge, type Tone } from "@/components/ui/badge";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { KindBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { SuppressionStatus, SuppressionView } from "@/lib/findings/suppression-views";
import styles from "./suppressions.module.css";

const REFRESH_MS = 2_000;

const STATUS: Record<SuppressionStatus, { label: string; tone: Tone }> = {
  applying: { label: "applying…", tone: "warn" },
  active: { label: "active", tone: "info" },
  expired: { label: "expired", tone: "neutral" },
  revoking: { label: "revoking…", tone: "warn" },
  revoked: { label: "revoked", tone: "neutral" },
};

const SCOPE_WORDS: Record<SuppressionView["scope"]["kind"], string> = { subject: "About", via: "Through", cause: "Caused by" };

/**
 * The suppressions, with revoke (asks first). While any is applying or revoking
 * (the background job has not run yet) the page reloads its data every two
 * seconds, so "applying…" turns into the matched count by itself.
 */
export function SuppressionsTable({ items, canManage }: { items: SuppressionView[]; canManage: boolean }) {
  const router = useRouter();
  const [revoking, setRevoking] = useState<SuppressionView | null>(null);
  const pending = items.some((s) => s.status === "applying" || s.status === "revoking");
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => router.refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [pending, router]);
  const revoke = useMutation({
    mutationFn: (id: string) => apiFetch<SuppressionView>(`/api/v1/findings/suppressions/${encodeURIComponent(id)}/revoke`, { method: "POST" }),
    onSuccess: () => {
      setRevoking(null);
      router.refresh();
    },
  });

  return (
    <>
      <Table caption="Suppressions" testId="suppressions">
        <thead>
          <tr>
            <th>Rule</th>
            <th>Scope</th>
            <th>Reason</th>
            <th>Until</th>
            <th>By</th>
            <th className="num">Matched</th>
            <th>Status</th>
            {/* Visible text: an sr-only span (position: absolute) would escape the scrolling wrapper and widen the page. */}
            {canManage ? <th>Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id} data-testid={`suppression-${s.id}`}>
              <td>{s.ruleLabel}</td>
              <td className={styles.scopeCell}>
                {SCOPE_WORDS[s.scope.kind]} <KindBadge kind={s.scope.node.kind} />{" "}
                <Link href={`/nodes/${encodeURIComponent(s.scope.node.id)}`}>{s.scope.node.name}</Link>
              </td>
              <td className={styles.reason}>{s.reason}</td>
              <td>
                <LocalTime value={s.expiresAt} dateOnly relative={false} />
              </td>
              <td className={styles.who}>
                {s.createdBy}
                <div className={styles.muted}>
                  <LocalTime value={s.createdAt} dateOnly relative={false} />
                </div>
              </td>
              <td className="num" data-testid="matched">
                {s.status === "applying" ? <span className={styles.muted}>—</span> : s.matched.toLocaleString("en")}
              </td>
              <td>
                <Badge tone={STATUS[s.status].tone}>{STATUS[s.status].label}</Badge>
                {s.revokedBy ? <div className={`${styles.muted} ${styles.who}`}>by {s.revokedBy}</div> : null}
              </td>
              {canManage ? (
                <td>
                  {s.status === "active" || s.status === "applying" ? (
                    <button
                      type="button"
                      className="btn secondary"
                      onClick={() => {
                        revoke.reset();
                        setRevoking(s);
                      }}
                      aria-label={`Revoke the suppression of ${s.ruleLabel.toLowerCase()} ${SCOPE_WORDS[s.scope.kind].toLowerCase()} ${s.scope.node.name}`}
                    >
                      Revoke
                    </button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </Table>
      <ConfirmDialog
        open={!!revoking}
        title="Revoke this suppression?"
        confirmLabel="Revoke"
        tone="danger"
        busy={revoke.isPending}
        error={revoke.isError ? errorMessage(revoke.error) : null}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onCancel={() => setRevoking(null)}
      >
        {revoking ? (
          <p>
            The {revoking.matched.toLocaleString("en")} finding{revoking.matched === 1 ? "" : "s"} it accepted ({revoking.ruleLabel.toLowerCase()},{" "}
            {SCOPE_WORDS[revoking.scope.kind].toLowerCase()} {revoking.scope.node.name}) open again, and new ones are no longer accepted. The revocation is
            audited.
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
