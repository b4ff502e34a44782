import { describe, it, expect } from "vitest";
import { createRandom } from "../../../../shared/scoring/dataset.js";
import { trainGbdt } from "../../../../shared/scoring/gbdt.js";
import { dataset, mixedData, oneRow } from "./fixtures.js";

describe("tree growth", () => {
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
});
