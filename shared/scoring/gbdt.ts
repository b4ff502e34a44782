// Histogram gradient-boosted trees for binary outcomes (logistic loss): the boosting loop, early
// stopping on a validation set, and the model it produces. The trees themselves (binning, growth,
// the ensemble, compiled scoring, TreeSHAP) live in trees/.

import {
  createRandom,
  type Dataset,
  type FeatureInfo,
  type LabelledDataset,
  type LearnerJson,
  type TrainedLearner,
} from "./dataset.js";
import { binDataset, type BinningOptions } from "./trees/binning.js";
import { TreeEnsemble, type TreeEnsembleJson } from "./trees/ensemble.js";
import { EnsembleBuilder, rawGoesLeft } from "./trees/ensembleBuilder.js";
import { grownLeafOf, TreeGrower } from "./trees/grow.js";

// ---------------------------------------------------------------------------------------------
// Options

export interface GbdtOptions {
  /** Boosting rounds at most (trees, unless early stopping ends sooner). */
  rounds: number;
  /** Maximum tree depth; 0 means unlimited (then maxLeaves bounds the tree). */
  maxDepth: number;
  /** Maximum leaves per tree; 0 means 2^maxDepth. */
  maxLeaves: number;
  learningRate: number;
  /** L2 regularisation on leaf values. */
  lambda: number;
  /** Minimum hessian sum in each child of a split. */
  minChildWeight: number;
  /** A split must improve the regularised loss by more than this. */
  minSplitGain: number;
  /** Fraction of rows sampled (without replacement) for each tree. */
  subsample: number;
  /** Fraction of features sampled for each tree. */
  colsample: number;
  /** Stop after this many rounds without a better validation log loss (needs a validation set; 0 = off). */
  earlyStoppingRounds: number;
  /** Numeric bins per feature (2..255). */
  maxBins: number;
  /** Pseudo-hessian added when ordering categories by gradient/hessian, so rare categories do not lead the order. */
  categoricalSmoothing: number;
  /** Categories with less hessian than this in a node are not ordered and stay on the right side of a categorical split. */
  minCategoryWeight: number;
  /** Build only the smaller child's histogram and derive the larger one as parent − smaller. */
  histogramSubtraction: boolean;
  seed: number;
}

export const DEFAULT_GBDT_OPTIONS: GbdtOptions = {
  rounds: 300,
  maxDepth: 6,
  maxLeaves: 0,
  learningRate: 0.05,
  lambda: 1,
  minChildWeight: 1,
  minSplitGain: 0,
  subsample: 1,
  colsample: 1,
  earlyStoppingRounds: 30,
  maxBins: 255,
  categoricalSmoothing: 10,
  minCategoryWeight: 1,
  histogramSubtraction: true,
  seed: 1,
};

// ---------------------------------------------------------------------------------------------
// Boosting

export interface GbdtJson extends LearnerJson {
  kind: "gbdt";
  version: 1;
  features: FeatureInfo[];
  baseScore: number;
  bestIteration: number;
  roundsTrained: number;
  options: GbdtOptions;
  trees: TreeEnsembleJson;
}

export class GbdtModel implements TrainedLearner {
  readonly kind = "gbdt" as const;
  readonly ensemble: TreeEnsemble;
  /** Log-odds of the training prior: the margin before any tree. */
  readonly baseScore: number;
  /** Trees kept (the best validation iteration when early stopping ran). */
  readonly bestIteration: number;
  /** Rounds actually boosted before stopping. */
  readonly roundsTrained: number;
  readonly options: GbdtOptions;

  constructor(ensemble: TreeEnsemble, baseScore: number, bestIteration: number, roundsTrained: number, options: GbdtOptions) {
    this.ensemble = ensemble;
    this.baseScore = baseScore;
    this.bestIteration = bestIteration;
    this.roundsTrained = roundsTrained;
    this.options = options;
  }

  get features(): FeatureInfo[] {
    return this.ensemble.features;
  }

  get treeCount(): number {
    return this.ensemble.treeCount;
  }

  predictMargin(data: Dataset): Float64Array {
    return this.ensemble.predictMargin(data);
  }

  contributions(data: Dataset, row: number): Float64Array {
    return this.ensemble.contributions(data, row);
  }

  featureImportance(): Float64Array {
    return this.ensemble.featureImportance();
  }

  toJSON(): GbdtJson {
    return {
      kind: "gbdt",
      version: 1,
      features: this.features,
      baseScore: this.baseScore,
      bestIteration: this.bestIteration,
      roundsTrained: this.roundsTrained,
      options: this.options,
      trees: this.ensemble.toJSON(),
    };
  }
}

export function gbdtFromJSON(json: unknown): GbdtModel {
  const j = json as Partial<GbdtJson> | null;
  if (!j || j.kind !== "gbdt") throw new Error("not a gbdt model");
  if (j.version !== 1) throw new Error(`unsupported gbdt model version ${String(j.version)}`);
  if (!Array.isArray(j.features) || typeof j.baseScore !== "number" || !j.trees) throw new Error("gbdt model JSON is incomplete");
  const ensemble = TreeEnsemble.fromJSON(j.features, j.baseScore, j.trees);
  return new GbdtModel(
    ensemble,
    j.baseScore,
    j.bestIteration ?? ensemble.treeCount,
    j.roundsTrained ?? ensemble.treeCount,
    { ...DEFAULT_GBDT_OPTIONS, ...j.options },
  );
}

export function trainGbdt(train: LabelledDataset, options: Partial<GbdtOptions> = {}, validation?: LabelledDataset): GbdtModel {
  const opts: GbdtOptions = { ...DEFAULT_GBDT_OPTIONS, ...options };
  validateOptions(opts);
  const n = train.rows;
  if (n === 0) throw new Error("cannot train on an empty dataset");
  if (validation && validation.features.length !== train.features.length) {
    throw new Error("validation data has different features from training data");
  }
  const binningOptions: Partial<BinningOptions> = { maxBins: opts.maxBins };
  const binned = binDataset(train, binningOptions);
  const grower = new TreeGrower(binned, opts);
  const builder = new EnsembleBuilder(binned);
  const random = createRandom(opts.seed);
  const label = train.label;

  let positives = 0;
  for (let i = 0; i < n; i++) positives += label[i] ? 1 : 0;
  // Clamp so an all-one-class sample still has a finite prior.
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, positives / n));
  const baseScore = Math.log(prior / (1 - prior));

  const margin = new Float64Array(n).fill(baseScore);
  // e^-margin per row, updated by one multiplication per leaf instead of one exp per row and round.
  const expNegMargin = new Float64Array(n).fill(Math.exp(-baseScore));
  // Interleaved gradient and hessian per row, in single precision as LightGBM keeps them:
  // histogram sums are accumulated in double, and half the memory traffic speeds up histogram building.
  const gradHess = new Float32Array(2 * n);
  const rows = new Uint32Array(n);
  const inSample = new Uint8Array(n);
  const F = train.features.length;
  const allFeatures = Int32Array.from({ length: F }, (_, f) => f);
  const featuresPerTree = Math.max(1, Math.round(F * opts.colsample));

  const validationMargin = validation ? new Float64Array(validation.rows).fill(baseScore) : null;
  let bestLoss = Infinity;
  let bestIteration = 0;
  let roundsTrained = 0;

  for (let round = 0; round < opts.rounds; round++) {
    for (let i = 0; i < n; i++) {
      let e = expNegMargin[i];
      // Saturated (0 or ∞) products cannot follow the margin back: recompute those from the margin.
      if (!(e > 1e-300 && e < 1e300)) {
        e = Math.exp(-margin[i]);
        expNegMargin[i] = e;
      }
      const p = 1 / (1 + e);
      gradHess[2 * i] = p - label[i];
      // Floor keeps leaf values finite when the model is already confident.
      gradHess[2 * i + 1] = Math.max(p * (1 - p), 1e-16);
    }
    let rowCount = 0;
    if (opts.subsample < 1) {
      for (let i = 0; i < n; i++) {
        const take = random() < opts.subsample;
        inSample[i] = take ? 1 : 0;
        if (take) rows[rowCount++] = i;
      }
      if (rowCount === 0) {
        rows[rowCount++] = 0;
        inSample[0] = 1;
      }
    } else {
      for (let i = 0; i < n; i++) rows[i] = i;
      rowCount = n;
    }
    const features = featuresPerTree < F ? sampleFeatures(F, featuresPerTree, random) : allFeatures;

    const tree = grower.grow(gradHess, rows, rowCount, features);
    const values = new Float64Array(tree.nodeCount);
    for (let node = 0; node < tree.nodeCount; node++) {
      values[node] = tree.feature[node] < 0 ? (-tree.gradSum[node] / (tree.hessSum[node] + opts.lambda)) * opts.learningRate : 0;
    }
    const factors = new Float64Array(tree.nodeCount);
    for (let node = 0; node < tree.nodeCount; node++) {
      if (tree.feature[node] >= 0) continue;
      const v = values[node];
      const factor = Math.exp(-v);
      factors[node] = factor;
      for (let i = tree.begin[node]; i < tree.end[node]; i++) {
        const r = rows[i];
        margin[r] += v;
        expNegMargin[r] *= factor;
      }
    }
    if (rowCount < n) {
      // The same update for rows left out of the sample, whose leaf is found by walking the tree.
      for (let i = 0; i < n; i++) {
        if (inSample[i]) continue;
        const leaf = grownLeafOf(tree, binned.codes, i);
        margin[i] += values[leaf];
        expNegMargin[i] *= factors[leaf];
      }
    }
    builder.addTree(tree, values, tree.hessSum);
    roundsTrained = round + 1;

    if (validation && validationMargin && opts.earlyStoppingRounds > 0) {
      const loss = addTreeAndLogLoss(builder, validation, validationMargin);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestIteration = round + 1;
      } else if (round + 1 - bestIteration >= opts.earlyStoppingRounds) {
        break;
      }
    } else {
      bestIteration = round + 1;
    }
  }
  builder.truncate(bestIteration);
  return new GbdtModel(builder.build(train.features, baseScore), baseScore, bestIteration, roundsTrained, opts);
}

/** Adds the newest tree's scores to the validation margins and returns the validation log loss. */
function addTreeAndLogLoss(builder: EnsembleBuilder, validation: LabelledDataset, margin: Float64Array): number {
  const t = builder.treeCount - 1;
  const start = builder.treeStart[t];
  const feature = builder.feature;
  let loss = 0;
  for (let r = 0; r < validation.rows; r++) {
    let n = start;
    while (feature[n] >= 0) {
      const v = validation.columns[feature[n]][r];
      n = rawGoesLeft(builder, n, v) ? builder.left[n] : builder.right[n];
    }
    margin[r] += builder.value[n];
    const m = margin[r];
    // log(1 + e^-m) for positives, log(1 + e^m) for negatives, computed without overflow.
    const z = validation.label[r] ? -m : m;
    loss += z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }
  return loss / Math.max(1, validation.rows);
}

function sampleFeatures(F: number, k: number, random: () => number): Int32Array {
  const all = Int32Array.from({ length: F }, (_, f) => f);
  // Partial Fisher–Yates: the first k entries are a uniform sample.
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (F - i));
    const tmp = all[i];
    all[i] = all[j];
    all[j] = tmp;
  }
  return all.subarray(0, k).sort();
}

function validateOptions(o: GbdtOptions): void {
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new Error(`gbdt options: ${message}`);
  };
  check(Number.isInteger(o.rounds) && o.rounds >= 1, "rounds must be an integer ≥ 1");
  check(Number.isInteger(o.maxDepth) && o.maxDepth >= 0, "maxDepth must be an integer ≥ 0");
  check(Number.isInteger(o.maxLeaves) && o.maxLeaves >= 0, "maxLeaves must be an integer ≥ 0");
  check(o.maxDepth > 0 || o.maxLeaves > 0, "set maxDepth or maxLeaves");
  check(o.learningRate > 0, "learningRate must be > 0");
  check(o.lambda >= 0, "lambda must be ≥ 0");
  check(o.minChildWeight >= 0, "minChildWeight must be ≥ 0");
  check(o.minCategoryWeight >= 0, "minCategoryWeight must be ≥ 0");
  check(o.minSplitGain >= 0, "minSplitGain must be ≥ 0");
  check(o.subsample > 0 && o.subsample <= 1, "subsample must be in (0, 1]");
  check(o.colsample > 0 && o.colsample <= 1, "colsample must be in (0, 1]");
  check(Number.isInteger(o.earlyStoppingRounds) && o.earlyStoppingRounds >= 0, "earlyStoppingRounds must be an integer ≥ 0");
  check(o.maxBins >= 2 && o.maxBins <= 255, "maxBins must be in 2..255");
}
