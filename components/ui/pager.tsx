import Link from "next/link";

/** "1–50 of 1,006" with previous/next links; either link absent at the ends. */
export function Pager({
  from,
  shown,
  total,
  prevHref,
  nextHref,
}: {
  from: number;
  shown: number;
  total?: number;
  prevHref?: string | null;
  nextHref?: string | null;
}) {
  if (shown === 0 && !prevHref) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <span>
        {(from + 1).toLocaleString("en")}–{(from + shown).toLocaleString("en")}
        {total !== undefined ? ` of ${total.toLocaleString("en")}` : ""}
      </span>
      {prevHref ? (
        <Link className="btn secondary" href={prevHref} rel="prev">
          ← Previous
        </Link>
      ) : null}
      {nextHref ? (
        <Link className="btn secondary" href={nextHref} rel="next">
          Next →
        </Link>
      ) : null}
    </nav>
  );
}
