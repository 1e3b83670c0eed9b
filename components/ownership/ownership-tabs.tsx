import Link from "next/link";
import styles from "./ownership.module.css";

export type OwnershipTab = "coverage" | "orphans" | "reassignments" | "mine";

/** The ownership area's views; counts are shown when known. Analysts, admins and auditors see all four; reviewers only their own. */
export function OwnershipTabs({ current, orphans, queue, readsAll }: { current: OwnershipTab; orphans?: number; queue?: number; readsAll: boolean }) {
  const tabs: { id: OwnershipTab; href: string; label: string; count?: number }[] = readsAll
    ? [
        { id: "coverage", href: "/ownership", label: "Coverage" },
        { id: "orphans", href: "/ownership/orphans", label: "Orphans", count: orphans },
        { id: "reassignments", href: "/ownership/reassignments", label: "Reassignment queue", count: queue },
        { id: "mine", href: "/ownership/mine", label: "What I own" },
      ]
    : [{ id: "mine", href: "/ownership/mine", label: "What I own" }];
  return (
    <nav className={`segmented ${styles.tabs}`} aria-label="Ownership views">
      {tabs.map((t) => (
        <Link key={t.id} href={t.href} aria-current={t.id === current ? "true" : undefined}>
          {t.label}
          {t.count !== undefined ? <span className={styles.count}>{t.count.toLocaleString("en")}</span> : null}
        </Link>
      ))}
    </nav>
  );
}
