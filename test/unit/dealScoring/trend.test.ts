import { describe, expect, it } from "vitest";
import { addDays, appendScorePoint, SCORE_HISTORY_DAYS, scoreTrend, type ScorePoint } from "../../../shared/domain/dealScoring/index.js";

const now = new Date("2026-06-15T06:00:00Z");
const point = (daysAgo: number, score: number): ScorePoint => ({ at: addDays(now, -daysAgo).toISOString(), score });

describe("score trend", () => {
  it("compares with the latest score at least 7 days earlier: Improving at +5, Declining at −5, else Steady", () => {
    const history = [point(20, 10), point(8, 50), point(2, 90)];
    expect(scoreTrend(55, history, now)).toBe("Improving");
    expect(scoreTrend(54, history, now)).toBe("Steady");
    expect(scoreTrend(46, history, now)).toBe("Steady");
    expect(scoreTrend(45, history, now)).toBe("Declining");
    expect(scoreTrend(60, [point(7, 55)], now)).toBe("Improving");
  });

  it("says Not enough info without a score at least 7 days old", () => {
    expect(scoreTrend(60, [], now)).toBe("Not enough info");
    expect(scoreTrend(60, [point(6.9, 10)], now)).toBe("Not enough info");
  });

  it("keeps one point per day for the chart, the latest of the day, for 400 days", () => {
    let h: ScorePoint[] = [];
    h = appendScorePoint(h, { at: "2026-06-14T01:00:00.000Z", score: 40 });
    h = appendScorePoint(h, { at: "2026-06-14T23:00:00.000Z", score: 44 });
    h = appendScorePoint(h, { at: "2026-06-14T05:00:00.000Z", score: 41 });
    expect(h).toEqual([{ at: "2026-06-14T23:00:00.000Z", score: 44 }]);
    h = appendScorePoint([point(SCORE_HISTORY_DAYS + 1, 10), point(3, 20)], point(0, 30));
    expect(h.map((p) => p.score)).toEqual([20, 30]);
  });
});
