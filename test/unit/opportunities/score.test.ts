import { describe, expect, it } from "vitest";
import { scorePrior } from "../../../shared/domain/opportunities/definition.js";
import { normaliseHistory, stateAt } from "../../../shared/domain/opportunities/history.js";
import {
  opportunitySchema,
  opportunitySettingsSchema,
  probabilityStatus,
  scoreOpportunities,
  summarizeOpportunities,
  trainOpportunityModels,
  type FeedbackRecord,
  type Opportunity,
  type TenantHistory,
} from "../../../shared/domain/opportunities/index.js";
import { mdbGrowth, mdoGrowth } from "../../../shared/domain/opportunities/models/index.js";
import { history, line, steadyUsage } from "./fixtures.js";

// A small partner with one snapshot: every learnt model is on its prior, which makes probabilities easy to reason about.
const settings = opportunitySettingsSchema.parse({ minProbability: 0 });

function businessTenant(seats: number, sku = "O365_BUSINESS_ESSENTIALS", name?: string): TenantHistory {
  return history(
    [{ asOf: "2024-04-01", items: [line(sku, seats)] }],
    steadyUsage("2024-01", "2024-04", (m) => ({
      Exchange: [seats, Math.round(seats * (0.9 - 0.1 * m))],
      Teams: [seats, Math.round(seats * (0.5 - 0.1 * m))],
      SharePoint: [seats, Math.round(seats * 0.2)],
      EntraID: [seats, seats],
      MFA: [seats, Math.round(seats * 0.2)],
    })),
    name ? { tenantName: name } : {},
  );
}

const partner = [businessTenant(40, "O365_BUSINESS_ESSENTIALS", "Alpha"), businessTenant(120, "O365_BUSINESS_PREMIUM", "Beta"), businessTenant(12, "SPB", "Gamma")];
const modelSet = trainOpportunityModels(partner, settings, "2024-04-02");

function score(histories: TenantHistory[], previous: Opportunity[] = [], feedback: FeedbackRecord[] = [], at = "2024-04-02", overrides = {}) {
  return scoreOpportunities(modelSet, histories, previous, feedback, { ...settings, ...overrides }, at);
}

function notHelpful(o: Opportunity, givenAt = "2024-04-03T10:00:00Z", overrides: Partial<FeedbackRecord> = {}): FeedbackRecord {
  return {
    opportunityId: o.id,
    tenantId: o.tenantId,
    type: o.type,
    modelId: o.modelId,
    ...(o.product ? { product: o.product } : {}),
    status: o.status,
    helpful: false,
    reason: "notRelevant",
    givenAt,
    ...overrides,
  };
}

describe("scoring opportunities", () => {
  it("produces rows that satisfy the Opportunity schema, with insights, actions and resources", () => {
    const { opportunities } = score(partner);
    expect(opportunities.length).toBeGreaterThan(0);
    for (const o of opportunities) {
      expect(opportunitySchema.parse(o)).toEqual(o);
      expect(o.insights.length).toBeGreaterThan(0);
      expect(o.actions.length).toBeGreaterThan(0);
      expect(o.resources.length).toBeGreaterThan(0);
      if (o.category === "retention") expect(o.product).toBeUndefined();
      else expect(o.product).toBeDefined();
    }
  });

  it("keeps at most one opportunity per customer per type, the strongest", () => {
    const { opportunities } = score(partner);
    const keys = opportunities.map((o) => `${o.tenantId}|${o.type}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Alpha qualifies for both MDO and MDB (both Expansion): the listed one has the higher prior probability.
    const alpha = partner[0];
    const state = stateAt(normaliseHistory(alpha), 0, settings);
    const mdo = scorePrior(mdoGrowth.prior, state.features).probability;
    const mdb = scorePrior(mdbGrowth.prior, state.features).probability;
    const expansion = opportunities.filter((o) => o.tenantId === alpha.tenant.tenantId && o.type === "Expansion");
    expect(expansion).toHaveLength(1);
    expect(expansion[0].modelId).toBe(mdo >= mdb ? "mdoGrowth" : "mdbGrowth");
    expect(expansion[0].probability).toBeCloseTo(Math.max(mdo, mdb), 4);
  });

  it("does not list customers without an opportunity", () => {
    const nothing = history([{ asOf: "2024-04-01", items: [line("SPE_E5", 500), line("EMSPREMIUM", 500)] }], {}, { segment: "Enterprise" });
    const { opportunities } = score([nothing], [], [], "2024-04-02", { minProbability: 0.5 });
    expect(opportunities.filter((o) => o.tenantId === nothing.tenant.tenantId)).toEqual([]);
  });

  it("keeps the date added across refreshes while the opportunity persists, and restarts it when it comes back", () => {
    const first = score(partner, [], [], "2024-04-02");
    const beta = (r: { opportunities: Opportunity[] }) => r.opportunities.find((o) => o.tenantName === "Beta" && o.type === "Upsell");
    expect(beta(first)?.dateAdded).toBe("2024-04-02");
    const second = score(partner, [...first.opportunities, ...first.hidden], [], "2024-05-02");
    expect(beta(second)?.dateAdded).toBe("2024-04-02");
    expect(second.opportunities.every((o) => o.dateAdded === "2024-04-02")).toBe(true);

    // Beta moves to Business Premium: the Upsell disappears; when it comes back it is new again.
    const upgraded = [partner[0], { ...partner[1], snapshots: [{ asOf: "2024-04-01", items: [line("SPB", 120)] }] }, partner[2]];
    const third = score(upgraded, [...second.opportunities, ...second.hidden], [], "2024-06-02");
    expect(beta(third)).toBeUndefined();
    const fourth = score(partner, [...third.opportunities, ...third.hidden], [], "2024-07-02");
    expect(beta(fourth)?.dateAdded).toBe("2024-07-02");
  });

  it("gives a new date added when the recommended product changes", () => {
    const first = score(partner, [], [], "2024-04-02");
    const o = first.opportunities.find((x) => x.tenantName === "Alpha" && x.type === "Upsell")!;
    const moved = { ...o, product: "Something else" };
    const second = score(partner, [moved], [], "2024-05-02");
    expect(second.opportunities.find((x) => x.id === o.id)?.dateAdded).toBe("2024-05-02");
  });

  it("hides an opportunity marked not helpful until its product or probability status changes", () => {
    const first = score(partner);
    const target = first.opportunities.find((o) => o.tenantName === "Beta" && o.type === "Upsell")!;
    const feedback = [notHelpful(target)];

    const hidden = score(partner, first.opportunities, feedback);
    expect(hidden.opportunities.find((o) => o.id === target.id)).toBeUndefined();
    expect(hidden.hidden.map((o) => o.id)).toEqual([target.id]);
    expect(hidden.hidden[0].dateAdded).toBe(target.dateAdded);

    // Same product, another band (the band settings moved): shown again.
    const bands = target.probability >= 0.05 ? { high: 0.9, medium: target.probability / 2 } : { high: 0.9, medium: 0.5 };
    const otherBand = score(partner, first.opportunities, feedback, "2024-04-02", { bands });
    const shown = otherBand.opportunities.find((o) => o.id === target.id);
    expect(shown).toBeDefined();
    expect(shown!.status).not.toBe(target.status);

    // Feedback about another product does not hide this one; a later "helpful" answer shows it again.
    expect(score(partner, [], [notHelpful(target, undefined, { product: "Microsoft 365 E5" })]).opportunities.map((o) => o.id)).toContain(target.id);
    const changedMind = [...feedback, { ...notHelpful(target, "2024-04-04T00:00:00Z"), helpful: true }];
    expect(score(partner, [], changedMind).opportunities.map((o) => o.id)).toContain(target.id);
  });

  it("derives the probability status from the band settings", () => {
    const defaults = score(partner).opportunities;
    const strict = score(partner, [], [], "2024-04-02", { bands: { high: 0.99, medium: 0.98 } }).opportunities;
    const loose = score(partner, [], [], "2024-04-02", { bands: { high: 0.02, medium: 0.01 } }).opportunities;
    expect(defaults.every((o) => o.status === probabilityStatus(o.probability, { high: 0.6, medium: 0.3 }))).toBe(true);
    expect(strict.every((o) => o.status === "Low")).toBe(true);
    expect(loose.every((o) => o.status === "High")).toBe(true);
  });

  it("rejects band settings where High does not start above Medium", () => {
    expect(() => opportunitySettingsSchema.parse({ bands: { high: 0.3, medium: 0.6 } })).toThrow(/High band/);
  });

  it("lists newest first by default", () => {
    const first = score(partner, [], [], "2024-04-02");
    const later = score([...partner, businessTenant(30, "O365_BUSINESS_PREMIUM", "Delta")], first.opportunities, [], "2024-05-02");
    expect(later.opportunities[0].tenantName).toBe("Delta");
    const dates = later.opportunities.map((o) => o.dateAdded);
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it("does not list learnt opportunities under the minimum probability, but lists rules whenever they fire", () => {
    const { opportunities } = score(partner, [], [], "2024-04-02", { minProbability: 0.99 });
    expect(opportunities.length).toBeGreaterThan(0);
    expect(opportunities.every((o) => o.basis === "rule")).toBe(true);
  });

  it("summarises the tab: overview and prioritised counts by category; no opportunities is the empty tab", () => {
    const empty = summarizeOpportunities([], 7);
    expect(empty).toEqual({
      totalTenants: 7,
      customersWithOpportunities: 0,
      opportunities: 0,
      byCategory: [
        { category: "acquisition", count: 0 },
        { category: "retention", count: 0 },
        { category: "growth", count: 0 },
      ],
      byType: ["Trial", "Engagement", "Retention", "Upsell", "Expansion"].map((type) => ({ type, count: 0 })),
      prioritised: ["acquisition", "retention", "growth"].map((category) => ({ category, high: 0, medium: 0 })),
    });
    const { opportunities } = score(partner);
    const summary = summarizeOpportunities(opportunities, partner.length);
    expect(summary.customersWithOpportunities).toBe(new Set(opportunities.map((o) => o.tenantId)).size);
    expect(summary.byCategory.reduce((s, c) => s + c.count, 0)).toBe(opportunities.length);
    for (const p of summary.prioritised) {
      const inCategory = opportunities.filter((o) => o.category === p.category);
      expect(p.high).toBe(inCategory.filter((o) => o.status === "High").length);
      expect(p.medium).toBe(inCategory.filter((o) => o.status === "Medium").length);
    }
  });

  it("never throws on bad input: tenants without snapshots, unknown SKUs and duplicates become warnings", () => {
    const odd = [
      history([], {}),
      history([
        { asOf: "2024-04-01", items: [line("MYSTERY_SKU", 5), line("SPB", 5)] },
        { asOf: "2024-04-01", items: [line("SPB", 5)] },
      ]),
    ];
    const result = score(odd);
    expect(result.warnings.join("\n")).toMatch(/1 tenants have no subscription snapshot/);
    expect(result.warnings.join("\n")).toMatch(/MYSTERY_SKU/);
    expect(result.warnings.join("\n")).toMatch(/duplicate subscription snapshots/);
  });
});
