// The tree ensemble every tree learner produces: every tree's nodes in one set of typed arrays,
// scored on raw feature values (by the compiled layouts in compiled.ts), explained by TreeSHAP
// (treeShap.ts), and stored as JSON. Margin = bias + Σ each tree's leaf value.

import type { Dataset, FeatureInfo } from "../dataset.js";
import { compileScorer, type CompiledScorer } from "./compiled.js";
import { addTabulatedTreeShap, addTreeShap, expectedValue, ShapScratch, tabulateShap, treeDepth, type ShapTables } from "./treeShap.js";

/** Serialised ensemble arrays (plain numbers; thresholds that are not finite are written as strings). */
export interface TreeEnsembleJson {
  categoryCount: number[];
  treeStart: number[];
  feature: number[];
  threshold: (number | string)[];
  left: number[];
  right: number[];
  defaultLeft: number[];
  missingSeen: number[];
  categoryStart: number[];
  categoryWords: number[];
  categoryBits: number[];
  value: number[];
  cover: number[];
  gain: number[];
}

export interface TreeEnsembleArrays {
  /** Per feature: category codes the model knows (0 for numeric); other codes are routed as missing. */
  categoryCount: Int32Array;
  /** First node of each tree; tree t owns nodes [treeStart[t], treeStart[t + 1]). */
  treeStart: Int32Array;
  /** Split feature, -1 for leaves. */
  feature: Int32Array;
  /** Numeric splits: values ≤ threshold go left. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Where missing values (and unknown category codes) go. */
  defaultLeft: Uint8Array;
  /** Whether training rows with a missing value reached the split (only affects rule wording). */
  missingSeen: Uint8Array;
  /** Categorical splits: first word of the left-category bitset in categoryBits; -1 for numeric. */
  categoryStart: Int32Array;
  categoryWords: Int32Array;
  categoryBits: Uint32Array;
  /** Leaf margin contribution (0 for internal nodes). */
  value: Float64Array;
  /** Training weight reaching the node: hessian sum (boosting) or rows (decision tree). */
  cover: Float64Array;
  /** Split gain (0 for leaves). */
  gain: Float64Array;
}

/** An additive tree ensemble in log-odds: margin = bias + Σ tree leaf values. */
export class TreeEnsemble {
  readonly features: FeatureInfo[];
  readonly bias: number;
  readonly arrays: TreeEnsembleArrays;
  private expected: Float64Array | null = null;
  private maxDepthCache = -1;
  private scorer: CompiledScorer | null = null;
  private shapScratch: ShapScratch | null = null;
  private shapGoesLeft: Uint8Array | null = null;
  private shapTables: { tables: ShapTables; tabulated: Uint8Array } | null = null;

  constructor(features: FeatureInfo[], bias: number, arrays: TreeEnsembleArrays) {
    this.features = features;
    this.bias = bias;
    this.arrays = arrays;
    if (arrays.categoryCount.length !== features.length) throw new Error("tree ensemble: categoryCount must have one entry per feature");
  }

  get treeCount(): number {
    return this.arrays.treeStart.length;
  }

  /** Next node for a raw value at an internal node. */
  childFor(node: number, value: number): number {
    const a = this.arrays;
    return this.goesLeft(node, value) ? a.left[node] : a.right[node];
  }

  /** Whether a value takes the missing-value route at a split: NaN, or a category code the model does not know. */
  isMissingAt(node: number, value: number): boolean {
    if (value !== value) return true;
    const a = this.arrays;
    if (a.categoryStart[node] < 0) return false;
    const c = value | 0;
    return c !== value || c < 0 || c >= a.categoryCount[a.feature[node]] || c >= a.categoryWords[node] * 32;
  }

  goesLeft(node: number, value: number): boolean {
    const a = this.arrays;
    if (value !== value) return a.defaultLeft[node] === 1;
    const start = a.categoryStart[node];
    if (start < 0) return value <= a.threshold[node];
    const c = value | 0;
    if (c !== value || c < 0 || c >= a.categoryCount[a.feature[node]] || c >= a.categoryWords[node] * 32) {
      return a.defaultLeft[node] === 1;
    }
    return ((a.categoryBits[start + (c >>> 5)] >>> (c & 31)) & 1) === 1;
  }

  /** Leaf reached by one row in tree t. */
  leafOf(data: Dataset, row: number, tree: number): number {
    const a = this.arrays;
    let n = a.treeStart[tree];
    while (a.feature[n] >= 0) n = this.childFor(n, data.columns[a.feature[n]][row]);
    return n;
  }

  predictMargin(data: Dataset): Float64Array {
    this.checkShape(data);
    this.scorer ??= compileScorer(this.arrays, this.features, this.maxDepth());
    return this.scorer(data, this.bias);
  }

  /** Scores by walking the stored node arrays: slower, kept as the reference the compiled scorer is checked against. */
  predictMarginReference(data: Dataset): Float64Array {
    this.checkShape(data);
    const a = this.arrays;
    const rows = data.rows;
    const out = new Float64Array(rows).fill(this.bias);
    const columns = data.columns;
    const feature = a.feature;
    const threshold = a.threshold;
    const left = a.left;
    const right = a.right;
    const defaultLeft = a.defaultLeft;
    const categoryStart = a.categoryStart;
    const value = a.value;
    for (let t = 0; t < a.treeStart.length; t++) {
      const root = a.treeStart[t];
      for (let r = 0; r < rows; r++) {
        let n = root;
        let f = feature[n];
        // goesLeft with its missing and numeric cases inlined: they are most nodes.
        while (f >= 0) {
          const v = columns[f][r];
          if (v !== v) n = defaultLeft[n] ? left[n] : right[n];
          else if (categoryStart[n] < 0) n = v <= threshold[n] ? left[n] : right[n];
          else n = this.goesLeft(n, v) ? left[n] : right[n];
          f = feature[n];
        }
        out[r] += value[n];
      }
    }
    return out;
  }

  contributions(data: Dataset, row: number): Float64Array {
    return this.explain(data, row, true);
  }

  /** Contributions by the reference recursion only (kept to check the tabulated path against). */
  contributionsByRecursion(data: Dataset, row: number): Float64Array {
    return this.explain(data, row, false);
  }

  private explain(data: Dataset, row: number, useTables: boolean): Float64Array {
    this.checkShape(data);
    const a = this.arrays;
    const F = this.features.length;
    const phi = new Float64Array(F + 1);
    // Work space is reused across calls: explaining many rows should not allocate per row.
    this.shapScratch ??= new ShapScratch(this.maxDepth());
    this.shapGoesLeft ??= new Uint8Array(a.feature.length);
    if (useTables) this.shapTables ??= tabulateShap(a, a.treeStart);
    const scratch = this.shapScratch;
    const goesLeft = this.shapGoesLeft;
    const expected = this.expectedValues();
    let bias = this.bias;
    for (let t = 0; t < a.treeStart.length; t++) {
      const begin = a.treeStart[t];
      const end = t + 1 < a.treeStart.length ? a.treeStart[t + 1] : a.feature.length;
      for (let n = begin; n < end; n++) {
        const f = a.feature[n];
        if (f < 0) continue;
        const v = data.columns[f][row];
        // Numeric splits inline (most nodes); missing values and categories via goesLeft.
        goesLeft[n] = v === v && a.categoryStart[n] < 0 ? ((v <= a.threshold[n]) as unknown as number) | 0 : this.goesLeft(n, v) ? 1 : 0;
      }
      if (useTables && this.shapTables!.tabulated[t]) addTabulatedTreeShap(t, goesLeft, phi, this.shapTables!.tables);
      else addTreeShap(a, begin, goesLeft, phi, scratch);
      bias += expected[t];
    }
    phi[F] = bias;
    return phi;
  }

  featureImportance(): Float64Array {
    const a = this.arrays;
    const out = new Float64Array(this.features.length);
    for (let n = 0; n < a.feature.length; n++) if (a.feature[n] >= 0) out[a.feature[n]] += a.gain[n];
    return out;
  }

  /** Cover-weighted mean of each tree's leaves: what each tree adds when nothing is known. */
  expectedValues(): Float64Array {
    if (!this.expected) {
      const a = this.arrays;
      this.expected = Float64Array.from(a.treeStart, (root) => expectedValue(a, root));
    }
    return this.expected;
  }

  maxDepth(): number {
    if (this.maxDepthCache < 0) {
      let d = 0;
      for (const root of this.arrays.treeStart) d = Math.max(d, treeDepth(this.arrays, root));
      this.maxDepthCache = d;
    }
    return this.maxDepthCache;
  }

  toJSON(): TreeEnsembleJson {
    const a = this.arrays;
    return {
      categoryCount: Array.from(a.categoryCount),
      treeStart: Array.from(a.treeStart),
      feature: Array.from(a.feature),
      threshold: Array.from(a.threshold, (x) => (Number.isFinite(x) ? x : String(x))),
      left: Array.from(a.left),
      right: Array.from(a.right),
      defaultLeft: Array.from(a.defaultLeft),
      missingSeen: Array.from(a.missingSeen),
      categoryStart: Array.from(a.categoryStart),
      categoryWords: Array.from(a.categoryWords),
      categoryBits: Array.from(a.categoryBits),
      value: Array.from(a.value),
      cover: Array.from(a.cover),
      gain: Array.from(a.gain),
    };
  }

  static fromJSON(features: FeatureInfo[], bias: number, json: TreeEnsembleJson): TreeEnsemble {
    if (!json || !Array.isArray(json.feature) || !Array.isArray(json.treeStart) || !Array.isArray(json.categoryCount) || !Array.isArray(json.categoryBits)) {
      throw new Error("tree ensemble JSON is incomplete");
    }
    const nodes = json.feature.length;
    for (const key of ["threshold", "left", "right", "defaultLeft", "missingSeen", "categoryStart", "categoryWords", "value", "cover", "gain"] as const) {
      if (!Array.isArray(json[key]) || json[key].length !== nodes) throw new Error(`tree ensemble JSON: ${key} must have ${nodes} entries`);
    }
    const arrays: TreeEnsembleArrays = {
      categoryCount: Int32Array.from(json.categoryCount),
      treeStart: Int32Array.from(json.treeStart),
      feature: Int32Array.from(json.feature),
      threshold: Float64Array.from(json.threshold, (x) => Number(x)),
      left: Int32Array.from(json.left),
      right: Int32Array.from(json.right),
      defaultLeft: Uint8Array.from(json.defaultLeft),
      missingSeen: Uint8Array.from(json.missingSeen),
      categoryStart: Int32Array.from(json.categoryStart),
      categoryWords: Int32Array.from(json.categoryWords),
      categoryBits: Uint32Array.from(json.categoryBits),
      value: Float64Array.from(json.value),
      cover: Float64Array.from(json.cover),
      gain: Float64Array.from(json.gain),
    };
    checkTreeStructure(arrays, features.length);
    return new TreeEnsemble(features, bias, arrays);
  }

  private checkShape(data: Dataset): void {
    if (data.columns.length !== this.features.length) {
      throw new Error(`model expects ${this.features.length} features, data has ${data.columns.length}`);
    }
  }
}

/**
 * Rejects stored trees a scorer could loop on or read out of bounds with: every child must come
 * after its parent within the same tree, and features and category bitsets must exist.
 */
function checkTreeStructure(a: TreeEnsembleArrays, features: number): void {
  const nodes = a.feature.length;
  const fail = (message: string): never => {
    throw new Error(`tree ensemble JSON: ${message}`);
  };
  if (a.categoryCount.length !== features) fail("categoryCount must have one entry per feature");
  if (a.treeStart.length === 0 && nodes > 0) fail("nodes without trees");
  for (let t = 0; t < a.treeStart.length; t++) {
    const begin = a.treeStart[t];
    const end = t + 1 < a.treeStart.length ? a.treeStart[t + 1] : nodes;
    if (!(begin >= 0 && begin < end && end <= nodes)) fail(`tree ${t} has an invalid node range`);
    for (let n = begin; n < end; n++) {
      const f = a.feature[n];
      if (f < 0) continue;
      if (f >= features) fail(`node ${n} splits on unknown feature ${f}`);
      for (const child of [a.left[n], a.right[n]]) if (!(child > n && child < end)) fail(`node ${n} has an invalid child ${child}`);
      const start = a.categoryStart[n];
      if (start >= 0 && !(a.categoryWords[n] > 0 && start + a.categoryWords[n] <= a.categoryBits.length)) fail(`node ${n} has an invalid category set`);
    }
  }
}
