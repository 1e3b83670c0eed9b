import { LocalTime } from "@/components/ui/local-time";
import type { ReasonTone, RecommendationEvidence } from "@/lib/campaigns/model";
import styles from "./recommendation-evidence.module.css";

const ICON: Record<ReasonTone, string> = { for: "✓", against: "✗", neutral: "•" };
const TONE_LABEL: Record<ReasonTone, string> = { for: "for approving", against: "against approving", neutral: "neutral" };

/** "12/14 peers" with a small bar: the share of the subject's peer group holding this access. */
function PeersBar({ peers }: { peers: NonNullable<RecommendationEvidence["peers"]> }) {
  const pct = Math.round(peers.share * 100);
  return (
    <span className={styles.peers} title={`${peers.holding} of ${peers.groupSize} peers (${peers.basis}) hold this access`}>
      <span className={styles.bar} role="img" aria-label={`${peers.holding} of ${peers.groupSize} peers hold this (${pct}%)`}>
        <span style={{ width: `${pct}%` }} />
      </span>
      {peers.holding}/{peers.groupSize} peers
    </span>
  );
}

/**
 * When the access (or its account or credential) was last used; "never seen" when gateways' usage data covers the
 * tools it reaches but shows no call by this subject; "unknown" without usage data.
 */
function LastUse({ e }: { e: RecommendationEvidence }) {
  if (!e.lastUsedAt && e.usageCoveredSince)
    return (
      <span className={styles.against}>
        never seen calling its tools (usage data since <LocalTime value={e.usageCoveredSince} relative={false} dateOnly />)
      </span>
    );
  if (!e.lastUsedAt) return <span className={styles.muted}>last use unknown</span>;
  const what = e.lastUseScope === "account" ? "account active" : e.lastUseScope === "credential" ? "credential used" : "used";
  return (
    <span>
      {what} <LocalTime value={e.lastUsedAt} relative={false} dateOnly />
      {e.lastUseSource ? ` (${e.lastUseSource})` : ""}
    </span>
  );
}

/**
 * Beside the recommendation: the peers bar and last use, then a "why?" disclosure listing each factor with whether
 * it speaks for or against approving. Renders nothing for items launched before evidence existed.
 */
export function RecommendationEvidenceView({ evidence }: { evidence: RecommendationEvidence | undefined }) {
  if (!evidence) return null;
  const tones = evidence.reasonTones ?? [];
  return (
    <div className={styles.evidence}>
      <span className={styles.summary}>
        {evidence.peers ? <PeersBar peers={evidence.peers} /> : <span className={styles.muted}>no peer group</span>}
        <LastUse e={evidence} />
        {evidence.findings.length ? (
          <span className={styles.against}>
            {evidence.findings.length} open finding{evidence.findings.length === 1 ? "" : "s"}
          </span>
        ) : null}
      </span>
      <details className={styles.why} onClick={(e) => e.stopPropagation()}>
        <summary>why?</summary>
        <ul>
          {evidence.reasons.map((r, k) => {
            const tone = tones[k] ?? "neutral";
            return (
              <li key={`${k}-${r}`} className={styles[tone]}>
                <span aria-hidden className={styles.icon}>
                  {ICON[tone]}
                </span>
                <span className="sr-only">{TONE_LABEL[tone]}: </span>
                {r}
              </li>
            );
          })}
        </ul>
      </details>
    </div>
  );
}
