import Link from "next/link";
import { KindBadge } from "@/components/ui/kind-badge";
import type { FindingGroupView } from "@/lib/findings/views";
import styles from "./queue.module.css";

/**
 * The dashboard's "Fix these first" card: the top root causes by score, each with its findings and the one action that
 * resolves it, leading to the work queue. Give it listFindingGroups(db, actor, { limit: 5 }).
 */
export function FixFirstCard({ groups, total }: { groups: FindingGroupView[]; total: number }) {
  return (
    <section className="panel" aria-labelledby="fix-first-card" data-testid="fix-first-card">
      <h2 id="fix-first-card" className={styles.cardTitle}>
        <Link href="/findings">Fix these first</Link>
      </h2>
      {groups.length === 0 ? (
        <p className="subtitle">No open findings have a cause to fix.</p>
      ) : (
        <>
          <ol className={styles.cardList}>
            {groups.map((g) => (
              <li key={g.id} data-testid="fix-first-item">
                <span className={styles.cardCause}>
                  <KindBadge kind={g.cause.kind} /> <Link href={`/nodes/${encodeURIComponent(g.cause.id)}`}>{g.cause.name}</Link>
                </span>
                <Link
                  href={`/findings?group=${encodeURIComponent(g.id)}`}
                  aria-label={`${g.count} finding${g.count === 1 ? "" : "s"} caused by ${g.cause.name}`}
                >
                  {g.count} finding{g.count === 1 ? "" : "s"}
                </Link>
                <span className={styles.cardMeta}>
                  {g.ruleLabel} · score {g.score} · <Link href={g.action.href}>{g.action.label}</Link>
                </span>
              </li>
            ))}
          </ol>
          <p className={styles.cardMeta}>
            <Link href="/findings">
              The work queue: all {total.toLocaleString("en")} cause{total === 1 ? "" : "s"}, highest priority first
            </Link>
          </p>
        </>
      )}
    </section>
  );
}
