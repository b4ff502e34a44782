import { beforeAll, describe, expect, it } from "vitest";
import { auc } from "../../../shared/scoring/index.js";
import {
  scoreOpportunities,
  trainOpportunityModels,
  type ModelId,
  type Opportunity,
  type OpportunityModelSet,
} from "../../../shared/domain/opportunities/index.js";
import { dateOfMonth, generateOpportunityHistories, historiesAt, type GeneratedTenant, type TenantEvents } from "../../../bench/opportunityHistories.js";

// Planted causes (bench/opportunityHistories.ts): declining usage with low Teams use causes churn; seats nearly
// all assigned with heavy desktop-app use causes a Business upgrade. The models learn from months 0-11 only and score
// month 11; the truth is what the generator logged for months 12-14, which no model saw.

const cut = 11;
const horizon = 3;

describe("opportunities rank the customers whose outcome really happened later", () => {
  let generated: GeneratedTenant[];
  let set: OpportunityModelSet;
  let opportunities: Opportunity[];

  beforeAll(() => {
    generated = generateOpportunityHistories({ tenants: 1500, seed: 21 });
    const known = historiesAt(generated, cut);
    set = trainOpportunityModels(known, {}, dateOfMonth(cut));
    // Every eligible tenant gets its probability (none is cut off by the listing threshold), so the ranking is complete.
    opportunities = scoreOpportunities(set, known, [], [], { minProbability: 0 }, dateOfMonth(cut)).opportunities;
  }, 120_000);

  function rankingAuc(modelId: ModelId, event: keyof TenantEvents): { auc: number; positives: number; scored: number } {
    const events = new Map(generated.map((g) => [g.history.tenant.tenantId, g.events]));
    const scored = opportunities.filter((o) => o.modelId === modelId);
    const happened = scored.map((o) => {
      const at = events.get(o.tenantId)![event];
      return at !== undefined && at > cut && at <= cut + horizon ? 1 : 0;
    });
    return { auc: auc(scored.map((o) => o.probability), happened), positives: happened.reduce((a: number, b) => a + b, 0), scored: scored.length };
  }

  it("churn risk: the tenants that churned in the next three months rank well above chance", () => {
    const churn = rankingAuc("churnRisk", "churn");
    expect(churn.positives).toBeGreaterThanOrEqual(20);
    expect(churn.auc).toBeGreaterThan(0.75);
    expect(set.models.find((m) => m.modelId === "churnRisk")?.basis).toBe("ml");
  });

  it("B-SKU upsell: the tenants that upgraded in the next three months rank well above chance", () => {
    const upgrade = rankingAuc("bSkuUpsell", "businessUpgrade");
    expect(upgrade.positives).toBeGreaterThanOrEqual(10);
    expect(upgrade.auc).toBeGreaterThan(0.75);
  });

  it("explains each opportunity with its own factors, naming the planted causes among them", () => {
    const churn = opportunities.filter((o) => o.modelId === "churnRisk" && o.status === "High");
    expect(churn.length).toBeGreaterThan(0);
    expect(new Set(churn.map((o) => o.insights.join("|"))).size).toBeGreaterThan(churn.length / 2);
    const words = churn.flatMap((o) => o.insights).join("\n");
    expect(words).toMatch(/Teams used by \d+ % of assigned users|Monthly active users down \d+ % over three months/);
    const upsell = opportunities.filter((o) => o.modelId === "bSkuUpsell" && o.status !== "Low").flatMap((o) => o.insights).join("\n");
    expect(upsell).toMatch(/\d+ % of paid seats assigned to users/);
  });

  it("explains tree opportunities by their path, with the thresholds", () => {
    const tree = opportunities.filter((o) => o.basis === "tree");
    expect(tree.length).toBeGreaterThan(0);
    expect(tree.some((o) => o.insights.some((i) => /\((at most|above|between) [^)]+\)$/.test(i)))).toBe(true);
  });
});
