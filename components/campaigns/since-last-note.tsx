import { LocalTime } from "@/components/ui/local-time";
import type { SinceLast } from "@/lib/campaigns/since-last";
import { DecisionBadge } from "./badges";
import styles from "./campaigns.module.css";

const arrow = (from: string | null, to: string | null) => `${from ?? "none"} → ${to ?? "none"}`;

/** "Since last time": the previous instance's answer on the same access, and what changed since. */
export function SinceLastNote({ since }: { since: SinceLast }) {
  const p = since.previous;
  if (!p)
    return (
      <div className={styles.meta} data-testid="since-last">
        <span className="badge info">new since last time</span>
        <span>not in {since.previousCampaign.name}</span>
      </div>
    );
  const c = since.changes;
  const changes: { text: string; tone: string }[] = [];
  if (c?.risk) changes.push({ text: `risk ${arrow(c.risk.from, c.risk.to)}`, tone: "warn" });
  if (c?.recommendation) changes.push({ text: `suggestion ${arrow(c.recommendation.from, c.recommendation.to)}`, tone: "" });
  for (const f of c?.flagsAdded ?? []) changes.push({ text: `new: ${f.message}`, tone: f.tone });
  for (const f of c?.flagsRemoved ?? []) changes.push({ text: `gone: ${f.message}`, tone: "" });
  if (c?.subjectStatus) changes.push({ text: `subject ${arrow(c.subjectStatus.from, c.subjectStatus.to)}`, tone: "warn" });
  if (c?.reviewer) changes.push({ text: `reviewer ${arrow(c.reviewer.from?.name ?? null, c.reviewer.to?.name ?? null)}`, tone: "" });
  return (
    <div className={styles.meta} data-testid="since-last">
      <span>
        Last time ({since.previousCampaign.name}): <DecisionBadge decision={p.outcome ?? p.decision} />
        {p.decidedBy ? <> by {p.decidedBy.name}</> : null}
        {p.decidedAt ? (
          <>
            {" "}
            on <LocalTime value={p.decidedAt} relative={false} dateOnly />
          </>
        ) : null}
        {p.justification ? <> — “{p.justification}”</> : null}
      </span>
      {changes.length ? (
        changes.map((x) => (
          <span key={x.text} className={`badge ${x.tone}`}>
            {x.text}
          </span>
        ))
      ) : (
        <span>unchanged since</span>
      )}
    </div>
  );
}
