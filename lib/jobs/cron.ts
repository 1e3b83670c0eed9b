import cronParser from "cron-parser";
import cronstrue from "cronstrue";

/**
 * Five-field cron in UTC, as the job engine takes it (pg-boss reads cron with
 * cron-parser too): the slots of a schedule and how to say it. Pure, with no
 * database, so forms can show the words and next runs as they are typed.
 *
 * Standard cron, and cron-parser 4, run on a day that matches the day of the
 * month OR the day of the week when both are restricted: "0 9 1-7 * 1" is
 * every day from the 1st to the 7th and every Monday, not the first Monday.
 * The first Monday is written "1#1" in the day-of-week field.
 */
const FIELDS = /^\S+\s+\S+\s+\S+\s+\S+\s+\S+$/;

function parse(cron: string, currentDate: Date) {
  return cronParser.parseExpression(cron.trim(), { utc: true, currentDate });
}

/**
 * Why a cron expression is refused (in words naming no part of it), or null.
 * `minGapMs`: the least time allowed between two slots, checked over the next slots.
 */
export function cronProblem(cron: string, minGapMs: number, tooOften: string, now = new Date()): string | null {
  if (!FIELDS.test(cron.trim())) return "must be five cron fields (minute hour day-of-month month day-of-week), in UTC";
  try {
    const it = parse(cron, now);
    let last = it.next().toDate().getTime();
    for (let i = 0; i < 12; i++) {
      const next = it.next().toDate().getTime();
      if (next - last < minGapMs) return tooOften;
      last = next;
    }
  } catch {
    return "is not a valid cron expression";
  }
  return null;
}

/** The latest slot at or before `now`. */
export function previousSlot(cron: string, now: Date): Date {
  return parse(cron, new Date(now.getTime() + 1))
    .prev()
    .toDate();
}

/** The first slot after `now`. */
export function nextSlot(cron: string, now: Date): Date {
  return parse(cron, now).next().toDate();
}

/** The next `n` slots after `now`. */
export function upcomingSlots(cron: string, now: Date, n: number): Date[] {
  const it = parse(cron, now);
  return Array.from({ length: n }, () => it.next().toDate());
}

export type Cadence = "daily" | "weekly" | "monthly" | "quarterly" | "half-yearly" | "yearly";

const DAY = 86_400_000;
const CADENCES: [Cadence, number, number][] = [
  ["daily", 1, 1],
  ["weekly", 7, 7],
  ["monthly", 28, 31],
  ["quarterly", 84, 98],
  ["half-yearly", 175, 190],
  ["yearly", 364, 366],
];

/** How often a schedule runs when its slots are evenly spaced (a quarterly first Monday is 91 days apart, give or take a week); null otherwise. */
export function cadenceOf(cron: string, from = new Date()): Cadence | null {
  try {
    const slots = upcomingSlots(cron, from, 9).map((d) => d.getTime());
    const gaps = slots.slice(1).map((t, i) => (t - slots[i]!) / DAY);
    for (const [name, lo, hi] of CADENCES) if (gaps.every((g) => g >= lo - 0.05 && g <= hi + 0.05)) return name;
  } catch {
    return null;
  }
  return null;
}

/** Whether both day fields are restricted without "#": cron then runs on days matching either. */
function dayFieldsOred(cron: string): boolean {
  const [, , dom, , dow] = cron.trim().split(/\s+/);
  return dom !== undefined && dow !== undefined && dom !== "*" && dom !== "?" && dow !== "*" && dow !== "?" && !dow.includes("#");
}

export interface CronWords {
  /** e.g. "Quarterly: at 09:00 UTC, on the first Monday of the month, only in January, April, July, and October". */
  text: string;
  /** Set when the words could be misread: both day fields restricted run on days matching either. */
  warning: string | null;
}

/** The schedule in words (cronstrue, 24-hour clock, UTC), with its cadence when evenly spaced. Throws on an invalid expression. */
export function cronInWords(cron: string, now = new Date()): CronWords {
  const words = cronstrue.toString(cron.trim(), { use24HourTimeFormat: true, throwExceptionOnParseError: true, verbose: false });
  const cadence = cadenceOf(cron, now);
  const ored = dayFieldsOred(cron);
  const at = (ored ? words.replace(", and on ", ", or on ") : words).replace(/^At (\d\d:\d\d)(?=[ ,]|$)/, "at $1 UTC").replace(/^Every /, "every ");
  const utc = at.includes("UTC") ? at : `${at} (UTC)`;
  const text = cadence ? `${cadence[0]!.toUpperCase()}${cadence.slice(1)}: ${utc}` : `${utc[0]!.toUpperCase()}${utc.slice(1)}`;
  const warning = ored
    ? 'cron runs on a day matching the day of the month OR the day of the week, not both; for "the first Monday" write the day of week as 1#1 and the day of month as *'
    : null;
  return { text, warning };
}
