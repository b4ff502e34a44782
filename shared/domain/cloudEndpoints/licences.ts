import type { SubscriptionItem } from "../documents.js";
import { lookupSku } from "../skuCatalog.js";

// Licences of a tenant as the tab counts them.
// - Seats are paid units (paidUnits, else quantity) of active subscriptions: status Active or Warning
//   (Warning is the grace period of a live subscription) or no status; Trial, Expired, Disabled excluded.
//   Only the tenant's current subscription snapshot counts (see currentSubscriptionItems).
// - W365 eligible seats = Microsoft 365 E5 (ME5) + E3 (ME3) + F3 seats (skuCatalog `w365Eligibility`).
// - Microsoft 365 licences = paid seats of Microsoft 365 / Office 365 suite SKUs (the visibility rule).
// - Windows PAU = paid seats of active subscriptions that include Windows Enterprise (skuCatalog `windows`).

const activeStatuses = new Set(["Active", "Warning"]);

export function isActiveSubscription(item: Pick<SubscriptionItem, "status">): boolean {
  return item.status === undefined || activeStatuses.has(item.status);
}

/** Paid seats of one subscription line: paid units when given, else the quantity. */
export function paidSeats(item: Pick<SubscriptionItem, "quantity" | "paidUnits">): number {
  return item.paidUnits ?? item.quantity;
}

export interface LicenceCounts {
  me5Seats: number;
  me3Seats: number;
  f3Seats: number;
  w365EligibleSeats: number;
  microsoft365Licenses: number;
  windowsPau: number;
  /** Paid Cloud PC seats (CPC_*); informative, the W365 PAU comes from usage. */
  windows365Seats: number;
}

export function countLicences(items: readonly SubscriptionItem[]): LicenceCounts {
  const counts: LicenceCounts = {
    me5Seats: 0,
    me3Seats: 0,
    f3Seats: 0,
    w365EligibleSeats: 0,
    microsoft365Licenses: 0,
    windowsPau: 0,
    windows365Seats: 0,
  };
  for (const item of items) {
    if (!isActiveSubscription(item)) continue;
    const seats = paidSeats(item);
    const sku = lookupSku(item.sku);
    if (sku.w365Eligibility === "ME5") counts.me5Seats += seats;
    else if (sku.w365Eligibility === "ME3") counts.me3Seats += seats;
    else if (sku.w365Eligibility === "F3") counts.f3Seats += seats;
    if (sku.microsoft365Suite) counts.microsoft365Licenses += seats;
    if (sku.windows) counts.windowsPau += seats;
    if (sku.windows365) counts.windows365Seats += seats;
  }
  counts.w365EligibleSeats = counts.me5Seats + counts.me3Seats + counts.f3Seats;
  return counts;
}

/**
 * The subscription lines that count now: the newest snapshot, unless it is older than the partner's
 * latest subscriptions drop (the tenant was not in that drop, so it holds no licences any more).
 */
/** A tenant's licence snapshots, newest first. */
export interface SubscriptionHistory {
  snapshots: { asOf: string; items: SubscriptionItem[] }[];
}

export function currentSubscriptionItems(
  doc: SubscriptionHistory | undefined,
  datasetAsOf?: string,
): SubscriptionItem[] {
  const newest = doc?.snapshots[0];
  if (!newest) return [];
  if (datasetAsOf !== undefined && newest.asOf < datasetAsOf) return [];
  return newest.items;
}
