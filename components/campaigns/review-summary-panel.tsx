import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";
import type { ReviewerSummary } from "@/lib/campaigns/reviewer-summary";
import styles from "./review-summary.module.css";

const plural = (n: number, word: string) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;

/** "Your reviews": the caller's open review work per active campaign, with counts, due dates and a link into the inbox. */
export function ReviewSummaryPanel({ summary }: { summary: ReviewerSummary }) {
  const { campaigns, open, decided, overdueOpen } = summary;
  return (
    <section className="panel" aria-labelledby="your-reviews" data-testid="review-summary">
      <div className={styles.head}>
        <h2 id="your-reviews">Your reviews</h2>
        <span className={styles.totals}>
          {open ? `${plural(open, "item")} to decide` : "Nothing to decide"}
          {decided ? ` · ${decided.toLocaleString("en")} decided` : ""}
          {overdueOpen ? ` · ${overdueOpen.toLocaleString("en")} overdue` : ""}
        </span>
        {open ? (
          <Link className="btn" href="/campaigns/inbox">
            Open the inbox
          </Link>
        ) : null}
      </div>
      {open === 0 ? (
        <p className="subtitle" role="status">
          {campaigns.length
            ? "Every item assigned to you is decided. You can change a decision until its campaign closes."
            : "No access reviews are assigned to you right now. When a campaign names you as a reviewer, its items appear here."}
        </p>
      ) : null}
      {campaigns.length ? (
        <ul className={styles.list} aria-label="Campaigns with your review items">
          {campaigns.map((c) => (
            <li key={c.id} className={`${styles.row} ${c.open === 0 ? styles.done : ""}`} data-testid="review-summary-campaign">
              <div>
                <div className={styles.name}>{c.name}</div>
                <div className={styles.due}>
                  <span>
                    due <LocalTime value={c.dueAt} relative={false} />
                  </span>
                  {c.open ? <Badge tone={c.due.tone}>{c.due.label}</Badge> : <Badge tone="ok">all decided</Badge>}
                </div>
              </div>
              <div className={styles.counts}>
                <div className={styles.count}>
                  <strong data-testid="open-count">{c.open.toLocaleString("en")}</strong>
                  <span>open</span>
                </div>
                <div className={styles.count}>
                  <strong data-testid="decided-count">{c.decided.toLocaleString("en")}</strong>
                  <span>decided</span>
                </div>
              </div>
              <Link className={styles.go} href={`/campaigns/inbox?campaign=${encodeURIComponent(c.id)}${c.open ? "" : "&status=decided"}`}>
                {c.open ? `Review ${plural(c.open, "item")} →` : "See decisions →"}
                <span className="sr-only"> in {c.name}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {summary.more ? <p className="subtitle">More campaigns have items for you; the inbox lists them all.</p> : null}
    </section>
  );
}
