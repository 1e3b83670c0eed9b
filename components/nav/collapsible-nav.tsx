"use client";

import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";

/**
 * The sidebar's links and account block: always shown on wide screens; on a phone folded behind a "Menu" button
 * (CSS in globals.css), so pages start at their content. The menu closes by itself when the page changes: it is open
 * only for the path it was opened on.
 */
export function CollapsibleNav({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  return (
    <>
      <button type="button" className="nav-toggle" aria-expanded={open} aria-controls="app-nav" onClick={() => setOpenOn(open ? null : pathname)}>
        {open ? "Close menu" : "Menu"}
      </button>
      <div id="app-nav" className={open ? "nav-collapsible open" : "nav-collapsible"}>
        {children}
      </div>
    </>
  );
}
