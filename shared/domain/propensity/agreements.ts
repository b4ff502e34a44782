import type { SubscriptionItem } from "../documents.js";
import { lookupSku } from "../skuCatalog.js";
import { isoDay } from "./dates.js";
import { isActiveSubscription, paidSeats } from "../cloudEndpoints/index.js";
import { annualValue } from "./revenue.js";

// Agreements expiring in the current Microsoft fiscal year (1 July – 30 June), for the summary tiles
// (seed 003: "Expiring agreements", "Open expiring revenue"; PRODUCT.md section 4).
// - An agreement is a subscription line with an end date (trials are not agreements).
// - Expiring: its end date falls in the fiscal year that contains the refresh day, past or still to come.
// - Renewed: the tenant holds another active line of the same SKU that ends later (the next term is booked).
// - Open: expiring, not renewed, still live (Active, Warning or no status) and not yet ended on the refresh
//   day; an agreement that ended unrenewed or was cancelled is lapsed, not open.
// - Open expiring revenue: Σ over open agreements of paid seats × list price × 12 (USD); SKUs without a list
//   price add nothing.

export interface FiscalYear {
  /** Microsoft's name: FY26 runs from 1 July 2025 to 30 June 2026. */
  label: string;
  from: string;
  to: string;
}

/** The Microsoft fiscal year containing a day. */
export function fiscalYearOf(asOf: string): FiscalYear {
  const day = isoDay(asOf) ?? asOf;
  const year = Number(day.slice(0, 4));
  const endYear = Number(day.slice(5, 7)) >= 7 ? year + 1 : year;
  return { label: `FY${String(endYear % 100).padStart(2, "0")}`, from: `${endYear - 1}-07-01`, to: `${endYear}-06-30` };
}

export interface TenantAgreements {
  expiring: number;
  renewed: number;
  open: number;
  openExpiringRevenue: number;
}

export function agreementsOf(items: readonly SubscriptionItem[], asOf: string): TenantAgreements {
  const fy = fiscalYearOf(asOf);
  const today = isoDay(asOf) ?? asOf;
  const out: TenantAgreements = { expiring: 0, renewed: 0, open: 0, openExpiringRevenue: 0 };
  const lines = items
    .filter((i) => i.status !== "Trial" && i.endDate !== undefined && isoDay(i.endDate) !== undefined)
    .map((i) => ({ item: i, sku: i.sku.toUpperCase(), end: isoDay(i.endDate!)! }));
  for (const line of lines) {
    if (line.end < fy.from || line.end > fy.to) continue;
    out.expiring++;
    const renewed = lines.some((o) => o !== line && o.sku === line.sku && o.end > line.end && isActiveSubscription(o.item));
    if (renewed) {
      out.renewed++;
      continue;
    }
    if (!isActiveSubscription(line.item) || line.end < today) continue;
    out.open++;
    out.openExpiringRevenue += annualValue(paidSeats(line.item), lookupSku(line.sku).listPriceUsd ?? 0);
  }
  out.openExpiringRevenue = Math.round(out.openExpiringRevenue * 100) / 100;
  return out;
}
