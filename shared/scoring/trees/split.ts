// Split search: the best split of a node from its histogram. Numeric features split at a bin
// threshold with a learned direction for missing values; categorical features split by the
// sorted-prefix partition (categories ordered by gradient/hessian, left = a prefix of that order).

import { BIN_SET_WORDS } from "./binning.js";
import { HISTOGRAM_STRIDE, type HistogramLayout } from "./histogram.js";

// A module-local copy: V8 folds a module's own constant into hot loops, but loads an imported binding on every use.
const STRIDE = HISTOGRAM_STRIDE;

export interface SplitParams {
  /** L2 regularisation on leaf values. */
  lambda: number;
  /** Minimum hessian sum in each child (with unit hessians: minimum rows). */
  minChildWeight: number;
  /** A split must improve the regularised loss by more than this. */
  minSplitGain: number;
  /** Pseudo-hessian added when ordering categories by gradient/hessian, so rare categories do not lead the order. */
  categoricalSmoothing: number;
  /** Categories with less hessian than this in a node are not ordered and stay on the right side. */
  minCategoryWeight: number;
}

/** Gains below this are float noise, not evidence. */
const GAIN_EPSILON = 1e-12;
/** Smallest hessian a non-empty child can have, so a zero minChildWeight still rejects empty children. */
const MIN_HESSIAN = 1e-300;

/** The best split found so far for each node of the tree being grown (node ids as in GrownTree). */
export class SplitSearch {
  readonly bestGain: Float64Array;
  /** Split feature, -1 while no split beats the minimum gain. */
  readonly bestFeature: Int32Array;
  readonly bestThresholdBin: Int32Array;
  /** Categorical splits: bin codes going left, BIN_SET_WORDS words per node. */
  readonly bestBinSet: Uint32Array;
  readonly bestDefaultLeft: Uint8Array;
  /** Gradient and hessian sums of the rows the split sends left. */
  readonly bestLeftGrad: Float64Array;
  readonly bestLeftHess: Float64Array;
  private readonly params: SplitParams;
  private readonly featureSlot: Int32Array;
  private readonly binCount: Int32Array;
  private readonly isCategorical: Uint8Array;
  // Work space for categorical split search.
  private readonly catOrder = new Int32Array(256);
  private readonly catKey = new Float64Array(256);

  constructor(layout: HistogramLayout, params: SplitParams, maxNodes: number) {
    this.params = params;
    this.featureSlot = layout.featureSlot;
    this.binCount = layout.binCount;
    this.isCategorical = layout.isCategorical;
    const n = maxNodes;
    this.bestGain = new Float64Array(n);
    this.bestFeature = new Int32Array(n);
    this.bestThresholdBin = new Int32Array(n);
    this.bestBinSet = new Uint32Array(n * BIN_SET_WORDS);
    this.bestDefaultLeft = new Uint8Array(n);
    this.bestLeftGrad = new Float64Array(n);
    this.bestLeftHess = new Float64Array(n);
  }

  /** Forgets a node's split: from now on only a gain above the minimum counts. */
  reset(node: number): void {
    this.bestFeature[node] = -1;
    this.bestGain[node] = Math.max(this.params.minSplitGain, GAIN_EPSILON);
  }

  /** Searches `features` for the node's best split; `hist` has its frequent bins recovered, G and H are the node's sums. */
  search(node: number, hist: Float64Array, G: number, H: number, features: Int32Array): void {
    const parentScore = (G * G) / (H + this.params.lambda);
    for (let k = 0; k < features.length; k++) {
      const f = features[k];
      if (this.isCategorical[f]) this.scanCategorical(node, f, hist, G, H, parentScore);
      else this.scanNumeric(node, f, hist, G, H, parentScore);
    }
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
    // The gain scan repeats scanNumeric's on purpose, over this order instead of bin order.
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
