import { z } from "zod";
import { scoreRows } from "../../scoring/index.js";
import { formatNumber, insightText } from "./attributeInsights.js";
import { addMonths } from "./calendar.js";
import { columnText } from "./dealRows.js";
import { describeDeal, engineTable, openMoment, type InputSpec } from "./features.js";
import { DEFAULT_GRADE_BANDS, gradeFor, grades, type GradeBands } from "./grades.js";
import { currentDeals, type DealHistory } from "./history.js";
import { dealOutcome, filterSelects } from "./modelConfig.js";
import type { DealModel } from "./train.js";
import { scoreAWeekEarlier, scoreTrend, scoreTrends, type ScorePoint } from "./trend.js";

// Scores (PRODUCT.md section 5 decisions): every open deal created in the past two years that the model's
// filter selects gets score = round(100 × calibrated probability of winning), a grade, a trend, and its
// factors in words — the top five raising and lowering the score, and the full list.

export const SCORED_DEALS_CREATED_WITHIN_MONTHS = 24;
export const TOP_FACTORS = 5;

export const dealFactorSchema = z.object({
  key: z.string(),
  label: z.string(),
  /** The deal's value as shown (null when empty). */
  value: z.string().nullable(),
  /** Effect on the log-odds of winning (the factors and the model's base add up to the deal's score). */
  contribution: z.number(),
  direction: z.enum(["raises", "lowers"]),
  /** "Product is Surface (raises the score)". */
  text: z.string(),
  /** "62 % of 140 closed deals where Product is Surface were won (overall 45 %)". */
  insight: z.string().optional(),
  /** False for an ignored empty value or an input that does not count at the deal's stage: never a top factor. */
  counted: z.boolean(),
});
export type DealFactor = z.infer<typeof dealFactorSchema>;

export const dealScoreSchema = z.object({
  dealId: z.string(),
  name: z.string().optional(),
  stage: z.string().optional(),
  owner: z.string().optional(),
  product: z.string().optional(),
  tenantId: z.string().optional(),
  estimatedValue: z.number().optional(),
  estimatedCloseDate: z.string().optional(),
  createdOn: z.string(),
  score: z.number().int().min(0).max(100),
  probability: z.number(),
  grade: z.enum(grades),
  trend: z.enum(scoreTrends),
  /** The score at least 7 days earlier that the trend compares with. */
  previousScore: z.number().int().optional(),
  topPositive: z.array(dealFactorSchema),
  topNegative: z.array(dealFactorSchema),
  /** Every factor, strongest first. */
  factors: z.array(dealFactorSchema),
  scoredAt: z.string(),
});
export type DealScore = z.infer<typeof dealScoreSchema>;

export interface ScoringReport {
  /** Deals in the latest snapshot. */
  current: number;
  filteredOut: number;
  closed: number;
  /** Open deals created more than two years ago (not scored). */
  createdTooLongAgo: number;
  scored: number;
  /** Status values of open deals that match neither the won nor the lost values (they count as open). */
  otherStatusValues: { value: string; deals: number }[];
}

export interface ScoreOpenDealsInput {
  model: DealModel;
  histories: readonly DealHistory[];
  now: Date;
  gradeBands?: GradeBands;
  /** Earlier scores of a deal under this model, for the trend. */
  scoreHistory?: (dealId: string) => readonly ScorePoint[] | undefined;
}

function shownValue(input: InputSpec, v: number | string | null): string | null {
  if (v === null) return null;
  return typeof v === "number" ? formatNumber(v) : v;
}

function plural(n: number, word: string): string {
  return `${formatNumber(n)} ${word}${Math.abs(n) === 1 ? "" : "s"}`;
}

/** The factor in a seller's words, without the effect. */
function factorWords(input: InputSpec, v: number | string | null): string {
  if (v === null) return `${input.label} is empty`;
  if (typeof v === "number") {
    if (input.key === "ageInDays" && input.origin === "derived") return `Age is ${plural(v, "day")}`;
    if (input.key === "daysToEstimatedClose" && input.origin === "derived") {
      return v >= 0 ? `Estimated close is in ${plural(v, "day")}` : `Estimated close date passed ${plural(-v, "day")} ago`;
    }
    if (input.key === "daysSinceStageChange" && input.origin === "derived") return `Stage last changed ${plural(v, "day")} ago`;
    if (input.kind === "date") return v >= 0 ? `${input.key} was ${plural(v, "day")} ago` : `${input.key} is in ${plural(-v, "day")}`;
    return `${input.label} is ${formatNumber(v)}`;
  }
  return `${input.label} is ${v}`;
}

/** The top five factors raising and lowering a score, from its full list (strongest first); uncounted ones never. */
export function topFactors(factors: readonly DealFactor[]): { topPositive: DealFactor[]; topNegative: DealFactor[] } {
  const counted = factors.filter((f) => f.counted && Math.abs(f.contribution) > 1e-9);
  return {
    topPositive: counted.filter((f) => f.contribution > 0).slice(0, TOP_FACTORS),
    topNegative: counted.filter((f) => f.contribution < 0).slice(0, TOP_FACTORS),
  };
}

/** Scores every eligible open deal with its grade, trend and factors; reports the deals left out and why. */
export function scoreOpenDeals(input: ScoreOpenDealsInput): { scores: DealScore[]; report: ScoringReport } {
  const { model, now } = input;
  const { config, spec, insights } = model.artifact;
  const bands = input.gradeBands ?? DEFAULT_GRADE_BANDS;
  const createdSince = addMonths(now, -SCORED_DEALS_CREATED_WITHIN_MONTHS).toISOString();
  const nowIso = now.toISOString();
  const known = new Set([...config.wonValues, ...config.lostValues].map((v) => v.toLowerCase()));
  const other = new Map<string, number>();
  const current = currentDeals(input.histories);
  const report: ScoringReport = { current: current.length, filteredOut: 0, closed: 0, createdTooLongAgo: 0, scored: 0, otherStatusValues: [] };
  const eligible: DealHistory[] = [];
  for (const h of current) {
    if (!filterSelects(h.deal, config)) report.filteredOut++;
    else if (dealOutcome(h.deal, config) !== "open") report.closed++;
    else if (h.deal.createdOn < createdSince) report.createdTooLongAgo++;
    else {
      eligible.push(h);
      const status = columnText(h.deal, config.statusColumn);
      if (status !== undefined && !known.has(status.toLowerCase())) other.set(status, (other.get(status) ?? 0) + 1);
    }
  }
  report.otherStatusValues = [...other.entries()].map(([value, deals]) => ({ value, deals })).sort((a, b) => b.deals - a.deals || (a.value < b.value ? -1 : 1));

  const moments = eligible.map((h) => openMoment(h, nowIso));
  const rows = moments.map((m) => describeDeal(m, spec));
  const scored = rows.length > 0 ? scoreRows(model.engine, engineTable(spec, rows), { explain: true, top: 0 }) : [];
  const scores: DealScore[] = scored.map((s, r) => {
    const deal = eligible[r].deal;
    const stage = moments[r].stage;
    const contributions = s.explanation?.contributions ?? {};
    const factors: DealFactor[] = [];
    spec.inputs.forEach((inputSpec, c) => {
      const contribution = contributions[inputSpec.key];
      if (contribution === undefined) return;
      const v = rows[r][c];
      const countsIn = spec.stageAttributes[inputSpec.key];
      const masked = spec.perStage && countsIn !== undefined && !(stage !== undefined && countsIn.includes(stage));
      const ignored = v === null && inputSpec.ignoreEmpty;
      const direction = contribution >= 0 ? "raises" : "lowers";
      const words = masked
        ? `${inputSpec.label} does not count at stage ${stage ?? "(none)"}`
        : ignored
          ? `${inputSpec.label} is empty (ignored: scored as a typical value)`
          : factorWords(inputSpec, v);
      const insight = masked || ignored ? undefined : insightText(insights, inputSpec.key, v);
      factors.push({
        key: inputSpec.key,
        label: inputSpec.label,
        value: masked ? null : shownValue(inputSpec, v),
        contribution,
        direction,
        text: `${words} (${direction} the score)`,
        ...(insight ? { insight } : {}),
        counted: !masked && !ignored,
      });
    });
    factors.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || (a.key < b.key ? -1 : 1));
    const score = Math.min(100, Math.max(0, Math.round(100 * s.probability)));
    const history = input.scoreHistory?.(deal.dealId) ?? [];
    const earlier = scoreAWeekEarlier(history, now);
    return {
      dealId: deal.dealId,
      ...(deal.name !== undefined ? { name: deal.name } : {}),
      ...(stage !== undefined ? { stage } : {}),
      ...(deal.owner !== undefined ? { owner: deal.owner } : {}),
      ...(deal.product !== undefined ? { product: deal.product } : {}),
      ...(deal.tenantId !== undefined ? { tenantId: deal.tenantId } : {}),
      ...(deal.estimatedValue !== undefined ? { estimatedValue: deal.estimatedValue } : {}),
      ...(deal.estimatedCloseDate !== undefined ? { estimatedCloseDate: deal.estimatedCloseDate } : {}),
      createdOn: deal.createdOn,
      score,
      probability: s.probability,
      grade: gradeFor(score, bands),
      trend: scoreTrend(score, history, now),
      ...(earlier ? { previousScore: earlier.score } : {}),
      ...topFactors(factors),
      factors,
      scoredAt: nowIso,
    };
  });
  report.scored = scores.length;
  return { scores, report };
}
