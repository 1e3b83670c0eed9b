import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, relativeTime } from "./dates";

const now = new Date("2026-12-04T12:00:00Z");

describe("relativeTime", () => {
  it("says just now within 45 seconds either way", () => {
    expect(relativeTime("2026-12-04T11:59:30Z", now, "en")).toBe("just now");
    expect(relativeTime("2026-12-04T12:00:20Z", now, "en")).toBe("just now");
  });
  it("picks the largest whole unit, past and future", () => {
    expect(relativeTime("2026-12-01T12:00:00Z", now, "en")).toBe("3 days ago");
    expect(relativeTime("2026-12-04T14:00:00Z", now, "en")).toBe("in 2 hours");
    expect(relativeTime("2025-12-04T12:00:00Z", now, "en")).toBe("last year");
    expect(relativeTime("2026-12-04T11:50:00Z", now, "en")).toBe("10 minutes ago");
  });
  it("speaks the locale it is given", () => {
    expect(relativeTime("2026-12-01T12:00:00Z", now, "de")).toBe("vor 3 Tagen");
  });
  it("answers a dash for missing or invalid dates instead of Invalid Date", () => {
    expect(relativeTime(null, now)).toBe("—");
    expect(relativeTime("not a date", now)).toBe("—");
    expect(formatDateTime("not a date")).toBe("—");
    expect(formatDate(undefined)).toBe("—");
  });
});

describe("formatDateTime", () => {
  it("formats in the locale and zone given, not ISO", () => {
    expect(formatDateTime("2026-12-04T14:03:00Z", "en-GB", "UTC")).toBe("4 Dec 2026, 14:03");
    expect(formatDate("2026-12-04T14:03:00Z", "en-US", "UTC")).toBe("Dec 4, 2026");
  });
});
