import { z } from "zod";
import {
  incentivesDocSchema,
  subscriptionsDocSchema,
  tenantDocSchema,
  usageDocSchema,
  type IncentivesDoc,
  type SubscriptionItem,
  type TenantDoc,
} from "../domain/documents.js";
import { liveIngestionIds, type LiveSet } from "../ingest/liveSet.js";
import type { PartnerDataReader } from "../ports/partnerData.js";

// A partner's data as the live drops make it, per tenant: the newest tenants and incentives snapshot, the
// subscription history (one snapshot per live drop, newest first) and the usage months (each month from the
// drop that supplies it). Producers that need history (the models) read it here; Cloud Endpoints, which needs
// only the latest figures, reads less (producers/cloudEndpoints.ts).

export interface SubscriptionSnapshot {
  asOf: string;
  ingestionId: string;
  items: SubscriptionItem[];
}

export type UsageMonths = z.infer<typeof usageDocSchema.shape.months>;

const subscriptionsSchema = subscriptionsDocSchema.pick({ tenantId: true, ingestionId: true, asOf: true, items: true });
const usageMonthsSchema = usageDocSchema.pick({ tenantId: true, ingestionId: true, months: true });
const subscriptionFields = Object.keys(subscriptionsSchema.shape);
const usageFields = Object.keys(usageMonthsSchema.shape);

export async function readTenants(data: PartnerDataReader, partnerId: string, live: LiveSet): Promise<Map<string, TenantDoc>> {
  const out = new Map<string, TenantDoc>();
  const newest = live.snapshots.tenants?.[0];
  if (!newest) return out;
  for await (const page of data.documents(partnerId, "tenant", [newest.ingestionId], tenantDocSchema)) for (const t of page) out.set(t.tenantId, t);
  return out;
}

/** Each tenant's licence snapshots, newest first: one per live subscriptions drop the tenant appears in. */
export async function readSubscriptionHistory(data: PartnerDataReader, partnerId: string, live: LiveSet): Promise<Map<string, SubscriptionSnapshot[]>> {
  const out = new Map<string, SubscriptionSnapshot[]>();
  await forEachSubscriptionSnapshot(data, partnerId, live, (tenantId, snapshot) => {
    const list = out.get(tenantId) ?? [];
    list.push(snapshot);
    out.set(tenantId, list);
  });
  for (const list of out.values()) list.sort((a, b) => (a.asOf < b.asOf ? 1 : a.asOf > b.asOf ? -1 : 0));
  return out;
}

/** Every tenant's licences in every live subscriptions snapshot, newest snapshot first (for readers that keep them their own way). */
export async function forEachSubscriptionSnapshot(
  data: PartnerDataReader,
  partnerId: string,
  live: LiveSet,
  each: (tenantId: string, snapshot: SubscriptionSnapshot) => void,
): Promise<void> {
  // One query per snapshot, only the fields kept: small pages, and each query sorts one snapshot's documents.
  for (const { ingestionId, asOf } of live.snapshots.subscriptions ?? []) {
    for await (const page of data.documents(partnerId, "subscriptions", [ingestionId], subscriptionsSchema, subscriptionFields)) {
      for (const doc of page) each(doc.tenantId, { asOf, ingestionId, items: doc.items });
    }
  }
}

/** Each tenant's usage by month, every month taken from the live drop that supplies it. */
export async function readUsageMonths(data: PartnerDataReader, partnerId: string, live: LiveSet): Promise<Map<string, UsageMonths>> {
  const out = new Map<string, UsageMonths>();
  await forEachUsageMonth(data, partnerId, live, (tenantId, month, workloads) => {
    let months = out.get(tenantId);
    if (!months) out.set(tenantId, (months = {}));
    months[month] = workloads;
  });
  return out;
}

/** Every live usage month of every tenant, one at a time (for readers that keep usage in a form of their own). */
export async function forEachUsageMonth(
  data: PartnerDataReader,
  partnerId: string,
  live: LiveSet,
  each: (tenantId: string, month: string, workloads: UsageMonths[string]) => void,
): Promise<void> {
  for await (const page of data.documents(partnerId, "usage", liveIngestionIds(live, "usage"), usageMonthsSchema, usageFields)) {
    for (const doc of page) {
      for (const [month, workloads] of Object.entries(doc.months)) {
        if (live.usageMonths.get(month) === doc.ingestionId) each(doc.tenantId, month, workloads);
      }
    }
  }
}

export async function readIncentives(data: PartnerDataReader, partnerId: string, live: LiveSet): Promise<Map<string, IncentivesDoc>> {
  const out = new Map<string, IncentivesDoc>();
  for await (const page of data.documents(partnerId, "incentives", liveIngestionIds(live, "incentives"), incentivesDocSchema)) {
    for (const doc of page) out.set(doc.tenantId, doc);
  }
  return out;
}
