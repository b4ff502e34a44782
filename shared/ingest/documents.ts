import { latestMonth } from "../domain/cloudEndpoints/usage.js";
import type { IncentiveRow, SubscriptionRow, TenantRow, UsageRow } from "../domain/datasets.js";
import type { IncentivesDoc, InstallBaseDoc, SignalsDoc, SubscriptionItem, SubscriptionsDoc, TenantDoc, UsageDoc } from "../domain/documents.js";
import type { InstallBaseRow, SignalRow } from "../domain/propensity/rows.js";
import type { RowsByDataset } from "./rows.js";

// How one ingestion's rows of a tenant become that tenant's staged document of this ingestion (pure). Rows of
// one file may reach a tenant in several batches, and a file may be delivered again: merging only within the
// same ingestion ("later row wins") makes every write idempotent. Nothing is merged across ingestions: which
// drop a refresh reads is decided from the committed records (liveSet.ts).

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
  signals: SignalsDoc;
  installbase: InstallBaseDoc;
};
export type { StagedDocType } from "../domain/documents.js";

export const docTypeOf: { [D in keyof DocByDataset]: DocByDataset[D]["type"] } = {
  tenants: "tenant",
  subscriptions: "subscriptions",
  usage: "usage",
  incentives: "incentives",
  signals: "signals",
  installbase: "installbase",
};


export interface DatasetWriter<D extends keyof DocByDataset> {
  /** The tenant's staged document after this batch (`existing` is what this ingestion staged before, if anything). */
  merge(ctx: IngestionContext, tenantId: string, existing: DocByDataset[D] | undefined, rows: RowsByDataset[D][]): DocByDataset[D];
}

function staged<T extends keyof DocByDataset>(dataset: T, ctx: IngestionContext, tenantId: string) {
  return {
    id: `${docTypeOf[dataset]}:${ctx.ingestionId}:${tenantId}`,
    partnerId: ctx.partnerId,
    type: docTypeOf[dataset],
    tenantId,
    ingestionId: ctx.ingestionId,
    asOf: ctx.asOf,
  };
}

export function mergeTenant(ctx: IngestionContext, tenantId: string, _existing: TenantDoc | undefined, rows: TenantRow[]): TenantDoc {
  // Duplicate tenantIds in one file are row errors, so there is one row; the last one wins regardless.
  const row = rows[rows.length - 1];
  return withoutUndefined({ ...row, ...staged("tenants", ctx, tenantId), type: "tenant" as const });
}

export function mergeSubscriptions(ctx: IngestionContext, tenantId: string, existing: SubscriptionsDoc | undefined, rows: SubscriptionRow[]): SubscriptionsDoc {
  const items = new Map<string, SubscriptionItem>();
  for (const item of existing?.items ?? []) items.set(item.sku, item);
  // A SKU listed twice for a tenant: the later row wins.
  for (const row of rows) {
    const { tenantId: _t, ...item } = row;
    items.set(item.sku, withoutUndefined(item));
  }
  return { ...staged("subscriptions", ctx, tenantId), type: "subscriptions", items: [...items.values()] };
}

export function mergeUsage(ctx: IngestionContext, tenantId: string, existing: UsageDoc | undefined, rows: UsageRow[]): UsageDoc {
  const months: UsageDoc["months"] = {};
  for (const [month, workloads] of Object.entries(existing?.months ?? {})) months[month] = { ...workloads };
  // The same (month, workload) twice in one file: the later row wins.
  for (const row of rows) (months[row.month] ??= {})[row.workload] = { assignedUsers: row.assignedUsers, activeUsers: row.activeUsers };
  const month = latestMonth(months);
  return {
    ...staged("usage", ctx, tenantId),
    type: "usage",
    months,
    ...(month !== undefined ? { latest: { month, workloads: months[month] } } : {}),
  };
}

export function mergeIncentives(ctx: IngestionContext, tenantId: string, existing: IncentivesDoc | undefined, rows: IncentiveRow[]): IncentivesDoc {
  const engagements = new Map<string, IncentivesDoc["engagements"][number]>();
  for (const e of existing?.engagements ?? []) engagements.set(e.engagement, e);
  // The same engagement twice for a tenant: the later row wins.
  for (const row of rows) {
    engagements.set(row.engagement, { engagement: row.engagement, workloads: row.workloads, potentialEarnings: row.potentialEarnings });
  }
  return { ...staged("incentives", ctx, tenantId), type: "incentives", engagements: [...engagements.values()] };
}

/** Lines of a signals file per staged document (a few hundred KB, far below Cosmos DB's 2 MB item limit). */
export const signalLinesPerBlock = 2000;

/** A signals row as ingest carries it: the parsed row and its line in the file. */
export type SignalLine = SignalRow & { line: number };

/** Signals are staged by position in the file: the block of lines a row is in. */
export function signalBlockKey(row: Pick<SignalLine, "line">): string {
  return String(Math.floor(row.line / signalLinesPerBlock));
}

export function mergeSignals(ctx: IngestionContext, key: string, existing: SignalsDoc | undefined, rows: SignalLine[]): SignalsDoc {
  // Keyed by line, so a delivery that takes over and merges the same rows again changes nothing.
  const signals = new Map<number, SignalsDoc["signals"][number]>();
  for (const s of existing?.signals ?? []) signals.set(s.line, s);
  for (const row of rows) signals.set(row.line, withoutUndefined({ ...row }));
  return {
    id: `signals:${ctx.ingestionId}:${key}`,
    partnerId: ctx.partnerId,
    type: "signals",
    ingestionId: ctx.ingestionId,
    asOf: ctx.asOf,
    block: Number(key),
    signals: [...signals.values()].sort((a, b) => a.line - b.line),
  };
}

export function mergeInstallBase(ctx: IngestionContext, tenantId: string, existing: InstallBaseDoc | undefined, rows: InstallBaseRow[]): InstallBaseDoc {
  const products = new Map<string, InstallBaseDoc["products"][number]>();
  const keyOf = (p: { product: string; version: string }) => `${p.product.toLowerCase()}\u0000${p.version.toLowerCase()}`;
  for (const p of existing?.products ?? []) products.set(keyOf(p), p);
  // The same product and version twice for a tenant: the later row wins.
  for (const row of rows) {
    products.set(keyOf(row), { product: row.product, version: row.version, ...(row.quantity !== undefined ? { quantity: row.quantity } : {}) });
  }
  return { ...staged("installbase", ctx, tenantId), type: "installbase", products: [...products.values()] };
}

export const datasetWriters: { [D in keyof DocByDataset]: DatasetWriter<D> } = {
  tenants: { merge: mergeTenant },
  subscriptions: { merge: mergeSubscriptions },
  usage: { merge: mergeUsage },
  incentives: { merge: mergeIncentives },
  signals: { merge: mergeSignals },
  installbase: { merge: mergeInstallBase },
};

function withoutUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}
