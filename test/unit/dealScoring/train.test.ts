import { beforeAll, describe, expect, it } from "vitest";
import {
  chooseStagesForInput,
  completeTraining,
  createModel,
  dealScoringModelSchema,
  startTraining,
  trainingSummary,
  loadDealModel,
  orThrow,
  parseModelConfig,
  recordSnapshot,
  scoreOpenDeals,
  selectTrainingDeals,
  TEST_FRACTION,
  trainDealModel,
  type DealHistory,
  type ModelConfig,
  type TrainedDealModel,
} from "../../../shared/domain/dealScoring/index.js";
import { auc } from "../../../shared/scoring/index.js";
import { generateCrmHistory, STAGES, type CrmHistory } from "../../../local/demoData/deals.js";

const now = new Date("2026-05-01T00:00:00Z");
const plantedAndNoise = ["industry", "competitor", "employees", "estimatedValue", "product", "owner", "region", "noise"];

function histories(crm: CrmHistory): DealHistory[] {
  let h: DealHistory[] = [];
  for (const s of crm.snapshots) h = orThrow(recordSnapshot(h, s)).histories;
  return h;
}
const config = (input: object = {}): ModelConfig => orThrow(parseModelConfig(input, now));

/** AUC of the planted probabilities on the model's test deals: what a model that knew the plant would reach. */
function oracleAuc(crm: CrmHistory, h: DealHistory[], c: ModelConfig): number {
  const closed = selectTrainingDeals(h, c, now).closed;
  const test = closed.slice(closed.length - Math.round(closed.length * TEST_FRACTION));
  return auc(
    test.map((d) => crm.truth.get(d.dealId)!),
    test.map((d) => (d.deal.status === "Won" ? 1 : 0)),
  );
}

describe("training on a planted CRM history", () => {
  let crm: CrmHistory;
  let deals: DealHistory[];
  let trained: TrainedDealModel;

  beforeAll(() => {
    crm = generateCrmHistory({ seed: 11, now, closedDeals: 1000, openDeals: 200 });
    deals = histories(crm);
    trained = orThrow(trainDealModel({ histories: deals, config: config(), now }));
  });

  it("trains to Ready and ranks the newest 20 % of deals well above chance", () => {
    const bound = 0.5 + (oracleAuc(crm, deals, config()) - 0.5) / 2;
    expect(trained.readiness.readiness).toBe("Ready");
    expect(trained.performance.auc).toBeGreaterThanOrEqual(bound);
    expect(trained.performance.aucInterval![0]).toBeGreaterThan(0.5);
  });

  it("learns the planted attributes: alone they rank the test deals at least halfway from chance to the plant's own ranking", () => {
    const c = config({ attributes: plantedAndNoise });
    const oracle = oracleAuc(crm, deals, c);
    const alone = orThrow(trainDealModel({ histories: deals, config: c, now }));
    expect(alone.performance.auc).toBeGreaterThanOrEqual(0.5 + (oracle - 0.5) / 2);
    // The planted inputs outrank the noise.
    const rank = (key: string) => {
      const i = alone.importance.findIndex((x) => x.key === key);
      return i < 0 ? alone.importance.length : i;
    };
    for (const planted of ["competitor", "industry"]) for (const noise of ["noise", "region"]) expect(rank(planted)).toBeLessThan(rank(noise));
  });

  it("tests on the newest 20 % by close date: no test deal closes before a training deal closes", () => {
    const closed = selectTrainingDeals(deals, config(), now).closed.length;
    const { train, test } = trained.performance;
    expect(test.deals).toBe(Math.round(closed * TEST_FRACTION));
    expect(train.deals + test.deals).toBe(closed);
    expect(train.closedTo <= test.closedFrom).toBe(true);
    // The engine learnt from the training part only.
    expect(trained.model.engine.toJSON().training.rows).toBe(train.rows);
  });

  it("reports accuracy, precision, recall, F1 and conversion rate from the test confusion matrix at the F1-maximising threshold", () => {
    const p = trained.performance;
    const { truePositive: tp, falsePositive: fp, trueNegative: tn, falseNegative: fn } = p.confusion;
    const n = tp + fp + tn + fn;
    expect(n).toBe(p.test.rows);
    expect(p.accuracy).toBeCloseTo((tp + tn) / n, 4);
    expect(p.recall).toBeCloseTo(tp / (tp + fn), 4);
    expect(p.precision).toBeCloseTo(tp / (tp + fp), 4);
    expect(p.f1).toBeCloseTo((2 * tp) / (2 * tp + fp + fn), 4);
    expect(p.conversionRate).toBeCloseTo(p.test.won / p.test.deals, 4);
    expect(p.threshold).toBeGreaterThanOrEqual(0);
    expect(p.threshold).toBeLessThanOrEqual(100);
    expect(p.aucInterval![0]).toBeLessThanOrEqual(p.auc!);
    expect(p.aucInterval![1]).toBeGreaterThanOrEqual(p.auc!);
  });

  it("shows each input's win rate per value beside the overall win rate", () => {
    const { insights } = trained;
    const closed = selectTrainingDeals(deals, config(), now).closed;
    const won = closed.filter((d) => d.deal.status === "Won").length;
    expect(insights.closedDeals).toBe(closed.length);
    expect(insights.overallWinRate).toBeCloseTo(won / closed.length, 10);
    const competitor = insights.inputs.find((i) => i.key === "competitor")!;
    const rate = (v: string) => competitor.buckets.find((b) => b.value === v)!.winRate;
    // The plant lowers the odds when a competitor is involved.
    expect(rate("Yes")).toBeLessThan(insights.overallWinRate);
    expect(rate("No")).toBeGreaterThan(insights.overallWinRate);
    for (const input of insights.inputs) expect(input.buckets.reduce((s, b) => s + b.closed, 0)).toBe(closed.length);
  });

  it("stores as JSON and scores identically after loading", () => {
    const loaded = orThrow(loadDealModel(JSON.stringify(trained.model.artifact)));
    const a = scoreOpenDeals({ model: trained.model, histories: deals, now }).scores;
    const b = scoreOpenDeals({ model: loaded, histories: deals, now }).scores;
    expect(b.map((s) => [s.dealId, s.score, s.probability])).toEqual(a.map((s) => [s.dealId, s.score, s.probability]));
    expect(loadDealModel("{}").ok).toBe(false);
  });

  it("keeps the training's figures on the model version, which stores as JSON and reads back the same", () => {
    const started = orThrow(startTraining(createModel({ modelId: "m1", config: config(), now }), { now, trigger: "manual" }));
    const model = orThrow(completeTraining(started.model, started.version, trainingSummary(trained), now));
    const version = model.versions[0];
    expect(version).toMatchObject({ state: "trained", performance: trained.performance, readiness: trained.readiness, report: trained.report });
    expect(version.insights?.inputs.length).toBe(trained.model.artifact.spec.inputs.length);
    expect(dealScoringModelSchema.parse(JSON.parse(JSON.stringify(model)))).toEqual(model);
  });

  it("is deterministic for a seed", () => {
    const again = orThrow(trainDealModel({ histories: deals, config: config(), now }));
    expect(again.performance).toEqual(trained.performance);
  });

  it("calls outcomes that the inputs cannot predict Not ready", () => {
    const coinFlips = generateCrmHistory({ seed: 5, now, closedDeals: 600, openDeals: 50, signal: 0 });
    const out = orThrow(trainDealModel({ histories: histories(coinFlips), config: config({ attributes: plantedAndNoise }), now }));
    expect(out.readiness.readiness).toBe("Not ready");
  });

  it("refuses a too-small history with the counts of won and lost deals it found", () => {
    const small = generateCrmHistory({ seed: 3, now, closedDeals: 70, openDeals: 10 });
    const h = histories(small);
    const closed = h.filter((d) => d.deal.closedOn !== undefined);
    const out = trainDealModel({ histories: h, config: config(), now });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error.code).toBe("not_enough_deals");
    expect(out.error.details).toMatchObject({
      won: { have: closed.filter((d) => d.deal.status === "Won").length, need: 40 },
      lost: { have: closed.filter((d) => d.deal.status === "Lost").length, need: 40 },
    });
  });
});

describe("per-stage modelling", () => {
  let deals: DealHistory[];
  let trained: TrainedDealModel;

  beforeAll(() => {
    deals = histories(generateCrmHistory({ seed: 17, now, closedDeals: 900, openDeals: 150 }));
    trained = orThrow(trainDealModel({ histories: deals, config: config({ perStage: true }), now }));
  });

  it("learns from every stage a closed deal reached and shows each input's influence per stage", () => {
    const influence = trained.stageInfluence!;
    expect(influence.stages).toEqual([...STAGES]);
    expect(trained.performance.train.rows).toBeGreaterThan(trained.performance.train.deals);
    for (const stage of STAGES) {
      const shares = influence.inputs.map((i) => i.byStage.find((b) => b.stage === stage)!.share);
      expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
    expect(influence.inputs.find((i) => i.key === "stage")).toBeUndefined();
  });

  it("lets an administrator choose the stages an input counts in: elsewhere it has no influence and is no factor", () => {
    const c = orThrow(chooseStagesForInput(config({ perStage: true }), "competitor", ["Propose", "Close"], trained.model.artifact.stages));
    expect(c.stageAttributes).toEqual({ competitor: ["Propose", "Close"] });
    const chosen = orThrow(trainDealModel({ histories: deals, config: c, now }));
    const competitor = chosen.stageInfluence!.inputs.find((i) => i.key === "competitor")!;
    expect(competitor.countsIn).toEqual(["Propose", "Close"]);
    for (const b of competitor.byStage) {
      if (b.stage === "Qualify" || b.stage === "Develop") expect(b.share).toBe(0);
      else expect(b.share).toBeGreaterThan(0);
    }
    const early = scoreOpenDeals({ model: chosen.model, histories: deals, now }).scores.find((s) => s.stage === "Qualify")!;
    const factor = early.factors.find((f) => f.key === "competitor")!;
    expect(factor).toMatchObject({ counted: false, value: null, text: expect.stringContaining("does not count at stage Qualify") });
    expect([...early.topPositive, ...early.topNegative].some((f) => f.key === "competitor")).toBe(false);
    expect(chooseStagesForInput(c, "competitor", ["Negotiate"], trained.model.artifact.stages).ok).toBe(false);
    expect(chooseStagesForInput(config(), "competitor", ["Close"], trained.model.artifact.stages).ok).toBe(false);
  });
});
