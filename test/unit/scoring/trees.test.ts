import { describe, it, expect } from "vitest";
import { createRandom, type FeatureInfo, type LabelledDataset } from "../../../shared/scoring/dataset.js";
import { applyBinning, binDataset, fitBinning, MAX_BINS, MISSING_BIN } from "../../../shared/scoring/trees/binning.js";
import { gbdtFromJSON, trainGbdt } from "../../../shared/scoring/gbdt.js";
import type { TreeEnsemble } from "../../../shared/scoring/trees/ensemble.js";
import { decisionTreeFromJSON, describeRule, trainDecisionTree } from "../../../shared/scoring/decisionTree.js";
import { tabulateShap } from "../../../shared/scoring/trees/treeShap.js";

// ---------------------------------------------------------------------------------------------
// Helpers

/** Area under the ROC curve by rank sums (ties share their average rank). */
function auc(score: Float64Array, label: Uint8Array): number {
  const idx = Array.from(score.keys()).sort((a, b) => score[a] - score[b]);
  let sumPositiveRanks = 0;
  let positives = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j < idx.length && score[idx[j]] === score[idx[i]]) j++;
    const averageRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) {
      if (label[idx[k]]) {
        sumPositiveRanks += averageRank;
        positives++;
      }
    }
    i = j;
  }
  const negatives = idx.length - positives;
  return (sumPositiveRanks - (positives * (positives + 1)) / 2) / (positives * negatives);
}

interface Column {
  info: FeatureInfo;
  values: number[];
}

function dataset(columns: Column[], label: number[]): LabelledDataset {
  return {
    features: columns.map((c) => c.info),
    columns: columns.map((c) => Float64Array.from(c.values)),
    rows: label.length,
    label: Uint8Array.from(label),
  };
}

/** Mixed numeric / categorical data with missing values and a noisy non-linear label. */
function mixedData(rows: number, seed: number): LabelledDataset {
  const random = createRandom(seed);
  const seats: number[] = [];
  const usage: number[] = [];
  const segment: number[] = [];
  const noise: number[] = [];
  const label: number[] = [];
  for (let i = 0; i < rows; i++) {
    const s = Math.floor(random() * 200) + 1;
    const u = random() < 0.2 ? NaN : Math.round(random() * 100) / 100;
    const g = Math.floor(random() * 5);
    const z = random() < 0.1 ? NaN : random();
    const logit = (s > 80 ? 1 : -0.5) + (Number.isNaN(u) ? 0.8 : -2 * u) + (g === 1 || g === 3 ? 1 : -0.3);
    seats.push(s);
    usage.push(u);
    segment.push(g);
    noise.push(z);
    label.push(random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0);
  }
  return dataset(
    [
      { info: { name: "seats", kind: "numeric" }, values: seats },
      { info: { name: "Intune utilisation", kind: "numeric" }, values: usage },
      { info: { name: "segment", kind: "categorical", categories: ["Enterprise", "SMB", "Public", "SME&C", "Education"] }, values: segment },
      { info: { name: "noise", kind: "numeric" }, values: noise },
    ],
    label,
  );
}

function oneRow(features: FeatureInfo[], values: number[]) {
  return { features, columns: values.map((v) => Float64Array.of(v)), rows: 1 };
}

/**
 * Path-dependent conditional expectation E[f(x) | x_S] of one ensemble, computed by brute force:
 * follow the row where the split feature is in S, otherwise average both branches by cover.
 */
function conditionalExpectation(ensemble: TreeEnsemble, data: LabelledDataset, row: number, known: Set<number>): number {
  const a = ensemble.arrays;
  const visit = (n: number): number => {
    if (a.feature[n] < 0) return a.value[n];
    if (known.has(a.feature[n])) return visit(ensemble.childFor(n, data.columns[a.feature[n]][row]));
    const l = a.left[n];
    const r = a.right[n];
    return (a.cover[l] * visit(l) + a.cover[r] * visit(r)) / a.cover[n];
  };
  let total = ensemble.bias;
  for (const root of a.treeStart) total += visit(root);
  return total;
}

/** Exact Shapley values by enumerating all feature subsets (fine for four features). */
function bruteForceShapley(ensemble: TreeEnsemble, data: LabelledDataset, row: number): number[] {
  const F = data.features.length;
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const phi = new Array<number>(F).fill(0);
  for (let mask = 0; mask < 1 << F; mask++) {
    const known = new Set<number>();
    for (let f = 0; f < F; f++) if (mask & (1 << f)) known.add(f);
    const base = conditionalExpectation(ensemble, data, row, known);
    for (let f = 0; f < F; f++) {
      if (known.has(f)) continue;
      const weight = (factorial(known.size) * factorial(F - known.size - 1)) / factorial(F);
      const withF = conditionalExpectation(ensemble, data, row, new Set([...known, f]));
      phi[f] += weight * (withF - base);
    }
  }
  return phi;
}

// ---------------------------------------------------------------------------------------------
// Binning

describe("binning", () => {
  it("uses at most 255 value bins per numeric column and reserves code 0 for missing", () => {
    const random = createRandom(3);
    const values = Array.from({ length: 5000 }, (_, i) => (i % 50 === 0 ? NaN : random() * 1000));
    const data = dataset([{ info: { name: "revenue", kind: "numeric" }, values }], new Array(5000).fill(0));
    const binned = binDataset(data);
    const binning = binned.binnings[0];
    expect(binning.binCount).toBeLessThanOrEqual(MAX_BINS);
    expect(binning.binCount).toBeGreaterThan(200);
    for (let i = 0; i < 5000; i++) {
      if (Number.isNaN(values[i])) expect(binned.codes[0][i]).toBe(MISSING_BIN);
      else expect(binned.codes[0][i]).toBeGreaterThan(MISSING_BIN);
    }
  });

  it("keeps bins in value order so bin codes split like raw values", () => {
    const random = createRandom(4);
    const values = Array.from({ length: 3000 }, () => Math.floor(random() * 10000) / 7);
    const data = dataset([{ info: { name: "x", kind: "numeric" }, values }], new Array(3000).fill(0));
    const { codes } = binDataset(data);
    for (let i = 1; i < 3000; i++) {
      if (values[i] < values[i - 1]) expect(codes[0][i]).toBeLessThanOrEqual(codes[0][i - 1]);
      if (values[i] > values[i - 1]) expect(codes[0][i]).toBeGreaterThanOrEqual(codes[0][i - 1]);
    }
  });

  it("gives each category its own bin and lumps the rarest when there are more than 254", () => {
    const categories = Array.from({ length: 300 }, (_, i) => `partner ${i}`);
    // Category c appears 300 - c times, so the 46 rarest (codes 254..299) are lumped together.
    const values: number[] = [];
    for (let c = 0; c < 300; c++) for (let k = 0; k < 300 - c; k++) values.push(c);
    const data = dataset([{ info: { name: "partner", kind: "categorical", categories }, values }], new Array(values.length).fill(0));
    const [binning] = fitBinning(data);
    if (binning.kind !== "categorical") throw new Error("expected categorical binning");
    expect(binning.binCount).toBe(255);
    const ownBins = new Set<number>();
    for (let c = 0; c < 254; c++) ownBins.add(binning.binOfCategory[c]);
    expect(ownBins.size).toBe(254);
    for (let c = 254; c < 300; c++) expect(binning.binOfCategory[c]).toBe(binning.otherBin);
    expect(binning.categoriesOfBin[binning.otherBin]).toHaveLength(46);
  });

  it("codes unseen and missing categories as missing", () => {
    const data = dataset([{ info: { name: "segment", kind: "categorical", categories: ["SMB", "Enterprise", "Public"] }, values: [0, 1, 0, 1] }], [0, 0, 0, 0]);
    const binnings = fitBinning(data);
    const scored = dataset([{ info: data.features[0], values: [2, NaN, 7, 0] }], [0, 0, 0, 0]);
    const codes = applyBinning(binnings, scored).codes[0];
    expect(Array.from(codes.subarray(0, 3))).toEqual([MISSING_BIN, MISSING_BIN, MISSING_BIN]);
    expect(codes[3]).not.toBe(MISSING_BIN);
  });
});

// ---------------------------------------------------------------------------------------------
// Gradient-boosted trees

describe("gbdt", () => {
  it("separates linearly separable data perfectly (AUC 1)", () => {
    const random = createRandom(11);
    const x = Array.from({ length: 400 }, () => random() * 10);
    const other = Array.from({ length: 400 }, () => random());
    const label = x.map((v) => (v > 6.3 ? 1 : 0));
    const data = dataset([{ info: { name: "x", kind: "numeric" }, values: x }, { info: { name: "other", kind: "numeric" }, values: other }], label);
    const model = trainGbdt(data, { rounds: 20 });
    expect(auc(model.predictMargin(data), data.label)).toBe(1);
  });

  it("splits on the most frequent value (its bin is recovered from node totals, not accumulated)", () => {
    const random = createRandom(12);
    // 80 % of accounts have no previous contact (0); they are the positives.
    const previous = Array.from({ length: 500 }, () => (random() < 0.8 ? 0 : 1 + Math.floor(random() * 5)));
    const data = dataset([{ info: { name: "previous contacts", kind: "numeric" }, values: previous }], previous.map((v) => (v === 0 ? 1 : 0)));
    const model = trainGbdt(data, { rounds: 1, maxDepth: 1, learningRate: 1 });
    const score = (v: number) => model.predictMargin(oneRow(data.features, [v]))[0];
    expect(score(0)).toBeGreaterThan(score(1));
    expect(score(1)).toBe(score(5));
    // The leaf value is −G/(H + λ) over exactly the rows with no previous contact.
    const positives = previous.filter((v) => v === 0).length;
    const prior = positives / previous.length;
    const expected = (positives * (1 - prior)) / (positives * prior * (1 - prior) + 1);
    expect(score(0) - model.baseScore).toBeCloseTo(expected, 5);
  });

  it("stays near AUC 0.5 on held-out pure noise", () => {
    const make = (seed: number) => {
      const random = createRandom(seed);
      const cols = [0, 1, 2].map((f) => ({ info: { name: `f${f}`, kind: "numeric" as const }, values: Array.from({ length: 1500 }, () => random()) }));
      return dataset(cols, Array.from({ length: 1500 }, () => (random() < 0.3 ? 1 : 0)));
    };
    const model = trainGbdt(make(21), { rounds: 60, earlyStoppingRounds: 0 });
    const test = make(22);
    expect(Math.abs(auc(model.predictMargin(test), test.label) - 0.5)).toBeLessThan(0.06);
  });

  it("starts from the log-odds of the training prior", () => {
    const data = dataset([{ info: { name: "x", kind: "numeric" }, values: [1, 2, 3, 4, 5, 6, 7, 8] }], [1, 0, 0, 0, 1, 0, 0, 0]);
    const model = trainGbdt(data, { rounds: 1 });
    expect(model.baseScore).toBeCloseTo(Math.log(0.25 / 0.75), 12);
  });

  it("routes missing values to the side whose rows they resemble", () => {
    // High usage and missing usage are both positive, low usage negative: missing must go with the high side.
    const random = createRandom(5);
    const usage: number[] = [];
    const label: number[] = [];
    for (let i = 0; i < 600; i++) {
      const kind = i % 3;
      usage.push(kind === 0 ? NaN : kind === 1 ? 0.6 + random() * 0.4 : random() * 0.4);
      label.push(kind === 2 ? 0 : 1);
    }
    const data = dataset([{ info: { name: "usage", kind: "numeric" }, values: usage }], label);
    const model = trainGbdt(data, { rounds: 1, maxDepth: 1, learningRate: 1 });
    const score = (v: number) => model.predictMargin(oneRow(data.features, [v]))[0];
    expect(score(NaN)).toBe(score(0.9));
    expect(score(NaN)).toBeGreaterThan(score(0.1));
    // The opposite arrangement sends missing values the other way.
    const flipped = dataset([{ info: data.features[0], values: usage.map((v) => (Number.isNaN(v) ? v : 1 - v)) }], label);
    const model2 = trainGbdt(flipped, { rounds: 1, maxDepth: 1, learningRate: 1 });
    const score2 = (v: number) => model2.predictMargin(oneRow(data.features, [v]))[0];
    expect(score2(NaN)).toBe(score2(0.1));
    expect(score2(NaN)).toBeGreaterThan(score2(0.9));
  });

  it("learns a non-ordinal set of categories in a single categorical split", () => {
    const categories = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];
    const winning = new Set([1, 4, 7, 8]);
    const codes = Array.from({ length: 1000 }, (_, i) => i % 10);
    const data = dataset([{ info: { name: "industry", kind: "categorical", categories }, values: codes }], codes.map((c) => (winning.has(c) ? 1 : 0)));
    const model = trainGbdt(data, { rounds: 1, maxDepth: 1, learningRate: 1 });
    const scores = categories.map((_, c) => model.predictMargin(oneRow(data.features, [c]))[0]);
    const inSet = scores.filter((_, c) => winning.has(c));
    const outSet = scores.filter((_, c) => !winning.has(c));
    expect(new Set(inSet).size).toBe(1);
    expect(new Set(outSet).size).toBe(1);
    expect(inSet[0]).toBeGreaterThan(outSet[0]);
    expect(model.ensemble.arrays.categoryStart[0]).toBeGreaterThanOrEqual(0);
  });

  it("scores unknown category codes like missing values", () => {
    const data = mixedData(800, 31);
    const model = trainGbdt(data, { rounds: 30 });
    const row = [120, 0.5, NaN, 0.5];
    const missing = model.predictMargin(oneRow(data.features, row))[0];
    expect(model.predictMargin(oneRow(data.features, [120, 0.5, 99, 0.5]))[0]).toBe(missing);
    expect(model.predictMargin(oneRow(data.features, [120, 0.5, 2.5, 0.5]))[0]).toBe(missing);
  });

  it("scores with the compiled layout exactly as walking the stored trees, including odd inputs", () => {
    const data = mixedData(1000, 35);
    const model = trainGbdt(data, { rounds: 60 });
    const odd = mixedData(500, 36);
    // Unknown, fractional and negative category codes, and missing values everywhere.
    for (let i = 0; i < odd.rows; i += 7) odd.columns[2][i] = [17, 1.5, -1, NaN][(i / 7) % 4];
    for (let i = 0; i < odd.rows; i += 5) odd.columns[0][i] = NaN;
    for (const d of [data, odd]) {
      expect(Array.from(model.predictMargin(d))).toEqual(Array.from(model.ensemble.predictMarginReference(d)));
    }
  });

  it("scores many-category models (wide bitsets) and deep models (pointer layout) exactly as walking the stored trees", () => {
    const random = createRandom(38);
    const categories = Array.from({ length: 40 }, (_, i) => `region ${i}`);
    const region = Array.from({ length: 1200 }, () => Math.floor(random() * 40));
    const size = Array.from({ length: 1200 }, () => (random() < 0.1 ? NaN : random() * 100));
    const label = region.map((r, i) => (random() < (r % 3 === 0 ? 0.7 : 0.2) + (size[i] > 50 ? 0.1 : 0) ? 1 : 0));
    const data = dataset(
      [
        { info: { name: "region", kind: "categorical", categories }, values: region },
        { info: { name: "size", kind: "numeric" }, values: size },
      ],
      label,
    );
    const manyCategories = trainGbdt(data, { rounds: 30 });
    const deep = trainGbdt(mixedData(1500, 39), { rounds: 10, maxDepth: 0, maxLeaves: 48 });
    expect(deep.ensemble.maxDepth()).toBeGreaterThan(8);
    const odd = dataset(
      [
        { info: data.features[0], values: region.map((r, i) => [r, NaN, 40, 63, -2, 0.5][i % 6]) },
        { info: data.features[1], values: size },
      ],
      label,
    );
    for (const [model, d] of [[manyCategories, data], [manyCategories, odd], [deep, mixedData(300, 40)]] as const) {
      expect(Array.from(model.predictMargin(d))).toEqual(Array.from(model.ensemble.predictMarginReference(d)));
    }
  });

  it("uses only the sampled features in each tree when column subsampling", () => {
    const data = mixedData(1000, 37);
    const model = trainGbdt(data, { rounds: 20, colsample: 0.25 });
    const a = model.ensemble.arrays;
    const used = new Set<number>();
    for (let t = 0; t < model.treeCount; t++) {
      const end = t + 1 < model.treeCount ? a.treeStart[t + 1] : a.feature.length;
      const features = new Set<number>();
      for (let n = a.treeStart[t]; n < end; n++) if (a.feature[n] >= 0) features.add(a.feature[n]);
      expect(features.size).toBeLessThanOrEqual(1);
      for (const f of features) used.add(f);
    }
    expect(used.size).toBeGreaterThan(1);
  });

  it("explains each row additively: contributions plus bias equal the margin", () => {
    const data = mixedData(1000, 41);
    const model = trainGbdt(data, { rounds: 80, subsample: 0.8, colsample: 0.75 });
    const margin = model.predictMargin(data);
    const random = createRandom(42);
    for (let k = 0; k < 25; k++) {
      const row = Math.floor(random() * data.rows);
      const phi = model.contributions(data, row);
      expect(phi).toHaveLength(data.features.length + 1);
      const sum = phi.reduce((s, v) => s + v, 0);
      expect(Math.abs(sum - margin[row])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(margin[row])));
    }
  });

  it("computes exact Shapley values (matches brute-force subset enumeration)", () => {
    const data = mixedData(600, 43);
    const model = trainGbdt(data, { rounds: 5, maxDepth: 4, learningRate: 0.5 });
    for (const row of [0, 7, 19, 123]) {
      const expected = bruteForceShapley(model.ensemble, data, row);
      // Both the tabulated explanation and the reference recursion.
      for (const phi of [model.contributions(data, row), model.ensemble.contributionsByRecursion(data, row)]) {
        for (let f = 0; f < data.features.length; f++) expect(phi[f]).toBeCloseTo(expected[f], 10);
        expect(phi[data.features.length]).toBeCloseTo(conditionalExpectation(model.ensemble, data, row, new Set()), 10);
      }
    }
  });

  it("explains trees too wide to tabulate by the recursion, with the same results", () => {
    const random = createRandom(45);
    const columns = Array.from({ length: 12 }, (_, f) => ({
      info: { name: `signal ${f}`, kind: "numeric" as const },
      values: Array.from({ length: 1500 }, () => random()),
    }));
    const label = Array.from({ length: 1500 }, (_, i) => (columns.reduce((s, c) => s + c.values[i], 0) + random() > 6.5 ? 1 : 0));
    const data = dataset(columns, label);
    const model = trainGbdt(data, { rounds: 8, maxDepth: 0, maxLeaves: 200, minChildWeight: 0, lambda: 0.1 });
    const a = model.ensemble.arrays;
    const { tabulated } = tabulateShap(a, a.treeStart);
    expect(tabulated.some((t) => t === 0)).toBe(true);
    const margin = model.predictMargin(data);
    for (const row of [2, 300, 1499]) {
      const fast = model.contributions(data, row);
      const reference = model.ensemble.contributionsByRecursion(data, row);
      for (let f = 0; f <= data.features.length; f++) expect(fast[f]).toBeCloseTo(reference[f], 12);
      expect(Math.abs(fast.reduce((s, v) => s + v, 0) - margin[row])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(margin[row])));
    }
  });

  it("ranks features by total split gain, with pure noise last", () => {
    const data = mixedData(1500, 44);
    const importance = trainGbdt(data, { rounds: 40 }).featureImportance();
    expect(importance).toHaveLength(4);
    for (const v of importance) expect(v).toBeGreaterThanOrEqual(0);
    expect(importance[3]).toBeLessThan(Math.min(importance[0], importance[1], importance[2]));
  });

  it("scores and explains identically after a JSON round trip", () => {
    const data = mixedData(800, 51);
    const model = trainGbdt(data, { rounds: 40 });
    const restored = gbdtFromJSON(JSON.parse(JSON.stringify(model)));
    expect(restored.kind).toBe("gbdt");
    expect(restored.treeCount).toBe(model.treeCount);
    expect(restored.bestIteration).toBe(model.bestIteration);
    expect(Array.from(restored.predictMargin(data))).toEqual(Array.from(model.predictMargin(data)));
    expect(Array.from(restored.contributions(data, 3))).toEqual(Array.from(model.contributions(data, 3)));
    expect(Array.from(restored.featureImportance())).toEqual(Array.from(model.featureImportance()));
  });

  it("rejects stored trees that would loop or read outside the model", () => {
    const json = JSON.parse(JSON.stringify(trainGbdt(mixedData(300, 52), { rounds: 3 })));
    const root = json.trees.feature.findIndex((f: number) => f >= 0);
    const looping = structuredClone(json);
    looping.trees.left[root] = root;
    expect(() => gbdtFromJSON(looping)).toThrow(/invalid child/);
    const unknownFeature = structuredClone(json);
    unknownFeature.trees.feature[root] = 99;
    expect(() => gbdtFromJSON(unknownFeature)).toThrow(/unknown feature/);
    expect(() => gbdtFromJSON({ ...json, kind: "logistic" })).toThrow(/not a gbdt/);
  });

  it("is deterministic for a seed, and a different seed changes a subsampled model", () => {
    const data = mixedData(800, 61);
    const options = { rounds: 30, subsample: 0.7, colsample: 0.5, seed: 7 };
    const a = JSON.stringify(trainGbdt(data, options));
    const b = JSON.stringify(trainGbdt(data, options));
    const c = JSON.stringify(trainGbdt(data, { ...options, seed: 8 }));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it("stops early on noise and keeps the best validation iteration", () => {
    const make = (seed: number) => {
      const random = createRandom(seed);
      const cols = [0, 1].map((f) => ({ info: { name: `f${f}`, kind: "numeric" as const }, values: Array.from({ length: 800 }, () => random()) }));
      return dataset(cols, Array.from({ length: 800 }, () => (random() < 0.4 ? 1 : 0)));
    };
    const model = trainGbdt(make(71), { rounds: 300, earlyStoppingRounds: 10, learningRate: 0.3 }, make(72));
    expect(model.roundsTrained).toBeLessThan(300);
    expect(model.roundsTrained).toBe(model.bestIteration + 10);
    expect(model.treeCount).toBe(model.bestIteration);
  });

  it("trains every round when there is no validation set", () => {
    const model = trainGbdt(mixedData(300, 73), { rounds: 12, earlyStoppingRounds: 3 });
    expect(model.treeCount).toBe(12);
    expect(model.roundsTrained).toBe(12);
  });

  it("grows the same trees with histogram subtraction as with building both children", () => {
    const data = mixedData(1200, 81);
    const withSubtraction = trainGbdt(data, { rounds: 15, histogramSubtraction: true });
    const bothBuilt = trainGbdt(data, { rounds: 15, histogramSubtraction: false });
    const a = withSubtraction.ensemble.arrays;
    const b = bothBuilt.ensemble.arrays;
    expect(Array.from(a.feature)).toEqual(Array.from(b.feature));
    expect(Array.from(a.threshold)).toEqual(Array.from(b.threshold));
    expect(Array.from(a.categoryBits)).toEqual(Array.from(b.categoryBits));
    expect(Array.from(a.defaultLeft)).toEqual(Array.from(b.defaultLeft));
    const ma = withSubtraction.predictMargin(data);
    const mb = bothBuilt.predictMargin(data);
    for (let i = 0; i < data.rows; i++) expect(ma[i]).toBeCloseTo(mb[i], 9);
  });

  it("respects max depth and max leaves", () => {
    const data = mixedData(1500, 91);
    const deep = trainGbdt(data, { rounds: 5, maxDepth: 2 });
    expect(deep.ensemble.maxDepth()).toBeLessThanOrEqual(2);
    const leafy = trainGbdt(data, { rounds: 5, maxDepth: 0, maxLeaves: 5 });
    const a = leafy.ensemble.arrays;
    for (let t = 0; t < leafy.treeCount; t++) {
      const end = t + 1 < leafy.treeCount ? a.treeStart[t + 1] : a.feature.length;
      let leaves = 0;
      for (let n = a.treeStart[t]; n < end; n++) if (a.feature[n] < 0) leaves++;
      expect(leaves).toBeLessThanOrEqual(5);
    }
  });

  it("rejects invalid options", () => {
    const data = mixedData(100, 92);
    expect(() => trainGbdt(data, { subsample: 0 })).toThrow(/subsample/);
    expect(() => trainGbdt(data, { maxDepth: 0, maxLeaves: 0 })).toThrow(/maxDepth or maxLeaves/);
  });
});

// ---------------------------------------------------------------------------------------------
// Decision tree

describe("decision tree", () => {
  /** Positive exactly when seats > 50 and Intune utilisation is missing or ≤ 0.2. */
  function ruleData(): LabelledDataset {
    const random = createRandom(101);
    const seats: number[] = [];
    const usage: number[] = [];
    const label: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const s = Math.floor(random() * 200) + 1;
      const u = random() < 0.15 ? NaN : Math.floor(random() * 21) / 20;
      seats.push(s);
      usage.push(u);
      label.push(s > 50 && (Number.isNaN(u) || u <= 0.2) ? 1 : 0);
    }
    return dataset(
      [
        { info: { name: "seats", kind: "numeric" }, values: seats },
        { info: { name: "Intune utilisation", kind: "numeric" }, values: usage },
      ],
      label,
    );
  }

  it("separates rule-shaped data perfectly (AUC 1)", () => {
    const data = ruleData();
    const model = trainDecisionTree(data);
    expect(auc(model.predictMargin(data), data.label)).toBe(1);
  });

  it("reads the positive leaf as a seller-facing rule with missing routing", () => {
    const data = ruleData();
    const model = trainDecisionTree(data);
    const row = data.label.indexOf(1);
    const text = describeRule(model.rulePath(data, row));
    expect(text.split(" and ").sort()).toEqual(["Intune utilisation is missing or ≤ 0.2", "seats > 50"]);
    const rule = model.rules().find((r) => r.text === text);
    expect(rule).toBeDefined();
    expect(rule!.probability).toBeGreaterThan(0.95);
  });

  it("states the missing route for a row whose value is missing even if training had none there", () => {
    const data = ruleData();
    const model = trainDecisionTree(data);
    const row = oneRow(data.features, [NaN, 0.1]);
    const seats = model.rulePath(row, 0).find((c) => c.name === "seats")!;
    expect(seats.missing).toBe(true);
    expect(describeRule([seats])).toMatch(/^seats is missing or [≤>] 50$/);
  });

  it("names category sets in categorical rules", () => {
    const categories = ["Enterprise", "SMB", "Public", "SME&C"];
    const codes = Array.from({ length: 400 }, (_, i) => i % 4);
    const data = dataset([{ info: { name: "segment", kind: "categorical", categories }, values: codes }], codes.map((c) => (c === 1 || c === 3 ? 1 : 0)));
    const model = trainDecisionTree(data, { maxDepth: 1 });
    const texts = model.rules().map((r) => r.text).sort();
    expect(texts).toEqual(["segment is Enterprise or Public", "segment is SMB or SME&C"]);
  });

  it("names categories by code when the feature has no category names", () => {
    const codes = Array.from({ length: 300 }, (_, i) => i % 3);
    const data = dataset([{ info: { name: "tier", kind: "categorical" }, values: codes }], codes.map((c) => (c === 2 ? 1 : 0)));
    const texts = trainDecisionTree(data, { maxDepth: 1 }).rules().map((r) => r.text).sort();
    expect(texts).toEqual(["tier is 2", "tier is not 2"]);
  });

  it("lists every leaf with its probability and support", () => {
    const data = mixedData(2000, 111);
    const model = trainDecisionTree(data);
    const rules = model.rules();
    const leaves = Array.from(model.ensemble.arrays.feature).filter((f) => f < 0).length;
    expect(rules).toHaveLength(leaves);
    expect(rules.reduce((s, r) => s + r.support, 0)).toBe(data.rows);
    for (const r of rules) {
      expect(r.support).toBeGreaterThanOrEqual(20);
      expect(r.probability).toBeGreaterThan(0);
      expect(r.probability).toBeLessThan(1);
    }
    expect(model.ensemble.maxDepth()).toBeLessThanOrEqual(3);
  });

  it("scores each leaf as the smoothed log-odds of its positive rate", () => {
    const data = mixedData(1000, 112);
    const model = trainDecisionTree(data, { smoothing: 2 });
    const margin = model.predictMargin(data);
    // Group training rows by leaf and recompute the smoothed rate from the labels.
    const groups = new Map<number, { n: number; pos: number }>();
    for (let i = 0; i < data.rows; i++) {
      const g = groups.get(margin[i]) ?? { n: 0, pos: 0 };
      g.n++;
      g.pos += data.label[i];
      groups.set(margin[i], g);
    }
    for (const [m, g] of groups) {
      const rate = (g.pos + 2 * model.prior) / (g.n + 2);
      expect(m).toBeCloseTo(Math.log(rate / (1 - rate)), 9);
    }
  });

  it("explains rows additively and exactly", () => {
    const data = mixedData(1000, 121);
    const model = trainDecisionTree(data);
    const margin = model.predictMargin(data);
    for (const row of [1, 50, 333, 999]) {
      const phi = model.contributions(data, row);
      const sum = phi.reduce((s, v) => s + v, 0);
      expect(Math.abs(sum - margin[row])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(margin[row])));
      const expected = bruteForceShapley(model.ensemble, data, row);
      for (let f = 0; f < data.features.length; f++) expect(phi[f]).toBeCloseTo(expected[f], 10);
    }
  });

  it("scores and describes identically after a JSON round trip", () => {
    const data = ruleData();
    const model = trainDecisionTree(data);
    const restored = decisionTreeFromJSON(JSON.parse(JSON.stringify(model)));
    expect(restored.kind).toBe("tree");
    expect(Array.from(restored.predictMargin(data))).toEqual(Array.from(model.predictMargin(data)));
    expect(restored.rules()).toEqual(model.rules());
  });
});

describe("describeRule", () => {
  it("phrases numeric bounds, missing routing and category sets", () => {
    expect(
      describeRule([
        { feature: 0, name: "seats", kind: "numeric", lower: 50, missing: false },
        { feature: 1, name: "Intune utilisation", kind: "numeric", upper: 0.2, missing: true },
      ]),
    ).toBe("seats > 50 and Intune utilisation is missing or ≤ 0.2");
    expect(describeRule([{ feature: 0, name: "seats", kind: "numeric", lower: 10, upper: 50, missing: false }])).toBe("10 < seats ≤ 50");
    expect(
      describeRule([{ feature: 2, name: "segment", kind: "categorical", categories: ["SMB", "SME&C"], otherCategories: ["Enterprise", "Public"], missing: false }]),
    ).toBe("segment is SMB or SME&C");
    expect(
      describeRule([{ feature: 2, name: "segment", kind: "categorical", categories: ["SMB", "SME&C", "Public"], otherCategories: ["Enterprise"], missing: false }]),
    ).toBe("segment is not Enterprise");
    expect(describeRule([])).toBe("all customers");
  });
});
