// Model selection: split training data into train/validation, train each candidate learner,
// keep the one with the best validation AUC, calibrate it on validation, refit it on all data.

import { createRandom, type Dataset, type LabelledDataset, type LearnerJson, type LearnerKind } from "./dataset.js";
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

export type Setting = Record<string, unknown>;

export interface FittedCandidate {
  /** Trained on one training part (the split's, or a cross-validation fold's). */
  scorer: Scorer;
  /** The setting plus what training learnt about it (e.g. GBDT's best round). */
  settings: Setting;
  /**
   * The same setting retrained on all the training data; `peers` are this setting's fits on every fold
   * (one under a single split), so learnt quantities such as the round count can be pooled.
   */
  refit(all: LabelledDataset, peers: FittedCandidate[]): Scorer;
}

export interface CandidateSpec {
  name: string;
  kind: LearnerKind;
  /** Settings tried for this learner (at least one); the best by validation AUC is kept. */
  grid(rows: number): Setting[];
  fit(train: LabelledDataset, validation: LabelledDataset, seed: number, setting: Setting): FittedCandidate;
}

/** Logistic regression; the L2 strength is a grid setting. */
export function logisticCandidate(lambdas?: number[]): CandidateSpec {
  return {
    name: "logistic",
    kind: "logistic",
    // Small data needs stronger shrinkage; large data is insensitive to it, so one fit.
    grid: (rows) => (lambdas ?? (rows < 3000 ? [1, 3, 10, 30, 100] : rows < 15000 ? [0.3, 3, 30] : [1])).map((l2) => ({ l2 })),
    fit(train, _validation, _seed, setting) {
      const l2 = setting.l2 as number;
      return { scorer: trainLogistic(train, { l2 }), settings: { l2 }, refit: (all) => trainLogistic(all, { l2 }) };
    },
  };
}

/** Gradient-boosted trees with early stopping on validation; the refit uses the best round count (mean over folds). */
export function gbdtCandidate(name: string, settings: Partial<GbdtOptions>[] | ((rows: number) => Partial<GbdtOptions>[])): CandidateSpec {
  return {
    name,
    kind: "gbdt",
    grid: (rows) => (typeof settings === "function" ? settings(rows) : settings) as Setting[],
    fit(train, validation, seed, setting) {
      const options = setting as Partial<GbdtOptions>;
      const model: GbdtModel = trainGbdt(train, { ...options, seed }, validation);
      return {
        scorer: model,
        settings: { ...options, bestIteration: model.bestIteration },
        refit: (all, peers) => {
          const rounds = Math.max(1, Math.round(peers.reduce((s, p) => s + (p.settings.bestIteration as number), 0) / peers.length));
          return trainGbdt(all, { ...options, seed, rounds, earlyStoppingRounds: 0 });
        },
      };
    },
  };
}

/** A shallow decision tree whose path reads as a rule. */
export function treeCandidate(options: Partial<DecisionTreeOptions> = {}): CandidateSpec {
  return {
    name: "tree",
    kind: "tree",
    grid: () => [options as Setting],
    fit(train) {
      const model = trainDecisionTree(train, options);
      return { scorer: model, settings: { ...options }, refit: (all) => trainDecisionTree(all, options) };
    },
  };
}

/** The default candidate set, sized to the data (small data gets shallow, regularised GBDT settings). */
export function defaultCandidates(): CandidateSpec[] {
  return [
    logisticCandidate(),
    treeCandidate(),
    gbdtCandidate("gbdt", (rows) =>
      rows < 3000
        ? [
            { maxDepth: 2, learningRate: 0.05, rounds: 400, minChildWeight: 2, subsample: 0.8, colsample: 0.6, earlyStoppingRounds: 40 },
            { maxDepth: 4, learningRate: 0.05, rounds: 400, minChildWeight: 3, subsample: 0.8, colsample: 0.6, earlyStoppingRounds: 40 },
          ]
        : // Twice xgboost's learning rate: same validation AUC on our benchmarks in half the rounds.
          [{ maxDepth: 6, learningRate: 0.1, rounds: 300, earlyStoppingRounds: 20 }],
    ),
  ];
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

/** The rows of one class, in a seeded random order (Fisher–Yates). */
function shuffledRowsOfClass(label: ArrayLike<number>, cls: 0 | 1, rnd: () => number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < label.length; i++) if ((label[i] ? 1 : 0) === cls) idx.push(i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

/** Seeded shuffled split keeping the class balance in both parts. */
export function stratifiedSplit(label: ArrayLike<number>, fraction: number, seed: number): Split {
  const rnd = createRandom(seed);
  const train: number[] = [];
  const validation: number[] = [];
  for (const cls of [0, 1] as const) {
    const idx = shuffledRowsOfClass(label, cls, rnd);
    const k = Math.max(1, Math.round(idx.length * fraction));
    validation.push(...idx.slice(0, k));
    train.push(...idx.slice(k));
  }
  return { train: Uint32Array.from(train).sort(), validation: Uint32Array.from(validation).sort(), method: "stratified" };
}

/** Seeded stratified k-fold assignment: every row is validation in exactly one fold. */
export function stratifiedFolds(label: ArrayLike<number>, k: number, seed: number): Split[] {
  const rnd = createRandom(seed);
  const fold = new Int32Array(label.length);
  for (const cls of [0, 1] as const) {
    const idx = shuffledRowsOfClass(label, cls, rnd);
    idx.forEach((row, i) => (fold[row] = i % k));
  }
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const validation: number[] = [];
    for (let i = 0; i < label.length; i++) (fold[i] === f ? validation : train).push(i);
    return { train: Uint32Array.from(train), validation: Uint32Array.from(validation), method: "stratified" as const };
  });
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
  /**
   * Without a time column, data smaller than this compares candidates by stratified k-fold cross-validation:
   * a single validation fifth of a few hundred rows is too noisy to choose between learners.
   */
  crossValidateBelowRows: number;
  folds: number;
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
  crossValidateBelowRows: 3000,
  folds: 5,
};

export interface CandidateResult {
  name: string;
  kind: ScorerKind;
  /** Validation AUC (mean over folds under cross-validation) of the candidate's best setting. */
  validationAuc: number;
  /** Log loss of the uncalibrated margins on validation (pooled over folds). */
  validationLogLoss: number;
  /** Total training time of this candidate over its settings and folds. */
  trainSeconds: number;
  settings: Setting;
  /** Every setting tried, with its validation AUC, when there was more than one. */
  grid?: { settings: Setting; validationAuc: number }[];
  chosen: boolean;
}

export interface SelectionResult {
  scorer: Scorer;
  chosen: string;
  calibrator: Calibrator;
  calibrationReason: string;
  candidates: CandidateResult[];
  split: { method: "time" | "stratified" | "cross-validation"; folds: number; trainRows: number; validationRows: number };
  /** Metrics of the calibrated winner on validation rows (out-of-fold under cross-validation). */
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

/** One candidate setting evaluated on every fold: margins on the pooled validation rows, per-fold AUCs. */
interface Evaluated {
  name: string;
  kind: ScorerKind;
  fits: FittedCandidate[];
  margins: Float64Array;
  foldAuc: number[];
  meanAuc: number;
  seconds: number;
}

function meanFoldAuc(margins: Float64Array, label: Uint8Array, bounds: number[]): number[] {
  const out: number[] = [];
  for (let f = 0; f + 1 < bounds.length; f++) out.push(auc(margins.subarray(bounds[f], bounds[f + 1]), label.subarray(bounds[f], bounds[f + 1])));
  return out;
}

/** Mean of the defined values (a fold or split with one outcome only has no AUC). */
function mean(xs: number[]): number {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length > 0 ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
}

export function selectModel(data: LabelledDataset, options: Partial<SelectOptions> = {}): SelectionResult {
  const opts = { ...DEFAULT_SELECT_OPTIONS, ...options };
  const { positives, negatives } = checkLabel(data.label, opts.minPerClass, opts.labelName);
  const notes: string[] = [];
  // Every fold needs both outcomes, so there are never more folds than examples of the rarer class.
  const folds = Math.min(opts.folds, positives, negatives);

  let splits: Split[];
  let method: SelectionResult["split"]["method"];
  if (opts.time) {
    const split = timeSplit(opts.time, opts.validationFraction);
    const vp = countPositives(split.validation.map((i) => data.label[i]));
    const tp = countPositives(split.train.map((i) => data.label[i]));
    if (vp === 0 || vp === split.validation.length || tp === 0 || tp === split.train.length) {
      notes.push("the time-ordered split left one outcome missing from a part; used a stratified random split instead");
      splits = [stratifiedSplit(data.label, opts.validationFraction, opts.seed)];
      method = "stratified";
    } else {
      splits = [split];
      method = "time";
    }
  } else if (data.rows < opts.crossValidateBelowRows && folds >= 2) {
    splits = stratifiedFolds(data.label, folds, opts.seed);
    method = "cross-validation";
    notes.push(`${data.rows} rows: candidates compared by ${folds}-fold stratified cross-validation (mean validation AUC over folds)`);
  } else {
    splits = [stratifiedSplit(data.label, opts.validationFraction, opts.seed)];
    method = "stratified";
  }
  const parts = splits.map((s) => ({ train: subsetRows(data, s.train), validation: subsetRows(data, s.validation) }));
  // Validation rows of all folds, concatenated in fold order; bounds[f]..bounds[f+1] is fold f.
  const bounds = [0];
  for (const p of parts) bounds.push(bounds[bounds.length - 1] + p.validation.rows);
  const evalLabel = new Uint8Array(bounds[bounds.length - 1]);
  parts.forEach((p, f) => evalLabel.set(p.validation.label, bounds[f]));

  const specs = opts.candidates ?? defaultCandidates();
  const results: { best: Evaluated; result: CandidateResult }[] = [];
  for (const spec of specs) {
    const tried: Evaluated[] = [];
    for (const setting of spec.grid(data.rows)) {
      const t0 = performance.now();
      const fits: FittedCandidate[] = [];
      const margins = new Float64Array(evalLabel.length);
      parts.forEach((p, f) => {
        const fit = spec.fit(p.train, p.validation, opts.seed, setting);
        fits.push(fit);
        margins.set(fit.scorer.predictMargin(p.validation), bounds[f]);
      });
      const foldAuc = meanFoldAuc(margins, evalLabel, bounds);
      tried.push({ name: spec.name, kind: spec.kind, fits, margins, foldAuc, meanAuc: mean(foldAuc), seconds: (performance.now() - t0) / 1000 });
    }
    let best = tried[0];
    for (const t of tried) if (t.meanAuc > best.meanAuc + 1e-12) best = t;
    results.push({
      best,
      result: {
        name: spec.name,
        kind: spec.kind,
        validationAuc: best.meanAuc,
        validationLogLoss: logLoss(Array.from(best.margins, sigmoid), evalLabel),
        trainSeconds: tried.reduce((s, t) => s + t.seconds, 0),
        settings: best.fits[0].settings,
        ...(tried.length > 1 ? { grid: tried.map((t) => ({ settings: t.fits[0].settings, validationAuc: t.meanAuc })) } : {}),
        chosen: false,
      },
    });
  }

  if (opts.ensemble) {
    const bestOf = (kind: ScorerKind) => results.filter((r) => r.best.kind === kind).sort((a, b) => b.best.meanAuc - a.best.meanAuc)[0]?.best;
    const lin = bestOf("logistic");
    const gb = bestOf("gbdt");
    if (lin && gb) {
      const t0 = performance.now();
      let best: { w: number; margins: Float64Array; foldAuc: number[]; meanAuc: number } | undefined;
      for (const w of [0.3, 0.5, 0.7]) {
        const m = new Float64Array(evalLabel.length);
        for (let r = 0; r < m.length; r++) m[r] = w * gb.margins[r] + (1 - w) * lin.margins[r];
        const foldAuc = meanFoldAuc(m, evalLabel, bounds);
        const meanAuc = mean(foldAuc);
        if (!best || meanAuc > best.meanAuc + 1e-12) best = { w, margins: m, foldAuc, meanAuc };
      }
      const w = best!.w;
      const rest = Number((1 - w).toFixed(2));
      const name = `ensemble(${gb.name}+${lin.name})`;
      const settings: Setting = { members: [gb.name, lin.name], weights: [w, rest] };
      const fits: FittedCandidate[] = parts.map((_, f) => ({
        scorer: new EnsembleScorer([gb.fits[f].scorer, lin.fits[f].scorer], [w, rest]),
        settings,
        refit: (all) => new EnsembleScorer([gb.fits[0].refit(all, gb.fits), lin.fits[0].refit(all, lin.fits)], [w, rest]),
      }));
      const seconds = (performance.now() - t0) / 1000;
      const ev: Evaluated = { name, kind: "ensemble", fits, margins: best!.margins, foldAuc: best!.foldAuc, meanAuc: best!.meanAuc, seconds };
      results.push({
        best: ev,
        result: {
          name,
          kind: "ensemble",
          validationAuc: ev.meanAuc,
          validationLogLoss: logLoss(Array.from(ev.margins, sigmoid), evalLabel),
          // Members are already trained; the ensemble's own cost is choosing the weight.
          trainSeconds: seconds,
          settings,
          chosen: false,
        },
      });
    }
  }

  // Highest validation AUC wins; on a tie the earlier (simpler) candidate is kept.
  let winner = results[0];
  for (const r of results) if (r.best.meanAuc > winner.best.meanAuc + 1e-12) winner = r;
  winner.result.chosen = true;
  const w = winner.best;

  const cal = fitCalibration(w.margins, evalLabel);
  const validationMetrics = evaluateProbabilities(cal.calibrator.probabilities(w.margins), evalLabel);
  const notUseful = !(w.meanAuc >= 0.55) || validationMetrics.aucInterval[0] <= 0.5;
  if (notUseful) {
    notes.push(
      `the model is not useful: validation AUC ${w.meanAuc.toFixed(3)} (95 % interval of the pooled validation AUC ${validationMetrics.aucInterval
        .map((x) => x.toFixed(3))
        .join("–")}) is not clearly better than chance`,
    );
  }

  // Cross-validated choices must be refitted (each fold's model saw only part of the data).
  const refit = method === "cross-validation" || (opts.refit === "auto" ? data.rows < opts.refitBelowRows : opts.refit);
  let scorer = w.fits[0].scorer;
  let refitSeconds = 0;
  if (refit) {
    const t0 = performance.now();
    scorer = w.fits[0].refit(data, w.fits);
    refitSeconds = (performance.now() - t0) / 1000;
    notes.push(`${w.name} retrained on all ${data.rows} training rows with the chosen settings; calibration fitted on validation margins`);
  } else {
    notes.push(`${w.name} kept as trained on the ${parts[0].train.rows}-row training split (no refit); calibration fitted on the ${parts[0].validation.rows}-row validation split`);
  }

  return {
    scorer,
    chosen: w.name,
    calibrator: cal.calibrator,
    calibrationReason: cal.reason,
    candidates: results.map((r) => r.result),
    split: {
      method,
      folds: parts.length,
      trainRows: method === "cross-validation" ? data.rows : parts[0].train.rows,
      validationRows: evalLabel.length,
    },
    validation: validationMetrics,
    notUseful,
    notes,
    refitSeconds,
  };
}
