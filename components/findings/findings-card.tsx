import Link from "next/link";
import { FINDING_SEVERITIES } from "@/lib/findings/rules";
import type { FindingsSummary } from "@/lib/findings/views";
import { SEVERITY_COLOR } from "./badges";

/**
 * The dashboard's findings card: open findings by severity, each linking to
 * the findings page filtered to it. Give it findingsSummary(db, actor, { status: "open" }).
 */
export function FindingsCard({ summary }: { summary: FindingsSummary }) {
  const total = FINDING_SEVERITIES.reduce((a, s) => a + summary.bySeverity[s], 0);
  return (
    <section className="panel" aria-labelledby="findings-card" data-testid="findings-card">
      <h2 id="findings-card" style={{ marginTop: 0 }}>
        <Link href="/findings">Open findings</Link> <span className="badge">{total}</span>
      </h2>
      <div className="bar" style={{ height: 12, marginBottom: "0.6rem" }} aria-hidden>
        {FINDING_SEVERITIES.map((s) =>
          summary.bySeverity[s] ? (
            <span key={s} style={{ width: `${(100 * summary.bySeverity[s]) / Math.max(1, total)}%`, background: SEVERITY_COLOR[s] }} />
          ) : null,
        )}
      </div>
      <div className="chips">
        {FINDING_SEVERITIES.map((s) => (
          <Link key={s} className="chip" href={`/findings?severity=${s}`} data-testid={`findings-card-${s}`}>
            <span className="dot" style={{ background: SEVERITY_COLOR[s] }} aria-hidden /> {summary.bySeverity[s]} {s}
          </Link>
        ))}
      </div>
      {summary.lastEvaluation ? null : <p className="subtitle">Not evaluated yet: findings are evaluated after every import.</p>}
    </section>
  );
}
