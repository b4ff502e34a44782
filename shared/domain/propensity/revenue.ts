import { listPrice } from "./catalogue.js";

// Estimated revenue at list price (PRODUCT.md section 4): seats × list price of the recommended product.
// List prices are USD per user per month (skuCatalog.ts); estimates are a year's worth, like open expiring
// revenue, so the two can be compared. Products without a list price (Azure consumption) have no estimate.

export interface RevenueEstimate {
  seats: number;
  /** USD per seat per month. */
  listPrice: number;
  /** seats × list price × 12, in USD, to the cent. */
  estimatedAnnualRevenue: number;
}

export function annualValue(seats: number, monthlyListPrice: number): number {
  return Math.round(seats * monthlyListPrice * 12 * 100) / 100;
}

/** The estimate for `seats` seats of a part number; undefined without seats or without a list price. */
export function estimateRevenue(seats: number | undefined, sku: string | undefined): RevenueEstimate | undefined {
  if (seats === undefined || !(seats > 0) || sku === undefined) return undefined;
  const price = listPrice(sku);
  if (price === undefined) return undefined;
  return { seats, listPrice: price, estimatedAnnualRevenue: annualValue(seats, price) };
}

/**
 * Seats a whitespace product would be sold for: the tenant's licensed users (paid Microsoft 365 / Office 365
 * suite seats) when it has any, else its employees; undefined when neither is known.
 */
export function whitespaceSeats(suiteSeats: number, employees: number | undefined): number | undefined {
  if (suiteSeats > 0) return suiteSeats;
  return employees !== undefined && employees > 0 ? employees : undefined;
}
