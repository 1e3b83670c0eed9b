import { cronProblem } from "@/lib/jobs/cron";

export { nextSlot, previousSlot } from "@/lib/jobs/cron";

/**
 * Per-connector schedules: five-field cron in UTC, as the job engine takes
 * them. `connectors.tick` (jobs.ts) runs every minute and enqueues each
 * connector whose latest slot has not been enqueued yet.
 */

/** Why a cron expression is refused (in words naming no part of it), or null. */
export function scheduleProblem(cron: string): string | null {
  // A pull of a whole directory more often than every 15 minutes would hammer the vendor's rate limits.
  return cronProblem(cron, 15 * 60_000, "runs more often than every 15 minutes; choose a longer interval");
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const pad = (n: string) => n.padStart(2, "0");

/** The schedule in words for the common shapes ("every day at 02:30 UTC"); the expression itself otherwise. */
export function describeSchedule(cron: string): string {
  const [min, hour, dom, mon, dow] = cron.trim().split(/\s+/);
  const num = (s: string | undefined) => s !== undefined && /^\d{1,2}$/.test(s);
  if (num(min) && num(hour) && dom === "*" && mon === "*") {
    const at = `${pad(hour!)}:${pad(min!)} UTC`;
    if (dow === "*") return `every day at ${at}`;
    if (dow === "1-5") return `every weekday at ${at}`;
    if (num(dow) && Number(dow) <= 7) return `every ${DAYS[Number(dow) % 7]} at ${at}`;
  }
  if (num(min) && hour === "*" && dom === "*" && mon === "*" && dow === "*") return `every hour at minute ${Number(min)}`;
  const every = /^\*\/(\d{1,2})$/.exec(hour ?? "");
  if (num(min) && every && dom === "*" && mon === "*" && dow === "*") return `every ${every[1]} hours at minute ${Number(min)}`;
  if (num(min) && num(hour) && num(dom) && mon === "*" && dow === "*") return `on day ${Number(dom)} of every month at ${pad(hour!)}:${pad(min!)} UTC`;
  return `cron "${cron.trim()}" (UTC)`;
}
