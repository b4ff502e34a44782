import { z } from "zod";
import { addDays } from "./calendar.js";

// A scored deal's trend (PRODUCT.md section 5 decisions): the current score against the score at least
// 7 days earlier — Improving at +5 or more, Declining at −5 or less, else Steady; Not enough info when
// there is no score that old. The score history is kept for the deal's chart.

export const TREND_RULE = { lookbackDays: 7, change: 5 } as const;
/** One point per UTC day is enough for a chart; a year and a month of them is kept. */
export const SCORE_HISTORY_DAYS = 400;

export const scoreTrends = ["Improving", "Steady", "Declining", "Not enough info"] as const;
export type ScoreTrend = (typeof scoreTrends)[number];

export const scorePointSchema = z.object({ at: z.iso.datetime({ offset: false }), score: z.number().int().min(0).max(100) });
export type ScorePoint = z.infer<typeof scorePointSchema>;

/** The latest score at least 7 days before `now`, if any. */
export function scoreAWeekEarlier(history: readonly ScorePoint[], now: Date): ScorePoint | undefined {
  const cutoff = addDays(now, -TREND_RULE.lookbackDays).toISOString();
  let found: ScorePoint | undefined;
  for (const p of history) if (p.at <= cutoff && (!found || p.at > found.at)) found = p;
  return found;
}

export function scoreTrend(current: number, history: readonly ScorePoint[], now: Date): ScoreTrend {
  const earlier = scoreAWeekEarlier(history, now);
  if (!earlier) return "Not enough info";
  const change = current - earlier.score;
  if (change >= TREND_RULE.change) return "Improving";
  if (change <= -TREND_RULE.change) return "Declining";
  return "Steady";
}

/** Adds a score to a deal's history: one point per UTC day (the latest wins), sorted, the last 400 days. */
export function appendScorePoint(history: readonly ScorePoint[], point: ScorePoint): ScorePoint[] {
  const day = point.at.slice(0, 10);
  const kept = history.filter((p) => p.at.slice(0, 10) !== day || p.at > point.at);
  if (!kept.some((p) => p.at.slice(0, 10) === day)) kept.push(point);
  kept.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const oldest = addDays(new Date(point.at), -SCORE_HISTORY_DAYS).toISOString();
  return kept.filter((p) => p.at >= oldest);
}
