// Turns a Dataset into small integer codes per cell so tree learners can work on histograms
// instead of sorting raw values at every node.
//
// Code 0 is reserved for "missing" in every feature; value bins are 1..binCount.
// Numeric bins are quantile bins over the training values; categorical bins are category codes,
// with the rarest categories lumped into one bin when there are too many.

import type { Dataset, FeatureInfo } from "../dataset.js";

/** The code every feature uses for a missing (or unseen) value. */
export const MISSING_BIN = 0;
/** Value bins per feature at most, so codes (including the missing code) fit in a byte. */
export const MAX_BINS = 255;
/** Words of a per-node bin bitset (256 bin codes): how grown trees store a categorical split. */
export const BIN_SET_WORDS = 8;
/** Above this many rows, bin edges are estimated from an evenly spaced sample of rows. */
const BINNING_SAMPLE_ROWS = 200_000;

export interface NumericBinning {
  kind: "numeric";
  /** Value bins, codes 1..binCount. */
  binCount: number;
  /**
   * upperEdges[b - 1] is the largest training value in bin b: a value v falls in the first bin
   * whose upper edge is ≥ v. The last edge is +Infinity so every value has a bin.
   */
  upperEdges: Float64Array;
}

export interface CategoricalBinning {
  kind: "categorical";
  binCount: number;
  /** Bin code for each category code; MISSING_BIN for categories never seen in training. */
  binOfCategory: Int32Array;
  /** Category codes in each bin (index = bin code; entry 0, the missing bin, is empty). */
  categoriesOfBin: number[][];
  /** Bin code holding the lumped rare categories, or -1 when every category has its own bin. */
  otherBin: number;
}

export type FeatureBinning = NumericBinning | CategoricalBinning;

export interface BinningOptions {
  /** Value bins per feature, 2..255. */
  maxBins: number;
}

export interface BinnedDataset {
  rows: number;
  binnings: FeatureBinning[];
  /** Column-major codes, one Uint8Array of `rows` per feature. */
  codes: Uint8Array[];
}

/** Learns bin edges (numeric) and bin assignments (categorical) from training data. */
export function fitBinning(data: Dataset, options: Partial<BinningOptions> = {}): FeatureBinning[] {
  const maxBins = Math.max(2, Math.min(MAX_BINS, Math.floor(options.maxBins ?? MAX_BINS)));
  return data.features.map((feature, f) =>
    feature.kind === "numeric"
      ? fitNumericBinning(data.columns[f], maxBins)
      : fitCategoricalBinning(feature, data.columns[f], maxBins),
  );
}

/** Codes for every cell of `data` under binnings learned by fitBinning. */
export function applyBinning(binnings: FeatureBinning[], data: Dataset): BinnedDataset {
  if (binnings.length !== data.features.length) {
    throw new Error(`binning has ${binnings.length} features, data has ${data.features.length}`);
  }
  const codes = binnings.map((binning, f) => {
    const column = data.columns[f];
    return binning.kind === "numeric"
      ? numericCodes(binning.upperEdges, column)
      : categoricalCodes(binning.binOfCategory, column);
  });
  return { rows: data.rows, binnings, codes };
}

/** Fits and applies in one go (the usual path for training data). */
export function binDataset(data: Dataset, options: Partial<BinningOptions> = {}): BinnedDataset {
  return applyBinning(fitBinning(data, options), data);
}

/** The bin code of one numeric value. */
export function numericBinOf(upperEdges: Float64Array, value: number): number {
  if (value !== value) return MISSING_BIN;
  let lo = 0;
  let hi = upperEdges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= upperEdges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

function numericCodes(upperEdges: Float64Array, column: Float64Array): Uint8Array {
  const out = new Uint8Array(column.length);
  for (let i = 0; i < column.length; i++) out[i] = numericBinOf(upperEdges, column[i]);
  return out;
}

function categoricalCodes(binOfCategory: Int32Array, column: Float64Array): Uint8Array {
  const out = new Uint8Array(column.length);
  const known = binOfCategory.length;
  for (let i = 0; i < column.length; i++) {
    const code = column[i];
    // NaN, negative, fractional or out-of-range codes are all "unknown": route them as missing.
    out[i] = code >= 0 && code < known && code === Math.floor(code) ? binOfCategory[code] : MISSING_BIN;
  }
  return out;
}

function fitNumericBinning(column: Float64Array, maxBins: number): NumericBinning {
  const values = sampledPresentValues(column);
  values.sort();
  // Distinct values and how often each occurs.
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (distinct.length > 0 && values[i] === distinct[distinct.length - 1]) counts[counts.length - 1]++;
    else {
      distinct.push(values[i]);
      counts.push(1);
    }
  }
  if (distinct.length === 0) return { kind: "numeric", binCount: 1, upperEdges: Float64Array.of(Infinity) };

  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 0; i < distinct.length - 1; i++) edges.push(distinct[i]);
  } else {
    // Greedy equal-frequency bins; a value frequent enough to fill a bin by itself gets its own bin.
    let remainingRows = values.length;
    let binsLeft = maxBins;
    let inBin = 0;
    for (let i = 0; i < distinct.length - 1 && binsLeft > 1; i++) {
      inBin += counts[i];
      const target = remainingRows / binsLeft;
      const nextAloneFillsBin = counts[i + 1] >= target;
      if (inBin >= target || (nextAloneFillsBin && inBin > 0)) {
        edges.push(distinct[i]);
        remainingRows -= inBin;
        inBin = 0;
        binsLeft--;
      }
    }
  }
  edges.push(Infinity);
  return { kind: "numeric", binCount: edges.length, upperEdges: Float64Array.from(edges) };
}

function sampledPresentValues(column: Float64Array): Float64Array {
  const step = column.length > BINNING_SAMPLE_ROWS ? column.length / BINNING_SAMPLE_ROWS : 1;
  const out = new Float64Array(Math.min(column.length, BINNING_SAMPLE_ROWS));
  let n = 0;
  for (let k = 0; k < out.length; k++) {
    const v = column[Math.floor(k * step)];
    if (v === v) out[n++] = v;
  }
  return out.subarray(0, n);
}

function fitCategoricalBinning(feature: FeatureInfo, column: Float64Array, maxBins: number): CategoricalBinning {
  let known = feature.categories?.length ?? 0;
  for (let i = 0; i < column.length; i++) {
    const code = column[i];
    if (code >= known && code === Math.floor(code)) known = code + 1;
  }
  const counts = new Float64Array(known);
  for (let i = 0; i < column.length; i++) {
    const code = column[i];
    if (code >= 0 && code < known && code === Math.floor(code)) counts[code]++;
  }
  const seen: number[] = [];
  for (let c = 0; c < known; c++) if (counts[c] > 0) seen.push(c);
  // Most frequent first; ties keep code order so binning is deterministic.
  seen.sort((a, b) => counts[b] - counts[a] || a - b);

  const ownBins = seen.length <= maxBins ? seen.length : maxBins - 1;
  const binOfCategory = new Int32Array(known).fill(MISSING_BIN);
  const categoriesOfBin: number[][] = [[]];
  for (let i = 0; i < ownBins; i++) {
    binOfCategory[seen[i]] = i + 1;
    categoriesOfBin.push([seen[i]]);
  }
  let otherBin = -1;
  if (ownBins < seen.length) {
    otherBin = ownBins + 1;
    const lumped = seen.slice(ownBins).sort((a, b) => a - b);
    for (const c of lumped) binOfCategory[c] = otherBin;
    categoriesOfBin.push(lumped);
  }
  // A column with no values still gets one (empty) value bin so binCount ≥ 1 holds everywhere.
  if (categoriesOfBin.length === 1) categoriesOfBin.push([]);
  return { kind: "categorical", binCount: categoriesOfBin.length - 1, binOfCategory, categoriesOfBin, otherBin };
}
