import { z } from "zod";
import type { SubscriptionItem } from "../documents.js";
import { lookupSku } from "../skuCatalog.js";
import {
  azureWorkloadSequence,
  matchInstallBase,
  needCovered,
  productForSize,
  productNeeds,
  utilisationWorkloads,
  type AzureWorkload,
  type EndOfServiceProduct,
} from "./catalogue.js";
import { addMonths, isoDay } from "./dates.js";
import type { WorkloadUsage } from "./inputs.js";
import { seatsBySku } from "./licences.js";
import { estimateRevenue } from "./revenue.js";
import type { InstallBaseRow } from "./rows.js";

// Propensity families (seed 003, PRODUCT.md section 4): what to propose to a tenant, product by product.
// - Whitespace: for each need of the catalogue (suite, endpoint security, email security, device management,
//   identity, Cloud PC) the tenant does not cover with a product it holds paid seats of, the product that fits
//   its size. Seats: its licensed users, else its employees (revenue.ts).
// - Up-sell: more seats of an owned SKU whose seats are nearly all used: monthly active users of the
//   workloads it measures (catalogue.ts) over its paid seats at or above `upsellMinUtilisation` (90 %), and
//   seats not fallen since the earlier snapshot. Suites share their users, so their seats are pooled and the
//   suite with most seats is proposed. Additional seats: at least 1, at least the active users beyond the
//   paid seats, and at least the seats' growth since the earlier snapshot repeated (10 % when unknown).
// - Azure next logical workload: for tenants with Azure revenue, the first workload of the documented
//   sequence (catalogue.ts) they do not run. No list price (consumption), so no revenue estimate.
// - End of service: install-base products whose end of extended support is past or within
//   `endOfServiceHorizonMonths` (12) of the refresh, one row per installed product, with what to move to;
//   seats are the installed quantity, else the tenant's whitespace seats.

export const families = ["Whitespace", "Up-sell", "Azure next logical workload", "End of service"] as const;
export const familySchema = z.enum(families);
export type Family = z.infer<typeof familySchema>;

export const familySettingsSchema = z.object({
  upsellMinUtilisation: z.number().gt(0).max(1).default(0.9),
  /** Seat growth assumed for an up-sell when no earlier snapshot shows it. */
  upsellDefaultGrowth: z.number().min(0).default(0.1),
  endOfServiceHorizonMonths: z.number().int().min(0).default(12),
});
export type FamilySettings = z.infer<typeof familySettingsSchema>;
export const defaultFamilySettings: FamilySettings = familySettingsSchema.parse({});

export const productPropensitySchema = z.object({
  family: familySchema,
  /** The recommended product. */
  product: z.string(),
  /** Its part number, when it has one. */
  sku: z.string().optional(),
  /** Seats the estimate is for (additional seats for an up-sell). */
  seats: z.number().optional(),
  /** USD per seat per month. */
  listPrice: z.number().optional(),
  /** seats × list price × 12 (USD); absent when the product has no list price or the seats are unknown. */
  estimatedAnnualRevenue: z.number().optional(),
  /** Why, in words. */
  reason: z.string(),
  /** End of service: the installed product and its end of support. */
  installedProduct: z.string().optional(),
  endOfService: z.string().optional(),
});
export type ProductPropensity = z.infer<typeof productPropensitySchema>;

function withRevenue(row: ProductPropensity, seats: number | undefined): ProductPropensity {
  const estimate = estimateRevenue(seats, row.sku);
  if (estimate) return { ...row, seats: estimate.seats, listPrice: estimate.listPrice, estimatedAnnualRevenue: estimate.estimatedAnnualRevenue };
  return seats !== undefined && seats > 0 ? { ...row, seats } : row;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

// ---- whitespace ----------------------------------------------------------------------------------

/** Whitespace rows for a tenant holding paid seats of `owned` part numbers, sold for `seats` seats. */
export function whitespaceOf(owned: ReadonlySet<string>, seats: number | undefined): ProductPropensity[] {
  const out: ProductPropensity[] = [];
  for (const need of productNeeds) {
    if (needCovered(need, owned)) continue;
    const p = productForSize(need, seats);
    if (!p) continue;
    const reason = owned.size === 0 ? `${need.gap} (no Microsoft cloud licences yet)` : need.gap;
    out.push(withRevenue({ family: "Whitespace", product: p.product, sku: p.sku, reason }, seats));
  }
  return out;
}

// ---- up-sell ---------------------------------------------------------------------------------------

/** Up-sell rows from the current and an earlier snapshot and the latest usage month. */
export function upsellOf(
  items: readonly SubscriptionItem[],
  earlier: { asOf: string; items: readonly SubscriptionItem[] } | undefined,
  usage: Readonly<Record<string, WorkloadUsage>> | undefined,
  settings: FamilySettings = defaultFamilySettings,
): ProductPropensity[] {
  if (!usage) return [];
  const now = seatsBySku(items);
  const before = earlier ? seatsBySku(earlier.items) : undefined;
  // SKUs measured by the same workloads share their users: one group per workload set.
  const groups = new Map<string, { workloads: readonly string[]; skus: string[] }>();
  for (const sku of now.keys()) {
    if (!(lookupSku(sku).listPriceUsd! > 0)) continue;
    const workloads = utilisationWorkloads(sku);
    if (!workloads) continue;
    const key = workloads.join("|");
    const g = groups.get(key);
    if (g) g.skus.push(sku);
    else groups.set(key, { workloads, skus: [sku] });
  }
  const out: ProductPropensity[] = [];
  for (const { workloads, skus } of groups.values()) {
    const seats = skus.reduce((s, sku) => s + now.get(sku)!, 0);
    let active = 0;
    let busiest = workloads[0];
    for (const w of workloads) {
      const mau = usage[w]?.activeUsers ?? 0;
      if (mau > active) {
        active = mau;
        busiest = w;
      }
    }
    const utilisation = active / seats;
    if (utilisation < settings.upsellMinUtilisation) continue;
    const seatsBefore = before ? skus.reduce((s, sku) => s + (before.get(sku) ?? 0), 0) : undefined;
    if (seatsBefore !== undefined && seats < seatsBefore) continue;
    const growth = seatsBefore !== undefined && seatsBefore > 0 && seats > seatsBefore ? (seats - seatsBefore) / seatsBefore : settings.upsellDefaultGrowth;
    const additional = Math.max(1, active - seats, Math.ceil(seats * growth));
    const sku = [...skus].sort((a, b) => now.get(b)! - now.get(a)! || (lookupSku(b).listPriceUsd ?? 0) - (lookupSku(a).listPriceUsd ?? 0) || a.localeCompare(b))[0];
    const info = lookupSku(sku);
    const trend =
      seatsBefore === undefined
        ? ""
        : seats > seatsBefore
          ? `; seats grew from ${count(seatsBefore)} to ${count(seats)} since ${earlier!.asOf.slice(0, 10)}`
          : `; seats unchanged since ${earlier!.asOf.slice(0, 10)}`;
    const reason = `${count(active)} ${busiest} active users on ${count(seats)} paid seats (${Math.round(utilisation * 100)} %)${trend}`;
    out.push(withRevenue({ family: "Up-sell", product: info.displayName, sku, reason }, additional));
  }
  return out;
}

// ---- Azure next logical workload ---------------------------------------------------------------------

/** The next Azure workload for a tenant with Azure revenue, given the workloads its install base lists. */
export function azureNextWorkloadOf(azureMonthlyRevenue: number | undefined, running: ReadonlySet<AzureWorkload>): ProductPropensity | undefined {
  if (!(azureMonthlyRevenue !== undefined && azureMonthlyRevenue > 0)) return undefined;
  const assumed = running.size === 0;
  const runs = assumed ? new Set<AzureWorkload>([azureWorkloadSequence[0]]) : running;
  const next = azureWorkloadSequence.find((w) => !runs.has(w));
  if (!next) return undefined;
  const revenue = `Azure revenue $${count(azureMonthlyRevenue)} a month`;
  const reason = assumed
    ? `${revenue}, no Azure workload listed (taken to run ${azureWorkloadSequence[0]}); next in the sequence`
    : `${revenue}, runs ${[...runs].join(", ")}; next in the sequence`;
  return { family: "Azure next logical workload", product: next, reason };
}

// ---- end of service ------------------------------------------------------------------------------

export interface InstallBaseOutcome {
  endOfService: ProductPropensity[];
  azureWorkloads: Set<AzureWorkload>;
  /** Rows whose product is in neither catalogue. */
  unknown: InstallBaseRow[];
}

/** Reads a tenant's install base: end-of-service rows, Azure workloads it runs, and unknown products. */
export function installBaseOf(
  rows: readonly InstallBaseRow[],
  asOf: string,
  fallbackSeats: number | undefined,
  settings: FamilySettings = defaultFamilySettings,
): InstallBaseOutcome {
  const horizon = addMonths(isoDay(asOf) ?? asOf, settings.endOfServiceHorizonMonths);
  const today = isoDay(asOf) ?? asOf;
  const due = new Map<EndOfServiceProduct, { quantity: number; anyQuantity: boolean }>();
  const azureWorkloads = new Set<AzureWorkload>();
  const unknown: InstallBaseRow[] = [];
  for (const row of rows) {
    const match = matchInstallBase(row.product, row.version);
    if (match.kind === "unknown") unknown.push(row);
    else if (match.kind === "azureWorkload") azureWorkloads.add(match.workload);
    else if (match.entry.endOfService !== undefined && match.entry.endOfService <= horizon) {
      const d = due.get(match.entry) ?? { quantity: 0, anyQuantity: false };
      d.quantity += row.quantity ?? 0;
      d.anyQuantity ||= row.quantity !== undefined;
      due.set(match.entry, d);
    }
  }
  const endOfService: ProductPropensity[] = [];
  for (const [entry, { quantity, anyQuantity }] of due) {
    const installed = `${entry.product} ${entry.version}`;
    const when = entry.endOfService! < today ? `reached end of support on ${entry.endOfService}` : `reaches end of support on ${entry.endOfService}`;
    const reason = `${installed}${anyQuantity ? ` (${count(quantity)} installed)` : ""} ${when}`;
    const row: ProductPropensity = {
      family: "End of service",
      product: entry.moveTo,
      ...(entry.moveToSku ? { sku: entry.moveToSku } : {}),
      reason,
      installedProduct: installed,
      endOfService: entry.endOfService!,
    };
    endOfService.push(withRevenue(row, anyQuantity && quantity > 0 ? quantity : fallbackSeats));
  }
  endOfService.sort((a, b) => a.endOfService!.localeCompare(b.endOfService!) || a.installedProduct!.localeCompare(b.installedProduct!));
  return { endOfService, azureWorkloads, unknown };
}
