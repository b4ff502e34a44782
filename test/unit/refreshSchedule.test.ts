import { describe, expect, it } from "vitest";
import { newResultSetId } from "../../shared/refresh/refreshPartner.js";
import { isDailySlot, planRefreshJobs } from "../../shared/refresh/schedule.js";

describe("refresh schedule", () => {
  const partners = [
    { partnerId: "changed", dataVersion: "2024-06-02T10:00:00Z", refreshedDataVersion: "2024-06-01T10:00:00Z" },
    { partnerId: "never-refreshed", dataVersion: "2024-06-02T10:00:00Z" },
    { partnerId: "up-to-date", dataVersion: "2024-06-02T10:00:00Z", refreshedDataVersion: "2024-06-02T10:00:00Z" },
    { partnerId: "no-data" },
    { partnerId: "offboarded", dataVersion: "2024-06-02T10:00:00Z", offboardedAt: "2024-06-01T00:00:00Z" },
  ];

  it("asks to refresh only partners whose data changed since their last refresh, skipping off-boarded ones", () => {
    const jobs = planRefreshJobs(partners, new Date("2024-06-02T12:00:00Z"));
    expect(jobs).toEqual([
      { partnerId: "changed", reason: "schedule", requestedAt: "2024-06-02T12:00:00.000Z" },
      { partnerId: "never-refreshed", reason: "schedule", requestedAt: "2024-06-02T12:00:00.000Z" },
    ]);
  });

  it("asks to refresh every active partner once a day, in the timer slot starting 02:00 UTC", () => {
    expect(isDailySlot(new Date("2024-06-02T01:59:59Z"))).toBe(false);
    expect(isDailySlot(new Date("2024-06-02T02:00:00Z"))).toBe(true);
    expect(isDailySlot(new Date("2024-06-02T02:04:59Z"))).toBe(true);
    expect(isDailySlot(new Date("2024-06-02T02:05:00Z"))).toBe(false);
    const jobs = planRefreshJobs(partners, new Date("2024-06-02T02:00:00Z"));
    expect(jobs.map((j) => [j.partnerId, j.reason])).toEqual([
      ["changed", "daily"],
      ["never-refreshed", "daily"],
      ["up-to-date", "daily"],
      ["no-data", "daily"],
    ]);
  });
});

describe("result set ids", () => {
  it("sort by time and are unique", () => {
    const a = newResultSetId(new Date("2024-06-02T10:00:00.000Z"));
    const b = newResultSetId(new Date("2024-06-02T10:00:00.001Z"));
    expect(a).toMatch(/^20240602T100000000Z-[0-9a-f]{8}$/);
    expect(b > a).toBe(true);
    expect(newResultSetId(new Date("2024-06-02T10:00:00.000Z"))).not.toBe(a);
  });

  it("always sort after the set the pointer names, even when this instance's clock is behind", () => {
    const current = newResultSetId(new Date("2024-06-02T10:00:05.000Z"));
    const next = newResultSetId(new Date("2024-06-02T10:00:00.000Z"), current);
    expect(next > current).toBe(true);
    expect(next.startsWith("20240602T100005001Z-")).toBe(true);
  });
});
