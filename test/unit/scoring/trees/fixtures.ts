// Small labelled datasets and brute-force references shared by the tree learner tests (never real data).
import { createRandom, type FeatureInfo, type LabelledDataset } from "../../../../shared/scoring/dataset.js";
import type { TreeEnsemble } from "../../../../shared/scoring/trees/ensemble.js";

/** Area under the ROC curve by rank sums (ties share their average rank). */
export function auc(score: Float64Array, label: Uint8Array): number {
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

export interface Column {
  info: FeatureInfo;
  values: number[];
}

export function dataset(columns: Column[], label: number[]): LabelledDataset {
  return {
    features: columns.map((c) => c.info),
    columns: columns.map((c) => Float64Array.from(c.values)),
    rows: label.length,
    label: Uint8Array.from(label),
  };
}

/** Mixed numeric / categorical data with missing values and a noisy non-linear label. */
export function mixedData(rows: number, seed: number): LabelledDataset {
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

export function oneRow(features: FeatureInfo[], values: number[]) {
  return { features, columns: values.map((v) => Float64Array.of(v)), rows: 1 };
}

/**
 * Path-dependent conditional expectation E[f(x) | x_S] of one ensemble, computed by brute force:
 * follow the row where the split feature is in S, otherwise average both branches by cover.
 */
export function conditionalExpectation(ensemble: TreeEnsemble, data: LabelledDataset, row: number, known: Set<number>): number {
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
export function bruteForceShapley(ensemble: TreeEnsemble, data: LabelledDataset, row: number): number[] {
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
