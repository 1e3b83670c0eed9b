/** Dates as people read them: in their locale, with "3 days ago" beside. Pure; shared by server and client. */

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["week", 7 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

function toDate(value: string | Date): Date | null {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "4 Dec 2026, 14:03" in the given locale (default: the runtime's). Invalid input → "—". */
export function formatDateTime(value: string | Date | null | undefined, locale?: string, timeZone?: string): string {
  if (value === null || value === undefined) return "—";
  const d = toDate(value);
  if (!d) return "—";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(d);
}

/** "4 Dec 2026" in the given locale. */
export function formatDate(value: string | Date | null | undefined, locale?: string, timeZone?: string): string {
  if (value === null || value === undefined) return "—";
  const d = toDate(value);
  if (!d) return "—";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone }).format(d);
}

/** "3 days ago", "in 2 hours", "just now". */
export function relativeTime(value: string | Date | null | undefined, now: Date = new Date(), locale?: string): string {
  if (value === null || value === undefined) return "—";
  const d = toDate(value);
  if (!d) return "—";
  const diff = d.getTime() - now.getTime();
  const abs = Math.abs(diff);
  if (abs < 45_000) return "just now";
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, ms] of UNITS) {
    if (abs >= ms || unit === "minute") return rtf.format(Math.round(diff / ms), unit);
  }
  return "just now";
}
