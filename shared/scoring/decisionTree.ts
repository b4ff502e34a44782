// A shallow decision tree whose leaves are readable rules ("seats > 50 and segment is SMB"),
// grown with the same histogram machinery as the boosted trees. Each leaf scores the smoothed
// log-odds of its training positive rate, so the tree is a TrainedLearner like the others.

import type { Dataset, FeatureInfo, LabelledDataset, LearnerJson, TrainedLearner } from "./dataset.js";
import { binDataset } from "./trees/binning.js";
import { TreeEnsemble, type TreeEnsembleJson } from "./trees/ensemble.js";
import { EnsembleBuilder } from "./trees/ensembleBuilder.js";
import { TreeGrower } from "./trees/grow.js";

export interface DecisionTreeOptions {
  maxDepth: number;
  /** Minimum training rows in every leaf. */
  minSamplesLeaf: number;
  /** A split must reduce the squared error of the positive rate by more than this (in rows × rate²). */
  minSplitGain: number;
  /** Pseudo-rows at the training prior added to every leaf's positive rate, so small pure leaves do not score 0 or 1. */
  smoothing: number;
  /** Numeric bins per feature (2..255). */
  maxBins: number;
  /** Categories with fewer rows than this in a node stay on the right side of a categorical split. */
  minCategoryRows: number;
}

export const DEFAULT_DECISION_TREE_OPTIONS: DecisionTreeOptions = {
  maxDepth: 3,
  minSamplesLeaf: 20,
  minSplitGain: 0,
  smoothing: 2,
  maxBins: 255,
  minCategoryRows: 1,
};

/** One condition of a rule, already merged for all splits on the same feature along the path. */
export interface RuleCondition {
  feature: number;
  name: string;
  kind: "numeric" | "categorical";
  /** Numeric: value > lower (absent = no lower bound). */
  lower?: number;
  /** Numeric: value ≤ upper (absent = no upper bound). */
  upper?: number;
  /** Categorical: the categories that satisfy the condition. */
  categories?: string[];
  /** Categorical: the feature's other categories (to phrase the rule as an exclusion when shorter). */
  otherCategories?: string[];
  /** Whether a missing value satisfies the condition. */
  missing: boolean;
}

export interface TreeRule {
  conditions: RuleCondition[];
  text: string;
  /** Leaf probability of the positive class. */
  probability: number;
  /** Training rows in the leaf. */
  support: number;
}

export interface DecisionTreeJson extends LearnerJson {
  kind: "tree";
  version: 1;
  features: FeatureInfo[];
  prior: number;
  options: DecisionTreeOptions;
  tree: TreeEnsembleJson;
}

export class DecisionTreeModel implements TrainedLearner {
  readonly kind = "tree" as const;
  readonly ensemble: TreeEnsemble;
  /** Training positive rate. */
  readonly prior: number;
  readonly options: DecisionTreeOptions;

  constructor(ensemble: TreeEnsemble, prior: number, options: DecisionTreeOptions) {
    if (ensemble.treeCount !== 1) throw new Error("a decision tree model holds exactly one tree");
    this.ensemble = ensemble;
    this.prior = prior;
    this.options = options;
  }

  get features(): FeatureInfo[] {
    return this.ensemble.features;
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

  /** The conditions that lead one row to its leaf (missing routing is stated when it applies). */
  rulePath(data: Dataset, row: number): RuleCondition[] {
    const a = this.ensemble.arrays;
    const steps: PathStep[] = [];
    let n = a.treeStart[0];
    while (a.feature[n] >= 0) {
      const value = data.columns[a.feature[n]][row];
      const left = this.ensemble.goesLeft(n, value);
      steps.push({ node: n, left, rowMissing: this.ensemble.isMissingAt(n, value) });
      n = left ? a.left[n] : a.right[n];
    }
    return this.mergeSteps(steps);
  }

  /** Every leaf as a rule, in tree order (left to right). */
  rules(): TreeRule[] {
    const a = this.ensemble.arrays;
    const out: TreeRule[] = [];
    const walk = (node: number, steps: PathStep[]) => {
      if (a.feature[node] < 0) {
        const conditions = this.mergeSteps(steps);
        out.push({ conditions, text: describeRule(conditions), probability: sigmoid(a.value[node]), support: a.cover[node] });
        return;
      }
      walk(a.left[node], [...steps, { node, left: true, rowMissing: false }]);
      walk(a.right[node], [...steps, { node, left: false, rowMissing: false }]);
    };
    walk(a.treeStart[0], []);
    return out;
  }

  toJSON(): DecisionTreeJson {
    return { kind: "tree", version: 1, features: this.features, prior: this.prior, options: this.options, tree: this.ensemble.toJSON() };
  }

  private mergeSteps(steps: PathStep[]): RuleCondition[] {
    const a = this.ensemble.arrays;
    const byFeature = new Map<number, RuleCondition>();
    for (const step of steps) {
      const f = a.feature[step.node];
      const info = this.features[f];
      const goesMissingWay = (a.defaultLeft[step.node] === 1) === step.left;
      // Mention missing values only where they actually occurred (in training, or in this row).
      const missing = goesMissingWay && (a.missingSeen[step.node] === 1 || step.rowMissing);
      let condition = byFeature.get(f);
      if (a.categoryStart[step.node] < 0) {
        const threshold = a.threshold[step.node];
        if (!condition) {
          condition = { feature: f, name: info.name, kind: "numeric", missing: true };
          byFeature.set(f, condition);
        }
        if (step.left) condition.upper = condition.upper === undefined ? threshold : Math.min(condition.upper, threshold);
        else condition.lower = condition.lower === undefined ? threshold : Math.max(condition.lower, threshold);
        condition.missing &&= missing;
      } else {
        // Without category names, codes stand in for them.
        const names = info.categories ?? Array.from({ length: a.categoryCount[f] }, (_, c) => String(c));
        const allowed = new Set<string>();
        for (let c = 0; c < names.length; c++) if (this.ensemble.goesLeft(step.node, c) === step.left) allowed.add(names[c]);
        if (!condition) {
          condition = { feature: f, name: info.name, kind: "categorical", categories: [...allowed], missing: true };
          byFeature.set(f, condition);
        } else {
          condition.categories = (condition.categories ?? []).filter((c) => allowed.has(c));
        }
        const kept = new Set(condition.categories);
        condition.otherCategories = names.filter((c) => !kept.has(c));
        condition.missing &&= missing;
      }
    }
    return [...byFeature.values()];
  }
}

interface PathStep {
  node: number;
  left: boolean;
  rowMissing: boolean;
}

/** Reads a rule the way a seller would: `seats > 50 and Intune utilisation is missing or ≤ 0.2`. */
export function describeRule(conditions: RuleCondition[]): string {
  if (conditions.length === 0) return "all customers";
  return conditions.map(describeCondition).join(" and ");
}

function describeCondition(c: RuleCondition): string {
  if (c.kind === "numeric") {
    const hasLower = c.lower !== undefined;
    const hasUpper = c.upper !== undefined;
    if (hasLower && hasUpper && c.lower! >= c.upper!) return `${c.name} is missing`;
    let range: string;
    if (hasLower && hasUpper) range = `${formatNumber(c.lower!)} < ${c.name} ≤ ${formatNumber(c.upper!)}`;
    else if (hasUpper) range = `${c.name} ≤ ${formatNumber(c.upper!)}`;
    else if (hasLower) range = `${c.name} > ${formatNumber(c.lower!)}`;
    else return c.missing ? `${c.name} is missing` : `${c.name} is known`;
    if (!c.missing) return range;
    if (hasLower && hasUpper) return `${c.name} is missing or in (${formatNumber(c.lower!)}, ${formatNumber(c.upper!)}]`;
    return `${c.name} is missing or ${hasUpper ? "≤" : ">"} ${formatNumber(hasUpper ? c.upper! : c.lower!)}`;
  }
  const included = c.categories ?? [];
  const excluded = c.otherCategories ?? [];
  if (included.length === 0) return `${c.name} is missing`;
  if (excluded.length > 0 && excluded.length < included.length) {
    const list = excluded.length === 1 ? `not ${excluded[0]}` : `none of ${excluded.join(", ")}`;
    return c.missing ? `${c.name} is missing or ${list}` : `${c.name} is ${list}`;
  }
  const list = joinOr(included);
  return c.missing ? `${c.name} is missing or ${list}` : `${c.name} is ${list}`;
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** Thresholds are training values: integers exactly, others to four significant digits (two decimals when large). */
function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  if (Math.abs(x) >= 1000) return String(Number(x.toFixed(2)));
  return String(Number(x.toPrecision(4)));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function trainDecisionTree(train: LabelledDataset, options: Partial<DecisionTreeOptions> = {}): DecisionTreeModel {
  const opts: DecisionTreeOptions = { ...DEFAULT_DECISION_TREE_OPTIONS, ...options };
  if (!Number.isInteger(opts.maxDepth) || opts.maxDepth < 1) throw new Error("decision tree options: maxDepth must be an integer ≥ 1");
  if (!(opts.minSamplesLeaf >= 1)) throw new Error("decision tree options: minSamplesLeaf must be ≥ 1");
  if (!(opts.smoothing >= 0)) throw new Error("decision tree options: smoothing must be ≥ 0");
  const n = train.rows;
  if (n === 0) throw new Error("cannot train on an empty dataset");

  const binned = binDataset(train, { maxBins: opts.maxBins });
  let positives = 0;
  for (let i = 0; i < n; i++) positives += train.label[i] ? 1 : 0;
  const prior = positives / n;
  // Squared error on the label: gradient = prior − label, unit hessian, so the hessian sum counts rows
  // and the split gain is the reduction in squared error of the positive rate.
  const gradHess = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    gradHess[2 * i] = prior - train.label[i];
    gradHess[2 * i + 1] = 1;
  }
  const grower = new TreeGrower(binned, {
    maxDepth: opts.maxDepth,
    maxLeaves: 0,
    lambda: 0,
    // Unit hessians: hessian sums are row counts.
    minChildWeight: opts.minSamplesLeaf,
    minSplitGain: opts.minSplitGain,
    categoricalSmoothing: 0,
    minCategoryWeight: opts.minCategoryRows,
    histogramSubtraction: true,
  });
  const rows = Uint32Array.from({ length: n }, (_, i) => i);
  const features = Int32Array.from({ length: train.features.length }, (_, f) => f);
  const tree = grower.grow(gradHess, rows, n, features);

  const values = new Float64Array(tree.nodeCount);
  // Clamped prior keeps leaf log-odds finite when the training data has a single class.
  const smoothedPrior = Math.min(1 - 1e-6, Math.max(1e-6, prior));
  for (let node = 0; node < tree.nodeCount; node++) {
    if (tree.feature[node] >= 0) continue;
    let leafPositives = 0;
    for (let i = tree.begin[node]; i < tree.end[node]; i++) leafPositives += train.label[rows[i]] ? 1 : 0;
    const count = tree.end[node] - tree.begin[node];
    let rate = (leafPositives + opts.smoothing * smoothedPrior) / (count + opts.smoothing);
    rate = Math.min(1 - 1e-6, Math.max(1e-6, rate));
    values[node] = Math.log(rate / (1 - rate));
  }
  const builder = new EnsembleBuilder(binned);
  builder.addTree(tree, values, tree.rowCount);
  return new DecisionTreeModel(builder.build(train.features, 0), prior, opts);
}

export function decisionTreeFromJSON(json: unknown): DecisionTreeModel {
  const j = json as Partial<DecisionTreeJson> | null;
  if (!j || j.kind !== "tree") throw new Error("not a decision tree model");
  if (j.version !== 1) throw new Error(`unsupported decision tree model version ${String(j.version)}`);
  if (!Array.isArray(j.features) || !j.tree) throw new Error("decision tree model JSON is incomplete");
  return new DecisionTreeModel(TreeEnsemble.fromJSON(j.features, 0, j.tree), j.prior ?? 0, { ...DEFAULT_DECISION_TREE_OPTIONS, ...j.options });
}
