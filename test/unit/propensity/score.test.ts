import { describe, expect, it } from "vitest";
import { generatePropensityPartner } from "../../../bench/propensityData.js";
import {
  customerPropensitySchema,
  defaultClusterMapping,
  parseClusterMapping,
  propensityRows,
  propensitySummarySchema,
  scorePropensity,
  trainFit,
  type PropensityInputs,
} from "../../../shared/domain/propensity/index.js";
import { input, line, signal } from "./builders.js";

const asOf = "2026-05-15";

describe("scoring a partner", () => {
  const { inputs } = generatePropensityPartner({ tenants: 1500, signals: 15_000, seed: 31, asOf });
  const result = scorePropensity(inputs);

  it("scores every tenant, customers and prospects alike, in the tab's shape", () => {
    expect(result.customers).toHaveLength(inputs.tenants.length);
    expect(result.customers.map((c) => c.tenantId)).toEqual(inputs.tenants.map((t) => t.tenant.tenantId));
    for (const c of result.customers.slice(0, 50)) customerPropensitySchema.parse(c);
    propensitySummarySchema.parse(result.summary);
    const prospects = result.customers.filter((c) => c.customerType === "Prospect");
    expect(prospects.length).toBeGreaterThan(0);
    expect(prospects.every((c) => c.fit !== undefined && c.cluster !== undefined)).toBe(true);
  });

  it("puts each tenant in the cell of its fit and intent bands and the cluster of that cell", () => {
    for (const c of result.customers) {
      expect(c.cell).toBe(`${"ABCD"["High Medium Low Very low".split(" ").indexOf(c.fitBand!.split(" ")[0])]}${["High", "Medium", "Low", "Very low"].indexOf(c.intentBand) + 1}`);
      expect(c.cluster).toBe(defaultClusterMapping[c.cell!]);
    }
  });

  it("populates every cluster and family on the generated partner, and the summary adds up", () => {
    const s = result.summary;
    for (const { count } of s.clusters) expect(count).toBeGreaterThan(0);
    for (const f of s.families) expect(f.propensities).toBeGreaterThan(0);
    expect(s.clusters.reduce((n, c) => n + c.count, 0) + s.notClustered).toBe(result.customers.length);
    expect(s.cells.reduce((n, c) => n + c.count, 0)).toBe(result.customers.length);
    expect(s.families.find((f) => f.family === "Whitespace")!.estimatedAnnualRevenue).toBeCloseTo(
      result.customers.reduce((n, c) => n + c.whitespaceRevenue, 0),
      2,
    );
    expect(s.smbCustomers.total).toBe(result.customers.filter((c) => c.smb).length);
  });

  it("reports the bad input it met: future signals, unknown types, unmatched domains, unknown install-base products", () => {
    expect(result.intent.futureSignals).toBeGreaterThan(0);
    expect(result.intent.unknownSignalTypes.map((u) => u.signalType)).toEqual(["Podcast mention"]);
    expect(result.intent.signals.unmatchedDomain).toBeGreaterThan(0);
    expect(result.intent.signals.matchedByDomain).toBeGreaterThan(0);
    expect(result.intent.signals.matchedByTenantId + result.intent.signals.matchedByDomain + result.intent.signals.unmatchedDomain).toBe(inputs.signals.length);
    expect(result.installBase.unknownProducts.map((p) => p.product)).toEqual(["Lotus Notes"]);
    expect(result.installBase.unknownProductRows).toBe(inputs.installBase.filter((r) => r.product === "Lotus Notes").length);
  });

  it("reuses a stored fit model and applies an administrator's cluster mapping", () => {
    const mapping = parseClusterMapping(Object.fromEntries(Object.keys(defaultClusterMapping).map((cell) => [cell, cell.endsWith("1") ? "Act now" : "Educate"])));
    const again = scorePropensity(inputs, { fitModel: result.fitModel, clusterMapping: mapping });
    expect(again.customers.map((c) => c.fit)).toEqual(result.customers.map((c) => c.fit));
    for (const c of again.customers) expect(c.cluster).toBe(c.cell!.endsWith("1") ? "Act now" : "Educate");
  });

  it("flattens to one row per customer and product propensity", () => {
    const rows = propensityRows(result.customers);
    expect(rows).toHaveLength(result.customers.reduce((n, c) => n + c.products.length, 0));
    expect(rows[0]).toMatchObject({ tenantId: result.customers[0].tenantId, family: result.customers[0].products[0].family });
    expect("products" in rows[0]).toBe(false);
  });
});

describe("scoring a partner without licensed customers", () => {
  it("scores intent only: no fit, cell or cluster, and says why", () => {
    const a = input({ industry: "Retail", employees: 30 });
    const b = input({ industry: "Retail", employees: 3, segment: "SMB" });
    const inputs: PropensityInputs = {
      asOf,
      tenants: [a, b],
      signals: [signal(a.tenant.tenantId, "Demo request", asOf), { domain: b.tenant.domain!, signalType: "Funding", observedOn: "2026-05-01" }],
      installBase: [],
    };
    const result = scorePropensity(inputs);
    expect(result.fit.basis).toBe("none");
    expect(result.fit.message).toContain("Fit cannot be learned");
    for (const c of result.customers) {
      expect(c.fit).toBeUndefined();
      expect(c.cell).toBeUndefined();
      expect(c.cluster).toBeUndefined();
      expect(c.fitBasis).toBe("none");
      expect(c.intent).toBeGreaterThan(0);
    }
    expect(result.summary.notClustered).toBe(2);
    expect(result.summary.smbCustomers).toMatchObject({ total: 2, customers: 0, prospects: 2 });
    expect(result.summary.smbCustomers.bySubsegment.find((s) => s.subsegment === "Medium")!.count).toBe(1);
  });
});

describe("scoring with too few best customers", () => {
  it("flags the fallback on every tenant and in the report", () => {
    const tenants = Array.from({ length: 12 }, (_, i) => input({ industry: i < 3 ? "Healthcare" : "Retail", employees: 20 }, [line(i < 3 ? "SPB" : "O365_BUSINESS_ESSENTIALS", 20, { startDate: "2024-01-01" })]));
    const result = scorePropensity({ asOf, tenants, signals: [], installBase: [{ tenantId: "00000000-0000-4000-8000-999999999999", product: "Office", version: "2010" }] });
    expect(result.fit.basis).toBe("fallback");
    expect(trainFit(tenants, asOf).report).toEqual(result.fit);
    expect(result.customers.every((c) => c.fitBasis === "fallback" && c.fit !== undefined && c.cluster !== undefined)).toBe(true);
    expect(result.installBase.unknownTenant).toBe(1);
  });
});
