import { z } from "zod";
import { bands, bandSchema, cells, cellSchema, type Band, type Cell } from "./bands.js";
import { fiscalYearOf } from "./agreements.js";
import { clusters, clusterSchema, type Cluster } from "./clusters.js";
import { families, familySchema, type Family } from "./families.js";
import type { CustomerPropensity } from "./score.js";
import { smbSubsegments } from "./subsegments.js";

// The "Customers Opportunities" dashboard (seed 003 summary, PRODUCT.md section 4): SMB customers by
// subsegment, agreements expiring in the current fiscal year and their open revenue, customers per cluster and
// per matrix cell (the heat map), revenue per family. The summary of no customers is the empty tab: every
// subsegment, cluster, cell and family is listed, with zeros.

export const propensitySummarySchema = z.object({
  smbCustomers: z.object({
    /** Tenants in the SMB segment (SMB or no segment), customers and prospects. */
    total: z.number(),
    customers: z.number(),
    prospects: z.number(),
    /** Upper Medium, Medium, Very Small, then other given subsegments, then "Unknown". */
    bySubsegment: z.array(z.object({ subsegment: z.string(), count: z.number() })),
  }),
  agreements: z.object({
    fiscalYear: z.object({ label: z.string(), from: z.string(), to: z.string() }),
    expiring: z.number(),
    renewed: z.number(),
    open: z.number(),
    /** USD a year at list price. */
    openExpiringRevenue: z.number(),
  }),
  /** Customers and prospects per cluster, all four always listed. */
  clusters: z.array(z.object({ cluster: clusterSchema, count: z.number() })),
  /** Tenants without a cluster (fit cannot be learned). */
  notClustered: z.number(),
  /** The heat map: 16 cells, A1 first. */
  cells: z.array(z.object({ cell: cellSchema, fitBand: bandSchema, intentBand: bandSchema, count: z.number() })),
  bands: z.array(z.object({ band: bandSchema, fit: z.number(), intent: z.number() })),
  families: z.array(
    z.object({
      family: familySchema,
      /** Product propensities of the family. */
      propensities: z.number(),
      customers: z.number(),
      /** Σ estimated annual revenue (USD, list price) of the family's propensities that have one. */
      estimatedAnnualRevenue: z.number(),
    }),
  ),
});
export type PropensitySummary = z.infer<typeof propensitySummarySchema>;

const unknownSubsegment = "Unknown";

function cents(x: number): number {
  return Math.round(x * 100) / 100;
}

export function summarizePropensity(customers: readonly CustomerPropensity[], asOf: string): PropensitySummary {
  const subsegments = new Map<string, number>(smbSubsegments.map((s) => [s, 0]));
  const byCluster = new Map<Cluster, number>(clusters.map((c) => [c, 0]));
  const byCell = new Map<Cell, number>(cells.map((c) => [c, 0]));
  const fitBands = new Map<Band, number>(bands.map((b) => [b, 0]));
  const intentBands = new Map<Band, number>(bands.map((b) => [b, 0]));
  const byFamily = new Map<Family, { propensities: number; customers: number; estimatedAnnualRevenue: number }>(
    families.map((f) => [f, { propensities: 0, customers: 0, estimatedAnnualRevenue: 0 }]),
  );
  let smb = 0;
  let smbCustomers = 0;
  let notClustered = 0;
  let unknown = 0;
  const agreements = { expiring: 0, renewed: 0, open: 0, openExpiringRevenue: 0 };
  for (const c of customers) {
    if (c.smb) {
      smb++;
      if (c.customerType === "Customer") smbCustomers++;
      if (c.subsegment === undefined) unknown++;
      else subsegments.set(c.subsegment, (subsegments.get(c.subsegment) ?? 0) + 1);
    }
    agreements.expiring += c.expiringAgreements;
    agreements.renewed += c.renewedAgreements;
    agreements.open += c.openExpiringAgreements;
    agreements.openExpiringRevenue += c.openExpiringRevenue;
    if (c.cell !== undefined && c.cluster !== undefined) {
      byCell.set(c.cell, byCell.get(c.cell)! + 1);
      byCluster.set(c.cluster, byCluster.get(c.cluster)! + 1);
    } else notClustered++;
    if (c.fitBand !== undefined) fitBands.set(c.fitBand, fitBands.get(c.fitBand)! + 1);
    intentBands.set(c.intentBand, intentBands.get(c.intentBand)! + 1);
    const seen = new Set<Family>();
    for (const p of c.products) {
      const f = byFamily.get(p.family)!;
      f.propensities++;
      f.estimatedAnnualRevenue += p.estimatedAnnualRevenue ?? 0;
      if (!seen.has(p.family)) {
        seen.add(p.family);
        f.customers++;
      }
    }
  }
  return {
    smbCustomers: {
      total: smb,
      customers: smbCustomers,
      prospects: smb - smbCustomers,
      bySubsegment: [...[...subsegments.entries()].map(([subsegment, count]) => ({ subsegment, count })), { subsegment: unknownSubsegment, count: unknown }],
    },
    agreements: {
      fiscalYear: fiscalYearOf(asOf),
      expiring: agreements.expiring,
      renewed: agreements.renewed,
      open: agreements.open,
      openExpiringRevenue: cents(agreements.openExpiringRevenue),
    },
    clusters: clusters.map((cluster) => ({ cluster, count: byCluster.get(cluster)! })),
    notClustered,
    cells: cells.map((cell) => ({
      cell,
      fitBand: bands["ABCD".indexOf(cell[0])],
      intentBand: bands[Number(cell[1]) - 1],
      count: byCell.get(cell)!,
    })),
    bands: bands.map((band) => ({ band, fit: fitBands.get(band)!, intent: intentBands.get(band)! })),
    families: families.map((family) => ({ family, ...byFamily.get(family)!, estimatedAnnualRevenue: cents(byFamily.get(family)!.estimatedAnnualRevenue) })),
  };
}
