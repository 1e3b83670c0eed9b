"use client";

import { KindBadge, RiskBadge } from "@/components/ui/kind-badge";
import { EDGE_VERB } from "@/lib/campaigns/model";
import type { PreviewSummary } from "@/lib/campaigns/snapshot";
import { Recommendation } from "./badges";
import styles from "./campaigns.module.css";

export interface Problem {
  path: string;
  message: string;
}

/** What the definition would produce: items, reviewers, the unassigned, a sample with recommendations. */
export function PreviewPanel({ preview, problems }: { preview: PreviewSummary | null; problems: Problem[] }) {
  return (
    <aside className={`panel ${styles.sticky}`} aria-label="Preview" data-testid="campaign-preview">
      <h2 style={{ marginTop: 0 }}>Preview</h2>
      {problems.length ? (
        <ul className={styles.error} style={{ paddingLeft: "1rem" }}>
          {problems.map((p) => (
            <li key={p.path + p.message}>
              {p.path}: {p.message}
            </li>
          ))}
        </ul>
      ) : !preview ? (
        <p className="subtitle">Working out the items…</p>
      ) : (
        <>
          <p style={{ margin: "0 0 0.5rem", fontSize: "1.05rem" }}>
            <strong data-testid="preview-items">{preview.items}</strong> item{preview.items === 1 ? "" : "s"}
            {preview.secondLevelItems ? ` + ${preview.secondLevelItems} second-level` : ""} for <strong>{preview.reviewers.length}</strong> reviewer
            {preview.reviewers.length === 1 ? "" : "s"}
          </p>
          {preview.estimate ? (
            <p className="subtitle" style={{ margin: "0 0 0.5rem" }} data-testid="preview-estimate">
              Estimated from the first {preview.estimate.examined.toLocaleString("en")} of {preview.estimate.of.toLocaleString("en")} accesses in scope.
            </p>
          ) : null}
          {preview.unassigned ? (
            <p className="alert">
              {preview.unassigned} item{preview.unassigned === 1 ? " has" : "s have"} no reviewer; choose a fallback reviewer.{" "}
              {preview.unassignedSample
                .slice(0, 3)
                .map((u) => `${u.subject} → ${u.target}`)
                .join("; ")}
            </p>
          ) : null}
          <ul style={{ margin: "0 0 0.6rem", paddingLeft: "1.1rem", fontSize: "0.88rem" }}>
            {preview.reviewers.map((r) => (
              <li key={r.id}>
                {r.name}: {r.items}
              </li>
            ))}
          </ul>
          <p className={styles.note} style={{ margin: "0 0 0.6rem" }}>
            {Object.entries(preview.byEdgeKind)
              .map(([k, n]) => `${EDGE_VERB[k] ?? k} ${n}`)
              .join(" · ")}
            {Object.keys(preview.byRecommendation).length
              ? ` — suggested: ${Object.entries(preview.byRecommendation)
                  .map(([k, n]) => `${k} ${n}`)
                  .join(", ")}`
              : ""}
          </p>
          {preview.sample.length ? (
            <ol style={{ listStyle: "none", padding: 0, margin: 0, fontSize: "0.82rem" }}>
              {preview.sample.slice(0, 8).map((s, i) => (
                <li key={i} style={{ borderTop: "1px solid var(--border)", padding: "0.4rem 0" }}>
                  <div style={{ display: "flex", gap: "0.3rem", flexWrap: "wrap", alignItems: "center" }}>
                    <strong>{s.subject.name}</strong> <KindBadge kind={s.subject.kind} /> <span className={styles.verb}>{EDGE_VERB[s.access]}</span>{" "}
                    {s.target.name} {s.toolRisk ? <RiskBadge risk={s.toolRisk} /> : null}
                  </div>
                  <Recommendation recommendation={s.recommendation} reason={s.recommendationReason} />
                  <div className={styles.note}>
                    → {s.reviewer ?? "no reviewer"}: {s.reviewerReason}
                  </div>
                </li>
              ))}
            </ol>
          ) : null}
        </>
      )}
    </aside>
  );
}
