import {
  auc,
  defaultCandidates,
  trainModel,
  treeCandidate,
  type CandidateSpec,
  type ScoringModel,
} from "../../scoring/index.js";
import { bandHitRates } from "./bands.js";
import { scorePrior, type LearntDefinition, type OpportunityModelDefinition, type RuleDefinition } from "./definition.js";
import { alreadyPurchasedByTenant } from "./feedback.js";
import { featureKinds, featureTable, labelColumn } from "./featureTable.js";
import {
  addIssues,
  issueWarnings,
  noIssues,
  normaliseHistory,
  partnerSnapshotDates,
  stateAt,
  unknownSkuWarning,
  type TenantFeatures,
  type TenantState,
} from "./history.js";
import {
  opportunitySettingsSchema,
  type FeedbackRecord,
  type ModelId,
  type OpportunitySettings,
  type OpportunitySettingsInput,
  type TenantHistory,
} from "./inputs.js";
import { labelWindow, labelWindowEnd } from "./labels.js";
import { correctForSampling, MODEL_SET_FORMAT_VERSION, type OpportunityModelSet, type TrainedOpportunityModel } from "./modelSet.js";
import { opportunityModels } from "./models/index.js";
import { categoryOfType, type DataNeeded } from "./opportunity.js";

// Training: every model learns from the partner's own history (PRODUCT.md "History", "Labels", "Too little history").
//
// - Rows: one per tenant and snapshot t at which the model's candidate applies and the label window is complete
//   (labels.ts). Features are the state at t (history.ts). The latest snapshots, whose window is not complete yet,
//   are what scoring scores; they are never training rows (except through "already purchased" feedback, below).
// - Fewer than `minLabelsPerClass` (40) positive or negative rows: the model uses its documented prior scorecard
//   (definition.ts, each model file), basis "prior", and says how much more data it needs. So one snapshot, a
//   model with only positives or only negatives, or no usage never throws: each is a stated prior.
// - Time-ordered validation: the newest ~20 % of rows (whole snapshot dates) validate; the model that is measured
//   is trained only on rows whose label window closed by the first validation date (an embargo: no training label
//   looks into the validation period). Validation AUC and the band hit rates come from it. The model that scores is
//   then retrained on all rows with the learner that validation chose (and, for machine learning, calibrated by the
//   engine on its own held-out part), so the newest labelled months count too.
// - Above `maxTrainingRows` labelled rows, a sample is kept: per outcome the rows whose hash of (tenant, date) is
//   smallest, so the sample is the same whatever the input order and stable between refreshes; a rare outcome keeps
//   up to a tenth of the rows and its over-representation is corrected on the odds (RowSample below).
// - "Already purchased" feedback: for growth and trial models, the tenant's state at the latest snapshot on or before
//   the answer becomes (or overrides) a positive row, if the model applies to that state.
// - Rules learn nothing but their measured conversion rates per strength level (models/smbEngagement.ts, trials.ts).

export interface TrainOptions {
  /** Feedback whose "already purchased" answers become labels. */
  feedback?: readonly FeedbackRecord[];
  /** Train only these models (the set then holds only them); default all eight. */
  models?: readonly ModelId[];
}

interface Row {
  hash: number;
  /** Snapshot date t. */
  time: string;
  /** Date the label became known (window end, or the feedback's date). */
  known: string;
  features: TenantFeatures;
  label: 0 | 1;
  level?: string;
  fromFeedback: boolean;
}

/** The rows a model learns from, and how they were sampled from all labelled rows. */
interface Sampled {
  rows: Row[];
  /** Each kept positive (negative) row stands for this many labelled rows: 1 when nothing was sampled away. */
  positiveWeight: number;
  negativeWeight: number;
}

/**
 * Bottom-k samples by hash, one per outcome: uniform within an outcome, order-independent, bounded memory (each
 * pool is pruned at one and a half times the cap: eight models' pools are alive at once). Above the cap the kept rows are a uniform sample of all labelled rows, except
 * that positives are kept up to a tenth of the cap when they are rarer than that (all of them if fewer), so a rare
 * outcome is not sampled away. The over-representation is undone exactly where probabilities are read: the odds are
 * multiplied by positiveWeight / negativeWeight (the prior correction of case-control sampling) and validation
 * counts are weighted back.
 */
class RowSample {
  private pools: [Row[], Row[]] = [[], []];
  positives = 0;
  negatives = 0;
  fromFeedback = 0;
  slices = new Set<string>();
  /** Rules: firings and conversions per strength level, over all labelled rows. */
  levels = new Map<string, { firings: number; conversions: number }>();

  constructor(private readonly cap: number) {}

  add(row: Row): void {
    if (row.label) this.positives++;
    else this.negatives++;
    if (row.fromFeedback) this.fromFeedback++;
    this.slices.add(row.time);
    if (row.level !== undefined) {
      const l = this.levels.get(row.level) ?? { firings: 0, conversions: 0 };
      l.firings++;
      l.conversions += row.label;
      this.levels.set(row.level, l);
    }
    const pool = this.pools[row.label];
    pool.push(row);
    if (pool.length >= 1.5 * this.cap) keepSmallest(pool, this.cap);
  }

  finish(): Sampled {
    const total = this.positives + this.negatives;
    let keepPositives = this.positives;
    let keepNegatives = this.negatives;
    if (total > this.cap) {
      const uniform = Math.round((this.positives * this.cap) / total);
      keepPositives = Math.min(this.positives, Math.max(uniform, Math.floor(this.cap / 10)));
      keepNegatives = Math.min(this.negatives, this.cap - keepPositives);
    }
    const [negatives, positives] = this.pools;
    keepSmallest(positives, keepPositives);
    keepSmallest(negatives, keepNegatives);
    const rows = [...positives, ...negatives].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.hash - b.hash));
    return {
      rows,
      positiveWeight: keepPositives > 0 ? this.positives / keepPositives : 1,
      negativeWeight: keepNegatives > 0 ? this.negatives / keepNegatives : 1,
    };
  }
}

function keepSmallest(pool: Row[], k: number): void {
  if (pool.length <= k) return;
  pool.sort((a, b) => a.hash - b.hash);
  pool.length = k;
}

// FNV-1a, 32 bits: a stable hash of a row's identity.
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function versionOf(modelId: string, trainedAt: string): string {
  return `${modelId}.${trainedAt.replace(/[-:]/g, "").replace(/\.\d+/, "")}`;
}

/** Trains all eight models on the partner's histories. Never throws on bad data: what it could not use is a warning. */
export function trainOpportunityModels(
  histories: readonly TenantHistory[],
  settingsInput: OpportunitySettingsInput = {},
  now: Date | string = new Date(),
  options: TrainOptions = {},
): OpportunityModelSet {
  const settings = opportunitySettingsSchema.parse(settingsInput);
  const trainedAt = new Date(now).toISOString();
  const today = trainedAt.slice(0, 10);
  const partnerDates = partnerSnapshotDates(histories, today);
  const purchased = alreadyPurchasedByTenant(options.feedback ?? []);
  const selected = options.models ? opportunityModels.filter((m) => options.models!.includes(m.id)) : opportunityModels;
  const samples = new Map(selected.map((m) => [m.id, new RowSample(settings.maxTrainingRows)]));
  const issues = noIssues();
  const unknown = new Map<string, number>();

  for (const history of histories) {
    const h = normaliseHistory(history, partnerDates, today);
    addIssues(issues, h.issues);
    if (h.snapshots.length === 0) continue;
    const states: TenantState[] = h.snapshots.map((_, i) => stateAt(h, i, settings));
    const newest = states[states.length - 1];
    for (const [sku, n] of newest.unknownSkus) unknown.set(sku, (unknown.get(sku) ?? 0) + n);
    const ends = states.map((_, i) => labelWindowEnd(h, i, settings.labelHorizonMonths));
    const answers = purchased.get(h.tenant.tenantId);
    for (const model of selected) {
      const rows = new Map<number, Row>();
      for (let i = 0; i < states.length; i++) {
        const end = ends[i];
        if (end === undefined) continue;
        const candidate = model.candidate(states[i], settings);
        if (!candidate) continue;
        const label = model.label(labelWindow(h, states, i, end), settings);
        if (label === undefined) continue;
        rows.set(i, {
          hash: hashOf(`${h.tenant.tenantId}|${states[i].asOf}`),
          time: states[i].asOf,
          known: h.snapshots[end].asOf,
          features: states[i].features,
          label: label ? 1 : 0,
          ...(candidate.rule ? { level: candidate.rule.level } : {}),
          fromFeedback: false,
        });
      }
      if (answers && model.alreadyPurchasedIsLabel) {
        for (const answer of answers) {
          if (answer.modelId !== model.id) continue;
          let i = states.length - 1;
          while (i >= 0 && states[i].asOf > answer.date) i--;
          if (i < 0) continue;
          const candidate = model.candidate(states[i], settings);
          if (!candidate) continue;
          rows.set(i, {
            hash: hashOf(`${h.tenant.tenantId}|${states[i].asOf}`),
            time: states[i].asOf,
            known: answer.date,
            features: states[i].features,
            label: 1,
            ...(candidate.rule ? { level: candidate.rule.level } : {}),
            fromFeedback: true,
          });
        }
      }
      const sample = samples.get(model.id)!;
      for (const row of rows.values()) sample.add(row);
    }
  }

  const warnings = issueWarnings(issues);
  const skuWarning = unknownSkuWarning(unknown);
  if (skuWarning) warnings.push(skuWarning);
  if (partnerDates.length === 0) warnings.push("no subscription snapshots: every learnt model uses its prior");

  const models = selected.map((model) => {
    const t0 = performance.now();
    const sample = samples.get(model.id)!;
    const sampled = sample.finish();
    const trained =
      model.basis === "rule"
        ? trainRule(model, sampled, sample, settings, trainedAt)
        : sample.positives < settings.minLabelsPerClass || sample.negatives < settings.minLabelsPerClass
          ? priorModel(model, sampled, sample, settings, trainedAt)
          : learn(model, sampled, sample, settings, trainedAt);
    trained.seconds = (performance.now() - t0) / 1000;
    if (trained.basis === "prior") {
      const needed = trained.dataNeeded!;
      warnings.push(
        needed.positives + needed.negatives > 0
          ? `${model.name}: too little labelled history, using its prior (${needed.message})`
          : `${model.name}: using its prior (${trained.notes[trained.notes.length - 1] ?? "could not learn"})`,
      );
    }
    if (trained.notUseful) warnings.push(`${model.name}: the learnt model ranks no better than chance on validation; its probabilities are close to the base rate`);
    return trained;
  });

  return {
    formatVersion: MODEL_SET_FORMAT_VERSION,
    trainedAt,
    settings,
    history: {
      tenants: histories.length,
      snapshots: partnerDates.length,
      ...(partnerDates.length > 0 ? { from: partnerDates[0], to: partnerDates[partnerDates.length - 1] } : {}),
    },
    models,
    warnings,
  };
}

function base(model: OpportunityModelDefinition, sampled: Sampled, sample: RowSample, trainedAt: string) {
  const rows = sampled.rows;
  const oddsFactor = sampled.positiveWeight / sampled.negativeWeight;
  return {
    modelId: model.id,
    name: model.name,
    category: categoryOfType[model.type],
    type: model.type,
    version: versionOf(model.id, trainedAt),
    trainedAt,
    ...(rows.length > 0 ? { trainingWindow: { from: rows[0].time, to: rows[rows.length - 1].time } } : {}),
    labels: { positives: sample.positives, negatives: sample.negatives, fromFeedback: sample.fromFeedback },
    trainingRows: rows.length,
    ...(sampled.positiveWeight !== 1 || sampled.negativeWeight !== 1
      ? {
          sampling: {
            positives: rows.reduce((n, r) => n + r.label, 0),
            negatives: rows.reduce((n, r) => n + 1 - r.label, 0),
            oddsFactor,
          },
        }
      : {}),
    notUseful: false,
    seconds: 0,
    notes: [] as string[],
  };
}

function validationOf(method: "in-sample" | "untrained", rows: number, positives: number, aucValue: number) {
  return { method, rows, positives, auc: Number.isFinite(aucValue) ? aucValue : null };
}

// ---- rules ------------------------------------------------------------------------------------

function trainRule(
  model: RuleDefinition,
  sampled: Sampled,
  sample: RowSample,
  settings: OpportunitySettings,
  trainedAt: string,
): TrainedOpportunityModel {
  const k = settings.rulePriorWeight;
  const levels = model.levels.map((level) => {
    const { firings, conversions } = sample.levels.get(level.id) ?? { firings: 0, conversions: 0 };
    const probability = firings + k > 0 ? (conversions + k * level.probability) / (firings + k) : level.probability;
    return { id: level.id, description: level.description, defaultProbability: level.probability, firings, conversions, probability };
  });
  const byLevel = new Map(levels.map((l) => [l.id, l.probability]));
  const rows = sampled.rows;
  const probs = rows.map((r) => byLevel.get(r.level ?? "") ?? 0);
  const labels = rows.map((r) => r.label);
  const a = rows.length > 0 ? auc(probs, labels) : NaN;
  const firings = sample.positives + sample.negatives;
  return {
    ...base(model, sampled, sample, trainedAt),
    basis: "rule",
    learner: "rule",
    ...(firings > 0 ? { validation: validationOf("in-sample", firings, sample.positives, a) } : {}),
    bands: bandHitRates(probs, labels, settings.bands, sampled),
    rule: { levels },
    notes: [
      firings > 0
        ? `measured on ${firings} earlier firings whose outcome is known; each level's rate is shrunk towards its documented default by ${k} pseudo-firings`
        : "no earlier firings with a known outcome yet: the documented default probabilities are used",
    ],
  };
}

// ---- the prior -------------------------------------------------------------------------------

function dataNeeded(model: OpportunityModelDefinition, sample: RowSample, settings: OpportunitySettings): DataNeeded {
  const min = settings.minLabelsPerClass;
  const positives = Math.max(0, min - sample.positives);
  const negatives = Math.max(0, min - sample.negatives);
  const slices = sample.slices.size;
  let pace: string;
  if (slices === 0) {
    pace = `no labelled history yet: a label needs a subscription snapshot and another at least ${settings.labelHorizonMonths} months later`;
  } else {
    // Snapshots needed at the pace labels have come so far (labelled examples per snapshot date, per outcome).
    const slicesFor = (needed: number, have: number) => (needed > 0 ? needed / Math.max(have / slices, 1e-9) : 0);
    const perSlice = Math.max(slicesFor(positives, sample.positives), slicesFor(negatives, sample.negatives));
    pace =
      Number.isFinite(perSlice) && perSlice < 1000
        ? `at this partner's pace, about ${Math.max(1, Math.ceil(perSlice))} more monthly snapshots`
        : "none of one outcome so far, so more snapshots alone may not be enough";
  }
  return {
    positives,
    negatives,
    message: `needs ${positives} more ${model.outcome.positive} and ${negatives} more ${model.outcome.negative} (at least ${min} of each; it has ${sample.positives} and ${sample.negatives}); ${pace}`,
  };
}

function priorModel(
  model: LearntDefinition,
  sampled: Sampled,
  sample: RowSample,
  settings: OpportunitySettings,
  trainedAt: string,
): TrainedOpportunityModel {
  const rows = sampled.rows;
  const probs = rows.map((r) => scorePrior(model.prior, r.features).probability);
  const labels = rows.map((r) => r.label);
  const a = rows.length > 0 ? auc(probs, labels) : NaN;
  const labelled = sample.positives + sample.negatives;
  return {
    ...base(model, sampled, sample, trainedAt),
    basis: "prior",
    learner: "prior scorecard",
    ...(labelled > 0 ? { validation: validationOf("untrained", labelled, sample.positives, a) } : {}),
    bands: bandHitRates(probs, labels, settings.bands, sampled),
    dataNeeded: dataNeeded(model, sample, settings),
  };
}

// ---- learning ----------------------------------------------------------------------------------

function candidatesFor(model: LearntDefinition, rows: number): { candidates: CandidateSpec[]; ensemble: boolean } {
  if (model.basis === "tree") {
    // Shallow and with leaves of at least 1 % of the rows, so every path is a rule with real support.
    return { candidates: [treeCandidate({ maxDepth: 3, minSamplesLeaf: Math.max(10, Math.round(rows * 0.01)) })], ensemble: false };
  }
  return { candidates: defaultCandidates(), ensemble: true };
}

/** The learner validation chose, alone, for the final fit (an ensemble keeps its two members). */
function chosenCandidates(model: LearntDefinition, chosen: string, rows: number): { candidates: CandidateSpec[]; ensemble: boolean } {
  const all = candidatesFor(model, rows);
  if (model.basis === "tree") return all;
  if (chosen.startsWith("ensemble(")) return { candidates: all.candidates.filter((c) => c.kind === "gbdt" || c.kind === "logistic"), ensemble: true };
  const one = all.candidates.filter((c) => c.name === chosen);
  return one.length > 0 ? { candidates: one, ensemble: false } : all;
}

function fit(
  model: LearntDefinition,
  rows: readonly Row[],
  settings: OpportunitySettings,
  trainedAt: string,
  spec: { candidates: CandidateSpec[]; ensemble: boolean },
  refit: boolean | "auto" = "auto",
): ScoringModel {
  const table = featureTable(
    rows.map((r) => r.features),
    model.features,
    rows.map((r) => r.label),
  );
  return trainModel(table, {
    label: labelColumn,
    positive: "1",
    kinds: featureKinds(model.features),
    seed: settings.seed,
    createdAt: trainedAt,
    candidates: spec.candidates,
    ensemble: spec.ensemble,
    refit,
  });
}

/** Splits rows (sorted by time) into an embargoed training part and the newest ~fifth for validation. */
function timeSplit(rows: readonly Row[]): { train: Row[]; validation: Row[]; from: string } | undefined {
  const times = [...new Set(rows.map((r) => r.time))].sort();
  if (times.length < 2) return undefined;
  const target = Math.max(1, Math.round(rows.length * 0.2));
  let count = 0;
  let start = times.length;
  while (start > 1 && count < target) {
    start--;
    const t = times[start];
    for (const r of rows) if (r.time === t) count++;
  }
  const from = times[start];
  const validation = rows.filter((r) => r.time >= from);
  const train = rows.filter((r) => r.time < from && r.known <= from);
  return { train, validation, from };
}

function countLabels(rows: readonly Row[]): { positives: number; negatives: number } {
  let positives = 0;
  for (const r of rows) positives += r.label;
  return { positives, negatives: rows.length - positives };
}

function learn(
  model: LearntDefinition,
  sampled: Sampled,
  sample: RowSample,
  settings: OpportunitySettings,
  trainedAt: string,
): TrainedOpportunityModel {
  const out = base(model, sampled, sample, trainedAt);
  const rows = sampled.rows;
  const oddsFactor = sampled.positiveWeight / sampled.negativeWeight;
  try {
    const split = timeSplit(rows);
    const trainCounts = split ? countLabels(split.train) : { positives: 0, negatives: 0 };
    const validationCounts = split ? countLabels(split.validation) : { positives: 0, negatives: 0 };
    const canBacktest =
      split && trainCounts.positives >= 10 && trainCounts.negatives >= 10 && validationCounts.positives >= 1 && validationCounts.negatives >= 1;

    if (!canBacktest) {
      // Too little spread over time for a time split: the engine's own (stratified or cross-validated) validation.
      const engine = fit(model, rows, settings, trainedAt, candidatesFor(model, rows.length));
      const json = engine.toJSON();
      return {
        ...out,
        basis: model.basis,
        learner: json.chosen,
        validation: {
          method: json.split.method,
          rows: json.metrics.validation.rows,
          positives: json.metrics.validation.positives,
          auc: Number.isFinite(json.metrics.validation.auc) ? json.metrics.validation.auc : null,
        },
        bands: bandHitRates([], [], settings.bands),
        notUseful: json.notUseful,
        engine: json,
        notes: [
          "too few labelled examples on each side of a time split (at least 10 of each outcome to train, 1 of each to validate): the engine's own validation was used and band hit rates are not measured",
          ...json.notes,
        ],
      };
    }

    // The measured model only measures: no refit of the chosen learner on its whole training part (half the time).
    const measured = fit(model, split.train, settings, trainedAt, candidatesFor(model, split.train.length), false);
    const validationTable = featureTable(
      split.validation.map((r) => r.features),
      model.features,
    );
    const probs = measured.predict(validationTable).map((p) => correctForSampling(p, oddsFactor));
    const labels = split.validation.map((r) => r.label);
    const validationAuc = auc(probs, labels);
    const chosen = measured.chosen;
    const engine = fit(model, rows, settings, trainedAt, chosenCandidates(model, chosen, rows.length));
    const json = engine.toJSON();
    return {
      ...out,
      basis: model.basis,
      learner: json.chosen,
      validation: {
        method: "time",
        rows: split.validation.length,
        positives: validationCounts.positives,
        auc: Number.isFinite(validationAuc) ? validationAuc : null,
        from: split.from,
        to: split.validation[split.validation.length - 1].time,
      },
      bands: bandHitRates(probs, labels, settings.bands, sampled),
      notUseful: !(validationAuc > 0.55) || measured.notUseful,
      engine: json,
      notes: [
        `validated on ${split.validation.length} rows from ${split.from} on, trained for that on ${split.train.length} earlier rows whose outcome was known by then; the scoring model was retrained on all ${rows.length} rows`,
        ...json.notes,
      ],
    };
  } catch (error) {
    // Data the engine cannot learn from (e.g. every feature constant): the prior, with the reason.
    const prior = priorModel(model, sampled, sample, settings, trainedAt);
    prior.notes.push(`could not learn from the labelled history: ${error instanceof Error ? error.message : String(error)}`);
    return prior;
  }
}
