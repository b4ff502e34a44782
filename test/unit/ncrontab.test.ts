import { describe, expect, it } from "vitest";
import { CronSyntaxError, nextOccurrence, parseNcrontab } from "../../local/host/ncrontab.js";

const at = (iso: string) => new Date(iso);
const next = (expression: string, after: string) => nextOccurrence(parseNcrontab(expression), at(after))?.toISOString();

describe("NCRONTAB schedules (6 fields, UTC)", () => {
  it("fires every 5 seconds on a seconds step", () => {
    expect(next("*/5 * * * * *", "2024-03-10T10:00:00.000Z")).toBe("2024-03-10T10:00:05.000Z");
    expect(next("*/5 * * * * *", "2024-03-10T10:00:03.400Z")).toBe("2024-03-10T10:00:05.000Z");
    expect(next("*/5 * * * * *", "2024-03-10T10:00:59.000Z")).toBe("2024-03-10T10:01:00.000Z");
  });

  it("fires every 5 minutes at second 0, strictly after the given time", () => {
    expect(next("0 */5 * * * *", "2024-03-10T10:00:00.000Z")).toBe("2024-03-10T10:05:00.000Z");
    expect(next("0 */5 * * * *", "2024-03-10T10:04:59.999Z")).toBe("2024-03-10T10:05:00.000Z");
  });

  it("runs the daily refresh at 02:30 UTC the next day once today's has passed", () => {
    expect(next("0 30 2 * * *", "2024-03-10T02:30:00.000Z")).toBe("2024-03-11T02:30:00.000Z");
    expect(next("0 30 2 * * *", "2024-03-10T01:00:00.000Z")).toBe("2024-03-10T02:30:00.000Z");
  });

  it("understands lists, ranges and ranges with steps", () => {
    expect(next("0 0 9,17 * * *", "2024-03-10T09:00:00Z")).toBe("2024-03-10T17:00:00.000Z");
    expect(next("0 0 9-11 * * *", "2024-03-10T11:00:00Z")).toBe("2024-03-11T09:00:00.000Z");
    expect(next("0 10-50/20 * * * *", "2024-03-10T08:30:00Z")).toBe("2024-03-10T08:50:00.000Z");
    expect(next("5/15 * * * * *", "2024-03-10T08:00:06Z")).toBe("2024-03-10T08:00:20.000Z");
  });

  it("understands day and month names, case-insensitively", () => {
    // 2024-03-10 is a Sunday.
    expect(next("0 0 9 * * MON-FRI", "2024-03-09T12:00:00Z")).toBe("2024-03-11T09:00:00.000Z");
    expect(next("0 0 9 * * sat", "2024-03-10T12:00:00Z")).toBe("2024-03-16T09:00:00.000Z");
    expect(next("0 0 0 1 JUL *", "2024-03-10T00:00:00Z")).toBe("2024-07-01T00:00:00.000Z");
  });

  it("treats day-of-week 7 as Sunday", () => {
    expect(next("0 0 0 * * 7", "2024-03-11T00:00:00Z")).toBe("2024-03-17T00:00:00.000Z");
  });

  it("requires both day and day-of-week to match when both are restricted, like NCrontab", () => {
    // The 13th that is a Friday: September 2024.
    expect(next("0 0 0 13 * FRI", "2024-03-10T00:00:00Z")).toBe("2024-09-13T00:00:00.000Z");
  });

  it("crosses month and year ends, including leap days", () => {
    expect(next("0 0 0 29 2 *", "2024-03-01T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
    expect(next("0 0 0 1 1 *", "2024-12-31T23:59:59Z")).toBe("2025-01-01T00:00:00.000Z");
  });

  it("returns nothing for a schedule that can never fire", () => {
    expect(next("0 0 0 30 2 *", "2024-01-01T00:00:00Z")).toBeUndefined();
  });

  it("accepts a classic 5-field expression as second 0", () => {
    expect(next("*/10 * * * *", "2024-03-10T10:00:30Z")).toBe("2024-03-10T10:10:00.000Z");
  });

  it.each([
    ["* * * *", /6 fields/],
    ["60 * * * * *", /second field "60" is out of range 0-59/],
    ["0 0 25 * * *", /hour field "25"/],
    ["0 0 0 0 * *", /day field "0"/],
    ["0 0 0 * 13 *", /month field "13"/],
    ["0 0 0 * * FUNDAY", /unknown value "FUNDAY"/],
    ["*/0 * * * * *", /step/],
    ["0 0 10-5 * * *", /start is after its end/],
    ["0 0 1,,2 * * *", /empty list item/],
  ])("rejects %s with a reason", (expression, reason) => {
    expect(() => parseNcrontab(expression)).toThrow(CronSyntaxError);
    expect(() => parseNcrontab(expression)).toThrow(reason);
  });
});
