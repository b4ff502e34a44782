import type { DatasetName } from "../domain/datasets.js";
import { daysBetween } from "../domain/propensity/dates.js";
import { signalHorizonDays } from "../domain/propensity/signals.js";
import type { LoadedIngestion } from "../ports/ingest.js";

export type { LoadedIngestion };

// Which committed drops a refresh reads (pure). A drop's rows are staged under its ingestion id and become
// visible only once its record is "loaded"; this decides, among the loaded ones, which are live:
// - Versions apply in the order they were written (the blob's Last-Modified), never in the order they
//   finished: a later version of the same blob replaces the earlier one whole, and a later file of the same
//   dataset and snapshot date replaces that snapshot whole (rows it no longer has disappear).
// - Snapshot datasets keep their newest snapshot (subscriptions keep up to 24, the history the models learn
//   from); usage is by month: each month comes whole from the newest drop that carries it; signals accumulate:
//   every snapshot dated within a year of the newest stays live (the same signal in two is read once).
// - Deals keep a history: every snapshot of the 31 days before the newest one, then the newest snapshot of
//   each earlier calendar month, back 24 months (at most 57 snapshots, whatever the drop frequency), so a
//   deal's stage and status changes span two years while a refresh reads a bounded number of snapshots.
// Ties in write time (Last-Modified has whole seconds) go to the drop a delivery saw later, then to the id.

export type DatasetPolicy =
  | { kind: "snapshot"; keep: number }
  | { kind: "monthly" }
  /** Every snapshot of the newest `recentDays`, then the newest of each earlier month, back `months` months. */
  | { kind: "history"; months: number; recentDays: number }
  /** Every snapshot dated within `horizonDays` of the newest one stays live (signals add up over drops). */
  | { kind: "accumulating"; horizonDays: number };

/** How many snapshots of each dataset stay visible. */
export const datasetPolicies: Record<DatasetName, DatasetPolicy> = {
  tenants: { kind: "snapshot", keep: 1 },
  subscriptions: { kind: "snapshot", keep: 24 },
  usage: { kind: "monthly" },
  incentives: { kind: "snapshot", keep: 1 },
  deals: { kind: "history", months: 24, recentDays: 31 },
  signals: { kind: "accumulating", horizonDays: signalHorizonDays },
  installbase: { kind: "snapshot", keep: 1 },
};

export interface LiveSnapshot {
  ingestionId: string;
  asOf: string;
}

export interface LiveSet {
  /** Snapshot datasets: the live snapshots, newest first. */
  snapshots: Partial<Record<DatasetName, LiveSnapshot[]>>;
  /** Usage: month (YYYY-MM) → the ingestion that supplies it. */
  usageMonths: Map<string, string>;
  /** Usage: the drops that supply at least one month, newest snapshot first. */
  usageDrops: LiveSnapshot[];
  /** Loaded ingestions that are no longer live (their staged rows can be removed). */
  superseded: string[];
}

function writeOrder(a: LoadedIngestion, b: LoadedIngestion): number {
  const wa = a.writtenAt ?? a.receivedAt;
  const wb = b.writtenAt ?? b.receivedAt;
  if (wa !== wb) return wa < wb ? -1 : 1;
  const sa = a.firstSeenAt ?? a.receivedAt;
  const sb = b.firstSeenAt ?? b.receivedAt;
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function resolveLiveSet(loaded: readonly LoadedIngestion[]): LiveSet {
  // Oldest written first, so a later entry always replaces an earlier one.
  const ordered = [...loaded].sort(writeOrder);
  const latestOfBlob = new Map<string, LoadedIngestion>();
  for (const ingestion of ordered) latestOfBlob.set(ingestion.blobPath, ingestion);
  const live = new Set<string>();
  const snapshots: LiveSet["snapshots"] = {};
  const usageMonths = new Map<string, string>();
  let usageDrops: LiveSnapshot[] = [];

  const byDataset = new Map<string, LoadedIngestion[]>();
  for (const ingestion of ordered) {
    if (latestOfBlob.get(ingestion.blobPath) !== ingestion) continue;
    const list = byDataset.get(ingestion.dataset) ?? [];
    list.push(ingestion);
    byDataset.set(ingestion.dataset, list);
  }
  for (const [dataset, list] of byDataset) {
    const policy = datasetPolicies[dataset as DatasetName];
    if (!policy) continue;
    if (policy.kind === "monthly") {
      // Newer snapshot dates win a month; within one date, the later written file.
      const byRecency = [...list].sort((a, b) => (a.asOf !== b.asOf ? (a.asOf < b.asOf ? -1 : 1) : writeOrder(a, b)));
      for (const ingestion of byRecency) for (const month of ingestion.months ?? []) usageMonths.set(month, ingestion.id);
      for (const id of usageMonths.values()) live.add(id);
      usageDrops = byRecency.filter((i) => live.has(i.id)).reverse().map((i) => ({ ingestionId: i.id, asOf: i.asOf }));
      continue;
    }
    const byDate = new Map<string, LoadedIngestion>();
    for (const ingestion of list) byDate.set(ingestion.asOf, ingestion);
    const byDateNewestFirst = [...byDate.values()].sort((a, b) => (a.asOf < b.asOf ? 1 : a.asOf > b.asOf ? -1 : 0));
    const newestFirst =
      policy.kind === "history"
        ? thinHistory(byDateNewestFirst, policy)
        : policy.kind === "accumulating"
          ? byDateNewestFirst.filter((i) => daysBetween(i.asOf, byDateNewestFirst[0].asOf) <= policy.horizonDays)
          : byDateNewestFirst.slice(0, policy.keep);
    snapshots[dataset as DatasetName] = newestFirst.map((i) => ({ ingestionId: i.id, asOf: i.asOf }));
    for (const i of newestFirst) live.add(i.id);
  }
  return { snapshots, usageMonths, usageDrops, superseded: loaded.filter((i) => !live.has(i.id)).map((i) => i.id) };
}

/** A history's snapshots (newest first, one per date) thinned as `policy` says. */
export function thinHistory<T extends { asOf: string }>(newestFirst: readonly T[], policy: { months: number; recentDays: number }): T[] {
  if (newestFirst.length === 0) return [];
  const newest = new Date(`${newestFirst[0].asOf.slice(0, 10)}T00:00:00Z`);
  const recentFrom = new Date(newest.getTime() - policy.recentDays * 86_400_000).toISOString().slice(0, 10);
  const oldestFrom = monthsBefore(newest, policy.months).toISOString().slice(0, 10);
  const monthsKept = new Set<string>();
  const kept: T[] = [];
  for (const snapshot of newestFirst) {
    if (snapshot.asOf < oldestFrom) break;
    if (snapshot.asOf >= recentFrom) kept.push(snapshot);
    else if (!monthsKept.has(snapshot.asOf.slice(0, 7))) {
      // Newest first: the first one seen in a month is that month's newest.
      monthsKept.add(snapshot.asOf.slice(0, 7));
      kept.push(snapshot);
    }
  }
  return kept;
}

/** The same day `months` months earlier, clamped to the month's last day. */
function monthsBefore(date: Date, months: number): Date {
  const first = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(date.getUTCDate(), lastDay)));
}

/** The live ingestion ids of one dataset. */
export function liveIngestionIds(live: LiveSet, dataset: DatasetName): string[] {
  if (datasetPolicies[dataset].kind === "monthly") return [...new Set(live.usageMonths.values())];
  return (live.snapshots[dataset] ?? []).map((s) => s.ingestionId);
}

/** Snapshot dates the results are computed from, per dataset (the newest live drop's). */
export function liveAsOf(live: LiveSet): Record<string, string> {
  const asOf: Record<string, string> = {};
  for (const [dataset, list] of Object.entries(live.snapshots)) if (list && list.length > 0) asOf[dataset] = list[0].asOf;
  if (live.usageDrops.length > 0) asOf.usage = live.usageDrops[0].asOf;
  return asOf;
}
