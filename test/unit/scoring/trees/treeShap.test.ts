import { describe, it, expect } from "vitest";
import { createRandom } from "../../../../shared/scoring/dataset.js";
import { trainGbdt } from "../../../../shared/scoring/gbdt.js";
import { tabulateShap } from "../../../../shared/scoring/trees/treeShap.js";
import { dataset, mixedData, conditionalExpectation, bruteForceShapley } from "./fixtures.js";

describe("TreeSHAP explanations", () => {
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
});
