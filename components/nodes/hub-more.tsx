import Link from "next/link";
import styles from "./hub.module.css";

/** Cursor paging for a hub section: "Next" when there is more, "Back to the start" once past the first page. */
export function HubMore({ base, nextCursor, paged, what }: { base: string; nextCursor: string | null; paged: boolean; what: string }) {
  if (!nextCursor && !paged) return null;
  const sep = base.includes("?") ? "&" : "?";
  return (
    <nav className={styles.more} aria-label={`More ${what}`}>
      {paged ? (
        <Link className="btn secondary" href={base} scroll={false}>
          ← Back to the newest
        </Link>
      ) : null}
      {nextCursor ? (
        <Link className="btn secondary" href={`${base}${sep}cursor=${encodeURIComponent(nextCursor)}`} scroll={false} rel="next">
          Older {what} →
        </Link>
      ) : null}
    </nav>
  );
}
