import { describe, it, expect } from "vitest";
import { createRandom } from "../../../../shared/scoring/dataset.js";
import { trainGbdt } from "../../../../shared/scoring/gbdt.js";
import { dataset, mixedData, oneRow } from "./fixtures.js";

describe("compiled scoring", () => {
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
});
