import { Readable } from "node:stream";
import type { DatasetName } from "../../shared/domain/datasets.js";
import { addMonths, csvLine, type DemoDatasetFile, type DemoRun, type DemoTenant } from "./dataset.js";
import { drawHistory, type DemoHistory } from "./history.js";
import { drawIncentives, incentivesFile } from "./incentives.js";
import { installBaseFile } from "./installbase.js";
import { archetypeFor, drawProfile, type DemoArchetype } from "./profile.js";
import { drawProspect } from "./prospects.js";
import { guid, salts, tenantRandom } from "./random.js";
import { signalsFile } from "./signals.js";
import { drawSubscriptions, subscriptionsFile } from "./subscriptions.js";
import { drawTenantIdentity, drawTenantRow, tenantsFile } from "./tenants.js";
import { drawUsageSeries, usageFile } from "./usage.js";

export type { DemoTenant } from "./dataset.js";
export type { DemoEvent, DemoEventKind } from "./history.js";
export type { DemoArchetype } from "./profile.js";
export { demoWorkloads } from "./usage.js";
// Deals are CRM snapshots, not per tenant: two years of them with a planted signal (./deals.ts).
export { demoDealsFiles, type DemoDealsFile } from "./deals.js";

// A realistic, deterministic demo partner: customer tenants with licences, 12 months of usage and MCI
// engagements, prospects without licences, six months of buying signals and an on-premises install base, as
// the CSV files a partner drops (PRODUCT.md section 1), and optionally a history of monthly subscription
// snapshots in which customers upgrade, cut seats, cancel, add Defender, roll out MFA and convert trials
// (history.ts). Every tenant is derived from (seed, index) alone, so each dataset can be streamed in chunks
// for 20,000 tenants without holding a whole file in memory, and the files always agree with one another.
//
// A new dataset is a file beside these exporting a DemoDatasetFile (header + one tenant's lines, drawing
// any randomness from its own salt in random.ts), listed below.

export interface DemoPartnerOptions {
  /** Number of customer tenants. Default 400. */
  tenants?: number;
  /** Months of usage, ending at asOfMonth. Default 12. */
  months?: number;
  /** Same seed, same files. Default 2024. */
  seed?: number;
  /** Latest usage month (YYYY-MM). Default: the last complete month (UTC). */
  asOfMonth?: string;
  /** Prospects (tenants without licences) listed after the customer tenants. Default: a tenth of `tenants`. */
  prospects?: number;
  /** The latest day signals are dated (YYYY-MM-DD). Default: today (UTC), or the last day of `asOfMonth` when given. */
  asOfDay?: string;
  /**
   * Monthly subscription snapshots (the history the opportunity models learn from), the newest dated the 1st of the
   * month after asOfMonth. Default 1: today's licences only. subscriptions.csv is always the newest.
   */
  snapshots?: number;
}

/** The datasets generated per customer tenant (deals are CRM snapshots: ./deals.ts). */
export type DemoTenantDataset = Exclude<DatasetName, "deals">;
export type DemoPartnerFiles = Record<DemoTenantDataset, string>;

// The demo partner's files, in the order they are dropped.
const datasetFiles = {
  tenants: tenantsFile,
  subscriptions: subscriptionsFile,
  usage: usageFile,
  incentives: incentivesFile,
  signals: signalsFile,
  installbase: installBaseFile,
} as const satisfies Record<DemoTenantDataset, DemoDatasetFile>;

export const demoDatasets = Object.keys(datasetFiles) as readonly (keyof typeof datasetFiles)[];

export function lastCompleteMonth(now: Date = new Date()): string {
  return addMonths(`${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`, -1);
}

/**
 * Generates tenant `index` of the demo partner (pure: the same inputs give the same tenant): a customer tenant
 * below `total`, a prospect from there on.
 */
export function demoTenant(run: DemoRun, index: number, total: number): DemoTenant {
  const { seed, asOfMonth } = run;
  if (index >= total) return drawProspect(seed, index);
  // One stream per tenant, drawn in exactly this order: reordering these calls changes every file for a seed.
  const rng = tenantRandom(seed, index, salts.tenant);
  const archetype = archetypeFor(seed, index, total);
  const tenantId = guid(rng);
  const profile = drawProfile(rng, archetype);
  const identity = drawTenantIdentity(rng, profile, index);
  const { lines, renewalMonth } = drawSubscriptions(rng, profile, identity, asOfMonth);
  const usage = drawUsageSeries(rng, profile);
  const incentives = drawIncentives(rng, profile.visible);
  const tenantRow = drawTenantRow(rng, { tenantId, profile, identity, renewalMonth, incentives, asOfMonth });
  const azureMonthlyRevenue = Number(tenantRow[10]);
  // The history draws from its own stream: every value above is the same whatever the history holds.
  const history = drawHistory(tenantRandom(seed, index, salts.history), profile, lines, usage, run);
  return {
    index,
    archetype,
    tenantId,
    domain: identity.domain,
    employees: identity.employees,
    azureMonthlyRevenue,
    tenantRow,
    subscriptions: history.snapshots[history.snapshots.length - 1],
    usage,
    incentives,
    history,
  };
}

function resolve(options: DemoPartnerOptions): DemoRun & { tenants: number; prospects: number } {
  const tenants = options.tenants ?? 400;
  const months = options.months ?? 12;
  const seed = options.seed ?? 2024;
  const asOfMonth = options.asOfMonth ?? lastCompleteMonth();
  const prospects = options.prospects ?? Math.round(tenants / 10);
  const snapshots = options.snapshots ?? 1;
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(asOfMonth)) throw new Error(`asOfMonth "${asOfMonth}" must be YYYY-MM`);
  if (!Number.isInteger(tenants) || tenants < 1) throw new Error("tenants must be a positive whole number");
  if (!Number.isInteger(months) || months < 1) throw new Error("months must be a positive whole number");
  if (!Number.isInteger(prospects) || prospects < 0) throw new Error("prospects must be a whole number ≥ 0");
  if (!Number.isInteger(snapshots) || snapshots < 1 || snapshots > 24) throw new Error("snapshots must be a whole number from 1 to 24");
  const asOfDay = options.asOfDay ?? (options.asOfMonth ? lastDayOf(asOfMonth) : new Date().toISOString().slice(0, 10));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOfDay)) throw new Error(`asOfDay "${asOfDay}" must be YYYY-MM-DD`);
  return { tenants, months, seed, asOfMonth, asOfDay, prospects, snapshots };
}

function lastDayOf(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** One dataset's CSV as text chunks (header first, then `tenantsPerChunk` tenants per chunk). */
export function* demoDatasetChunks(dataset: DemoTenantDataset, options: DemoPartnerOptions = {}, tenantsPerChunk = 250): Generator<string> {
  const { tenants, prospects, ...run } = resolve(options);
  const file = datasetFiles[dataset];
  yield `${file.header}\n`;
  let chunk = "";
  for (let i = 0; i < tenants + prospects; i++) {
    chunk += file.lines(demoTenant(run, i, tenants), run);
    if ((i + 1) % tenantsPerChunk === 0) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

/** One dataset's CSV as a byte stream, e.g. to upload a large drop without building it in memory. */
export function demoDatasetStream(dataset: DemoTenantDataset, options: DemoPartnerOptions = {}): Readable {
  return Readable.from((function* () {
    for (const chunk of demoDatasetChunks(dataset, options)) yield Buffer.from(chunk, "utf8");
  })());
}

/** The demo partner's CSV files as text. */
export function generateDemoPartner(options: DemoPartnerOptions = {}): DemoPartnerFiles {
  const files = {} as DemoPartnerFiles;
  for (const dataset of demoDatasets) files[dataset] = [...demoDatasetChunks(dataset, options)].join("");
  return files;
}

/** The profile each tenant was generated from (tests compare it with what a refresh finds). */
export function demoTenantArchetypes(options: DemoPartnerOptions = {}): Map<string, DemoArchetype> {
  const { tenants, prospects, ...run } = resolve(options);
  const out = new Map<string, DemoArchetype>();
  for (let i = 0; i < tenants + prospects; i++) {
    const t = demoTenant(run, i, tenants);
    out.set(t.tenantId, t.archetype);
  }
  return out;
}

// ---- the subscription history ---------------------------------------------------------------------------------

/** Dates (YYYY-MM-DD) of the monthly subscription snapshots, oldest first; the last is subscriptions.csv's. */
export function demoSnapshotDates(options: DemoPartnerOptions = {}): string[] {
  const { asOfMonth, snapshots } = resolve(options);
  return Array.from({ length: snapshots }, (_, k) => `${addMonths(asOfMonth, 1 - (snapshots - 1 - k))}-01`);
}

/** Snapshot `k` (0 = oldest) of subscriptions.csv as text chunks; the newest is the same as subscriptions.csv. */
export function* demoSnapshotChunks(k: number, options: DemoPartnerOptions = {}, tenantsPerChunk = 250): Generator<string> {
  const { tenants, ...run } = resolve(options);
  if (!Number.isInteger(k) || k < 0 || k >= run.snapshots) throw new Error(`snapshot ${k} is not one of 0..${run.snapshots - 1}`);
  yield `${subscriptionsFile.header}\n`;
  let chunk = "";
  for (let i = 0; i < tenants; i++) {
    const t = demoTenant(run, i, tenants);
    chunk += t.history!.snapshots[k]
      .map((s) => csvLine([t.tenantId, s.sku, s.product, s.quantity, s.paidUnits, s.status, s.startDate, s.endDate, s.source]))
      .join("");
    if ((i + 1) % tenantsPerChunk === 0) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

/** Snapshot `k` as a byte stream (to upload it as a drop). */
export function demoSnapshotStream(k: number, options: DemoPartnerOptions = {}): Readable {
  return Readable.from((function* () {
    for (const chunk of demoSnapshotChunks(k, options)) yield Buffer.from(chunk, "utf8");
  })());
}

/** What happened to each tenant in the history (tests compare it with what the Opportunities tab finds). */
export function demoTenantEvents(options: DemoPartnerOptions = {}): Map<string, DemoHistory["events"]> {
  const { tenants, ...run } = resolve(options);
  const out = new Map<string, DemoHistory["events"]>();
  for (let i = 0; i < tenants; i++) {
    const t = demoTenant(run, i, tenants);
    out.set(t.tenantId, t.history!.events);
  }
  return out;
}
