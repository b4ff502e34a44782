import { beforeAll, describe, expect, it } from "vitest";
import { addMonths } from "../../../shared/domain/opportunities/history.js";
import {
  opportunityModelSetSchema,
  scoreOpportunities,
  trainOpportunityModels,
  type FeedbackRecord,
  type OpportunityModelSet,
  type TenantHistory,
} from "../../../shared/domain/opportunities/index.js";
import { dateOfMonth, generateOpportunityHistories } from "../../../bench/opportunityHistories.js";
import { history, line, steadyUsage } from "./fixtures.js";

const learnt = ["bSkuUpsell", "eSkuUpsell", "churnRisk", "mdoGrowth", "mfaEngagement", "mdbGrowth"];

function model(set: OpportunityModelSet, id: string) {
  return set.models.find((m) => m.modelId === id)!;
}

function tenants(n: number, make: (i: number) => TenantHistory): TenantHistory[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

describe("training: too little history", () => {
  it("falls back to the documented prior with a single snapshot, says what it needs, and still scores", () => {
    const partner = tenants(30, (i) =>
      history(
        [{ asOf: "2024-04-01", items: [line("O365_BUSINESS_PREMIUM", 10 + i)] }],
        steadyUsage("2024-01", "2024-04", () => ({ Exchange: [10 + i, 5], Teams: [10 + i, 2], EntraID: [10 + i, 10], MFA: [10 + i, 2] })),
      ),
    );
    const set = trainOpportunityModels(partner, {}, "2024-04-02");
    for (const id of learnt) {
      const m = model(set, id);
      expect(m.basis, id).toBe("prior");
      expect(m.dataNeeded).toMatchObject({ positives: 40, negatives: 40 });
      expect(m.dataNeeded!.message).toMatch(/no labelled history yet: a label needs a subscription snapshot and another at least 3 months later/);
    }
    expect(model(set, "smbEngagement").basis).toBe("rule");
    expect(model(set, "smbEngagement").rule!.levels.map((l) => l.probability)).toEqual([0.3, 0.45, 0.6]);
    expect(set.warnings.filter((w) => w.includes("using its prior"))).toHaveLength(learnt.length);

    const { opportunities } = scoreOpportunities(set, partner, [], [], { minProbability: 0 }, "2024-04-02");
    const prior = opportunities.filter((o) => o.basis === "prior");
    expect(prior.length).toBeGreaterThan(0);
    expect(prior.every((o) => o.dataNeeded?.positives === 40)).toBe(true);
    expect(opportunities.filter((o) => o.basis !== "prior").every((o) => o.dataNeeded === undefined)).toBe(true);
  });

  it("counts the labels it has and estimates how many more snapshots it needs below 40 of each", () => {
    // 20 tenants over 7 months: snapshots 0-3 have a complete window (80 examples); 3 tenants fall from 50 to 5 seats
    // in month 4, which is within 3 months of snapshots 1, 2 and 3 (9 positives).
    const partner = tenants(20, (i) => {
      const dates = Array.from({ length: 7 }, (_, m) => addMonths("2024-01-01", m));
      return history(dates.map((asOf, m) => ({ asOf, items: [line("SPB", i < 3 && m >= 4 ? 5 : 50)] })).reverse());
    });
    const set = trainOpportunityModels(partner, {}, "2024-07-02");
    const churn = model(set, "churnRisk");
    expect(churn.basis).toBe("prior");
    expect(churn.labels).toEqual({ positives: 9, negatives: 71, fromFeedback: 0 });
    expect(churn.dataNeeded).toMatchObject({ positives: 31, negatives: 0 });
    expect(churn.dataNeeded!.message).toMatch(/needs 31 more customers who reduced seats or cancelled and 0 more customers who kept their seats .*about \d+ more monthly snapshots/);
  });

  it("does not throw when a model has only positives or only negatives: both are a stated prior", () => {
    const allChurn = tenants(45, () =>
      history([
        { asOf: "2024-04-01", items: [line("SPB", 10)] },
        { asOf: "2024-01-01", items: [line("SPB", 100)] },
      ]),
    );
    const noChurn = tenants(45, () =>
      history([
        { asOf: "2024-04-01", items: [line("SPB", 100)] },
        { asOf: "2024-01-01", items: [line("SPB", 100)] },
      ]),
    );
    const onlyPositives = model(trainOpportunityModels(allChurn, {}, "2024-04-02"), "churnRisk");
    const onlyNegatives = model(trainOpportunityModels(noChurn, {}, "2024-04-02"), "churnRisk");
    expect(onlyPositives).toMatchObject({ basis: "prior", labels: { positives: 45, negatives: 0 } });
    expect(onlyPositives.dataNeeded!.message).toMatch(/none of one outcome so far/);
    expect(onlyNegatives).toMatchObject({ basis: "prior", labels: { positives: 0, negatives: 45 } });
  });

  it("turns 'already purchased' answers into positive labels of growth models, not of retention models", () => {
    const partner = tenants(10, () => history([{ asOf: "2024-04-01", items: [line("O365_BUSINESS_PREMIUM", 20)] }]));
    const answer = (h: TenantHistory, modelId: FeedbackRecord["modelId"], type: FeedbackRecord["type"]): FeedbackRecord => ({
      opportunityId: `${h.tenant.tenantId}:${type}`,
      tenantId: h.tenant.tenantId,
      type,
      modelId,
      status: "Low",
      helpful: false,
      reason: "alreadyPurchased",
      givenAt: "2024-04-20T09:00:00Z",
    });
    const feedback = [...partner.slice(0, 4).map((h) => answer(h, "bSkuUpsell", "Upsell")), answer(partner[5], "churnRisk", "Retention")];
    const set = trainOpportunityModels(partner, {}, "2024-05-01", { feedback });
    expect(model(set, "bSkuUpsell").labels).toEqual({ positives: 4, negatives: 0, fromFeedback: 4 });
    expect(model(set, "churnRisk").labels).toEqual({ positives: 0, negatives: 0, fromFeedback: 0 });
  });
});

describe("training on a partner's history", () => {
  let generated: TenantHistory[];
  let set: OpportunityModelSet;
  const now = dateOfMonth(14);

  beforeAll(() => {
    generated = generateOpportunityHistories({ tenants: 600, seed: 5 }).map((g) => g.history);
    set = trainOpportunityModels(generated, {}, now);
  }, 120_000);

  it("learns every model with enough labels, validated on the newest snapshots (time-ordered)", () => {
    for (const id of learnt) {
      const m = model(set, id);
      expect(m.basis, id).toBe(id === "bSkuUpsell" || id === "eSkuUpsell" || id === "churnRisk" ? "ml" : "tree");
      expect(m.validation?.method, id).toBe("time");
      expect(m.validation!.from! > m.trainingWindow!.from, id).toBe(true);
      expect(m.engine?.formatVersion, id).toBe(1);
      expect(m.bands.map((b) => b.status)).toEqual(["High", "Medium", "Low"]);
      expect(m.bands.reduce((s, b) => s + b.rows, 0), id).toBe(m.validation!.rows);
    }
  });

  it("never trains on the future: the newest training snapshot is a full horizon before the newest data", () => {
    const newest = set.history.to!;
    for (const m of set.models) {
      if (m.trainingWindow) expect(m.trainingWindow.to <= addMonths(newest, -3), m.modelId).toBe(true);
    }
  });

  it("serialises to versioned JSON that scores identically after a round trip", () => {
    const json = JSON.parse(JSON.stringify(set));
    const restored = opportunityModelSetSchema.parse(json);
    expect(restored.formatVersion).toBe(1);
    expect(restored.models.every((m) => m.version.startsWith(`${m.modelId}.2024`))).toBe(true);
    const a = scoreOpportunities(set, generated, [], [], {}, now);
    const b = scoreOpportunities(restored, generated, [], [], {}, now);
    expect(b.opportunities).toEqual(a.opportunities);
  });

  it("samples above the row cap the same way whatever the input order", () => {
    const capped = { maxTrainingRows: 500 };
    const sub = generated.slice(0, 300);
    const shuffled = [...sub].reverse();
    const one = trainOpportunityModels(sub, capped, now);
    const two = trainOpportunityModels(shuffled, capped, now);
    const view = (s: OpportunityModelSet) => s.models.map((m) => [m.modelId, m.trainingRows, m.labels, m.validation, m.learner, m.bands]);
    expect(view(two)).toEqual(view(one));
    expect(model(one, "churnRisk").trainingRows).toBe(500);
    expect(model(one, "churnRisk").labels.positives + model(one, "churnRisk").labels.negatives).toBeGreaterThan(500);
  }, 120_000);

  it("keeps a rare outcome when sampling (a tenth of the rows) and corrects the odds back to the whole history", () => {
    const capped = trainOpportunityModels(generated, { maxTrainingRows: 600 }, now);
    const churn = model(capped, "churnRisk");
    const { positives, negatives } = churn.labels;
    expect(positives / (positives + negatives)).toBeLessThan(0.1);
    expect(churn.basis).toBe("ml");
    expect(churn.sampling).toEqual({ positives: 60, negatives: 540, oddsFactor: expect.closeTo(positives / 60 / (negatives / 540), 10) });
    expect(model(set, "churnRisk").sampling).toBeUndefined();
  }, 120_000);
});
