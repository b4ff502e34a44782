import { describe, expect, it } from "vitest";
import { createRandom, type LabelledDataset } from "../../../shared/scoring/dataset.js";
import { fitIsotonic, fitPlatt, fitCalibration, calibratorFromJSON } from "../../../shared/scoring/calibration.js";
import { logisticFromJSON, trainLogistic } from "../../../shared/scoring/logistic.js";
import { fitPreparation } from "../../../shared/scoring/prepare.js";
import { auc, bestF1Threshold, calibrationTable, evaluateProbabilities, logLoss, sigmoid } from "../../../shared/scoring/metrics.js";

describe("metrics", () => {
  it("AUC counts tied scores as one half", () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(auc([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1])).toBeCloseTo(0.875, 12);
  });

  it("log loss matches the definition and the F1 threshold maximises F1", () => {
    expect(logLoss([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    const best = bestF1Threshold([0.1, 0.3, 0.6, 0.7, 0.9], [0, 1, 0, 1, 1]);
    expect(best.threshold).toBe(0.3);
    expect(best.f1).toBeCloseTo((2 * 3) / (2 * 3 + 1), 12);
  });

  it("reports precision, recall and the confusion matrix at the F1 threshold, and decile calibration", () => {
    const m = evaluateProbabilities([0.1, 0.3, 0.6, 0.7, 0.9], [0, 1, 0, 1, 1]);
    expect(m.confusion).toEqual({ truePositive: 3, falsePositive: 1, trueNegative: 1, falseNegative: 0 });
    expect(m.precision).toBe(0.75);
    expect(m.recall).toBe(1);
    const table = calibrationTable(Array.from({ length: 100 }, (_, i) => i / 100), Array.from({ length: 100 }, (_, i) => (i >= 50 ? 1 : 0)));
    expect(table).toHaveLength(10);
    expect(table[0].predicted).toBeCloseTo(0.045, 12);
    expect(table[0].count).toBe(10);
    expect(table[9].observed).toBe(1);
  });
});

function linearData(n: number, seed: number): LabelledDataset {
  const rnd = createRandom(seed);
  const x = new Float64Array(n);
  const c = new Float64Array(n);
  const label = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rnd() * 10;
    c[i] = Math.floor(rnd() * 3);
    if (rnd() < 0.1) x[i] = NaN;
    const m = (Number.isNaN(x[i]) ? 0 : x[i] - 5) * 0.6 + (c[i] === 2 ? 1.5 : 0) - 0.3;
    label[i] = rnd() < sigmoid(m) ? 1 : 0;
  }
  return {
    features: [
      { name: "x", kind: "numeric" },
      { name: "c", kind: "categorical", categories: ["a", "b", "z"] },
    ],
    columns: [x, c],
    rows: n,
    label,
  };
}

describe("logistic regression", () => {
  it("recovers the direction of the true coefficients and ranks well", () => {
    const data = linearData(2000, 1);
    const model = trainLogistic(data, { l2: 1 });
    const coefs = model.coefficients();
    expect(coefs.find((c) => c.feature === "x" && c.term === "standardised")!.coef).toBeGreaterThan(1);
    expect(auc(model.predictMargin(data), data.label)).toBeGreaterThan(0.8);
  });

  it("contributions plus bias add up to the margin on every row", () => {
    const data = linearData(500, 2);
    const model = trainLogistic(data, { l2: 3 });
    const margins = model.predictMargin(data);
    for (let r = 0; r < data.rows; r += 7) {
      const c = model.contributions(data, r);
      expect(c.reduce((a, b) => a + b, 0)).toBeCloseTo(margins[r], 10);
    }
  });

  it("scores identically after a JSON round trip and is deterministic", () => {
    const data = linearData(300, 3);
    const a = trainLogistic(data, { l2: 1 });
    const b = logisticFromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(Array.from(b.predictMargin(data))).toEqual(Array.from(a.predictMargin(data)));
    expect(trainLogistic(data, { l2: 1 }).toJSON()).toEqual(a.toJSON());
  });

  it("adds an 'is missing' term for numerics with gaps unless the column ignores empty values", () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ seats: i % 5 === 0 ? "" : String(i % 37), y: i % 3 ? "1" : "0" }));
    const terms = (ignoreEmpty: string[]) =>
      trainLogistic(fitPreparation(rows, { label: "y", positive: "1", ignoreEmpty }).data, { l2: 1 })
        .coefficients()
        .map((c) => c.term);
    expect(terms([])).toEqual(["standardised", "is missing"]);
    expect(terms(["seats"])).toEqual(["standardised"]);
  });

  it("L-BFGS (used automatically for many columns) reaches the same fit as Newton", () => {
    const rnd = createRandom(12);
    const n = 3000;
    const sku = new Float64Array(n);
    const x = new Float64Array(n);
    const label = new Uint8Array(n);
    const effect = Array.from({ length: 450 }, () => rnd() * 2 - 1);
    for (let i = 0; i < n; i++) {
      sku[i] = Math.floor(rnd() * 450);
      x[i] = rnd() * 4;
      label[i] = rnd() < sigmoid(effect[sku[i]] + x[i] - 2) ? 1 : 0;
    }
    const data: LabelledDataset = {
      features: [
        { name: "sku", kind: "categorical", categories: effect.map((_, k) => `SKU-${k}`) },
        { name: "x", kind: "numeric" },
      ],
      columns: [sku, x],
      rows: n,
      label,
    };
    const auto = trainLogistic(data, { l2: 3, maxCategories: 500 });
    const newton = trainLogistic(data, { l2: 3, maxCategories: 500, solver: "newton" });
    expect(auto.toJSON().solver).toBe("lbfgs");
    expect(newton.toJSON().solver).toBe("newton");
    const a = auto.predictMargin(data);
    const b = newton.predictMargin(data);
    let maxDiff = 0;
    for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-3);
  });

  it("stronger L2 shrinks coefficients", () => {
    const data = linearData(300, 4);
    const size = (l2: number) => trainLogistic(data, { l2 }).coefficients().reduce((s, c) => s + c.coef * c.coef, 0);
    expect(size(100)).toBeLessThan(size(0.1));
  });
});

describe("calibration", () => {
  it("Platt and isotonic both reduce log loss of badly scaled margins on a skewed set", () => {
    const rnd = createRandom(9);
    const n = 4000;
    const margins = new Float64Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const trueLogit = -3 + rnd() * 3;
      labels[i] = rnd() < sigmoid(trueLogit) ? 1 : 0;
      margins[i] = 3 * trueLogit + 6; // overconfident and shifted
    }
    const raw = logLoss(Array.from(margins, sigmoid), labels);
    const platt = fitPlatt(margins, labels);
    const iso = fitIsotonic(margins, labels);
    expect(logLoss(platt.probabilities(margins), labels)).toBeLessThan(raw - 0.1);
    expect(logLoss(iso.probabilities(margins), labels)).toBeLessThan(raw - 0.1);
    const choice = fitCalibration(margins, labels);
    expect(choice.scores.platt).toBeGreaterThan(0);
    const restored = calibratorFromJSON(JSON.parse(JSON.stringify(choice.calibrator.json)));
    expect(Array.from(restored.probabilities(margins))).toEqual(Array.from(choice.calibrator.probabilities(margins)));
  });
});
