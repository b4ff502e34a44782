import { describe, it, expect } from "vitest";
import { createRandom } from "../../../shared/scoring/dataset.js";
import { trainGbdt } from "../../../shared/scoring/gbdt.js";
import { auc, dataset, mixedData } from "./trees/fixtures.js";

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

  it("rejects invalid options", () => {
    const data = mixedData(100, 92);
    expect(() => trainGbdt(data, { subsample: 0 })).toThrow(/subsample/);
    expect(() => trainGbdt(data, { maxDepth: 0, maxLeaves: 0 })).toThrow(/maxDepth or maxLeaves/);
  });
});
