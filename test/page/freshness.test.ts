import { describe, expect, it } from "vitest";
import { freshness, isCatchingUp } from "../../web/src/tabs/data/freshness.js";

// The Data tab's "refreshing" state, derived from the ingestion records and the results' refreshedAt/stale.

const loaded = (fileName: string, finishedAt: string) => ({ fileName, status: "loaded" as const, receivedAt: finishedAt, finishedAt });
const results = (refreshedAt?: string, extra: object = {}) => ({ status: refreshedAt ? ("ready" as const) : ("notRefreshedYet" as const), refreshedAt, ...extra });

describe("whether the results have caught up with the drops", () => {
  it("is up to date when the newest loaded drop finished before the results were refreshed", () => {
    const f = freshness([loaded("a.csv", "2026-05-01T10:00:00Z")], results("2026-05-01T10:00:05Z"));
    expect(f).toEqual({ state: "upToDate" });
    expect(isCatchingUp(f)).toBe(false);
  });

  it("is refreshing while a drop loaded after the current results is not in them yet", () => {
    const f = freshness(
      [loaded("new.csv", "2026-05-01T10:05:00Z"), loaded("old.csv", "2026-05-01T09:00:00Z")],
      results("2026-05-01T10:00:05Z"),
    );
    expect(f).toEqual({ state: "refreshing", since: "2026-05-01T10:05:00Z" });
    expect(isCatchingUp(f)).toBe(true);
  });

  it("is refreshing when drops are loaded but nothing was refreshed yet", () => {
    expect(freshness([loaded("a.csv", "2026-05-01T10:00:00Z")], results()).state).toBe("refreshing");
  });

  it("is ingesting while a drop is still being read, naming it", () => {
    const reading = { fileName: "usage.csv.gz", status: "validating" as const, receivedAt: "2026-05-01T10:06:00Z" };
    expect(freshness([reading, loaded("a.csv", "2026-05-01T10:00:00Z")], results("2026-05-01T10:00:05Z"))).toEqual({
      state: "ingesting",
      files: ["usage.csv.gz"],
    });
  });

  it("ignores failed drops: they change no data and queue no refresh", () => {
    const failed = { fileName: "bad.csv", status: "failed" as const, receivedAt: "2026-05-01T11:00:00Z", finishedAt: "2026-05-01T11:00:01Z" };
    expect(freshness([failed, loaded("a.csv", "2026-05-01T10:00:00Z")], results("2026-05-01T10:00:05Z")).state).toBe("upToDate");
  });

  it("says refreshing failed when the answer is stale, with the failure's reference", () => {
    const stale = results("2026-05-01T10:00:05Z", { stale: true, refreshFailure: { lastFailedAt: "2026-05-01T10:07:00Z", reference: "inv-42" } });
    expect(freshness([loaded("new.csv", "2026-05-01T10:05:00Z")], stale)).toEqual({ state: "failing", lastFailedAt: "2026-05-01T10:07:00Z", reference: "inv-42" });
  });

  it("is up to date with no drops at all", () => {
    expect(freshness([], results()).state).toBe("upToDate");
  });
});
