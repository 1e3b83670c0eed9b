import Link from "next/link";
import { KindBadge } from "@/components/ui/kind-badge";
import { explainScore } from "@/lib/findings/priority";
import type { FindingView } from "@/lib/findings/views";
import styles from "./queue.module.css";

/**
 * A finding's priority, explained: its score, each part of it in words, and its root cause — whether fixing the cause
 * alone resolves it, why it was chosen — with a link to the cause's group.
 */
export function PriorityPanel({ finding }: { finding: Pick<FindingView, "score" | "scoreParts" | "cause"> }) {
  const parts = finding.scoreParts;
  const cause = finding.cause;
  return (
    <section className={`panel ${styles.priority}`} aria-labelledby="priority" data-testid="priority">
      <h2 id="priority" className={styles.cardTitle}>
        Priority
      </h2>
      {parts ? (
        <>
          <p className={styles.scoreBig} data-testid="priority-score">
            {finding.score}
          </p>
          <p className={styles.why}>Severity × blast radius × exposure × freshness:</p>
          <ul className={styles.parts} data-testid="priority-parts">
            {explainScore(parts).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </>
      ) : (
        <p className={styles.why}>Not scored yet: the next full evaluation computes its score and cause.</p>
      )}
      {cause ? (
        <div data-testid="priority-cause">
          <h3 className={styles.causeTitle}>Root cause</h3>
          <p className={styles.causeLine}>
            <KindBadge kind={cause.kind} /> <Link href={`/nodes/${encodeURIComponent(cause.id)}`}>{cause.name}</Link>
          </p>
          <p className={styles.why}>
            {cause.resolves
              ? "Fixing this cause alone resolves this finding."
              : "Fixing this cause alone may not resolve this finding: it is the largest single lever, not the only path."}
            {parts?.cause.why ? ` Why this cause: ${parts.cause.why.replace(/\.$/, "")}.` : ""}
          </p>
          <p className={styles.causeLine}>
            <Link href={`/findings?group=${encodeURIComponent(cause.id)}`} data-testid="priority-group">
              Every finding with this cause
            </Link>
          </p>
        </div>
      ) : null}
    </section>
  );
}
