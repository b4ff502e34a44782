import { describe, expect, it } from "vitest";
import { auc, logLoss, sigmoid } from "../../../shared/scoring/metrics.js";
import { modelFromJSON, scoreRows, trainModel } from "../../../shared/scoring/model.js";
import type { RawRecord } from "../../../shared/scoring/prepare.js";
import { deals, toCsv } from "./synthetic.js";
import {
  ConstantLabelError,
  EnsembleScorer,
  scorerFromJSON,
  gbdtCandidate,
  logisticCandidate,
  TooFewExamplesError,
  treeCandidate,
} from "../../../shared/scoring/select.js";

function sumExplanation(e: { bias: number; contributions: Record<string, number> }): number {
  return Object.values(e.contributions).reduce((a, b) => a + b, e.bias);
}

const labelOpts = { label: "churn", positive: "Yes" } as const;

describe("trainModel known answers", () => {
  it("a separable toy set reaches AUC 1 on validation and on new rows", () => {
    const rows: RawRecord[] = Array.from({ length: 200 }, (_, i) => ({ x: i, noise: (i * 7919) % 13, y: i >= 100 ? "1" : "0" }));
    const model = trainModel(rows, { label: "y", positive: "1", seed: 3 });
    expect(model.toJSON().metrics.validation.auc).toBe(1);
    const test: RawRecord[] = Array.from({ length: 60 }, (_, i) => ({ x: i * 3 + 0.5, noise: i % 13 }));
    const probs = model.predict(test);
    expect(auc(probs, test.map((r) => ((r.x as number) >= 100 ? 1 : 0)))).toBe(1);
    expect(model.notUseful).toBe(false);
  });

  it("pure noise stays near AUC 0.5 and the engine says the model is not useful", () => {
    const model = trainModel(deals(600, 11, { signal: 0 }), { ...labelOpts, seed: 1 });
    const json = model.toJSON();
    expect(Math.abs(json.metrics.validation.auc - 0.5)).toBeLessThan(0.12);
    expect(json.notUseful).toBe(true);
    expect(json.notes.join("\n")).toMatch(/not useful/);
  });

  it("records the chosen learner and every candidate's validation AUC, log loss and train time", () => {
    const model = trainModel(deals(600, 2), { ...labelOpts, seed: 5 });
    const json = model.toJSON();
    const names = json.candidates.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["logistic", "tree"]));
    expect(names.some((n) => n.startsWith("gbdt"))).toBe(true);
    expect(json.candidates.filter((c) => c.chosen).map((c) => c.name)).toEqual([json.chosen]);
    const best = Math.max(...json.candidates.map((c) => c.validationAuc));
    expect(json.candidates.find((c) => c.chosen)!.validationAuc).toBe(best);
    for (const c of json.candidates) {
      expect(c.validationAuc).toBeGreaterThan(0.7);
      expect(c.validationLogLoss).toBeGreaterThan(0);
      expect(c.trainSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(json.engineVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(json.importance[0].column).toMatch(/tenure|contract/);
  });
});

describe("explanations", () => {
  const train = deals(700, 21);
  const fresh = deals(40, 99);

  it("logistic explanations add up exactly to each record's score, in seller words", () => {
    const model = trainModel(train, { ...labelOpts, candidates: [logisticCandidate()], ensemble: false });
    const margins = model.scorer.predictMargin(model.prepare(fresh).data);
    const scored = scoreRows(model, fresh);
    scored.forEach((s, r) => {
      expect(s.margin).toBe(margins[r]);
      expect(sumExplanation(s.explanation!)).toBeCloseTo(s.margin, 9);
    });
    const texts = scored.flatMap((s) => [...s.explanation!.positive, ...s.explanation!.negative].map((f) => f.text));
    expect(texts.some((t) => /^contract is (Month-to-month|One year|Two year) \((raises|lowers) the score\)$/.test(t))).toBe(true);
    expect(texts.some((t) => /^tenure = \d+ \((raises|lowers) the score\)$/.test(t))).toBe(true);
    // Date columns are explained as one column, not as their derived parts.
    expect(Object.keys(scored[0].explanation!.contributions)).toEqual(expect.arrayContaining(["signup"]));
  });

  it("the chosen model's explanations add up to its score on random records and list at most 5 factors per side", () => {
    const model = trainModel(train, { ...labelOpts, seed: 4 });
    for (const s of scoreRows(model, fresh)) {
      expect(sumExplanation(s.explanation!)).toBeCloseTo(s.margin, 8);
      expect(s.explanation!.positive.length).toBeLessThanOrEqual(5);
      expect(s.explanation!.negative.length).toBeLessThanOrEqual(5);
      for (const f of s.explanation!.positive) expect(f.contribution).toBeGreaterThan(0);
      for (const f of s.explanation!.negative) expect(f.contribution).toBeLessThan(0);
    }
  });

  it("a decision tree model also reports the rule that led to each record's leaf", () => {
    const model = trainModel(train, { ...labelOpts, candidates: [treeCandidate()], ensemble: false });
    const [s] = scoreRows(model, fresh.slice(0, 1));
    expect(s.rule).toMatch(/tenure|contract/);
    expect(sumExplanation(s.explanation!)).toBeCloseTo(s.margin, 9);
  });
});

describe("models are data", () => {
  it("scores identically after a JSON round trip", () => {
    const model = trainModel(deals(600, 31), { ...labelOpts, seed: 8 });
    const restored = modelFromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    const fresh = deals(50, 32);
    expect(Array.from(restored.predict(fresh))).toEqual(Array.from(model.predict(fresh)));
    expect(scoreRows(restored, fresh)).toEqual(scoreRows(model, fresh));
    expect(restored.toJSON()).toEqual(model.toJSON());
  });

  it("every learner kind (logistic, tree, gbdt, ensemble) scores and explains identically after a JSON round trip", () => {
    const rows = deals(500, 33);
    const fresh = deals(30, 34);
    const gbdt = gbdtCandidate("gbdt", [{ maxDepth: 3, rounds: 40, learningRate: 0.1, earlyStoppingRounds: 0 }]);
    const base = trainModel(rows, { ...labelOpts, candidates: [logisticCandidate([3]), gbdt], ensemble: false });
    const data = base.prepare(fresh).data;
    const members = [0, 1].map((i) =>
      trainModel(rows, { ...labelOpts, candidates: [[logisticCandidate([3]), gbdt][i]], ensemble: false }).scorer,
    );
    const ensemble = new EnsembleScorer(members, [0.4, 0.6]);
    const tree = trainModel(rows, { ...labelOpts, candidates: [treeCandidate()], ensemble: false }).scorer;
    for (const scorer of [...members, tree, ensemble]) {
      const restored = scorerFromJSON(JSON.parse(JSON.stringify(scorer.toJSON())));
      expect(restored.kind).toBe(scorer.kind);
      expect(Array.from(restored.predictMargin(data))).toEqual(Array.from(scorer.predictMargin(data)));
      const margins = scorer.predictMargin(data);
      for (let r = 0; r < data.rows; r += 5) {
        const c = restored.contributions(data, r);
        expect(Array.from(c)).toEqual(Array.from(scorer.contributions(data, r)));
        expect(c.reduce((a, b) => a + b, 0)).toBeCloseTo(margins[r], 9);
      }
    }
  });

  it("training is deterministic for a given seed", () => {
    const rows = deals(400, 41);
    const a = trainModel(rows, { ...labelOpts, seed: 123 }).toJSON();
    const b = trainModel(rows, { ...labelOpts, seed: 123 }).toJSON();
    expect(b.learner).toEqual(a.learner);
    expect(b.calibration).toEqual(a.calibration);
    expect(b.chosen).toBe(a.chosen);
    expect(b.metrics).toEqual(a.metrics);
  });

  it("records the training window when a time column orders the validation split", () => {
    const model = trainModel(deals(400, 51), { ...labelOpts, time: "signup" });
    const json = model.toJSON();
    expect(json.split.method).toBe("time");
    expect(json.trainingWindow!.from.slice(0, 4)).toBe("2023");
    expect(json.trainingWindow!.from < json.trainingWindow!.to).toBe(true);
  });
});

describe("calibration", () => {
  it("calibration on validation improves held-out log loss of an overconfident learner on a skewed set", () => {
    const opts = { ...labelOpts, seed: 2, ensemble: false, refit: false };
    const overfit = gbdtCandidate("gbdt-overfit", [{ maxDepth: 6, learningRate: 0.5, rounds: 60, earlyStoppingRounds: 0, minChildWeight: 0 }]);
    const model = trainModel(deals(1500, 61, { positiveRate: 0.08, signal: 0.6 }), { ...opts, candidates: [overfit] });
    const test = deals(1500, 62, { positiveRate: 0.08, signal: 0.6 });
    const prepared = model.prepare(test, true);
    const raw = Array.from(model.scorer.predictMargin(prepared.data), sigmoid);
    const calibrated = model.predictPrepared(prepared.data);
    expect(logLoss(calibrated, prepared.label!)).toBeLessThan(logLoss(raw, prepared.label!) - 0.05);
  });
});

describe("data problems", () => {
  it("unseen categories at scoring time are scored as missing and named in the explanation", () => {
    const model = trainModel(deals(400, 71), { ...labelOpts, candidates: [logisticCandidate()], ensemble: false });
    const row: RawRecord = { tenure: 2, contract: "Three year", spend: "50", region: "north", signup: "2023-05-01" };
    const [s] = scoreRows(model, [row]);
    expect(Number.isFinite(s.probability)).toBe(true);
    expect(model.prepare([row]).unseen).toEqual({ contract: 1 });
    const factors = [...s.explanation!.positive, ...s.explanation!.negative].map((f) => f.text);
    expect(factors.some((t) => t.startsWith('contract is "Three year", a value not seen in training'))).toBe(true);
  });

  it("an all-missing column is dropped with a note and scoring tolerates it having values or being absent", () => {
    const rows = deals(400, 81).map((r) => ({ ...r, notes: "" }));
    const model = trainModel(rows, labelOpts);
    expect(model.preparation.dropped).toContainEqual({ column: "notes", reason: "all values are empty" });
    const fresh = deals(5, 82).map((r, i) => (i % 2 ? { ...r, notes: "call back" } : { ...r, spend: null }));
    for (const s of scoreRows(model, fresh)) expect(s.probability).toBeGreaterThan(0);
  });

  it("a constant label is a clear error", () => {
    const rows = deals(100, 91).map((r) => ({ ...r, churn: "No" }));
    expect(() => trainModel(rows, labelOpts)).toThrow(ConstantLabelError);
    expect(() => trainModel(rows, labelOpts)).toThrow(/constant \(0 positive, 100 negative/);
  });

  it("fewer than the minimum examples per class is an error naming the counts", () => {
    const rows = deals(60, 92).map((r, i) => ({ ...r, churn: i < 4 ? "Yes" : "No" }));
    expect(() => trainModel(rows, labelOpts)).toThrow(TooFewExamplesError);
    expect(() => trainModel(rows, labelOpts)).toThrow(/4 positive and 56 negative, at least 10 of each/);
  });

  it("id-like columns are dropped with a note", () => {
    const json = trainModel(deals(300, 93), labelOpts).toJSON();
    expect(json.preparation.dropped.map((d) => d.column)).toContain("customerID");
    expect(json.notes.some((n) => n.includes("customerID") && n.includes("identifier"))).toBe(true);
  });

  it("detects ';' and ',' separators so both CSVs give the same model", () => {
    const rows = deals(300, 94);
    const a = trainModel(toCsv(rows, ","), { ...labelOpts, seed: 1 }).toJSON();
    const b = trainModel(toCsv(rows, ";"), { ...labelOpts, seed: 1 }).toJSON();
    expect(b.learner).toEqual(a.learner);
    expect(b.preparation.features.map((f) => f.name)).toContain("signup (month)");
  });
});
