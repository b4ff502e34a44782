import { describe, expect, it } from "vitest";
import { lookupSku } from "../../../shared/domain/skuCatalog.js";
import { agreementsOf, cells, clusters, families, fiscalYearOf, summarizePropensity } from "../../../shared/domain/propensity/index.js";
import { line } from "./builders.js";

describe("Microsoft fiscal year", () => {
  it("runs from 1 July to 30 June and is named by the year it ends in", () => {
    expect(fiscalYearOf("2026-06-30")).toEqual({ label: "FY26", from: "2025-07-01", to: "2026-06-30" });
    expect(fiscalYearOf("2026-07-01")).toEqual({ label: "FY27", from: "2026-07-01", to: "2027-06-30" });
    expect(fiscalYearOf("2026-01-01T12:00:00Z").label).toBe("FY26");
  });
});

describe("expiring agreements", () => {
  const annual = (sku: string, seats: number) => seats * lookupSku(sku).listPriceUsd! * 12;

  it("counts an agreement ending on 30 June in the fiscal year, and one ending on 1 July in the next", () => {
    const items = [line("SPB", 10, { endDate: "2026-06-30" }), line("MDE_SMB", 10, { endDate: "2026-07-01" })];
    const inFy26 = agreementsOf(items, "2026-05-15");
    expect(inFy26).toEqual({ expiring: 1, renewed: 0, open: 1, openExpiringRevenue: annual("SPB", 10) });
    const inFy27 = agreementsOf(items, "2026-07-01");
    expect(inFy27.expiring).toBe(1);
    expect(inFy27.open).toBe(1);
    expect(inFy27.openExpiringRevenue).toBe(annual("MDE_SMB", 10));
  });

  it("leaves out renewed agreements (a later term of the same SKU is booked) from the open revenue", () => {
    const items = [line("SPB", 10, { endDate: "2026-06-01" }), line("SPB", 12, { startDate: "2026-06-01", endDate: "2027-06-01" })];
    expect(agreementsOf(items, "2026-05-15")).toEqual({ expiring: 1, renewed: 1, open: 0, openExpiringRevenue: 0 });
  });

  it("counts lapsed and cancelled agreements as expiring but not open, and ignores trials and lines without an end", () => {
    const items = [
      line("SPB", 10, { endDate: "2025-09-01" }), // ended this fiscal year, not renewed
      line("ATP_ENTERPRISE", 10, { endDate: "2026-06-01", status: "Disabled" }),
      line("TEAMS_EXPLORATORY", 100, { endDate: "2026-06-01", status: "Trial" }),
      line("INTUNE_A", 10),
    ];
    expect(agreementsOf(items, "2026-05-15")).toEqual({ expiring: 2, renewed: 0, open: 0, openExpiringRevenue: 0 });
  });
});

describe("propensity summary", () => {
  it("of no customers is the empty tab: every subsegment, cluster, cell, band and family with zeros", () => {
    const empty = summarizePropensity([], "2026-05-15");
    expect(empty.smbCustomers).toEqual({
      total: 0,
      customers: 0,
      prospects: 0,
      bySubsegment: ["Upper Medium", "Medium", "Very Small", "Unknown"].map((subsegment) => ({ subsegment, count: 0 })),
    });
    expect(empty.agreements).toEqual({ fiscalYear: fiscalYearOf("2026-05-15"), expiring: 0, renewed: 0, open: 0, openExpiringRevenue: 0 });
    expect(empty.clusters).toEqual(clusters.map((cluster) => ({ cluster, count: 0 })));
    expect(empty.cells.map((c) => c.cell)).toEqual([...cells]);
    expect(empty.cells.every((c) => c.count === 0)).toBe(true);
    expect(empty.cells.find((c) => c.cell === "B3")).toEqual({ cell: "B3", fitBand: "Medium", intentBand: "Low", count: 0 });
    expect(empty.families).toEqual(families.map((family) => ({ family, propensities: 0, customers: 0, estimatedAnnualRevenue: 0 })));
    expect(empty.notClustered).toBe(0);
  });
});
