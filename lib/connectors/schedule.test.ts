import { describe, expect, it } from "vitest";
import { describeSchedule, nextSlot, previousSlot, scheduleProblem } from "./schedule";

describe("connector schedules", () => {
  it("accepts five-field cron no more often than every 15 minutes", () => {
    expect(scheduleProblem("0 2 * * *")).toBeNull();
    expect(scheduleProblem("*/15 * * * *")).toBeNull();
    expect(scheduleProblem("*/5 * * * *")).toMatch(/15 minutes/);
    expect(scheduleProblem("0 2 * *")).toMatch(/five cron fields/);
    expect(scheduleProblem("0 25 * * *")).toMatch(/not a valid cron/);
  });

  it("finds the latest slot at or before a moment, and the next one, in UTC", () => {
    const at = new Date("2026-12-05T02:00:00Z");
    expect(previousSlot("0 2 * * *", at).toISOString()).toBe("2026-12-05T02:00:00.000Z");
    expect(previousSlot("0 2 * * *", new Date("2026-12-05T01:59:59Z")).toISOString()).toBe("2026-12-04T02:00:00.000Z");
    expect(nextSlot("0 2 * * *", at).toISOString()).toBe("2026-12-06T02:00:00.000Z");
  });

  it("says common schedules in words", () => {
    expect(describeSchedule("30 2 * * *")).toBe("every day at 02:30 UTC");
    expect(describeSchedule("0 6 * * 1")).toBe("every Monday at 06:00 UTC");
    expect(describeSchedule("0 6 * * 1-5")).toBe("every weekday at 06:00 UTC");
    expect(describeSchedule("15 * * * *")).toBe("every hour at minute 15");
    expect(describeSchedule("0 */6 * * *")).toBe("every 6 hours at minute 0");
    expect(describeSchedule("0 3 1 * *")).toBe("on day 1 of every month at 03:00 UTC");
    expect(describeSchedule("0 3 1 1 *")).toBe('cron "0 3 1 1 *" (UTC)');
  });
});
