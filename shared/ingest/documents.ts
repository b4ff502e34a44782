import { latestMonth } from "../domain/cloudEndpoints.js";
import type { DatasetName, IncentiveRow, SubscriptionRow, TenantRow, UsageRow } from "../domain/datasets.js";
import type {
  IncentivesDoc,
  SubscriptionItem,
  SubscriptionsDoc,
  TenantDoc,
  UsageDoc,
} from "../domain/documents.js";
import type { RowsByDataset } from "./rows.js";

// How one ingestion's rows of a tenant merge into that tenant's stored document (pure).
// Rows of one file may reach a tenant in several batches, and a file may be delivered again:
// the rule "same ingestionId → merge, other ingestion → replace" makes every write idempotent.

export interface IngestionContext {
  partnerId: string;
  ingestionId: string;
  /** Snapshot date YYYY-MM-DD. */
  asOf: string;
}

export type DocByDataset = {
  tenants: TenantDoc;
  subscriptions: SubscriptionsDoc;
  usage: UsageDoc;
  incentives: IncentivesDoc;
};
export type DocType = DocByDataset[DatasetName]["type"];

/** Subscription snapshots kept per tenant, newest first (two years of monthly drops). */
export const maxSubscriptionSnapshots = 24;

export interface DatasetWriter<D extends DatasetName> {
  docType: DocByDataset[D]["type"];
  docId(tenantId: string): string;
  /** The tenant's document after this batch, or undefined when the stored one must stay (it is newer). */
  merge(ctx: IngestionContext, tenantId: string, existing: DocByDataset[D] | undefined, rows: RowsByDataset[D][]): DocByDataset[D] | undefined;
}

export const docIdPrefix: Record<DatasetName, DocType> = {
  tenants: "tenant",
  subscriptions: "subscriptions",
  usage: "usage",
  incentives: "incentives",
};

export function documentId(dataset: DatasetName, tenantId: string): string {
  return `${docIdPrefix[dataset]}:${tenantId}`;
}

/** An older snapshot never overwrites a newer one of the same tenant. */
function isOlderThanStored(ctx: IngestionContext, stored: { asOf: string; ingestionId: string } | undefined): boolean {
  return !!stored && stored.ingestionId !== ctx.ingestionId && stored.asOf > ctx.asOf;
}

export function mergeTenant(ctx: IngestionContext, tenantId: string, existing: TenantDoc | undefined, rows: TenantRow[]): TenantDoc | undefined {
  if (isOlderThanStored(ctx, existing)) return undefined;
  // Duplicate tenantIds in one file are row errors, so there is one row; the last one wins regardless.
  const row = rows[rows.length - 1];
  return withoutUndefined({
    ...row,
    id: documentId("tenants", tenantId),
    partnerId: ctx.partnerId,
    type: "tenant" as const,
    tenantId,
    asOf: ctx.asOf,
    ingestionId: ctx.ingestionId,
  });
}

export function mergeSubscriptions(
  ctx: IngestionContext,
  tenantId: string,
  existing: SubscriptionsDoc | undefined,
  rows: SubscriptionRow[],
): SubscriptionsDoc {
  const snapshots = existing ? [...existing.snapshots] : [];
  const at = snapshots.findIndex((s) => s.asOf === ctx.asOf);
  // Same ingestion: rows from an earlier batch (or an earlier attempt) stay; otherwise this drop replaces the snapshot.
  const items = new Map<string, SubscriptionItem>();
  if (at >= 0 && snapshots[at].ingestionId === ctx.ingestionId) {
    for (const item of snapshots[at].items) items.set(item.sku, item);
  }
  // A SKU listed twice for a tenant: the later row wins.
  for (const row of rows) {
    const { tenantId: _t, ...item } = row;
    items.set(item.sku, withoutUndefined(item));
  }
  const snapshot = { asOf: ctx.asOf, ingestionId: ctx.ingestionId, items: [...items.values()] };
  if (at >= 0) snapshots[at] = snapshot;
  else snapshots.push(snapshot);
  snapshots.sort((a, b) => (a.asOf < b.asOf ? 1 : a.asOf > b.asOf ? -1 : 0));
  return {
    id: documentId("subscriptions", tenantId),
    partnerId: ctx.partnerId,
    type: "subscriptions",
    tenantId,
    snapshots: snapshots.slice(0, maxSubscriptionSnapshots),
  };
}

export function mergeUsage(ctx: IngestionContext, tenantId: string, existing: UsageDoc | undefined, rows: UsageRow[]): UsageDoc {
  const months: UsageDoc["months"] = existing ? { ...existing.months } : {};
  const monthIngestion: UsageDoc["monthIngestion"] = existing ? { ...existing.monthIngestion } : {};
  const touched = new Set<string>();
  for (const row of rows) {
    if (!touched.has(row.month)) {
      touched.add(row.month);
      // A month another ingestion wrote is replaced whole by this drop; one this ingestion wrote (an earlier
      // batch or attempt) is merged into. Months the drop does not carry stay as history.
      const ours = monthIngestion[row.month] === ctx.ingestionId;
      months[row.month] = ours ? { ...(months[row.month] ?? {}) } : {};
      monthIngestion[row.month] = ctx.ingestionId;
    }
    // The same (month, workload) twice in one file: the later row wins.
    months[row.month][row.workload] = { assignedUsers: row.assignedUsers, activeUsers: row.activeUsers };
  }
  // The refresh reads only the latest month: kept beside the history so it need not read the year.
  const month = latestMonth(months);
  return {
    id: documentId("usage", tenantId),
    partnerId: ctx.partnerId,
    type: "usage",
    tenantId,
    months,
    monthIngestion,
    ...(month !== undefined ? { latest: { month, workloads: months[month] } } : {}),
  };
}

export function mergeIncentives(
  ctx: IngestionContext,
  tenantId: string,
  existing: IncentivesDoc | undefined,
  rows: IncentiveRow[],
): IncentivesDoc | undefined {
  if (isOlderThanStored(ctx, existing)) return undefined;
  const engagements = new Map<string, IncentivesDoc["engagements"][number]>();
  if (existing && existing.ingestionId === ctx.ingestionId) {
    for (const e of existing.engagements) engagements.set(e.engagement, e);
  }
  // The same engagement twice for a tenant: the later row wins.
  for (const row of rows) {
    engagements.set(row.engagement, { engagement: row.engagement, workloads: row.workloads, potentialEarnings: row.potentialEarnings });
  }
  return {
    id: documentId("incentives", tenantId),
    partnerId: ctx.partnerId,
    type: "incentives",
    tenantId,
    asOf: ctx.asOf,
    ingestionId: ctx.ingestionId,
    engagements: [...engagements.values()],
  };
}

export const datasetWriters: { [D in DatasetName]: DatasetWriter<D> } = {
  tenants: { docType: "tenant", docId: (t) => documentId("tenants", t), merge: mergeTenant },
  subscriptions: { docType: "subscriptions", docId: (t) => documentId("subscriptions", t), merge: mergeSubscriptions },
  usage: { docType: "usage", docId: (t) => documentId("usage", t), merge: mergeUsage },
  incentives: { docType: "incentives", docId: (t) => documentId("incentives", t), merge: mergeIncentives },
};

function withoutUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}
