import { describe, expect, it } from "vitest";
import { newResultSetId } from "../../shared/refresh/publisher.js";
import { isDailySlot, planRefreshJobs, refreshRetryDelayMs } from "../../shared/refresh/schedule.js";

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

describe("refresh schedule after failed refreshes", () => {
  const minutes = 60_000;
  const failing = (count: number, lastFailedAt: string) => ({
    partnerId: "failing",
    dataVersion: "2024-06-02T10:00:00Z",
    refreshedDataVersion: "2024-06-01T10:00:00Z",
    refreshFailure: { count, lastFailedAt, reference: "invocation-1" },
  });
  const planned = (partner: ReturnType<typeof failing>, at: string) =>
    planRefreshJobs([partner], new Date(at)).map((j) => [j.partnerId, j.reason]);

  it("waits 5 minutes after the first failure, doubling with each further failure", () => {
    expect([1, 2, 3, 4].map((count) => refreshRetryDelayMs(count) / minutes)).toEqual([5, 10, 20, 40]);
  });

  it("skips a changed partner within the wait after its last failure and asks again once it has passed", () => {
    // Third failure in a row: 20 minutes.
    const partner = failing(3, "2024-06-02T12:00:00.000Z");
    expect(planned(partner, "2024-06-02T12:05:00Z")).toEqual([]);
    expect(planned(partner, "2024-06-02T12:19:59Z")).toEqual([]);
    expect(planned(partner, "2024-06-02T12:20:00Z")).toEqual([["failing", "schedule"]]);
    expect(planned(partner, "2024-06-02T12:25:00Z")).toEqual([["failing", "schedule"]]);
  });

  it("never waits more than 6 hours, however many refreshes failed", () => {
    expect(refreshRetryDelayMs(8) / minutes).toBe(360);
    expect(refreshRetryDelayMs(1000) / minutes).toBe(360);
    const partner = failing(50, "2024-06-02T12:00:00.000Z");
    expect(planned(partner, "2024-06-02T17:55:00Z")).toEqual([]);
    expect(planned(partner, "2024-06-02T18:00:00Z")).toEqual([["failing", "schedule"]]);
  });

  it("still includes a failing partner in the daily refresh", () => {
    const partner = failing(6, "2024-06-02T01:58:00.000Z");
    expect(planned(partner, "2024-06-02T02:00:00Z")).toEqual([["failing", "daily"]]);
  });

  it("keeps other partners on the 5-minute schedule while one backs off", () => {
    const changed = { partnerId: "changed", dataVersion: "2024-06-02T10:00:00Z", refreshedDataVersion: "2024-06-01T10:00:00Z" };
    const jobs = planRefreshJobs([failing(2, "2024-06-02T12:00:00.000Z"), changed], new Date("2024-06-02T12:05:00Z"));
    expect(jobs.map((j) => j.partnerId)).toEqual(["changed"]);
  });

  it("asks again when the recorded failure time cannot be read, rather than never", () => {
    expect(planned(failing(1, "not a time"), "2024-06-02T12:05:00Z")).toEqual([["failing", "schedule"]]);
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
