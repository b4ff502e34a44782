// Node histograms for tree growth: per feature, the gradient and hessian sums of the rows in each
// bin. The layout stores each row's cells as histogram slots, so building a node's histogram is one
// pass over its rows; split search (split.ts) reads the sums.

import type { BinnedDataset } from "./binning.js";

/**
 * Histogram slot stride: gradient sum, hessian sum. Row counts are not accumulated: children's
 * counts come from the partition, and a bin is empty exactly when its hessian sum is 0
 * (boosting floors each row's hessian above 0, the decision tree uses unit hessians).
 */
const STRIDE = 2;
/** STRIDE for other modules (split.ts keeps a module-local copy for its hot loops). */
export const HISTOGRAM_STRIDE = STRIDE;

/** Where each feature's bins sit in a node histogram, and every row's cells as histogram slots. */
export class HistogramLayout {
  /** Histogram slot of each feature's missing bin (its value bins follow). */
  readonly featureSlot: Int32Array;
  readonly binCount: Int32Array;
  readonly isCategorical: Uint8Array;
  /** Length of one node histogram (slots × STRIDE). */
  readonly size: number;
  /**
   * Row-major histogram slots (feature slot + bin code) of every cell except those in its feature's
   * most frequent bin: row r's slots are rowSlots[rowStart[r], rowStart[r + 1]). One row's slots are
   * adjacent (one cache line per row for scattered rows), and skipping the most frequent bins — often
   * most cells, as in "no previous contact" columns — saves histogram work; each node recovers
   * those bins as its total minus the feature's other bins (LightGBM's most-frequent-bin trick).
   */
  readonly rowSlots: Uint16Array | Uint32Array;
  readonly rowStart: Uint32Array;
  /** Per feature: the slot of its most frequent bin (not accumulated, recovered per node). */
  readonly frequentSlot: Int32Array;

  constructor(binned: BinnedDataset) {
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
    this.size = slots * STRIDE;
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
  }

  /** Sums the gradients and hessians of rows[begin, end) into `hist` (a node's histogram). */
  build(hist: Float64Array, gradHess: Float32Array, rows: Uint32Array, begin: number, end: number): void {
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
  recoverFrequentBins(hist: Float64Array, G: number, H: number, features: Int32Array): void {
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
}
