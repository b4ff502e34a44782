import { describe, it, expect } from "vitest";
import { gbdtFromJSON, trainGbdt } from "../../../../shared/scoring/gbdt.js";
import { mixedData } from "./fixtures.js";

describe("tree ensemble", () => {
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
});
