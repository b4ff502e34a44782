// The contract between data preparation and the learners: column-major typed arrays.
// Preparation (prepare.ts) turns CSV text or rows into a Dataset; every learner consumes one.

export type FeatureKind = "numeric" | "categorical";

export interface FeatureInfo {
  /** Name shown to users in explanations ("Intune utilisation", "contract"). */
  name: string;
  kind: FeatureKind;
  /** Categorical only: code i in the column stands for categories[i]. */
  categories?: string[];
}

export interface Dataset {
  features: FeatureInfo[];
  /**
   * One array per feature, each `rows` long.
   * numeric: the value, NaN when missing.
   * categorical: the category code 0..categories.length-1, NaN when missing or unseen at training time.
   */
  columns: Float64Array[];
  rows: number;
}

export interface LabelledDataset extends Dataset {
  /** 1 for the positive class, 0 otherwise. */
  label: Uint8Array;
}

/** What every learner produces: a model that scores in log-odds and explains additively. */
export interface TrainedLearner {
  readonly kind: LearnerKind;
  /** Raw score (log-odds of the positive class) for every row. */
  predictMargin(data: Dataset): Float64Array;
  /**
   * Per-feature contributions to one row's margin, length features.length + 1;
   * the last entry is the bias (expected value). They sum exactly (to float precision) to the margin.
   */
  contributions(data: Dataset, row: number): Float64Array;
  /** Global importance per feature (non-negative, any scale). */
  featureImportance(): Float64Array;
  /** Serialisable form; the learner's fromJSON restores an identical scorer. */
  toJSON(): LearnerJson;
}

export type LearnerKind = "gbdt" | "logistic" | "tree";

export interface LearnerJson {
  kind: LearnerKind;
  [key: string]: unknown;
}

/** Deterministic PRNG (mulberry32) so training is reproducible for a seed. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
