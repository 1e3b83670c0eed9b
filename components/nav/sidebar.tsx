"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export interface NavItem {
  href: string;
  label: string;
  soon?: boolean;
}

export function SidebarLinks({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  // The most specific entry is the current one: /admin/connectors is Connectors, not Admin as well.
  const matches = (href: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));
  const current = items.filter((i) => matches(i.href)).sort((a, b) => b.href.length - a.href.length)[0]?.href;
  return (
    <nav aria-label="Main" style={{ display: "flex", flexDirection: "column", gap: "0.15rem" }}>
      {items.map((item) => {
        const active = item.href === current;
        return (
          <Link key={item.href} href={item.href} aria-current={active ? "page" : undefined}>
            <span>{item.label}</span>
            {item.soon ? <span className="soon">soon</span> : null}
          </Link>
        );
      })}
    </nav>
  );
}
