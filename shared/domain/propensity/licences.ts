import { isActiveSubscription, paidSeats } from "../cloudEndpoints/index.js";
import type { SubscriptionItem } from "../documents.js";
import { lookupSku } from "../skuCatalog.js";
import { isoDay } from "./dates.js";

// What a tenant's licences say for propensity. Seats follow the Cloud Endpoints decisions: paid units (else
// quantity) of Active or Warning subscriptions (or without a status); Trial, Expired and Disabled don't count.

function paidLines(items: readonly SubscriptionItem[]): SubscriptionItem[] {
  return items.filter((i) => isActiveSubscription(i) && paidSeats(i) > 0);
}

/** A licensed customer holds paid seats of at least one active subscription; anyone else is a prospect. */
export function isLicensed(items: readonly SubscriptionItem[]): boolean {
  return paidLines(items).length > 0;
}

/** Part numbers (upper case) the tenant holds paid seats of. */
export function ownedSkus(items: readonly SubscriptionItem[]): Set<string> {
  return new Set(paidLines(items).map((i) => i.sku.toUpperCase()));
}

/** Paid seats per part number (upper case). */
export function seatsBySku(items: readonly SubscriptionItem[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of paidLines(items)) {
    const sku = i.sku.toUpperCase();
    out.set(sku, (out.get(sku) ?? 0) + paidSeats(i));
  }
  return out;
}

/** Monthly licence value at list price (USD): Σ paid seats × list price; SKUs without a price count 0. */
export function monthlyLicenceValue(items: readonly SubscriptionItem[]): number {
  let value = 0;
  for (const i of paidLines(items)) value += paidSeats(i) * (lookupSku(i.sku).listPriceUsd ?? 0);
  return value;
}

/** Paid seats of Microsoft 365 and Office 365 suites: the tenant's licensed users. */
export function suiteSeats(items: readonly SubscriptionItem[]): number {
  let seats = 0;
  for (const i of paidLines(items)) if (lookupSku(i.sku).microsoft365Suite) seats += paidSeats(i);
  return seats;
}

/**
 * When the tenant became a customer: the earliest start date of its paid (non-trial) subscriptions, or the
 * first snapshot it appeared in, whichever is earlier; undefined when neither is known.
 */
export function customerSince(items: readonly SubscriptionItem[], firstSeenOn?: string): string | undefined {
  let since = firstSeenOn !== undefined ? isoDay(firstSeenOn) : undefined;
  for (const i of items) {
    if (i.status === "Trial" || i.startDate === undefined) continue;
    const day = isoDay(i.startDate);
    if (day !== undefined && (since === undefined || day < since)) since = day;
  }
  return since;
}
