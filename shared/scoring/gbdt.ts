// Histogram gradient-boosted trees for binary outcomes (logistic loss), plus the tree machinery
// the decision tree learner shares: binned histograms, split search (numeric with a learned
// direction for missing values, categorical by sorted-prefix partition), best-first growth,
// a flat ensemble representation, fast scoring on raw values, and TreeSHAP explanations.

import {
  createRandom,
  type Dataset,
  type FeatureInfo,
  type LabelledDataset,
  type LearnerJson,
  type TrainedLearner,
} from "./dataset.js";
import { binDataset, MISSING_BIN, type BinnedDataset, type BinningOptions } from "./binning.js";
import { addTabulatedTreeShap, addTreeShap, expectedValue, ShapScratch, tabulateShap, treeDepth, type ShapTables } from "./treeShap.js";

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
// Tree growth on binned data (shared with the decision tree learner)

export interface GrowParams {
  maxDepth: number;
  maxLeaves: number;
  lambda: number;
  /** Minimum hessian sum in each child (with unit hessians: minimum rows). */
  minChildWeight: number;
  minSplitGain: number;
  categoricalSmoothing: number;
  /** Categories with less hessian than this in a node are not ordered and stay on the right side. */
  minCategoryWeight: number;
  histogramSubtraction: boolean;
}

/** Words of a per-node bin bitset (256 bin codes). */
const BIN_SET_WORDS = 8;
/**
 * Histogram slot stride: gradient sum, hessian sum. Row counts are not accumulated: children's
 * counts come from the partition, and a bin is empty exactly when its hessian sum is 0
 * (boosting floors each row's hessian above 0, the decision tree uses unit hessians).
 */
const STRIDE = 2;
/** Gains below this are float noise, not evidence. */
const GAIN_EPSILON = 1e-12;
/** Smallest hessian a non-empty child can have, so a zero minChildWeight still rejects empty children. */
const MIN_HESSIAN = 1e-300;

/** One grown tree in bin space; node 0 is the root, children are created in pairs. */
export interface GrownTree {
  nodeCount: number;
  /** Split feature, -1 for leaves. */
  feature: Int32Array;
  /** Numeric splits: codes 1..thresholdBin go left. */
  thresholdBin: Int32Array;
  /** Categorical splits: bin codes going left, BIN_SET_WORDS words per node. */
  binSet: Uint32Array;
  defaultLeft: Uint8Array;
  /** Whether rows with a missing value reached this split during training. */
  missingSeen: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  gradSum: Float64Array;
  hessSum: Float64Array;
  rowCount: Float64Array;
  gain: Float64Array;
  /** Every node: its rows are rows[begin, end) of the row buffer passed to grow(). */
  begin: Int32Array;
  end: Int32Array;
}

export class TreeGrower {
  private readonly binned: BinnedDataset;
  private readonly params: GrowParams;
  private readonly maxLeaves: number;
  private readonly maxNodes: number;
  /** Histogram slot of each feature's missing bin (its value bins follow). */
  private readonly featureSlot: Int32Array;
  private readonly binCount: Int32Array;
  private readonly isCategorical: Uint8Array;
  private readonly histSize: number;
  /**
   * Row-major histogram slots (feature slot + bin code) of every cell except those in its feature's
   * most frequent bin: row r's slots are rowSlots[rowStart[r], rowStart[r + 1]). One row's slots are
   * adjacent (one cache line per row for scattered rows), and skipping the most frequent bins — often
   * most cells, as in "no previous contact" columns — saves histogram work; each node recovers
   * those bins as its total minus the feature's other bins (LightGBM's most-frequent-bin trick).
   */
  private readonly rowSlots: Uint16Array | Uint32Array;
  private readonly rowStart: Uint32Array;
  /** Per feature: the slot of its most frequent bin (not accumulated, recovered per node). */
  private readonly frequentSlot: Int32Array;
  private readonly histPool: Float64Array[] = [];
  private readonly nodeHist: (Float64Array | null)[];
  private readonly scratchRows: Uint32Array;
  private readonly tree: GrownTree;
  // Best split found for each not-yet-split node.
  private readonly bestGain: Float64Array;
  private readonly bestFeature: Int32Array;
  private readonly bestThresholdBin: Int32Array;
  private readonly bestBinSet: Uint32Array;
  private readonly bestDefaultLeft: Uint8Array;
  private readonly bestLeftGrad: Float64Array;
  private readonly bestLeftHess: Float64Array;
  private readonly depth: Int32Array;
  // Work space for categorical split search and partitioning.
  private readonly catOrder = new Int32Array(256);
  private readonly catKey = new Float64Array(256);
  private readonly routeLeft = new Uint8Array(256);

  constructor(binned: BinnedDataset, params: GrowParams) {
    this.binned = binned;
    this.params = params;
    const depthLeaves = params.maxDepth > 0 ? 2 ** Math.min(params.maxDepth, 20) : Infinity;
    const leaves = params.maxLeaves > 0 ? Math.min(params.maxLeaves, depthLeaves) : depthLeaves;
    if (!Number.isFinite(leaves)) throw new Error("tree growth needs maxDepth or maxLeaves");
    this.maxLeaves = Math.max(1, Math.min(leaves, Math.max(1, binned.rows)));
    this.maxNodes = 2 * this.maxLeaves - 1;
    const F = binned.binnings.length;
    this.featureSlot = new Int32Array(F);
    this.binCount = new Int32Array(F);
    this.isCategorical = new Uint8Array(F);
    let slots = 0;
    for (let f = 0; f < F; f++) {
      const b = binned.binnings[f];
      this.featureSlot[f] = slots;
      this.binCount[f] = b.binCount;
      this.isCategorical[f] = b.kind === "categorical" ? 1 : 0;
      slots += b.binCount + 1;
    }
    this.histSize = slots * STRIDE;
    const rows = binned.rows;
    this.frequentSlot = new Int32Array(F);
    let stored = 0;
    for (let f = 0; f < F; f++) {
      const codes = binned.codes[f];
      const counts = new Int32Array(256);
      for (let r = 0; r < rows; r++) counts[codes[r]]++;
      let frequent = 0;
      for (let b = 1; b < 256; b++) if (counts[b] > counts[frequent]) frequent = b;
      this.frequentSlot[f] = this.featureSlot[f] + frequent;
      stored += rows - counts[frequent];
    }
    this.rowStart = new Uint32Array(rows + 1);
    this.rowSlots = slots <= 0xffff ? new Uint16Array(stored) : new Uint32Array(stored);
    let k = 0;
    for (let r = 0; r < rows; r++) {
      this.rowStart[r] = k;
      for (let f = 0; f < F; f++) {
        const slot = this.featureSlot[f] + binned.codes[f][r];
        if (slot !== this.frequentSlot[f]) this.rowSlots[k++] = slot;
      }
    }
    this.rowStart[rows] = k;
    this.nodeHist = new Array<Float64Array | null>(this.maxNodes).fill(null);
    this.scratchRows = new Uint32Array(binned.rows);
    const n = this.maxNodes;
    this.tree = {
      nodeCount: 0,
      feature: new Int32Array(n),
      thresholdBin: new Int32Array(n),
      binSet: new Uint32Array(n * BIN_SET_WORDS),
      defaultLeft: new Uint8Array(n),
      missingSeen: new Uint8Array(n),
      left: new Int32Array(n),
      right: new Int32Array(n),
      gradSum: new Float64Array(n),
      hessSum: new Float64Array(n),
      rowCount: new Float64Array(n),
      gain: new Float64Array(n),
      begin: new Int32Array(n),
      end: new Int32Array(n),
    };
    this.bestGain = new Float64Array(n);
    this.bestFeature = new Int32Array(n);
    this.bestThresholdBin = new Int32Array(n);
    this.bestBinSet = new Uint32Array(n * BIN_SET_WORDS);
    this.bestDefaultLeft = new Uint8Array(n);
    this.bestLeftGrad = new Float64Array(n);
    this.bestLeftHess = new Float64Array(n);
    this.depth = new Int32Array(n);
  }

  /**
   * Grows one tree on rows[0, rowCount) (reordered in place so each leaf's rows are contiguous),
   * considering only `features`. The returned tree is overwritten by the next call.
   */
  grow(gradHess: Float32Array, rows: Uint32Array, rowCount: number, features: Int32Array): GrownTree {
    const t = this.tree;
    t.nodeCount = 1;
    let g = 0;
    let h = 0;
    for (let i = 0; i < rowCount; i++) {
      const r = rows[i];
      g += gradHess[2 * r];
      h += gradHess[2 * r + 1];
    }
    this.initNode(0, 0, g, h, 0, rowCount);
    const rootHist = this.takeHist();
    this.buildHist(rootHist, gradHess, rows, 0, rowCount);
    this.nodeHist[0] = rootHist;
    this.findBestSplit(0, features);

    let leaves = 1;
    while (leaves < this.maxLeaves) {
      // Best-first: split the leaf whose best split gains most (ties: the earliest node).
      let node = -1;
      let gain = -Infinity;
      for (let i = 0; i < t.nodeCount; i++) {
        if (t.feature[i] === -1 && this.bestFeature[i] >= 0 && this.bestGain[i] > gain) {
          gain = this.bestGain[i];
          node = i;
        }
      }
      if (node < 0) break;
      this.split(node, gradHess, rows, features);
      leaves++;
    }
    for (let i = 0; i < t.nodeCount; i++) this.releaseHist(i);
    return t;
  }

  private initNode(node: number, depth: number, g: number, h: number, begin: number, end: number): void {
    const t = this.tree;
    t.feature[node] = -1;
    t.thresholdBin[node] = 0;
    t.binSet.fill(0, node * BIN_SET_WORDS, (node + 1) * BIN_SET_WORDS);
    t.defaultLeft[node] = 0;
    t.missingSeen[node] = 0;
    t.left[node] = -1;
    t.right[node] = -1;
    t.gradSum[node] = g;
    t.hessSum[node] = h;
    t.rowCount[node] = end - begin;
    t.gain[node] = 0;
    t.begin[node] = begin;
    t.end[node] = end;
    this.depth[node] = depth;
    this.bestFeature[node] = -1;
    this.bestGain[node] = 0;
  }

  private takeHist(): Float64Array {
    return this.histPool.pop() ?? new Float64Array(this.histSize);
  }

  private releaseHist(node: number): void {
    const hist = this.nodeHist[node];
    if (hist) {
      this.histPool.push(hist);
      this.nodeHist[node] = null;
    }
  }

  private buildHist(
    hist: Float64Array,
    gradHess: Float32Array,
    rows: Uint32Array,
    begin: number,
    end: number,
  ): void {
    // Every stored cell is accumulated even under column sampling: the split search reads only the
    // sampled features, and skipping the others would cost a test per cell.
    hist.fill(0);
    const slots = this.rowSlots;
    const rowStart = this.rowStart;
    for (let i = begin; i < end; i++) {
      const r = rows[i];
      const g = gradHess[2 * r];
      const h = gradHess[2 * r + 1];
      const stop = rowStart[r + 1];
      let k = rowStart[r];
      // Four cells per iteration: fewer loop-control instructions per histogram update.
      for (; k + 3 < stop; k += 4) {
        const s0 = slots[k] * STRIDE;
        const s1 = slots[k + 1] * STRIDE;
        const s2 = slots[k + 2] * STRIDE;
        const s3 = slots[k + 3] * STRIDE;
        hist[s0] += g;
        hist[s0 + 1] += h;
        hist[s1] += g;
        hist[s1 + 1] += h;
        hist[s2] += g;
        hist[s2 + 1] += h;
        hist[s3] += g;
        hist[s3 + 1] += h;
      }
      for (; k < stop; k++) {
        const s = slots[k] * STRIDE;
        hist[s] += g;
        hist[s + 1] += h;
      }
    }
  }

  /** Fills each feature's most frequent bin with the node total minus the feature's other bins. */
  private recoverFrequentBins(hist: Float64Array, G: number, H: number, features: Int32Array): void {
    for (let k = 0; k < features.length; k++) {
      const f = features[k];
      const first = this.featureSlot[f];
      const last = first + this.binCount[f];
      const frequent = this.frequentSlot[f];
      let g = 0;
      let h = 0;
      for (let s = first; s <= last; s++) {
        if (s === frequent) continue;
        g += hist[s * STRIDE];
        h += hist[s * STRIDE + 1];
      }
      let fg = G - g;
      let fh = H - h;
      // What is left over is rounding noise, not rows: keep empty bins exactly empty.
      if (fh <= H * 1e-12) {
        fg = 0;
        fh = 0;
      }
      hist[frequent * STRIDE] = fg;
      hist[frequent * STRIDE + 1] = fh;
    }
  }

  private split(node: number, gradHess: Float32Array, rows: Uint32Array, features: Int32Array): void {
    const t = this.tree;
    const f = this.bestFeature[node];
    const route = this.routeLeft;
    // Which bin codes go left, for numeric and categorical splits alike.
    if (this.isCategorical[f]) {
      const base = node * BIN_SET_WORDS;
      for (let b = 0; b < 256; b++) route[b] = (this.bestBinSet[base + (b >>> 5)] >>> (b & 31)) & 1;
    } else {
      const threshold = this.bestThresholdBin[node];
      for (let b = 0; b < 256; b++) route[b] = b <= threshold ? 1 : 0;
    }
    route[MISSING_BIN] = this.bestDefaultLeft[node];

    const begin = t.begin[node];
    const end = t.end[node];
    const nl = partitionRows(rows, this.scratchRows, this.binned.codes[f], route, begin, end);

    const hist = this.nodeHist[node]!;
    t.feature[node] = f;
    t.thresholdBin[node] = this.isCategorical[f] ? 0 : this.bestThresholdBin[node];
    t.binSet.set(this.bestBinSet.subarray(node * BIN_SET_WORDS, (node + 1) * BIN_SET_WORDS), node * BIN_SET_WORDS);
    t.defaultLeft[node] = this.bestDefaultLeft[node];
    t.missingSeen[node] = hist[this.featureSlot[f] * STRIDE + 1] > 0 ? 1 : 0;
    t.gain[node] = this.bestGain[node];

    const leftNode = t.nodeCount;
    const rightNode = t.nodeCount + 1;
    t.nodeCount += 2;
    t.left[node] = leftNode;
    t.right[node] = rightNode;
    const gl = this.bestLeftGrad[node];
    const hl = this.bestLeftHess[node];
    const depth = this.depth[node] + 1;
    this.initNode(leftNode, depth, gl, hl, begin, nl);
    this.initNode(rightNode, depth, t.gradSum[node] - gl, t.hessSum[node] - hl, nl, end);

    if (this.params.maxDepth > 0 && depth >= this.params.maxDepth) {
      this.releaseHist(node);
      return;
    }
    if (this.params.histogramSubtraction) {
      const leftSmaller = nl - begin <= end - nl;
      const small = leftSmaller ? leftNode : rightNode;
      const large = leftSmaller ? rightNode : leftNode;
      const smallHist = this.takeHist();
      this.buildHist(smallHist, gradHess, rows, t.begin[small], t.end[small]);
      // The parent's histogram becomes the larger child's: parent − smaller.
      for (let k = 0; k < hist.length; k++) hist[k] -= smallHist[k];
      this.nodeHist[node] = null;
      this.nodeHist[small] = smallHist;
      this.nodeHist[large] = hist;
    } else {
      this.releaseHist(node);
      for (const child of [leftNode, rightNode]) {
        const childHist = this.takeHist();
        this.buildHist(childHist, gradHess, rows, t.begin[child], t.end[child]);
        this.nodeHist[child] = childHist;
      }
    }
    this.findBestSplit(leftNode, features);
    this.findBestSplit(rightNode, features);
  }

  private findBestSplit(node: number, features: Int32Array): void {
    const t = this.tree;
    const p = this.params;
    const hist = this.nodeHist[node]!;
    const G = t.gradSum[node];
    const H = t.hessSum[node];
    this.bestFeature[node] = -1;
    this.bestGain[node] = Math.max(p.minSplitGain, GAIN_EPSILON);
    if (t.rowCount[node] < 2 || H < 2 * p.minChildWeight) {
      this.releaseHist(node);
      return;
    }
    this.recoverFrequentBins(hist, G, H, features);
    const parentScore = (G * G) / (H + p.lambda);
    for (let k = 0; k < features.length; k++) {
      const f = features[k];
      if (this.isCategorical[f]) this.scanCategorical(node, f, hist, G, H, parentScore);
      else this.scanNumeric(node, f, hist, G, H, parentScore);
    }
    if (this.bestFeature[node] < 0) this.releaseHist(node);
  }

  private scanNumeric(node: number, f: number, hist: Float64Array, G: number, H: number, parentScore: number): void {
    const lambda = this.params.lambda;
    const minHess = Math.max(this.params.minChildWeight, MIN_HESSIAN);
    const base = this.featureSlot[f] * STRIDE;
    const nb = this.binCount[f];
    const gm = hist[base];
    const hm = hist[base + 1];
    const hasMissing = hm > 0;
    let best = this.bestGain[node];
    let bestBin = -1;
    let bestMissingLeft = 0;
    let gl = 0;
    let hl = 0;
    for (let b = 1; b < nb; b++) {
      const s = base + b * STRIDE;
      const hb = hist[s + 1];
      if (hb === 0) continue;
      gl += hist[s];
      hl += hb;
      // Missing rows go right.
      let gr = G - gl;
      let hr = H - hl;
      if (hl >= minHess && hr >= minHess) {
        const gain = 0.5 * ((gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore);
        if (gain > best) {
          best = gain;
          bestBin = b;
          bestMissingLeft = 0;
        }
      }
      if (hasMissing) {
        // Missing rows go left.
        const glm = gl + gm;
        const hlm = hl + hm;
        gr = G - glm;
        hr = H - hlm;
        if (hlm >= minHess && hr >= minHess) {
          const gain = 0.5 * ((glm * glm) / (hlm + lambda) + (gr * gr) / (hr + lambda) - parentScore);
          if (gain > best) {
            best = gain;
            bestBin = b;
            bestMissingLeft = 1;
          }
        }
      }
    }
    if (bestBin < 0) return;
    // Recompute the left side for the chosen threshold (cheaper than tracking it in the loop).
    let lg = bestMissingLeft ? gm : 0;
    let lh = bestMissingLeft ? hm : 0;
    for (let b = 1; b <= bestBin; b++) {
      lg += hist[base + b * STRIDE];
      lh += hist[base + b * STRIDE + 1];
    }
    this.bestGain[node] = best;
    this.bestFeature[node] = f;
    this.bestThresholdBin[node] = bestBin;
    // Without missing rows here, unseen missing values follow the heavier side.
    this.bestDefaultLeft[node] = hasMissing ? bestMissingLeft : lh >= H - lh ? 1 : 0;
    this.bestLeftGrad[node] = lg;
    this.bestLeftHess[node] = lh;
  }

  private scanCategorical(node: number, f: number, hist: Float64Array, G: number, H: number, parentScore: number): void {
    const p = this.params;
    const lambda = p.lambda;
    const minHess = Math.max(p.minChildWeight, MIN_HESSIAN);
    const minCategory = Math.max(p.minCategoryWeight, MIN_HESSIAN);
    const base = this.featureSlot[f] * STRIDE;
    const nb = this.binCount[f];
    const gm = hist[base];
    const hm = hist[base + 1];
    const hasMissing = hm > 0;
    const order = this.catOrder;
    const key = this.catKey;
    let m = 0;
    for (let b = 1; b <= nb; b++) {
      const s = base + b * STRIDE;
      if (hist[s + 1] >= minCategory) {
        order[m++] = b;
        key[b] = hist[s] / (hist[s + 1] + p.categoricalSmoothing);
      }
    }
    if (m === 0) return;
    // Insertion sort by gradient/hessian ratio: at most 255 categories, and stable for determinism.
    for (let i = 1; i < m; i++) {
      const b = order[i];
      const kb = key[b];
      let j = i - 1;
      while (j >= 0 && key[order[j]] > kb) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = b;
    }
    // Left = the first i categories in that order (LightGBM's sorted-prefix partition).
    let best = this.bestGain[node];
    let bestPrefix = -1;
    let bestMissingLeft = 0;
    let gl = 0;
    let hl = 0;
    for (let i = 0; i < m; i++) {
      const s = base + order[i] * STRIDE;
      gl += hist[s];
      hl += hist[s + 1];
      let gr = G - gl;
      let hr = H - hl;
      if (hl >= minHess && hr >= minHess) {
        const gain = 0.5 * ((gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore);
        if (gain > best) {
          best = gain;
          bestPrefix = i;
          bestMissingLeft = 0;
        }
      }
      if (hasMissing) {
        const glm = gl + gm;
        const hlm = hl + hm;
        gr = G - glm;
        hr = H - hlm;
        if (hlm >= minHess && hr >= minHess) {
          const gain = 0.5 * ((glm * glm) / (hlm + lambda) + (gr * gr) / (hr + lambda) - parentScore);
          if (gain > best) {
            best = gain;
            bestPrefix = i;
            bestMissingLeft = 1;
          }
        }
      }
    }
    if (bestPrefix < 0) return;
    const setBase = node * BIN_SET_WORDS;
    this.bestBinSet.fill(0, setBase, setBase + BIN_SET_WORDS);
    let lg = bestMissingLeft ? gm : 0;
    let lh = bestMissingLeft ? hm : 0;
    for (let i = 0; i <= bestPrefix; i++) {
      const b = order[i];
      this.bestBinSet[setBase + (b >>> 5)] |= 1 << (b & 31);
      lg += hist[base + b * STRIDE];
      lh += hist[base + b * STRIDE + 1];
    }
    this.bestGain[node] = best;
    this.bestFeature[node] = f;
    this.bestThresholdBin[node] = 0;
    this.bestDefaultLeft[node] = hasMissing ? bestMissingLeft : lh >= H - lh ? 1 : 0;
    this.bestLeftGrad[node] = lg;
    this.bestLeftHess[node] = lh;
  }
}

/**
 * Reorders rows[begin, end) so rows whose bin code routes left come first; returns the boundary.
 * Stable and branch-free: rows stay ascending within each child (cache-friendly gathers later),
 * and the data-dependent direction would mispredict half the time as a branch.
 */
function partitionRows(rows: Uint32Array, scratch: Uint32Array, codes: Uint8Array, route: Uint8Array, begin: number, end: number): number {
  let nl = begin;
  let nr = 0;
  let i = begin;
  for (; i + 1 < end; i += 2) {
    const r0 = rows[i];
    const r1 = rows[i + 1];
    const left0 = route[codes[r0]];
    const left1 = route[codes[r1]];
    rows[nl] = r0;
    scratch[nr] = r0;
    nl += left0;
    nr += 1 - left0;
    rows[nl] = r1;
    scratch[nr] = r1;
    nl += left1;
    nr += 1 - left1;
  }
  for (; i < end; i++) {
    const r = rows[i];
    const goLeft = route[codes[r]];
    rows[nl] = r;
    scratch[nr] = r;
    nl += goLeft;
    nr += 1 - goLeft;
  }
  rows.set(scratch.subarray(0, nr), nl);
  return nl;
}

/** Leaf of a grown tree for one binned training row. */
export function grownLeafOf(tree: GrownTree, codes: Uint8Array[], row: number): number {
  let n = 0;
  while (tree.feature[n] >= 0) {
    const f = tree.feature[n];
    const code = codes[f][row];
    let left: boolean;
    if (code === MISSING_BIN) left = tree.defaultLeft[n] === 1;
    else if (tree.thresholdBin[n] > 0) left = code <= tree.thresholdBin[n];
    else left = ((tree.binSet[n * BIN_SET_WORDS + (code >>> 5)] >>> (code & 31)) & 1) === 1;
    n = left ? tree.left[n] : tree.right[n];
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Flat ensemble: every tree's nodes in one set of typed arrays, scored on raw feature values

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

/** Growable node arrays while a model is being trained. */
export class EnsembleBuilder {
  /** Per feature: category codes the model knows (0 for numeric); higher codes are routed as missing. */
  readonly categoryCount: Int32Array;
  readonly treeStart: number[] = [];
  readonly feature: number[] = [];
  readonly threshold: number[] = [];
  readonly left: number[] = [];
  readonly right: number[] = [];
  readonly defaultLeft: number[] = [];
  readonly missingSeen: number[] = [];
  readonly categoryStart: number[] = [];
  readonly categoryWords: number[] = [];
  readonly categoryBits: number[] = [];
  readonly value: number[] = [];
  readonly cover: number[] = [];
  readonly gain: number[] = [];
  private readonly binned: BinnedDataset;

  constructor(binned: BinnedDataset) {
    this.binned = binned;
    this.categoryCount = Int32Array.from(binned.binnings, (b) => (b.kind === "categorical" ? b.binOfCategory.length : 0));
  }

  get treeCount(): number {
    return this.treeStart.length;
  }

  /**
   * Appends a grown tree, translating bin thresholds to raw upper edges and bin sets to category
   * bitsets. `leafValue[node]` gives each leaf's margin; `cover[node]` the node's training weight.
   */
  addTree(tree: GrownTree, leafValue: Float64Array, cover: Float64Array): void {
    const offset = this.feature.length;
    this.treeStart.push(offset);
    for (let n = 0; n < tree.nodeCount; n++) {
      const f = tree.feature[n];
      this.feature.push(f);
      this.value.push(f < 0 ? leafValue[n] : 0);
      this.cover.push(cover[n]);
      this.gain.push(f < 0 ? 0 : tree.gain[n]);
      this.left.push(f < 0 ? -1 : tree.left[n] + offset);
      this.right.push(f < 0 ? -1 : tree.right[n] + offset);
      this.defaultLeft.push(f < 0 ? 0 : tree.defaultLeft[n]);
      this.missingSeen.push(f < 0 ? 0 : tree.missingSeen[n]);
      if (f < 0) {
        this.threshold.push(0);
        this.categoryStart.push(-1);
        this.categoryWords.push(0);
        continue;
      }
      const binning = this.binned.binnings[f];
      if (binning.kind === "numeric") {
        this.threshold.push(binning.upperEdges[tree.thresholdBin[n] - 1]);
        this.categoryStart.push(-1);
        this.categoryWords.push(0);
        continue;
      }
      const categories = binning.binOfCategory.length;
      const words = Math.max(1, Math.ceil(categories / 32));
      const bits = new Uint32Array(words);
      for (let b = 1; b <= binning.binCount; b++) {
        if ((tree.binSet[n * BIN_SET_WORDS + (b >>> 5)] >>> (b & 31)) & 1) {
          for (const c of binning.categoriesOfBin[b]) bits[c >>> 5] |= 1 << (c & 31);
        }
      }
      // Categories never seen in training were binned as missing, so they follow the missing direction.
      if (tree.defaultLeft[n]) {
        for (let c = 0; c < categories; c++) {
          if (binning.binOfCategory[c] === MISSING_BIN) bits[c >>> 5] |= 1 << (c & 31);
        }
      }
      this.threshold.push(0);
      this.categoryStart.push(this.categoryBits.length);
      this.categoryWords.push(words);
      for (let w = 0; w < words; w++) this.categoryBits.push(bits[w]);
    }
  }

  /** Drops trees beyond the first `trees` (early stopping keeps the best iteration). */
  truncate(trees: number): void {
    if (trees >= this.treeStart.length) return;
    const nodes = this.treeStart[trees];
    const bitsEnd = this.categoryStartFrom(nodes);
    for (const a of [this.feature, this.threshold, this.left, this.right, this.defaultLeft, this.missingSeen, this.categoryStart, this.categoryWords, this.value, this.cover, this.gain]) {
      a.length = nodes;
    }
    this.categoryBits.length = bitsEnd;
    this.treeStart.length = trees;
  }

  private categoryStartFrom(node: number): number {
    for (let n = node; n < this.categoryStart.length; n++) if (this.categoryStart[n] >= 0) return this.categoryStart[n];
    return this.categoryBits.length;
  }

  build(features: FeatureInfo[], bias: number): TreeEnsemble {
    return new TreeEnsemble(features, bias, {
      categoryCount: Int32Array.from(this.categoryCount),
      treeStart: Int32Array.from(this.treeStart),
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      missingSeen: Uint8Array.from(this.missingSeen),
      categoryStart: Int32Array.from(this.categoryStart),
      categoryWords: Int32Array.from(this.categoryWords),
      categoryBits: Uint32Array.from(this.categoryBits),
      value: Float64Array.from(this.value),
      cover: Float64Array.from(this.cover),
      gain: Float64Array.from(this.gain),
    });
  }
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
  private compiledTrees: CompiledTrees | null = null;
  /** null when the model is too deep or has too many categories for the complete-tree layout. */
  private completeTrees: CompleteTrees | null | undefined = undefined;
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
    if (this.completeTrees === undefined) this.completeTrees = compileCompleteTrees(this.arrays, this.features, this.maxDepth());
    if (this.completeTrees) return scoreComplete(this.completeTrees, data, this.bias);
    return scoreCompiled(this.compiled(), data, this.bias);
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

  private compiled(): CompiledTrees {
    this.compiledTrees ??= compileTrees(this.arrays);
    return this.compiledTrees;
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

// ---------------------------------------------------------------------------------------------
// Compiled scoring layout

/**
 * Trees renumbered in pre-order (a node's left child is the next node) with each node's routing
 * packed into one integer, so the scoring loop reads three small arrays per step.
 */
interface CompiledTrees {
  roots: Int32Array;
  /** -1 for a leaf; otherwise feature << 2 | categorical << 1 | defaultLeft. */
  code: Int32Array;
  right: Int32Array;
  /** Numeric split: threshold; leaf: leaf value; categorical split: unused. */
  threshold: Float64Array;
  categoryStart: Int32Array;
  categoryCount: Int32Array;
  categoryBits: Uint32Array;
  features: number;
}

function compileTrees(a: TreeEnsembleArrays): CompiledTrees {
  const nodes = a.feature.length;
  const code = new Int32Array(nodes);
  const right = new Int32Array(nodes);
  const threshold = new Float64Array(nodes);
  const categoryStart = new Int32Array(nodes);
  const roots = new Int32Array(a.treeStart.length);
  let next = 0;
  const stack: number[] = [];
  for (let t = 0; t < a.treeStart.length; t++) {
    roots[t] = next;
    // Explicit stack of (old node, slot of the parent's `right` to patch) pairs.
    stack.push(a.treeStart[t], -1);
    while (stack.length > 0) {
      const patch = stack.pop()!;
      const old = stack.pop()!;
      const n = next++;
      if (patch >= 0) right[patch] = n;
      const f = a.feature[old];
      if (f < 0) {
        code[n] = -1;
        threshold[n] = a.value[old];
        continue;
      }
      const categorical = a.categoryStart[old] >= 0;
      code[n] = (f << 2) | (categorical ? 2 : 0) | (a.defaultLeft[old] ? 1 : 0);
      threshold[n] = categorical ? 0 : a.threshold[old];
      categoryStart[n] = a.categoryStart[old];
      // Right subtree is visited after the whole left subtree; its index is patched in when reached.
      stack.push(a.right[old], n, a.left[old], -1);
    }
  }
  return {
    roots,
    code,
    right,
    threshold,
    categoryStart,
    categoryCount: a.categoryCount,
    categoryBits: a.categoryBits,
    features: a.categoryCount.length,
  };
}

/** Rows transposed per block so one row's features sit together while every tree scores the block. */
const SCORE_BLOCK = 256;

function scoreCompiled(c: CompiledTrees, data: Dataset, bias: number): Float64Array {
  const rows = data.rows;
  const F = c.features;
  const out = new Float64Array(rows).fill(bias);
  const x = new Float64Array(SCORE_BLOCK * F);
  const { roots, code, right, threshold, categoryStart, categoryCount, categoryBits } = c;
  for (let b0 = 0; b0 < rows; b0 += SCORE_BLOCK) {
    const nb = Math.min(SCORE_BLOCK, rows - b0);
    for (let f = 0; f < F; f++) {
      const column = data.columns[f];
      for (let i = 0, k = f; i < nb; i++, k += F) x[k] = column[b0 + i];
    }
    for (let t = 0; t < roots.length; t++) {
      const root = roots[t];
      for (let i = 0, base = 0; i < nb; i++, base += F) {
        let n = root;
        let k = code[n];
        while (k >= 0) {
          const v = x[base + (k >> 2)];
          if ((k & 2) === 0) {
            // Numeric: NaN fails the comparison, so it goes left only when that is its default.
            n = v <= threshold[n] || (v !== v && (k & 1) === 1) ? n + 1 : right[n];
          } else {
            const cat = v | 0;
            let left: boolean;
            if (cat !== v || cat < 0 || cat >= categoryCount[k >> 2]) left = (k & 1) === 1;
            else left = ((categoryBits[categoryStart[n] + (cat >>> 5)] >>> (cat & 31)) & 1) === 1;
            n = left ? n + 1 : right[n];
          }
          k = code[n];
        }
        out[b0 + i] += threshold[n];
      }
    }
  }
  return out;
}

/**
 * Fast layout for shallow trees: each tree padded to a complete binary tree of depth D (a leaf
 * above depth D becomes a chain of always-left nodes), so every row takes exactly D steps with
 * arithmetic on the child index instead of branches, and four rows advance together to hide
 * memory latency. Categorical splits test one bit of a per-slot 32-bit mask when every categorical
 * feature split on has at most 31 known categories (code 31 then stands for missing and unknown);
 * otherwise ("wide") a per-slot bitset of any length, one load slower.
 */
interface CompleteTrees {
  depth: number;
  trees: number;
  features: number;
  /** Per internal slot: feature << 2 | categorical << 1 | defaultLeft. */
  code: Int32Array;
  /** Per internal slot: numeric threshold (+Infinity for padding). */
  threshold: Float64Array;
  /** Per internal slot: bit c set when category c goes left; bit 31 = missing goes left (not wide). */
  mask: Int32Array;
  wide: boolean;
  /**
   * Wide layout, per internal slot: first word of its bitset in `bits` (bit c = category c goes
   * left, bit K = missing goes left, K = the feature's known categories). Numeric and padding slots
   * point at word 0, which is always zero.
   */
  maskStart: Int32Array;
  bits: Int32Array;
  /** Per feature read by categorical splits: the code standing for missing and unknown values. */
  sentinel: Int32Array;
  /** 2^depth leaf values per tree. */
  leaf: Float64Array;
  /** Per feature: known categories when categorical splits read it, else -1 (values copied as they are). */
  categoryCount: Int32Array;
}

/** Deeper models would need 2^depth slots per tree; they use the pointer layout instead. */
const COMPLETE_TREE_MAX_DEPTH = 8;
const CATEGORY_SENTINEL = 31;

function compileCompleteTrees(a: TreeEnsembleArrays, features: FeatureInfo[], depth: number): CompleteTrees | null {
  if (depth > COMPLETE_TREE_MAX_DEPTH) return null;
  // Only features some categorical split reads need the sentinel mapping (and the category limit).
  const categoryCount = new Int32Array(features.length).fill(-1);
  for (let n = 0; n < a.feature.length; n++) {
    if (a.feature[n] >= 0 && a.categoryStart[n] >= 0) categoryCount[a.feature[n]] = a.categoryCount[a.feature[n]];
  }
  const wide = categoryCount.some((c) => c >= CATEGORY_SENTINEL);
  const sentinel = Int32Array.from(categoryCount, (c) => (wide ? c : CATEGORY_SENTINEL));
  const D = Math.max(1, depth);
  const inner = (1 << D) - 1;
  const leaves = 1 << D;
  const trees = a.treeStart.length;
  const code = new Int32Array(trees * inner);
  const threshold = new Float64Array(trees * inner);
  const mask = new Int32Array(trees * inner);
  const maskStart = new Int32Array(trees * inner);
  const bits: number[] = [0];
  const leaf = new Float64Array(trees * leaves);
  const fill = (t: number, node: number, slot: number, level: number): void => {
    if (level === D) {
      leaf[t * leaves + slot - inner] = a.value[node];
      return;
    }
    const at = t * inner + slot;
    const f = a.feature[node];
    if (f < 0) {
      // Padding: always left (values ≤ +Infinity, missing defaults left), down to the leaf level.
      code[at] = 1;
      threshold[at] = Infinity;
      fill(t, node, 2 * slot + 1, level + 1);
      fill(t, node, 2 * slot + 2, level + 1);
      return;
    }
    const categorical = a.categoryStart[node] >= 0;
    code[at] = (f << 2) | (categorical ? 2 : 0) | a.defaultLeft[node];
    if (categorical && wide) {
      const known = categoryCount[f];
      maskStart[at] = bits.length;
      for (let w = 0; w <= known >>> 5; w++) {
        const stored = w < a.categoryWords[node] ? a.categoryBits[a.categoryStart[node] + w] : 0;
        // Keep only known categories, then add the missing route as bit K.
        const keep = known >= 32 * (w + 1) ? -1 : known <= 32 * w ? 0 : (1 << (known - 32 * w)) - 1;
        let word = stored & keep;
        if (a.defaultLeft[node] && known >>> 5 === w) word |= 1 << (known & 31);
        bits.push(word);
      }
    } else if (categorical) {
      let m = a.categoryBits[a.categoryStart[node]] & ((1 << CATEGORY_SENTINEL) - 1);
      if (a.defaultLeft[node]) m |= 1 << CATEGORY_SENTINEL;
      mask[at] = m;
    } else {
      threshold[at] = a.threshold[node];
    }
    fill(t, a.left[node], 2 * slot + 1, level + 1);
    fill(t, a.right[node], 2 * slot + 2, level + 1);
  };
  for (let t = 0; t < trees; t++) fill(t, a.treeStart[t], 0, 0);
  return {
    depth: D,
    trees,
    features: features.length,
    code,
    threshold,
    mask,
    wide,
    maskStart,
    bits: Int32Array.from(bits),
    sentinel,
    leaf,
    categoryCount,
  };
}

/** Transposes rows [b0, b0 + nb) into x; categorical codes that are missing or unknown become the sentinel. */
function transposeBlock(c: CompleteTrees, data: Dataset, b0: number, nb: number, x: Float64Array): void {
  const F = c.features;
  for (let f = 0; f < F; f++) {
    const column = data.columns[f];
    const known = c.categoryCount[f];
    if (known < 0) {
      for (let i = 0, k = f; i < nb; i++, k += F) x[k] = column[b0 + i];
    } else {
      for (let i = 0, k = f; i < nb; i++, k += F) {
        const v = column[b0 + i];
        const cat = v | 0;
        x[k] = cat === v && cat >= 0 && cat < known ? cat : c.sentinel[f];
      }
    }
  }
}

/**
 * Child slot from a slot, branch-free (data-dependent branches mispredict half the time).
 * Numeric: right when not v ≤ threshold, except NaN goes left when that is its default.
 * Categorical: right when the category's mask bit is clear.
 */
function nextSlot(c: CompleteTrees, at: number, slot: number, v: number, k: number): number {
  const numericRight = (1 - bit(v <= c.threshold[at])) ^ (bit(v !== v) & k);
  let categoryRight: number;
  if (c.wide) {
    // Numeric slots read word 0 with code 0: (k << 30) >> 31 is all ones only for categorical slots.
    const cat = (v | 0) & ((k << 30) >> 31);
    categoryRight = 1 ^ ((c.bits[c.maskStart[at] + (cat >>> 5)] >>> (cat & 31)) & 1);
  } else {
    categoryRight = 1 ^ ((c.mask[at] >>> (v | 0)) & 1);
  }
  return 2 * slot + 1 + (numericRight ^ ((numericRight ^ categoryRight) & (k >> 1)));
}

/** 1 or 0; `| 0` on a comparison compiles to a flag move rather than a branch. */
function bit(condition: boolean): number {
  return (condition as unknown as number) | 0;
}

function scoreComplete(c: CompleteTrees, data: Dataset, bias: number): Float64Array {
  if (c.wide) return scoreCompleteWide(c, data, bias);
  const rows = data.rows;
  const F = c.features;
  const D = c.depth;
  const inner = (1 << D) - 1;
  const leaves = 1 << D;
  const code = c.code;
  const threshold = c.threshold;
  const mask = c.mask;
  const leaf = c.leaf;
  const out = new Float64Array(rows).fill(bias);
  const x = new Float64Array(SCORE_BLOCK * F);
  for (let b0 = 0; b0 < rows; b0 += SCORE_BLOCK) {
    const nb = Math.min(SCORE_BLOCK, rows - b0);
    transposeBlock(c, data, b0, nb, x);
    for (let t = 0; t < c.trees; t++) {
      const off = t * inner;
      const leafOff = t * leaves - inner;
      let i = 0;
      // Four independent rows per pass so their dependent load chains overlap.
      for (; i + 4 <= nb; i += 4) {
        const r0 = i * F;
        const r1 = r0 + F;
        const r2 = r1 + F;
        const r3 = r2 + F;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let d = 0; d < D; d++) {
          const a0 = off + s0;
          const a1 = off + s1;
          const a2 = off + s2;
          const a3 = off + s3;
          const k0 = code[a0];
          const k1 = code[a1];
          const k2 = code[a2];
          const k3 = code[a3];
          const v0 = x[r0 + (k0 >> 2)];
          const v1 = x[r1 + (k1 >> 2)];
          const v2 = x[r2 + (k2 >> 2)];
          const v3 = x[r3 + (k3 >> 2)];
          const n0 = (1 - bit(v0 <= threshold[a0])) ^ (bit(v0 !== v0) & k0);
          const n1 = (1 - bit(v1 <= threshold[a1])) ^ (bit(v1 !== v1) & k1);
          const n2 = (1 - bit(v2 <= threshold[a2])) ^ (bit(v2 !== v2) & k2);
          const n3 = (1 - bit(v3 <= threshold[a3])) ^ (bit(v3 !== v3) & k3);
          const c0 = 1 ^ ((mask[a0] >>> (v0 | 0)) & 1);
          const c1 = 1 ^ ((mask[a1] >>> (v1 | 0)) & 1);
          const c2 = 1 ^ ((mask[a2] >>> (v2 | 0)) & 1);
          const c3 = 1 ^ ((mask[a3] >>> (v3 | 0)) & 1);
          s0 = 2 * s0 + 1 + (n0 ^ ((n0 ^ c0) & (k0 >> 1)));
          s1 = 2 * s1 + 1 + (n1 ^ ((n1 ^ c1) & (k1 >> 1)));
          s2 = 2 * s2 + 1 + (n2 ^ ((n2 ^ c2) & (k2 >> 1)));
          s3 = 2 * s3 + 1 + (n3 ^ ((n3 ^ c3) & (k3 >> 1)));
        }
        out[b0 + i] += leaf[leafOff + s0];
        out[b0 + i + 1] += leaf[leafOff + s1];
        out[b0 + i + 2] += leaf[leafOff + s2];
        out[b0 + i + 3] += leaf[leafOff + s3];
      }
      for (; i < nb; i++) {
        const r = i * F;
        let s = 0;
        for (let d = 0; d < D; d++) {
          const k = code[off + s];
          s = nextSlot(c, off + s, s, x[r + (k >> 2)], k);
        }
        out[b0 + i] += leaf[leafOff + s];
      }
    }
  }
  return out;
}

/** scoreComplete for wide categorical features: the category bit comes from a multi-word bitset. */
function scoreCompleteWide(c: CompleteTrees, data: Dataset, bias: number): Float64Array {
  const rows = data.rows;
  const F = c.features;
  const D = c.depth;
  const inner = (1 << D) - 1;
  const leaves = 1 << D;
  const code = c.code;
  const threshold = c.threshold;
  const maskStart = c.maskStart;
  const bits = c.bits;
  const leaf = c.leaf;
  const out = new Float64Array(rows).fill(bias);
  const x = new Float64Array(SCORE_BLOCK * F);
  for (let b0 = 0; b0 < rows; b0 += SCORE_BLOCK) {
    const nb = Math.min(SCORE_BLOCK, rows - b0);
    transposeBlock(c, data, b0, nb, x);
    for (let t = 0; t < c.trees; t++) {
      const off = t * inner;
      const leafOff = t * leaves - inner;
      let i = 0;
      // Four independent rows per pass so their dependent load chains overlap.
      for (; i + 4 <= nb; i += 4) {
        const r0 = i * F;
        const r1 = r0 + F;
        const r2 = r1 + F;
        const r3 = r2 + F;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let d = 0; d < D; d++) {
          const a0 = off + s0;
          const a1 = off + s1;
          const a2 = off + s2;
          const a3 = off + s3;
          const k0 = code[a0];
          const k1 = code[a1];
          const k2 = code[a2];
          const k3 = code[a3];
          const v0 = x[r0 + (k0 >> 2)];
          const v1 = x[r1 + (k1 >> 2)];
          const v2 = x[r2 + (k2 >> 2)];
          const v3 = x[r3 + (k3 >> 2)];
          const n0 = (1 - bit(v0 <= threshold[a0])) ^ (bit(v0 !== v0) & k0);
          const n1 = (1 - bit(v1 <= threshold[a1])) ^ (bit(v1 !== v1) & k1);
          const n2 = (1 - bit(v2 <= threshold[a2])) ^ (bit(v2 !== v2) & k2);
          const n3 = (1 - bit(v3 <= threshold[a3])) ^ (bit(v3 !== v3) & k3);
          const q0 = (v0 | 0) & ((k0 << 30) >> 31);
          const c0 = 1 ^ ((bits[maskStart[a0] + (q0 >>> 5)] >>> (q0 & 31)) & 1);
          const q1 = (v1 | 0) & ((k1 << 30) >> 31);
          const c1 = 1 ^ ((bits[maskStart[a1] + (q1 >>> 5)] >>> (q1 & 31)) & 1);
          const q2 = (v2 | 0) & ((k2 << 30) >> 31);
          const c2 = 1 ^ ((bits[maskStart[a2] + (q2 >>> 5)] >>> (q2 & 31)) & 1);
          const q3 = (v3 | 0) & ((k3 << 30) >> 31);
          const c3 = 1 ^ ((bits[maskStart[a3] + (q3 >>> 5)] >>> (q3 & 31)) & 1);
          s0 = 2 * s0 + 1 + (n0 ^ ((n0 ^ c0) & (k0 >> 1)));
          s1 = 2 * s1 + 1 + (n1 ^ ((n1 ^ c1) & (k1 >> 1)));
          s2 = 2 * s2 + 1 + (n2 ^ ((n2 ^ c2) & (k2 >> 1)));
          s3 = 2 * s3 + 1 + (n3 ^ ((n3 ^ c3) & (k3 >> 1)));
        }
        out[b0 + i] += leaf[leafOff + s0];
        out[b0 + i + 1] += leaf[leafOff + s1];
        out[b0 + i + 2] += leaf[leafOff + s2];
        out[b0 + i + 3] += leaf[leafOff + s3];
      }
      for (; i < nb; i++) {
        const r = i * F;
        let s = 0;
        for (let d = 0; d < D; d++) {
          const k = code[off + s];
          s = nextSlot(c, off + s, s, x[r + (k >> 2)], k);
        }
        out[b0 + i] += leaf[leafOff + s];
      }
    }
  }
  return out;
}

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

function rawGoesLeft(builder: EnsembleBuilder, node: number, value: number): boolean {
  if (value !== value) return builder.defaultLeft[node] === 1;
  const start = builder.categoryStart[node];
  if (start < 0) return value <= builder.threshold[node];
  const c = value | 0;
  if (c !== value || c < 0 || c >= builder.categoryCount[builder.feature[node]]) return builder.defaultLeft[node] === 1;
  return ((builder.categoryBits[start + (c >>> 5)] >>> (c & 31)) & 1) === 1;
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
