import { z } from "zod";
import {
  incentivesDocSchema,
  installBaseDocSchema,
  monthUsageSchema,
  signalsDocSchema,
  subscriptionsDocSchema,
  tenantDocSchema,
  usageDocSchema,
  type IncentivesDoc,
  type SubscriptionItem,
  type TenantDoc,
} from "../domain/documents.js";
import { addDays, isoDay } from "../domain/propensity/dates.js";
import type { InstallBaseRow, SignalRow } from "../domain/propensity/rows.js";
import { signalHorizonDays, signalIdentity } from "../domain/propensity/signals.js";
import { liveIngestionIds, type LiveSet, type LiveSnapshot } from "../ingest/liveSet.js";
import type { PartnerDataReader } from "../ports/partnerData.js";

// A partner's data as the live drops make it, per tenant: the newest tenants and incentives snapshot, the
// subscription history (one snapshot per live drop, newest first), the usage months (each month from the
// drop that supplies it), the latest usage month, buying signals (accumulated over the live signals drops) and
// the newest install base. Producers read what they need here, a few fields at a time where that is enough.

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

/** The newest tenants snapshot, only the fields a producer asks for (less travels and less is held). */
export async function readTenantFields<K extends keyof TenantDoc & string>(
  data: PartnerDataReader,
  partnerId: string,
  live: LiveSet,
  fields: readonly K[],
): Promise<Map<string, Pick<TenantDoc, K | "tenantId">>> {
  const out = new Map<string, Pick<TenantDoc, K | "tenantId">>();
  const newest = live.snapshots.tenants?.[0];
  if (!newest) return out;
  const keys = [...new Set<keyof TenantDoc & string>(["tenantId", ...fields])];
  const mask = Object.fromEntries(keys.map((k) => [k, true])) as { [F in keyof TenantDoc]?: true };
  const schema = tenantDocSchema.pick(mask) as unknown as z.ZodType<Pick<TenantDoc, K | "tenantId">>;
  for await (const page of data.documents(partnerId, "tenant", [newest.ingestionId], schema, keys)) for (const t of page) out.set(t.tenantId, t);
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

export type MonthUsage = z.infer<typeof monthUsageSchema>;

const usageLatestSchema = usageDocSchema.pick({ id: true, tenantId: true, ingestionId: true, latest: true });

/**
 * Each tenant's latest usage month among the months the live drops supply. Usage documents carry `latest` (their
 * newest month): that is all that travels, unless a newer drop has replaced that month, in which case the
 * tenant's documents are read whole (rare: only tenants missing from the newest drop of their latest month).
 */
export async function readLatestUsage(data: PartnerDataReader, partnerId: string, live: LiveSet): Promise<Map<string, { month: string; workloads: MonthUsage }>> {
  const best = new Map<string, { month: string; workloads: MonthUsage }>();
  const fallback: { id: string; tenantId: string; month: string }[] = [];
  const consider = (tenantId: string, month: string, workloads: MonthUsage) => {
    const known = best.get(tenantId);
    if (!known || month > known.month) best.set(tenantId, { month, workloads });
  };
  for await (const page of data.documents(partnerId, "usage", liveIngestionIds(live, "usage"), usageLatestSchema, ["id", "tenantId", "ingestionId", "latest"])) {
    for (const doc of page) {
      // A document without latest (none written by this code lacks it) is read whole, like an overridden month.
      if (!doc.latest) fallback.push({ id: doc.id, tenantId: doc.tenantId, month: "9999-99" });
      else if (live.usageMonths.get(doc.latest.month) === doc.ingestionId) consider(doc.tenantId, doc.latest.month, doc.latest.workloads);
      else fallback.push({ id: doc.id, tenantId: doc.tenantId, month: doc.latest.month });
    }
  }
  // Only documents that could still hold a later month than the tenant's best one so far need reading whole.
  const unresolved = fallback.filter((f) => (best.get(f.tenantId)?.month ?? "") < f.month).map((f) => f.id);
  for (let i = 0; i < unresolved.length; i += 500) {
    for (const doc of await data.documentsById(partnerId, unresolved.slice(i, i + 500), usageMonthsSchema)) {
      for (const [month, workloads] of Object.entries(doc.months)) {
        if (live.usageMonths.get(month) === doc.ingestionId) consider(doc.tenantId, month, workloads);
      }
    }
  }
  return best;
}

const licenceLinesSchema = subscriptionsDocSchema.pick({ tenantId: true, items: true });
const appearanceSchema = subscriptionsDocSchema.pick({ tenantId: true, asOf: true });

/** Each tenant's licence lines in one subscriptions snapshot. */
export async function readSubscriptionSnapshot(data: PartnerDataReader, partnerId: string, snapshot: LiveSnapshot): Promise<Map<string, SubscriptionItem[]>> {
  const out = new Map<string, SubscriptionItem[]>();
  for await (const page of data.documents(partnerId, "subscriptions", [snapshot.ingestionId], licenceLinesSchema, ["tenantId", "items"])) {
    for (const doc of page) out.set(doc.tenantId, doc.items);
  }
  return out;
}

/** Two short strings per document: pages this large stay well under the store's 4 MB page cap. */
const appearancePageSize = 20_000;

/** The oldest of these snapshots each tenant appears in (two small fields per document travel). */
export async function readFirstAppearance(data: PartnerDataReader, partnerId: string, snapshots: readonly LiveSnapshot[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ids = snapshots.map((s) => s.ingestionId);
  for await (const page of data.documents(partnerId, "subscriptions", ids, appearanceSchema, ["tenantId", "asOf"], [], appearancePageSize)) {
    for (const doc of page) {
      const known = out.get(doc.tenantId);
      if (known === undefined || doc.asOf < known) out.set(doc.tenantId, doc.asOf);
    }
  }
  return out;
}

export interface SignalsRead {
  signals: SignalRow[];
  /** Signals staged in the live drops. */
  staged: number;
  /** The same signal in an older drop as well (counted once, the newest drop's). */
  repeated: number;
  /** Signals observed more than signalHorizonDays before the refresh day (no longer counted). */
  pastHorizon: number;
}

/**
 * The partner's buying signals: every live signals drop (they accumulate), each signal once (see signalIdentity:
 * the newest drop's when several repeat it, the later line within one drop), those observed within the horizon
 * of the refresh day `asOf`.
 */
export async function readSignals(data: PartnerDataReader, partnerId: string, live: LiveSet, asOf: string): Promise<SignalsRead> {
  const oldestDay = addDays(isoDay(asOf) ?? asOf, -signalHorizonDays);
  const newest = new Map<string, { asOf: string; line: number; signal: SignalRow }>();
  let staged = 0;
  let pastHorizon = 0;
  for await (const page of data.documents(partnerId, "signals", liveIngestionIds(live, "signals"), signalsDocSchema)) {
    for (const doc of page) {
      // The staged signal is used as it is (its line rides along unread): hundreds of thousands, no copies.
      for (const signal of doc.signals) {
        const line = signal.line;
        staged++;
        if ((isoDay(signal.observedOn) ?? signal.observedOn) < oldestDay) {
          pastHorizon++;
          continue;
        }
        const key = `${signal.tenantId ?? `domain:${signal.domain}`}|${signalIdentity(signal)}`;
        const known = newest.get(key);
        if (known && (known.asOf > doc.asOf || (known.asOf === doc.asOf && known.line > line))) continue;
        newest.set(key, { asOf: doc.asOf, line, signal });
      }
    }
  }
  const signals = [...newest.values()].map((v) => v.signal);
  return { signals, staged, repeated: staged - pastHorizon - signals.length, pastHorizon };
}

const installedSchema = installBaseDocSchema.pick({ tenantId: true, products: true });

/** The newest install-base snapshot, one row per tenant and product. */
export async function readInstallBase(data: PartnerDataReader, partnerId: string, live: LiveSet): Promise<InstallBaseRow[]> {
  const out: InstallBaseRow[] = [];
  for await (const page of data.documents(partnerId, "installbase", liveIngestionIds(live, "installbase"), installedSchema, ["tenantId", "products"])) {
    for (const doc of page) for (const p of doc.products) out.push({ tenantId: doc.tenantId, ...p });
  }
  return out;
}
