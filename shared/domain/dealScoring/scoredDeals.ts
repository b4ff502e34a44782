import { z } from "zod";
import { grades, type GradeBands } from "./grades.js";
import { currentDeals, type DealHistory } from "./history.js";
import { activeVersion, type DealScoringModel, type ModelVersion } from "./lifecycle.js";
import { readinessSchema, type Readiness } from "./publishGate.js";
import { dealScoreSchema, scoreOpenDeals, type DealScore, type ScoringReport } from "./score.js";
import type { DealModel } from "./train.js";
import { scoreTrends, type ScorePoint } from "./trend.js";

// The deal scores tab: every open deal a published model selects, scored by exactly one model, and the
// summary (counts per grade, trend and model).
//
// Decision (the seed is silent): a deal that several published models' filters select is scored by the most
// specific one, a model with a filter before a model without; among those the most recently published
// version; then by name. A deal is offered to the next model only when the one before did not score it
// (its filter does not select it, the deal is closed by its status values, or it is older than two years).

/** A scored deal as the tab stores it: the domain's score with its full factor list and the model that scored it. */
export const dealScoreRowSchema = dealScoreSchema.omit({ topPositive: true, topNegative: true }).extend({
  modelId: z.string(),
  modelName: z.string(),
  modelVersion: z.number().int(),
});
export type DealScoreRow = z.infer<typeof dealScoreRowSchema>;

/** A published model ready to score: its document's active version and its restored artifact. */
export interface PublishedDealModel {
  modelId: string;
  name: string;
  version: number;
  publishedAt: string;
  forcedPublish: boolean;
  readiness: Readiness;
  gradeBands: GradeBands;
  model: DealModel;
}

/** The model's published (active) version, if it has one that trained. */
export function publishedVersion(model: DealScoringModel): ModelVersion | undefined {
  const active = activeVersion(model);
  return active?.readiness ? active : undefined;
}

/** The order in which published models claim deals (see the decision above). */
export function scoringPrecedence<T extends { model: DealModel; publishedAt: string; name: string }>(models: readonly T[]): T[] {
  const filtered = (m: T) => (m.model.artifact.config.filter ? 0 : 1);
  return [...models].sort(
    (a, b) => filtered(a) - filtered(b) || (a.publishedAt > b.publishedAt ? -1 : a.publishedAt < b.publishedAt ? 1 : 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

export interface ModelScoring {
  model: Omit<PublishedDealModel, "model" | "gradeBands">;
  /** Of the deals offered to this model (those the models before it did not score). */
  report: ScoringReport;
}

export interface ScoreDealsInput {
  models: readonly PublishedDealModel[];
  histories: readonly DealHistory[];
  now: Date;
  /** A deal's earlier scores under a model (for the trend). */
  scoreHistory?: (modelId: string, dealId: string) => readonly ScorePoint[] | undefined;
}

/** Scores the open deals of the newest snapshot, each by the first model in precedence order that scores it. */
export function scoreDealsWithPublishedModels(input: ScoreDealsInput): { rows: DealScoreRow[]; models: ModelScoring[]; deals: number } {
  let remaining = currentDeals(input.histories);
  const deals = remaining.length;
  const rows: DealScoreRow[] = [];
  const models: ModelScoring[] = [];
  for (const published of scoringPrecedence(input.models)) {
    const { model: dealModel, gradeBands, ...meta } = published;
    const { scores, report } = scoreOpenDeals({
      model: dealModel,
      histories: remaining,
      now: input.now,
      gradeBands,
      scoreHistory: input.scoreHistory ? (dealId) => input.scoreHistory!(meta.modelId, dealId) : undefined,
    });
    const scored = new Set(scores.map((s) => s.dealId));
    remaining = remaining.filter((h) => !scored.has(h.dealId));
    for (const s of scores) rows.push(toRow(s, meta));
    models.push({ model: meta, report });
  }
  return { rows, models, deals };
}

/** Adds one slice's per-model reports to the reports so far (the same models in the same order, or new ones). */
export function mergeModelScorings(into: ModelScoring[], more: readonly ModelScoring[]): ModelScoring[] {
  for (const m of more) {
    const known = into.find((x) => x.model.modelId === m.model.modelId);
    if (!known) {
      into.push({ model: m.model, report: { ...m.report, otherStatusValues: [...m.report.otherStatusValues] } });
      continue;
    }
    const r = known.report;
    r.current += m.report.current;
    r.filteredOut += m.report.filteredOut;
    r.closed += m.report.closed;
    r.createdTooLongAgo += m.report.createdTooLongAgo;
    r.scored += m.report.scored;
    for (const v of m.report.otherStatusValues) {
      const same = r.otherStatusValues.find((x) => x.value === v.value);
      if (same) same.deals += v.deals;
      else r.otherStatusValues.push({ ...v });
    }
    r.otherStatusValues.sort((a, b) => b.deals - a.deals || (a.value < b.value ? -1 : 1));
  }
  return into;
}

function toRow(score: DealScore, model: Pick<PublishedDealModel, "modelId" | "name" | "version">): DealScoreRow {
  const { topPositive: _p, topNegative: _n, ...rest } = score;
  return { ...rest, modelId: model.modelId, modelName: model.name, modelVersion: model.version };
}

/** Lower-case text keyword search matches: id, name, owner, product, stage. */
export function dealSearchText(row: Pick<DealScoreRow, "dealId" | "name" | "owner" | "product" | "stage">): string {
  return [row.dealId, row.name, row.owner, row.product, row.stage].filter((x) => x !== undefined).join(" ").toLowerCase();
}

// ---- summary

const count = z.number().int().min(0);
const gradeCountsSchema = z.object({ A: count, B: count, C: count, D: count });
const trendCountsSchema = z.object({ Improving: count, Steady: count, Declining: count, "Not enough info": count });

export const dealScoresSummarySchema = z.object({
  /** Deals of the newest deals snapshot that the published models were offered (those every model counts closed are not read). */
  deals: count,
  scored: count,
  grades: gradeCountsSchema,
  trends: trendCountsSchema,
  models: z.array(
    z.object({
      modelId: z.string(),
      name: z.string(),
      version: z.number().int(),
      publishedAt: z.string(),
      readiness: readinessSchema,
      forcedPublish: z.boolean(),
      scored: count,
      grades: gradeCountsSchema,
      /** Of the deals offered to this model: not selected by its filter, closed, created more than two years ago. */
      filteredOut: count,
      closed: count,
      createdTooLongAgo: count,
      /** Status values of scored deals that are neither won nor lost for this model (counted as open). */
      otherStatusValues: z.array(z.object({ value: z.string(), deals: count })),
    }),
  ),
});
export type DealScoresSummary = z.infer<typeof dealScoresSummarySchema>;

const noGrades = () => Object.fromEntries(grades.map((g) => [g, 0])) as z.infer<typeof gradeCountsSchema>;

/** The tab's summary; the empty tab is the summary of no rows. */
export function summarizeDealScores(input: { deals: number; rows: readonly Pick<DealScoreRow, "grade" | "trend" | "modelId">[]; models: readonly ModelScoring[] }): DealScoresSummary {
  const gradeCounts = noGrades();
  const trends = Object.fromEntries(scoreTrends.map((t) => [t, 0])) as z.infer<typeof trendCountsSchema>;
  const perModel = new Map<string, z.infer<typeof gradeCountsSchema>>();
  for (const row of input.rows) {
    gradeCounts[row.grade]++;
    trends[row.trend]++;
    let g = perModel.get(row.modelId);
    if (!g) perModel.set(row.modelId, (g = noGrades()));
    g[row.grade]++;
  }
  return {
    deals: input.deals,
    scored: input.rows.length,
    grades: gradeCounts,
    trends,
    models: input.models.map(({ model, report }) => ({
      modelId: model.modelId,
      name: model.name,
      version: model.version,
      publishedAt: model.publishedAt,
      readiness: model.readiness,
      forcedPublish: model.forcedPublish,
      scored: report.scored,
      grades: perModel.get(model.modelId) ?? noGrades(),
      filteredOut: report.filteredOut,
      closed: report.closed,
      createdTooLongAgo: report.createdTooLongAgo,
      otherStatusValues: report.otherStatusValues,
    })),
  };
}
