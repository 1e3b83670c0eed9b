import Link from "next/link";
import type { ReactNode } from "react";
import styles from "./ui.module.css";

export type SortDir = "asc" | "desc";

/**
 * A data table that scrolls inside itself on narrow screens instead of widening the page. The scrolling box takes
 * focus, so a keyboard can scroll it too (WCAG 2.1.1; axe "scrollable-region-focusable"), and is a region named by
 * the caption when there is one.
 */
export function Table({ caption, children, testId }: { caption?: string; children: ReactNode; testId?: string }) {
  return (
    <div className={`${styles.tableWrap} table-scroll`} tabIndex={0} role={caption ? "region" : undefined} aria-label={caption}>
      <table className="data" data-testid={testId}>
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        {children}
      </table>
    </div>
  );
}

/**
 * A column header that sorts on the server: a link to the same page with
 * `sort`/`dir` changed (and the cursor dropped). Announces its state through aria-sort.
 */
export function SortHeader({
  column,
  label,
  sort,
  dir,
  href,
  numeric,
}: {
  column: string;
  label: string;
  /** The column sorted by now. */
  sort: string;
  dir: SortDir;
  /** Builds the link for a sort; the page keeps its other parameters. */
  href(sort: string, dir: SortDir): string;
  numeric?: boolean;
}) {
  const active = sort === column;
  const next: SortDir = active && dir === "asc" ? "desc" : active ? "asc" : numeric ? "desc" : "asc";
  return (
    <th className={numeric ? "num" : undefined} aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : "none"}>
      <Link href={href(column, next)} className={styles.sortLink} scroll={false}>
        {label}
        <span aria-hidden>{active ? (dir === "asc" ? "▲" : "▼") : "↕"}</span>
      </Link>
    </th>
  );
}
