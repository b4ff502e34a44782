// A trained model is data: preparation + chosen learner + calibration + metrics, as versioned JSON.
// trainModel learns one from a CSV or rows; scoreRows gives calibrated probabilities with explanations.

import type { Dataset } from "./dataset.js";
import { calibratorFromJSON, type CalibrationJson, type Calibrator } from "./calibration.js";
import { columnImportance, explainContributions, type ColumnImportance, type Explanation } from "./explain.js";
import { DecisionTreeModel, describeRule } from "./decisionTree.js";
import type { Metrics } from "./metrics.js";
import {
  applyPreparation,
  fitPreparation,
  toTable,
  type AppliedPreparation,
  type PrepareOptions,
  type Preparation,
  type RawRecord,
  type RawTable,
} from "./prepare.js";
import {
  scorerFromJSON,
  selectModel,
  type CandidateResult,
  type CandidateSpec,
  type Scorer,
  type ScorerJson,
  type SelectionResult,
} from "./select.js";

export const ENGINE_VERSION = "1.0.0";
export const MODEL_FORMAT_VERSION = 1;

export interface ModelJson {
  formatVersion: 1;
  engineVersion: string;
  createdAt: string;
  seed: number;
  label: { column: string; positive: string };
  preparation: Preparation;
  /** Name of the chosen candidate ("logistic", "gbdt", "ensemble(gbdt+logistic)", ...). */
  chosen: string;
  learner: ScorerJson;
  calibration: CalibrationJson;
  calibrationReason: string;
  metrics: { validation: Metrics };
  candidates: CandidateResult[];
  split: SelectionResult["split"];
  /** The model ranks no better than chance on validation. */
  notUseful: boolean;
  importance: ColumnImportance[];
  training: { rows: number; positives: number; seconds: number; prepareSeconds: number; refitSeconds: number };
  trainingWindow?: { from: string; to: string };
  notes: string[];
}

export interface ScoredRow {
  /** Calibrated probability of the positive outcome. */
  probability: number;
  /** Learner log-odds score; explanation contributions add up to it. */
  margin: number;
  explanation?: Explanation;
  /** Decision tree only: the rule (path) that led to this row's leaf. */
  rule?: string;
}

export interface ScoreOptions {
  explain?: boolean;
  /** Factors per direction in explanations. */
  top?: number;
}

export class ScoringModel {
  readonly scorer: Scorer;
  readonly calibrator: Calibrator;

  constructor(private readonly json: ModelJson, scorer?: Scorer) {
    this.scorer = scorer ?? scorerFromJSON(json.learner);
    this.calibrator = calibratorFromJSON(json.calibration);
  }

  get preparation(): Preparation {
    return this.json.preparation;
  }

  get notUseful(): boolean {
    return this.json.notUseful;
  }

  get chosen(): string {
    return this.json.chosen;
  }

  /** Prepared features (and the label when present) for rows in the training layout. */
  prepare(input: string | readonly RawRecord[] | RawTable, withLabel = false): AppliedPreparation {
    return applyPreparation(this.json.preparation, input, { withLabel });
  }

  /** Calibrated probabilities for already prepared data. */
  predictPrepared(data: Dataset): Float64Array {
    return this.calibrator.probabilities(this.scorer.predictMargin(data));
  }

  /** Calibrated probabilities for raw rows or CSV text. */
  predict(input: string | readonly RawRecord[] | RawTable): Float64Array {
    return this.predictPrepared(this.prepare(input).data);
  }

  score(input: string | readonly RawRecord[] | RawTable, options: ScoreOptions = {}): ScoredRow[] {
    const table = toTable(input);
    const { data } = this.prepare(table);
    const margins = this.scorer.predictMargin(data);
    const out: ScoredRow[] = [];
    for (let r = 0; r < data.rows; r++) {
      const row: ScoredRow = { probability: this.calibrator.probability(margins[r]), margin: margins[r] };
      if (options.explain !== false) {
        const raw: RawRecord = {};
        table.columns.forEach((c, i) => (raw[c] = table.cells[i][r]));
        row.explanation = explainContributions(this.json.preparation, this.scorer.contributions(data, r), data, r, {
          top: options.top ?? 5,
          raw,
        });
        if (this.scorer instanceof DecisionTreeModel) row.rule = describeRule(this.scorer.rulePath(data, r));
      }
      out.push(row);
    }
    return out;
  }

  toJSON(): ModelJson {
    return structuredClone(this.json);
  }
}

export interface TrainModelOptions extends PrepareOptions {
  seed?: number;
  validationFraction?: number;
  minPerClass?: number;
  candidates?: CandidateSpec[];
  ensemble?: boolean;
  refit?: boolean | "auto";
  /** Fixed creation time (ISO) for reproducible JSON; defaults to now. */
  createdAt?: string;
}

function windowValue(v: number, kind: "numeric" | "date"): string {
  return kind === "date" ? new Date(v).toISOString() : String(v);
}

/** Prepares the data, selects, calibrates and refits a learner, and returns the model. */
export function trainModel(input: string | readonly RawRecord[] | RawTable, options: TrainModelOptions): ScoringModel {
  const t0 = performance.now();
  const seed = options.seed ?? 42;
  const { preparation, data, time } = fitPreparation(input, options);
  const prepareSeconds = (performance.now() - t0) / 1000;
  const selection = selectModel(data, {
    seed,
    ...(options.validationFraction !== undefined ? { validationFraction: options.validationFraction } : {}),
    ...(options.minPerClass !== undefined ? { minPerClass: options.minPerClass } : {}),
    ...(options.candidates ? { candidates: options.candidates } : {}),
    ...(options.ensemble !== undefined ? { ensemble: options.ensemble } : {}),
    ...(options.refit !== undefined ? { refit: options.refit } : {}),
    ...(time ? { time } : {}),
    labelName: `label "${options.label}" = "${preparation.label!.positive}"`,
  });
  let positives = 0;
  for (let i = 0; i < data.rows; i++) positives += data.label[i];
  let trainingWindow: ModelJson["trainingWindow"];
  if (time && preparation.time) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of time) {
      if (Number.isFinite(t)) {
        lo = Math.min(lo, t);
        hi = Math.max(hi, t);
      }
    }
    if (lo <= hi) trainingWindow = { from: windowValue(lo, preparation.time.kind), to: windowValue(hi, preparation.time.kind) };
  }
  const json: ModelJson = {
    formatVersion: MODEL_FORMAT_VERSION,
    engineVersion: ENGINE_VERSION,
    createdAt: options.createdAt ?? new Date().toISOString(),
    seed,
    label: { column: options.label, positive: preparation.label!.positive },
    preparation,
    chosen: selection.chosen,
    learner: selection.scorer.toJSON(),
    calibration: selection.calibrator.json,
    calibrationReason: selection.calibrationReason,
    metrics: { validation: selection.validation },
    candidates: selection.candidates,
    split: selection.split,
    notUseful: selection.notUseful,
    importance: columnImportance(preparation, selection.scorer.featureImportance()),
    training: {
      rows: data.rows,
      positives,
      seconds: (performance.now() - t0) / 1000,
      prepareSeconds,
      refitSeconds: selection.refitSeconds,
    },
    ...(trainingWindow ? { trainingWindow } : {}),
    notes: [...preparation.notes, ...selection.notes],
  };
  return new ScoringModel(json, selection.scorer);
}

/** Calibrated probability and explanation for each row. */
export function scoreRows(model: ScoringModel, rows: string | readonly RawRecord[] | RawTable, options: ScoreOptions = {}): ScoredRow[] {
  return model.score(rows, options);
}

/** Restores a model from its JSON; it scores identically to the model that wrote it. */
export function modelFromJSON(json: unknown): ScoringModel {
  const j = (typeof json === "string" ? JSON.parse(json) : json) as Partial<ModelJson> | null;
  if (!j || j.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new Error(`not a scoring model JSON of format version ${MODEL_FORMAT_VERSION}`);
  }
  if (!j.preparation || !j.learner || !j.calibration) throw new Error("scoring model JSON is incomplete (preparation, learner, calibration)");
  return new ScoringModel(structuredClone(j) as ModelJson);
}
