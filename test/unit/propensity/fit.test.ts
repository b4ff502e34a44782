import { describe, expect, it } from "vitest";
import { planFor, premiumScore, generatePropensityPartner, premiumIndustries } from "../../../bench/propensityData.js";
import { lookupSku } from "../../../shared/domain/skuCatalog.js";
import {
  fitModelFromJSON,
  fitFromProbability,
  fitModelToJSON,
  fitSettingsSchema,
  labelBestCustomers,
  monthlyLicenceValue,
  scoreFit,
  trainFit,
  type TenantInput,
} from "../../../shared/domain/propensity/index.js";
import { auc, createRandom } from "../../../shared/scoring/index.js";
import { input, line } from "./builders.js";

const asOf = "2026-05-15";

/** P(monthly licence value ≥ cut | firmographics) under the generator's plant, by simulation: the best ranking firmographics allow. */
function oracle(t: TenantInput["tenant"], cut: number, rnd: () => number, draws = 300): number {
  const z = premiumScore(t.industry!, t.countryRegion!, t.azureMonthlyRevenue);
  let hits = 0;
  for (let i = 0; i < draws; i++) {
    const users = Math.max(1, Math.round(t.employees! * (0.5 + 0.5 * rnd())));
    const noise = Math.sqrt(-2 * Math.log(Math.max(rnd(), 1e-12))) * Math.cos(2 * Math.PI * rnd());
    if (users * lookupSku(planFor(users, z + noise)).listPriceUsd! >= cut) hits++;
  }
  return hits / draws;
}

describe("best customers", () => {
  it("are the top quarter by monthly licence value at list price among customers of six months or more", () => {
    const since = (months: number) => new Date(Date.UTC(2026, 4 - months, 15)).toISOString().slice(0, 10);
    const tenants = [10, 20, 30, 40, 50, 60, 70, 80].map((seats) => input({}, [line("SPB", seats, { startDate: since(12) })]));
    tenants.push(input({}, [line("SPE_E5", 500, { startDate: since(5) })])); // too recent
    tenants.push(input({}, [line("SPE_E5", 400, { startDate: since(6) })])); // exactly six months: in
    tenants.push(input({}, [line("SPE_E5", 400)])); // no start date: left out, counted
    tenants.push(input({}, [])); // prospect
    const labels = labelBestCustomers(tenants, asOf);
    expect(labels.licensed).toBe(11);
    expect(labels.withoutStartDate).toBe(1);
    expect(labels.best.size).toBe(9);
    const best = [...labels.best].filter(([, b]) => b).map(([id]) => id);
    // ceil(9 / 4) = 3: the 400-seat E5 customer and the 80- and 70-seat Business Premium customers.
    expect(best.sort()).toEqual([tenants[9], tenants[7], tenants[6]].map((t) => t.tenant.tenantId).sort());
    expect(labels.minBestValue).toBe(monthlyLicenceValue(tenants[6].subscriptions));
  });

  it("keep every customer tied at the cut, and never one worth nothing at list price", () => {
    const tenants = Array.from({ length: 8 }, (_, i) => input({}, [line(i < 3 ? "SPB" : "UNKNOWN_SKU", 10, { startDate: "2020-01-01" })]));
    const labels = labelBestCustomers(tenants, asOf);
    expect([...labels.best.values()].filter(Boolean)).toHaveLength(3);
    const allFree = labelBestCustomers(tenants.slice(3), asOf);
    expect([...allFree.best.values()].some(Boolean)).toBe(false);
  });
});

describe("fit", () => {
  const train = generatePropensityPartner({ tenants: 2500, signals: 0, seed: 21, asOf }).inputs;
  const heldOut = generatePropensityPartner({ tenants: 2000, signals: 0, seed: 22, asOf }).inputs;
  const model = trainFit(train.tenants, asOf);

  it("ranks held-out best customers well above chance, close to what the planted firmographics allow", () => {
    expect(model.basis).toBe("model");
    const labels = labelBestCustomers(heldOut.tenants, asOf);
    const population = heldOut.tenants.filter((t) => labels.best.has(t.tenant.tenantId));
    const y = population.map((t) => (labels.best.get(t.tenant.tenantId) ? 1 : 0));
    const fits = scoreFit(
      model,
      population.map((t) => t.tenant),
    ).map((f) => f.fit!);
    const rnd = createRandom(3);
    const best = auc(
      population.map((t) => oracle(t.tenant, labels.minBestValue!, rnd)),
      y,
    );
    const learned = auc(fits, y);
    // The plant leaves the oracle well above chance; fit must keep most of that margin.
    expect(best).toBeGreaterThan(0.75);
    expect(learned).toBeGreaterThan(0.5 + 0.8 * (best - 0.5));
  });

  it("maps the calibrated probability to fit 0–100 monotonically, 50 where a tenant is as likely best as the base rate", () => {
    for (const share of [0.1, 0.25, 0.5]) {
      let last = -1;
      for (let p = 0; p <= 1.0000001; p += 0.0005) {
        const fit = fitFromProbability(p, share);
        expect(fit).toBeGreaterThanOrEqual(last);
        last = fit;
      }
      expect(fitFromProbability(share, share)).toBe(50);
      expect(fitFromProbability(0, share)).toBe(0);
      expect(fitFromProbability(1, share)).toBe(100);
    }
    // Three times the odds of the base rate is the edge of High.
    expect(fitFromProbability(0.5, 0.25)).toBe(75);
  });

  it("gives each tenant the fit of its calibrated probability, so fit never falls as the probability rises", () => {
    if (model.basis !== "model") throw new Error("expected a model");
    const fits = scoreFit(
      model,
      heldOut.tenants.map((t) => t.tenant),
    );
    for (const f of fits) expect(f.fit).toBe(fitFromProbability(f.probability!, model.bestShare));
    const byProbability = [...fits].sort((a, b) => a.probability! - b.probability!);
    for (let k = 1; k < byProbability.length; k++) expect(byProbability[k].fit!).toBeGreaterThanOrEqual(byProbability[k - 1].fit!);
    expect(new Set(fits.map((f) => f.fitBand)).size).toBeGreaterThanOrEqual(3);
  });

  it("explains fit with the firmographics that moved it, in words", () => {
    const premium = heldOut.tenants.find((t) => premiumIndustries.has(t.tenant.industry!) && t.tenant.employees! > 100)!;
    const [scored] = scoreFit(model, [premium.tenant]);
    expect(scored.fitFactors.length).toBeGreaterThan(0);
    expect(scored.fitFactors.length).toBeLessThanOrEqual(3);
    expect(scored.fitFactors.join("; ")).toMatch(/(Employees: [\d,]+|Industry is [A-Za-z ]+) \(raises the fit\)/);
  });

  it("reports what it learned from", () => {
    expect(model.report.message).toMatch(/^Fit learned from [\d,]+ best customers and [\d,]+ other customers with 6 months' tenure \(validation AUC 0\.\d\d\)\.$/);
    expect(model.report.bestCustomers).toBeGreaterThanOrEqual(40);
    expect(model.report.validationAuc).toBeGreaterThan(0.5);
  });

  it("scores the same after a round trip through JSON (a stored quarterly model)", () => {
    const restored = fitModelFromJSON(JSON.parse(JSON.stringify(fitModelToJSON(model))));
    const tenants = heldOut.tenants.slice(0, 200).map((t) => t.tenant);
    expect(scoreFit(restored, tenants)).toEqual(scoreFit(model, tenants));
  });
});

describe("fit fallbacks", () => {
  it("cannot be learned without licensed customers: says so, and gives no fit", () => {
    const tenants = [input({ industry: "Retail", employees: 40 }), input({ industry: "Retail", employees: 4 })];
    const model = trainFit(tenants, asOf);
    expect(model.basis).toBe("none");
    expect(model.report.message).toBe("Fit cannot be learned: no customer holds paid licences. Scores are intent only.");
    expect(scoreFit(model, tenants.map((t) => t.tenant))).toEqual([{ fitFactors: [] }, { fitFactors: [] }]);
  });

  it("cannot be learned when no customer has the tenure, and says how many lack a start date", () => {
    const tenants = [input({}, [line("SPB", 10, { startDate: "2026-03-01" })]), input({}, [line("SPB", 10)])];
    const model = trainFit(tenants, asOf);
    expect(model.basis).toBe("none");
    expect(model.report.message).toBe("Fit cannot be learned: no licensed customer has 6 months' tenure (1 customer without a start date). Scores are intent only.");
  });

  it("cannot be learned when the tenants file gives no firmographics at all", () => {
    const tenants = Array.from({ length: 200 }, (_, i) => input({ segment: undefined }, [line("SPB", 5 + i, { startDate: "2024-01-01" })]));
    const model = trainFit(tenants, asOf);
    expect(model.basis).toBe("none");
    expect(model.report.message).toMatch(/^Fit cannot be learned: the tenants file gives none of Industry, Employees, .* Scores are intent only\.$/);
  });

  it("falls back to a flagged profile match with too few best customers, which still favours their profile", () => {
    // 40 customers: 10 best, all in Healthcare with 200 users; the others in Retail with 10.
    const tenants = Array.from({ length: 40 }, (_, i) =>
      i < 10
        ? input({ industry: "Healthcare", employees: 200, countryRegion: "Germany" }, [line("SPB", 200, { startDate: "2024-01-01" })])
        : input({ industry: "Retail", employees: 10 + (i % 5), countryRegion: i % 2 ? "Germany" : "France" }, [line("O365_BUSINESS_ESSENTIALS", 10, { startDate: "2024-01-01" })]),
    );
    const model = trainFit(tenants, asOf);
    expect(model.basis).toBe("fallback");
    expect(model.report.bestCustomers).toBe(10);
    expect(model.report.message).toBe(
      "Fit is a profile match, not a learned model: only 10 best customers with 6 months' tenure (the model needs 40 best and 40 other customers; about 120 more customers with 6 months' tenure would do).",
    );
    const [like, unlike, unknown] = scoreFit(model, [
      input({ industry: "Healthcare", employees: 250, countryRegion: "Germany" }).tenant,
      input({ industry: "Retail", employees: 12, countryRegion: "France" }).tenant,
      input({ industry: "Mining" }).tenant,
    ]);
    expect(like.fit!).toBeGreaterThanOrEqual(75);
    expect(unlike.fit!).toBeLessThan(30);
    expect(like.fitFactors[0]).toMatch(/raises the fit/);
    expect(unlike.fitFactors[0]).toMatch(/lowers the fit/);
    expect(unknown.fit!).toBeGreaterThan(unlike.fit!);
    const restored = fitModelFromJSON(JSON.parse(JSON.stringify(fitModelToJSON(model))));
    expect(scoreFit(restored, [tenants[0].tenant])).toEqual(scoreFit(model, [tenants[0].tenant]));
  });

  it("uses the minimum of best customers from its settings", () => {
    const { inputs } = generatePropensityPartner({ tenants: 400, signals: 0, seed: 5, asOf });
    expect(trainFit(inputs.tenants, asOf).basis).toBe("model");
    expect(trainFit(inputs.tenants, asOf, fitSettingsSchema.parse({ minBestCustomers: 5000 })).basis).toBe("fallback");
  });
});
