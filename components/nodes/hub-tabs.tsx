"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, type KeyboardEvent } from "react";
import styles from "./hub.module.css";

export interface HubTabLink {
  id: string;
  label: string;
  href: string;
  count?: number;
  /** Paints the count as needing action (open findings). */
  alert?: boolean;
}

/**
 * The hub's sections as an ARIA tablist whose tabs are links (`?tab=…`), so a
 * section can be linked and reloaded. Arrow keys, Home and End move between
 * tabs and open the one reached; Tab leaves the list for the open section.
 */
export function HubTabs({ tabs, current, panelId }: { tabs: HubTabLink[]; current: string; panelId: string }) {
  const router = useRouter();
  const refs = useRef<(HTMLAnchorElement | null)[]>([]);
  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const i = tabs.findIndex((t) => t.id === current);
    const focused = refs.current.findIndex((el) => el === document.activeElement);
    const from = focused >= 0 ? focused : i;
    let next: number;
    if (e.key === "ArrowRight") next = (from + 1) % tabs.length;
    else if (e.key === "ArrowLeft") next = (from - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = tabs.length - 1;
    else return;
    e.preventDefault();
    refs.current[next]?.focus();
    router.push(tabs[next]!.href, { scroll: false });
  }
  return (
    <div role="tablist" aria-label="Node sections" className={styles.tabs} onKeyDown={onKeyDown}>
      {tabs.map((t, i) => (
        <Link
          key={t.id}
          ref={(el) => {
            refs.current[i] = el;
          }}
          role="tab"
          id={`hub-tab-${t.id}`}
          href={t.href}
          scroll={false}
          className={styles.tab}
          aria-selected={t.id === current}
          aria-controls={panelId}
          tabIndex={t.id === current ? 0 : -1}
          data-testid={`hub-tab-${t.id}`}
        >
          {t.label}
          {t.count !== undefined ? (
            <span className={`${styles.count} ${t.alert && t.count > 0 ? styles.countAlert : ""}`}>{t.count.toLocaleString("en")}</span>
          ) : null}
        </Link>
      ))}
    </div>
  );
}
