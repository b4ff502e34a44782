import { z } from "zod";
import {
  evaluateProbabilities,
  gbdtCandidate,
  logisticCandidate,
  modelFromJSON,
  PrepareError,
  trainModel,
  TrainingDataError,
  treeCandidate,
  type CandidateSpec,
  type ModelJson,
  type ScoringModel,
} from "../../scoring/index.js";
import { attributeInsightsSchema, computeAttributeInsights, type AttributeInsights } from "./attributeInsights.js";
import { checkDataFloor, selectTrainingDeals, type DataReport } from "./dataFloor.js";
import { failure, success, type Outcome } from "./errors.js";
import {
  closedMoment,
  describeDeal,
  engineKinds,
  engineTable,
  featureSpecFor,
  featureSpecSchema,
  fitImputation,
  OUTCOME_KEY,
  stageMoments,
  type DealMoment,
  type FeatureSpec,
} from "./features.js";
import type { DealHistory } from "./history.js";
import { dealOutcome, modelConfigSchema, type ModelConfig } from "./modelConfig.js";
import { stageInfluence, type StageInfluence } from "./perStage.js";
import { publishReadiness, type PublishReadiness } from "./publishGate.js";

// Training a deal scoring model (seed 004): the oldest 80 % of the closed deals in the window (by close date)
// train the engine, which selects and calibrates a learner on them; the newest 20 % test it. The
// performance is measured on that test only, at the F1-maximising threshold.

export const TEST_FRACTION = 0.2;

/**
 * The engine's candidates sized for deal scoring: every open deal is explained on every drop, and TreeSHAP's
 * cost grows with leaves × depth², so the large-data GBDT is depth 4 (10,000 explanations in ~2.5 s, not ~27 s
 * at depth 6; on deal-like data it ranks as well).
 */
export function dealScoringCandidates(): CandidateSpec[] {
  return [
    logisticCandidate(),
    treeCandidate(),
    gbdtCandidate("gbdt", (rows) =>
      rows < 3000
        ? [
            { maxDepth: 2, learningRate: 0.05, rounds: 400, minChildWeight: 2, subsample: 0.8, colsample: 0.6, earlyStoppingRounds: 40 },
            { maxDepth: 4, learningRate: 0.05, rounds: 400, minChildWeight: 3, subsample: 0.8, colsample: 0.6, earlyStoppingRounds: 40 },
          ]
        : [{ maxDepth: 4, learningRate: 0.1, rounds: 300, earlyStoppingRounds: 20 }],
    ),
  ];
}

const part = z.object({
  deals: z.number().int(),
  /** Examples (one per deal; per-stage modelling: one per stage each deal reached). */
  rows: z.number().int(),
  won: z.number().int(),
  closedFrom: z.string(),
  closedTo: z.string(),
});

export const modelPerformanceSchema = z.object({
  /** Test AUC; null when the test deals are all won or all lost. */
  auc: z.number().nullable(),
  aucInterval: z.tuple([z.number(), z.number()]).nullable(),
  accuracy: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  /** Share of test deals actually won: (TP + FN) / all, as Dynamics defines it. */
  conversionRate: z.number(),
  /** Score (0–100) at or above which a deal is predicted won: the F1-maximising threshold. */
  threshold: z.number().int(),
  confusion: z.object({ truePositive: z.number().int(), falsePositive: z.number().int(), trueNegative: z.number().int(), falseNegative: z.number().int() }),
  train: part,
  test: part,
  /** The engine's chosen learner ("gbdt", "logistic", "ensemble(gbdt+logistic)", …). */
  learner: z.string(),
});
export type ModelPerformance = z.infer<typeof modelPerformanceSchema>;

export const DEAL_MODEL_FORMAT_VERSION = 1;

/** A trained deal model as stored (versioned JSON): the configuration it was trained with, its inputs and the engine model. */
export const dealModelArtifactSchema = z.object({
  formatVersion: z.literal(DEAL_MODEL_FORMAT_VERSION),
  trainedAt: z.string(),
  config: modelConfigSchema,
  spec: featureSpecSchema,
  /** Stages in business-process order at training time. */
  stages: z.array(z.string()),
  insights: attributeInsightsSchema,
  engine: z.custom<ModelJson>((v) => typeof v === "object" && v !== null && (v as { formatVersion?: unknown }).formatVersion === 1, "not an engine model"),
});
export type DealModelArtifact = z.infer<typeof dealModelArtifactSchema>;

/** A model ready to score: its stored form and the engine model restored from it. */
export interface DealModel {
  artifact: DealModelArtifact;
  engine: ScoringModel;
}

export interface TrainedDealModel {
  model: DealModel;
  performance: ModelPerformance;
  readiness: PublishReadiness;
  insights: AttributeInsights;
  /** Per-stage modelling only. */
  stageInfluence?: StageInfluence;
  /** The most influential inputs, largest first (shares of 1). */
  importance: { key: string; label: string; importance: number }[];
  report: DataReport;
  /** The engine's notes (inputs dropped as identifiers or constant, the learner chosen and why). */
  notes: string[];
  trainedAt: string;
  trainingSeconds: number;
}

export interface TrainDealModelInput {
  histories: readonly DealHistory[];
  config: ModelConfig;
  now: Date;
  seed?: number;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function partOf(deals: readonly DealHistory[], rows: number, config: ModelConfig): z.infer<typeof part> {
  let won = 0;
  for (const h of deals) if (dealOutcome(h.deal, config) === "won") won++;
  return { deals: deals.length, rows, won, closedFrom: deals[0]?.deal.closedOn ?? "", closedTo: deals[deals.length - 1]?.deal.closedOn ?? "" };
}

/** Trains, tests and explains a model; refuses with counts below the data floor. */
export function trainDealModel(input: TrainDealModelInput): Outcome<TrainedDealModel> {
  const t0 = performance.now();
  const { config, now } = input;
  const floor = checkDataFloor(selectTrainingDeals(input.histories, config, now));
  if (!floor.ok) return floor;
  const selection = floor.value;
  const closed = selection.closed;
  // Sorted by close date: no test deal closes before a training deal closes.
  const cut = closed.length - Math.max(1, Math.round(closed.length * TEST_FRACTION));
  const trainDeals = closed.slice(0, cut);
  const testDeals = closed.slice(cut);

  const outcome = (h: DealHistory) => dealOutcome(h.deal, config) as "won" | "lost";
  const seed = input.seed ?? 42;
  const momentsOf = (h: DealHistory): DealMoment[] => (config.perStage ? stageMoments(h, selection.stages) : [closedMoment(h, seed)]);
  let spec: FeatureSpec = featureSpecFor(
    config,
    trainDeals.map((h) => h.deal),
  );
  const trainMoments = trainDeals.flatMap(momentsOf);
  const testMoments = testDeals.flatMap(momentsOf);
  const trainRows = trainMoments.map((m) => describeDeal(m, spec));
  const testRows = testMoments.map((m) => describeDeal(m, spec));
  const trainLabels = trainMoments.map((m) => outcome(m.history));
  const testLabels = testMoments.map((m) => outcome(m.history));
  spec = fitImputation(spec, trainRows);
  const trainTable = engineTable(spec, trainRows, trainLabels);
  const trainedAt = now.toISOString();

  let engine: ScoringModel;
  try {
    engine = trainModel(trainTable, {
      label: OUTCOME_KEY,
      positive: "won",
      kinds: engineKinds(spec),
      ignoreEmpty: spec.inputs.filter((i) => i.ignoreEmpty).map((i) => i.key),
      seed,
      createdAt: trainedAt,
      candidates: dealScoringCandidates(),
    });
  } catch (e) {
    if (e instanceof TrainingDataError) {
      return failure("not_enough_deals", `the oldest 80 % of the closed deals (the training part) cannot train a model: ${e.message}`, "trainingWindowMonths", {
        train: { won: e.positives, lost: e.negatives },
      });
    }
    if (e instanceof PrepareError) return failure("training_failed", `the deals cannot be prepared for training: ${e.message}`, "attributes");
    throw e;
  }

  const probabilities = engine.predict(engineTable(spec, testRows));
  const labels01 = testLabels.map((l) => (l === "won" ? 1 : 0));
  const m = evaluateProbabilities(probabilities, labels01);
  const c = m.confusion;
  const n = Math.max(1, m.rows);
  const aucKnown = Number.isFinite(m.auc);
  const performanceFigures: ModelPerformance = {
    auc: aucKnown ? round4(m.auc) : null,
    aucInterval: aucKnown ? [round4(m.aucInterval[0]), round4(m.aucInterval[1])] : null,
    accuracy: round4((c.truePositive + c.trueNegative) / n),
    precision: round4(m.precision),
    recall: round4(m.recall),
    f1: round4(m.f1),
    conversionRate: round4((c.truePositive + c.falseNegative) / n),
    threshold: Math.round(100 * m.threshold),
    confusion: c,
    train: partOf(trainDeals, trainMoments.length, config),
    test: partOf(testDeals, testMoments.length, config),
    learner: engine.chosen,
  };
  const readiness = publishReadiness({ auc: m.auc, aucInterval: m.aucInterval });

  // Insights describe each closed deal once (per-stage: in the stage it closed in).
  const insightRows = config.perStage
    ? closed.map((h) => describeDeal({ history: h, asOf: h.deal.closedOn!, stage: h.deal.stage, stageSince: undefined }, spec))
    : [...trainRows, ...testRows];
  const insights = computeAttributeInsights(spec, insightRows, closed.map(outcome));
  const influence = config.perStage ? stageInfluence(engine, spec, trainTable, trainMoments.map((mo) => mo.stage), selection.stages) : undefined;
  const labelOf = new Map(spec.inputs.map((i) => [i.key, i.label]));
  const engineJson = engine.toJSON();
  const importance = engineJson.importance.filter((x) => labelOf.has(x.column))
    .map((x) => ({ key: x.column, label: labelOf.get(x.column)!, importance: round4(x.importance) }));

  const artifact: DealModelArtifact = {
    formatVersion: DEAL_MODEL_FORMAT_VERSION,
    trainedAt,
    config,
    spec,
    stages: selection.stages,
    insights,
    engine: engineJson,
  };
  return success({
    model: { artifact, engine },
    performance: performanceFigures,
    readiness,
    insights,
    ...(influence ? { stageInfluence: influence } : {}),
    importance,
    report: selection.report,
    notes: engineJson.notes,
    trainedAt,
    trainingSeconds: (performance.now() - t0) / 1000,
  });
}

/** Restores a stored model (JSON text or parsed) so it scores exactly as when it was trained. */
export function loadDealModel(json: unknown): Outcome<DealModel> {
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch {
      return failure("invalid_model_artifact", "the stored deal model is not JSON", "artifact");
    }
  }
  const parsed = dealModelArtifactSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return failure("invalid_model_artifact", `the stored deal model is not valid: ${issue.path.join(".")} ${issue.message}`, "artifact");
  }
  try {
    return success({ artifact: parsed.data, engine: modelFromJSON(parsed.data.engine) });
  } catch (e) {
    return failure("invalid_model_artifact", `the stored engine model cannot be restored: ${(e as Error).message}`, "artifact");
  }
}
