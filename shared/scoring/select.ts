// Model selection: split training data into train/validation, train each candidate learner,
// keep the one with the best validation AUC, calibrate it on validation, refit it on all data.

import { createRandom, type Dataset, type LabelledDataset, type LearnerJson, type LearnerKind, type TrainedLearner } from "./dataset.js";
import { fitCalibration, type Calibrator } from "./calibration.js";
import { logisticFromJSON, trainLogistic } from "./logistic.js";
import { auc, evaluateProbabilities, logLoss, sigmoid, type Metrics } from "./metrics.js";
import { subsetRows } from "./prepare.js";
import { gbdtFromJSON, trainGbdt, type GbdtModel, type GbdtOptions } from "./gbdt.js";
import { decisionTreeFromJSON, trainDecisionTree, type DecisionTreeOptions } from "./decisionTree.js";

// ---------------------------------------------------------------- errors

export class TrainingDataError extends Error {
  constructor(
    message: string,
    readonly positives: number,
    readonly negatives: number,
  ) {
    super(message);
    this.name = "TrainingDataError";
  }
}

/** Every example has the same label: there is nothing to learn. */
export class ConstantLabelError extends TrainingDataError {
  constructor(positives: number, negatives: number, labelName = "label") {
    super(
      `the ${labelName} is constant (${positives} positive, ${negatives} negative examples): a model needs both outcomes to learn from`,
      positives,
      negatives,
    );
    this.name = "ConstantLabelError";
  }
}

/** Fewer examples of a class than the minimum. */
export class TooFewExamplesError extends TrainingDataError {
  constructor(
    positives: number,
    negatives: number,
    readonly minPerClass: number,
  ) {
    super(
      `too few examples to train: ${positives} positive and ${negatives} negative, at least ${minPerClass} of each are needed`,
      positives,
      negatives,
    );
    this.name = "TooFewExamplesError";
  }
}

// ---------------------------------------------------------------- scorers (learners and ensembles)

export type ScorerKind = LearnerKind | "ensemble";

export interface EnsembleJson {
  kind: "ensemble";
  version: 1;
  /** Weighted mean of member margins; weights sum to 1. */
  weights: number[];
  members: LearnerJson[];
}

export type ScorerJson = LearnerJson | EnsembleJson;

/** A learner or an ensemble of learners: scores in log-odds and explains additively. */
export interface Scorer {
  readonly kind: ScorerKind;
  predictMargin(data: Dataset): Float64Array;
  contributions(data: Dataset, row: number): Float64Array;
  featureImportance(): Float64Array;
  toJSON(): ScorerJson;
}

/** Weighted average of member margins; contributions are the same weighted average, so they stay additive. */
export class EnsembleScorer implements Scorer {
  readonly kind = "ensemble" as const;
  constructor(
    readonly members: Scorer[],
    readonly weights: number[],
  ) {}

  predictMargin(data: Dataset): Float64Array {
    const out = new Float64Array(data.rows);
    this.members.forEach((m, k) => {
      const w = this.weights[k];
      const mm = m.predictMargin(data);
      for (let r = 0; r < data.rows; r++) out[r] += w * mm[r];
    });
    return out;
  }

  contributions(data: Dataset, row: number): Float64Array {
    const out = new Float64Array(data.features.length + 1);
    this.members.forEach((m, k) => {
      const c = m.contributions(data, row);
      for (let i = 0; i < out.length; i++) out[i] += this.weights[k] * c[i];
    });
    return out;
  }

  featureImportance(): Float64Array {
    // Members measure importance on different scales; normalise each before weighting.
    let out: Float64Array | undefined;
    this.members.forEach((m, k) => {
      const imp = m.featureImportance();
      const total = imp.reduce((a, b) => a + b, 0) || 1;
      out ??= new Float64Array(imp.length);
      for (let i = 0; i < imp.length; i++) out[i] += (this.weights[k] * imp[i]) / total;
    });
    return out ?? new Float64Array(0);
  }

  toJSON(): EnsembleJson {
    return { kind: "ensemble", version: 1, weights: [...this.weights], members: this.members.map((m) => m.toJSON() as LearnerJson) };
  }
}

/** Restores any scorer from its JSON (logistic, gbdt, tree or ensemble). */
export function scorerFromJSON(json: unknown): Scorer {
  const kind = (json as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case "logistic":
      return logisticFromJSON(json);
    case "gbdt":
      return gbdtFromJSON(json);
    case "tree":
      return decisionTreeFromJSON(json);
    case "ensemble": {
      const j = json as EnsembleJson;
      if (j.version !== 1 || !Array.isArray(j.members) || j.members.length !== j.weights?.length) {
        throw new Error("not an ensemble JSON (version 1, members and weights)");
      }
      return new EnsembleScorer(j.members.map(scorerFromJSON), [...j.weights]);
    }
    default:
      throw new Error(`unknown learner kind ${JSON.stringify(kind)}`);
  }
}

// ---------------------------------------------------------------- candidates

export interface FittedCandidate {
  /** Trained on the training split only. */
  scorer: Scorer;
  settings: Record<string, unknown>;
  /** The same settings retrained on all the training data. */
  refit(all: LabelledDataset): Scorer;
}

export interface CandidateSpec {
  name: string;
  kind: LearnerKind;
  fit(train: LabelledDataset, validation: LabelledDataset, seed: number): FittedCandidate;
}

/** Logistic regression with the L2 strength chosen on validation AUC from a small grid. */
export function logisticCandidate(grid?: number[]): CandidateSpec {
  return {
    name: "logistic",
    kind: "logistic",
    fit(train, validation) {
      // Small data needs stronger shrinkage; large data is insensitive, so fewer fits.
      const lambdas = grid ?? (train.rows < 3000 ? [1, 3, 10, 30, 100] : train.rows < 15000 ? [0.3, 3, 30] : [1]);
      let best: { l2: number; auc: number; model: TrainedLearner } | undefined;
      for (const l2 of lambdas) {
        const model = trainLogistic(train, { l2 });
        const a = auc(model.predictMargin(validation), validation.label);
        if (!best || a > best.auc + 1e-9) best = { l2, auc: a, model };
      }
      const l2 = best!.l2;
      return { scorer: best!.model, settings: { l2, grid: lambdas }, refit: (all) => trainLogistic(all, { l2 }) };
    },
  };
}

/** Gradient-boosted trees with early stopping on validation; the refit uses the best round count. */
export function gbdtCandidate(name: string, options: Partial<GbdtOptions>): CandidateSpec {
  return {
    name,
    kind: "gbdt",
    fit(train, validation, seed) {
      const model: GbdtModel = trainGbdt(train, { ...options, seed }, validation);
      const rounds = Math.max(1, model.bestIteration);
      const settings = { ...options, bestIteration: model.bestIteration, roundsTrained: model.roundsTrained };
      return {
        scorer: model,
        settings,
        refit: (all) => trainGbdt(all, { ...options, seed, rounds, earlyStoppingRounds: 0 }),
      };
    },
  };
}

/** A shallow decision tree whose path reads as a rule. */
export function treeCandidate(options: Partial<DecisionTreeOptions> = {}): CandidateSpec {
  return {
    name: "tree",
    kind: "tree",
    fit(train) {
      const model = trainDecisionTree(train, options);
      return { scorer: model, settings: { ...options }, refit: (all) => trainDecisionTree(all, options) };
    },
  };
}

/** The default candidate set, sized to the data (small data gets a shallow, regularised GBDT too). */
export function defaultCandidates(rows: number): CandidateSpec[] {
  const list: CandidateSpec[] = [logisticCandidate(), treeCandidate()];
  if (rows < 3000) {
    list.push(gbdtCandidate("gbdt-small", { maxDepth: 3, learningRate: 0.05, rounds: 400, minChildWeight: 2, subsample: 0.8, colsample: 0.6, earlyStoppingRounds: 40 }));
  } else {
    list.push(gbdtCandidate("gbdt", { maxDepth: 6, learningRate: 0.05, rounds: 300, earlyStoppingRounds: 30 }));
  }
  return list;
}

// ---------------------------------------------------------------- splitting

export interface Split {
  train: Uint32Array;
  validation: Uint32Array;
  method: "time" | "stratified";
}

/** Oldest (1 − fraction) by time train, newest validate; rows with no time count as oldest. */
export function timeSplit(time: ArrayLike<number>, fraction: number): Split {
  const n = time.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const ta = Number.isFinite(time[a]) ? time[a] : -Infinity;
    const tb = Number.isFinite(time[b]) ? time[b] : -Infinity;
    return ta - tb || a - b;
  });
  const cut = n - Math.max(1, Math.round(n * fraction));
  return {
    train: Uint32Array.from(order.slice(0, cut)).sort(),
    validation: Uint32Array.from(order.slice(cut)).sort(),
    method: "time",
  };
}

/** Seeded shuffled split keeping the class balance in both parts. */
export function stratifiedSplit(label: ArrayLike<number>, fraction: number, seed: number): Split {
  const rnd = createRandom(seed);
  const train: number[] = [];
  const validation: number[] = [];
  for (const cls of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < label.length; i++) if ((label[i] ? 1 : 0) === cls) idx.push(i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    const k = Math.max(1, Math.round(idx.length * fraction));
    validation.push(...idx.slice(0, k));
    train.push(...idx.slice(k));
  }
  return { train: Uint32Array.from(train).sort(), validation: Uint32Array.from(validation).sort(), method: "stratified" };
}

// ---------------------------------------------------------------- selection

export interface SelectOptions {
  seed: number;
  validationFraction: number;
  minPerClass: number;
  /** Per-row time for a time-ordered split. */
  time?: Float64Array;
  candidates?: CandidateSpec[];
  /** Try a margin-averaged ensemble of the best logistic and the best GBDT. */
  ensemble: boolean;
  /**
   * Retrain the chosen learner on train + validation with the chosen settings. "auto" refits below
   * `refitBelowRows` rows, where the validation fifth is worth having; above, the gain is small and training time doubles.
   */
  refit: boolean | "auto";
  refitBelowRows: number;
  /** Name of the label for error messages. */
  labelName?: string;
}

export const DEFAULT_SELECT_OPTIONS: SelectOptions = {
  seed: 42,
  validationFraction: 0.2,
  minPerClass: 10,
  ensemble: true,
  refit: "auto",
  refitBelowRows: 20000,
};

export interface CandidateResult {
  name: string;
  kind: ScorerKind;
  validationAuc: number;
  /** Log loss of the uncalibrated margins on validation. */
  validationLogLoss: number;
  trainSeconds: number;
  settings: Record<string, unknown>;
  chosen: boolean;
}

export interface SelectionResult {
  scorer: Scorer;
  chosen: string;
  calibrator: Calibrator;
  calibrationReason: string;
  candidates: CandidateResult[];
  split: { method: "time" | "stratified"; trainRows: number; validationRows: number };
  /** Metrics of the calibrated, train-split model on validation. */
  validation: Metrics;
  notUseful: boolean;
  notes: string[];
  refitSeconds: number;
}

export function checkLabel(label: ArrayLike<number>, minPerClass: number, labelName?: string): { positives: number; negatives: number } {
  let positives = 0;
  for (let i = 0; i < label.length; i++) positives += label[i] ? 1 : 0;
  const negatives = label.length - positives;
  if (positives === 0 || negatives === 0) throw new ConstantLabelError(positives, negatives, labelName);
  if (positives < minPerClass || negatives < minPerClass) throw new TooFewExamplesError(positives, negatives, minPerClass);
  return { positives, negatives };
}

function countPositives(label: ArrayLike<number>): number {
  let p = 0;
  for (let i = 0; i < label.length; i++) p += label[i] ? 1 : 0;
  return p;
}

export function selectModel(data: LabelledDataset, options: Partial<SelectOptions> = {}): SelectionResult {
  const opts = { ...DEFAULT_SELECT_OPTIONS, ...options };
  checkLabel(data.label, opts.minPerClass, opts.labelName);
  const notes: string[] = [];

  let split = opts.time ? timeSplit(opts.time, opts.validationFraction) : stratifiedSplit(data.label, opts.validationFraction, opts.seed);
  let train = subsetRows(data, split.train);
  let validation = subsetRows(data, split.validation);
  if (split.method === "time") {
    const vp = countPositives(validation.label);
    const tp = countPositives(train.label);
    if (vp === 0 || vp === validation.rows || tp === 0 || tp === train.rows) {
      notes.push("the time-ordered split left one outcome missing from a part; used a stratified random split instead");
      split = stratifiedSplit(data.label, opts.validationFraction, opts.seed);
      train = subsetRows(data, split.train);
      validation = subsetRows(data, split.validation);
    }
  }

  const specs = opts.candidates ?? defaultCandidates(data.rows);
  type Fitted = { spec: { name: string; kind: ScorerKind }; fitted: FittedCandidate; margins: Float64Array; result: CandidateResult };
  const fitted: Fitted[] = [];
  for (const spec of specs) {
    const t0 = performance.now();
    const f = spec.fit(train, validation, opts.seed);
    const trainSeconds = (performance.now() - t0) / 1000;
    const margins = f.scorer.predictMargin(validation);
    fitted.push({
      spec,
      fitted: f,
      margins,
      result: {
        name: spec.name,
        kind: spec.kind,
        validationAuc: auc(margins, validation.label),
        validationLogLoss: logLoss(Array.from(margins, sigmoid), validation.label),
        trainSeconds,
        settings: f.settings,
        chosen: false,
      },
    });
  }

  if (opts.ensemble) {
    const bestOf = (kind: ScorerKind) =>
      fitted.filter((f) => f.spec.kind === kind).sort((a, b) => b.result.validationAuc - a.result.validationAuc)[0];
    const lin = bestOf("logistic");
    const gb = bestOf("gbdt");
    if (lin && gb) {
      const t0 = performance.now();
      let best: { w: number; auc: number; margins: Float64Array } | undefined;
      for (const w of [0.3, 0.5, 0.7]) {
        const m = new Float64Array(validation.rows);
        for (let r = 0; r < m.length; r++) m[r] = w * gb.margins[r] + (1 - w) * lin.margins[r];
        const a = auc(m, validation.label);
        if (!best || a > best.auc + 1e-9) best = { w, auc: a, margins: m };
      }
      const w = best!.w;
      const members = [gb.fitted, lin.fitted];
      const rest = Number((1 - w).toFixed(2));
      const name = `ensemble(${gb.spec.name}+${lin.spec.name})`;
      fitted.push({
        spec: { name, kind: "ensemble" },
        fitted: {
          scorer: new EnsembleScorer([gb.fitted.scorer, lin.fitted.scorer], [w, rest]),
          settings: { members: [gb.spec.name, lin.spec.name], weights: [w, rest] },
          refit: (all) => new EnsembleScorer(members.map((m) => m.refit(all)), [w, rest]),
        },
        margins: best!.margins,
        result: {
          name,
          kind: "ensemble",
          validationAuc: best!.auc,
          validationLogLoss: logLoss(Array.from(best!.margins, sigmoid), validation.label),
          // Members are already trained; the ensemble's own cost is choosing the weight.
          trainSeconds: (performance.now() - t0) / 1000,
          settings: { members: [gb.spec.name, lin.spec.name], weights: [w, rest] },
          chosen: false,
        },
      });
    }
  }

  // Highest validation AUC wins; on a tie the earlier (simpler) candidate is kept.
  let winner = fitted[0];
  for (const f of fitted) if (f.result.validationAuc > winner.result.validationAuc + 1e-12) winner = f;
  winner.result.chosen = true;

  const cal = fitCalibration(winner.margins, validation.label);
  const validationMetrics = evaluateProbabilities(cal.calibrator.probabilities(winner.margins), validation.label);
  const notUseful = !(validationMetrics.auc >= 0.55) || validationMetrics.aucInterval[0] <= 0.5;
  if (notUseful) {
    notes.push(
      `the model is not useful: validation AUC ${validationMetrics.auc.toFixed(3)} (95 % interval ${validationMetrics.aucInterval
        .map((x) => x.toFixed(3))
        .join("–")}) is not clearly better than chance`,
    );
  }

  let scorer = winner.fitted.scorer;
  let refitSeconds = 0;
  const refit = opts.refit === "auto" ? data.rows < opts.refitBelowRows : opts.refit;
  if (refit) {
    const t0 = performance.now();
    scorer = winner.fitted.refit(data);
    refitSeconds = (performance.now() - t0) / 1000;
    notes.push(`${winner.spec.name} retrained on all ${data.rows} training rows with the chosen settings; calibration fitted on the validation split`);
  } else {
    notes.push(`${winner.spec.name} kept as trained on the ${train.rows}-row training split (no refit); calibration fitted on the ${validation.rows}-row validation split`);
  }

  return {
    scorer,
    chosen: winner.spec.name,
    calibrator: cal.calibrator,
    calibrationReason: cal.reason,
    candidates: fitted.map((f) => f.result),
    split: { method: split.method, trainRows: train.rows, validationRows: validation.rows },
    validation: validationMetrics,
    notUseful,
    notes,
    refitSeconds,
  };
}
