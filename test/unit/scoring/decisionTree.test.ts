import { describe, it, expect } from "vitest";
import { createRandom, type LabelledDataset } from "../../../shared/scoring/dataset.js";
import { decisionTreeFromJSON, describeRule, trainDecisionTree } from "../../../shared/scoring/decisionTree.js";
import { auc, dataset, mixedData, oneRow, bruteForceShapley } from "./trees/fixtures.js";

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
