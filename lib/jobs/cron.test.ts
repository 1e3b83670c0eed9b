import { describe, expect, it } from "vitest";
import { cadenceOf, cronInWords, cronProblem, previousSlot, upcomingSlots } from "./cron";

const from = new Date("2027-01-01T00:00:00Z");
const DAY = 86_400_000;

describe("cron in UTC: slots and words", () => {
  it("1#1 is the first Monday; a day of month with a day of week runs on either, and the words say so", () => {
    expect(upcomingSlots("0 9 * 1,4,7,10 1#1", from, 4).map((d) => d.toISOString())).toEqual([
      "2027-01-04T09:00:00.000Z",
      "2027-04-05T09:00:00.000Z",
      "2027-07-05T09:00:00.000Z",
      "2027-10-04T09:00:00.000Z",
    ]);
    // Days 1–7 OR Mondays: January 1st is a Friday and still runs.
    expect(upcomingSlots("0 9 1-7 1,4,7,10 1", from, 1)[0]!.toISOString()).toBe("2027-01-01T09:00:00.000Z");
    const ored = cronInWords("0 9 1-7 1,4,7,10 1", from);
    expect(ored.text).toBe("At 09:00 UTC, between day 1 and 7 of the month, or on Monday, only in January, April, July, and October");
    expect(ored.warning).toMatch(/OR the day of the week/);
    expect(cronInWords("0 9 * 1,4,7,10 1#1", from)).toEqual({
      text: "Quarterly: at 09:00 UTC, on the first Monday of the month, only in January, April, July, and October",
      warning: null,
    });
  });

  it("names the cadence only when the slots are evenly spaced", () => {
    expect(cadenceOf("0 9 1 * *", from)).toBe("monthly");
    expect(cadenceOf("0 9 * * 1", from)).toBe("weekly");
    expect(cadenceOf("0 9 1 1 *", from)).toBe("yearly");
    expect(cadenceOf("0 9 * 1,7 1#1", from)).toBe("half-yearly");
    expect(cadenceOf("0 9 1,15 * *", from)).toBeNull();
    expect(() => cronInWords("0 9 * *")).toThrow();
  });

  it("refuses what is not five valid fields, or runs more often than allowed, in words naming no part of it", () => {
    expect(cronProblem("0 9 * *", DAY, "too often")).toMatch(/five cron fields/);
    expect(cronProblem("0 9 32 * *", DAY, "too often")).toBe("is not a valid cron expression");
    expect(cronProblem("0 */12 * * *", DAY, "too often")).toBe("too often");
    // Daily, except the gap of the ORed days: still at least a day apart.
    expect(cronProblem("0 9 1-7 1,4,7,10 1", DAY, "too often")).toBeNull();
    expect(previousSlot("0 9 * 1,4,7,10 1#1", new Date("2027-03-01T00:00:00Z")).toISOString()).toBe("2027-01-04T09:00:00.000Z");
  });
});
