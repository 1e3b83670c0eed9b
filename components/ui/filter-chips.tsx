import Link from "next/link";

export interface Chip {
  label: string;
  href: string;
  active: boolean;
  count?: number;
}

/** A row of link chips, one per filter value; the active one is marked for assistive technology too. */
export function FilterChips({ label, chips }: { label: string; chips: Chip[] }) {
  return (
    <nav className="chips" aria-label={label}>
      {chips.map((c) => (
        <Link key={c.href} href={c.href} className="chip" aria-current={c.active ? "true" : undefined} scroll={false}>
          {c.label}
          {c.count !== undefined ? <span>{c.count.toLocaleString("en")}</span> : null}
        </Link>
      ))}
    </nav>
  );
}
