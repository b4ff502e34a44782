import type { SubscriptionItem } from "../documents.js";
import type { OpportunitySettings, SubscriptionSnapshot, TenantHistory, TenantProfile, UsageByMonth } from "./inputs.js";
import { businessLadder, enterpriseLadder, licenceClasses, licenceClassIndex, licenceClassOf, suiteClasses, type LicenceClass } from "./products.js";

// A tenant's history made safe to learn from, and the features that were known at a snapshot t.
//
// Decisions (PRODUCT.md "History", plus where the issue was silent):
// - Snapshots are sorted by date whatever order they come in; a date given twice keeps the first listed and counts
//   a duplicate; invalid dates are dropped and counted; snapshots and usage months after "now" are not used (never
//   learn from or score the future); at most the newest 24 snapshots are kept.
// - A partner's subscriptions drop is its full state, so a tenant missing from a later drop of the partner (a date
//   other tenants have) held no licences with the partner then: an empty "absent" snapshot is filled in. Before
//   the tenant's first snapshot nothing is filled (it was not a customer yet).
// - Paid seats are paid units (else quantity) of lines that are Active, Warning or have no status; Trial lines
//   and Teams Exploratory (a free trial experience whatever its status) are trials; Expired and Disabled count nowhere.
// - Usage at t is the latest usage month at or before t's month, if it is at most two months older (else unknown).
// - Utilisation = MAU / PAU capped at 100 %, unknown without PAU. MFA utilisation = MFA MAU / Entra ID PAU; a
//   month without MFA rows is unknown (not 0 %), so a partner whose files lack MFA gets no MFA opportunities.
// - Trend = MAU of the usage month vs exactly three months before (PRODUCT.md): relative change; unknown when
//   either month or the workload is missing (a gap never reads as a fall). From 0 to some users is +100 %.
// - Tenure counts from the earliest subscription start date when given, else from the tenant's first snapshot if it
//   joined after the partner's first drop; a tenant already there at the first drop has an unknown tenure (it was a
//   customer for longer than the history shows), never "new".

export const maxSnapshots = 24;

export const workloads = ["exchange", "sharePoint", "oneDrive", "teams", "coreApps", "intune", "entraId", "mfa"] as const;
export type Workload = (typeof workloads)[number];
/** The five workloads of the SMB engagement rule (Email = Exchange). */
export const engagementWorkloads = ["exchange", "coreApps", "teams", "sharePoint", "oneDrive"] as const;
export const workloadNames: Record<Workload, string> = {
  exchange: "Exchange (email)",
  sharePoint: "SharePoint",
  oneDrive: "OneDrive",
  teams: "Teams",
  coreApps: "Core Apps",
  intune: "Intune",
  entraId: "Entra ID",
  mfa: "MFA",
};
const W = workloads.length;
const wIndex = Object.fromEntries(workloads.map((w, i) => [w, i])) as Record<Workload, number>;

// Canonical names first; spellings partners use are accepted too (compared without case or punctuation).
const workloadAliases: Record<string, Workload> = {
  exchange: "exchange",
  exchangeonline: "exchange",
  email: "exchange",
  sharepoint: "sharePoint",
  sharepointonline: "sharePoint",
  onedrive: "oneDrive",
  onedriveforbusiness: "oneDrive",
  teams: "teams",
  microsoftteams: "teams",
  coreapps: "coreApps",
  officeapps: "coreApps",
  microsoft365apps: "coreApps",
  m365apps: "coreApps",
  intune: "intune",
  microsoftintune: "intune",
  entraid: "entraId",
  microsoftentraid: "entraId",
  azuread: "entraId",
  aad: "entraId",
  azureactivedirectory: "entraId",
  mfa: "mfa",
  multifactorauthentication: "mfa",
};

const workloadCache = new Map<string, Workload | null>();

export function workloadOf(name: string): Workload | undefined {
  let w = workloadCache.get(name);
  if (w === undefined) {
    w = workloadAliases[name.toLowerCase().replace(/[^a-z0-9]/g, "")] ?? null;
    if (workloadCache.size < 10_000) workloadCache.set(name, w);
  }
  return w ?? undefined;
}

// ---- months -------------------------------------------------------------------------------

const datePattern = /^(\d{4})-(\d{2})-(\d{2})/;
const monthPattern = /^(\d{4})-(\d{2})$/;

/** Months since year 0 of a YYYY-MM-DD (or longer ISO) date; NaN when it is not one. */
export function monthIndexOfDate(date: string): number {
  const m = datePattern.exec(date);
  if (!m) return NaN;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return NaN;
  return Number(m[1]) * 12 + month - 1;
}

export function monthIndexOfMonth(yyyyMm: string): number {
  const m = monthPattern.exec(yyyyMm);
  if (!m) return NaN;
  const month = Number(m[2]);
  return month < 1 || month > 12 ? NaN : Number(m[1]) * 12 + month - 1;
}

export function monthText(index: number): string {
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** The date `months` calendar months after a YYYY-MM-DD date (day clamped to the month's length). */
export function addMonths(date: string, months: number): string {
  const m = datePattern.exec(date);
  if (!m) return date;
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const lastDay = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  const day = Math.min(Number(m[3]), lastDay);
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

// ---- normalised history -------------------------------------------------------------------

export interface Snapshot {
  asOf: string;
  monthIndex: number;
  items: SubscriptionItem[];
  /** Filled in: the tenant was missing from the partner's drop of this date. */
  absent: boolean;
}

export interface HistoryIssues {
  duplicateSnapshots: number;
  futureSnapshots: number;
  invalidSnapshotDates: number;
  outOfOrder: boolean;
  truncatedSnapshots: number;
  absentFilled: number;
  invalidUsageMonths: number;
}

export interface NormalisedHistory {
  tenant: TenantProfile;
  /** Oldest first. */
  snapshots: Snapshot[];
  /** The tenant's first snapshot is later than the partner's first drop: it became a customer then. */
  joinedDuringHistory: boolean;
  /** Seats counted per snapshot, filled as states are computed (each snapshot is counted once). */
  counted: (Counted | undefined)[];
  /** Month index → [PAU, MAU] per workload (index 2w, 2w+1), NaN where the workload has no row that month. */
  usage: Map<number, Float64Array>;
  issues: HistoryIssues;
}

/** Every snapshot date (up to `until`, YYYY-MM-DD) any tenant of the partner has: the partner's drops, oldest first. */
export function partnerSnapshotDates(histories: readonly TenantHistory[], until = "9999-12-31"): string[] {
  const dates = new Set<string>();
  for (const h of histories) {
    for (const s of h.snapshots) {
      const asOf = s.asOf.slice(0, 10);
      if (Number.isFinite(monthIndexOfDate(asOf)) && asOf <= until) dates.add(asOf);
    }
  }
  return [...dates].sort();
}

/** The tenant's history as known on `until` (YYYY-MM-DD), sorted, de-duplicated and with absences filled in. */
export function normaliseHistory(history: TenantHistory, partnerDates: readonly string[] = [], until = "9999-12-31"): NormalisedHistory {
  const issues: HistoryIssues = {
    duplicateSnapshots: 0,
    futureSnapshots: 0,
    invalidSnapshotDates: 0,
    outOfOrder: false,
    truncatedSnapshots: 0,
    absentFilled: 0,
    invalidUsageMonths: 0,
  };
  const byDate = new Map<string, SubscriptionSnapshot>();
  let previous: string | undefined;
  for (const s of history.snapshots) {
    if (!Number.isFinite(monthIndexOfDate(s.asOf))) {
      issues.invalidSnapshotDates++;
      continue;
    }
    const asOf = s.asOf.slice(0, 10);
    if (asOf > until) {
      issues.futureSnapshots++;
      continue;
    }
    if (previous !== undefined && asOf > previous) issues.outOfOrder = true;
    previous = asOf;
    if (byDate.has(asOf)) issues.duplicateSnapshots++;
    else byDate.set(asOf, s);
  }
  let dates = [...byDate.keys()].sort();
  const first = dates[0];
  const filled = new Set<string>();
  if (first !== undefined) {
    for (const d of partnerDates) {
      if (d > first && !byDate.has(d)) {
        byDate.set(d, { asOf: d, items: [] });
        filled.add(d);
      }
    }
    issues.absentFilled = filled.size;
    dates = [...byDate.keys()].sort();
  }
  if (dates.length > maxSnapshots) {
    issues.truncatedSnapshots = dates.length - maxSnapshots;
    dates = dates.slice(dates.length - maxSnapshots);
  }
  const snapshots: Snapshot[] = dates.map((asOf) => ({
    asOf,
    monthIndex: monthIndexOfDate(asOf),
    items: byDate.get(asOf)!.items,
    absent: filled.has(asOf),
  }));
  const usage = usageSeries(history.usage ?? {}, issues, monthIndexOfDate(until));
  const joinedDuringHistory = snapshots.length > 0 && partnerDates.length > 0 && snapshots[0].asOf > partnerDates[0];
  return { tenant: history.tenant, snapshots, joinedDuringHistory, counted: new Array(snapshots.length), usage, issues };
}

/**
 * A tenant's usage packed as the models read it: month index → [PAU, MAU] per workload (NaN where missing). A
 * refresh packs usage as it reads it (usagePacker), so a tenant's months are a few small typed arrays rather than
 * hundreds of objects: with tens of thousands of tenants and a year or more of usage, that is most of the memory.
 */
export class PackedUsage {
  constructor(
    readonly months: ReadonlyMap<number, Float64Array>,
    /** Months given that are not YYYY-MM (left out, counted as a warning). */
    readonly invalidMonths: number,
  ) {}
}

export interface UsagePacker {
  /** One month's usage by workload; a later call for the same month replaces it. */
  add(month: string, byWorkload: UsageByMonth[string]): void;
  finish(): PackedUsage;
}

export function usagePacker(): UsagePacker {
  const months = new Map<number, Float64Array>();
  let invalid = 0;
  return {
    add(month, byWorkload) {
      const index = monthIndexOfMonth(month);
      if (!Number.isFinite(index)) invalid++;
      else months.set(index, packMonth(byWorkload));
    },
    finish: () => new PackedUsage(months, invalid),
  };
}

export function packUsage(usage: UsageByMonth): PackedUsage {
  const packer = usagePacker();
  for (const [month, byWorkload] of Object.entries(usage)) packer.add(month, byWorkload);
  return packer.finish();
}

function packMonth(byWorkload: UsageByMonth[string]): Float64Array {
  const row = new Float64Array(2 * W).fill(NaN);
  // Exact canonical names win over aliases, so a file with both never double counts.
  for (const [name, figures] of Object.entries(byWorkload)) {
    const w = workloadOf(name);
    if (w === undefined) continue;
    const i = wIndex[w];
    const canonical = name.toLowerCase() === w.toLowerCase();
    if (Number.isNaN(row[2 * i]) || canonical) {
      row[2 * i] = Math.max(0, figures.assignedUsers);
      row[2 * i + 1] = Math.max(0, figures.activeUsers);
    }
  }
  return row;
}

function usageSeries(usage: UsageByMonth | PackedUsage, issues: HistoryIssues, untilMonth: number): Map<number, Float64Array> {
  const packed = usage instanceof PackedUsage ? usage : packUsage(usage);
  issues.invalidUsageMonths += packed.invalidMonths;
  // Months after `until` are never used; the packed months are shared, never changed.
  let kept: Map<number, Float64Array> | undefined;
  for (const month of packed.months.keys()) {
    if (month <= untilMonth) continue;
    kept ??= new Map(packed.months);
    kept.delete(month);
  }
  return kept ?? (packed.months as Map<number, Float64Array>);
}

// ---- the state of a tenant at a snapshot ---------------------------------------------------

export interface TrialLine {
  sku: string;
  licenceClass: LicenceClass;
  quantity: number;
  endDate?: string;
}

export type TrendStatus = "Positive" | "Negative" | "No change";

export const numericFeatures = [
  "employees",
  "tenureMonths",
  "suiteSeats",
  "paidLicences",
  "seatChange3m",
  "seatAssignment",
  "skuCount",
  "trialSeats",
  "standaloneSeats",
  "businessBasicSeats",
  "businessStandardSeats",
  "businessPremiumSeats",
  "o365E3Seats",
  "o365E5Seats",
  "m365E3Seats",
  "m365E5Seats",
  "frontlineSeats",
  "emsE3Seats",
  "emsE5Seats",
  "entraPremiumSeats",
  "intuneSeats",
  "exchangeUtilisation",
  "exchangeTrend",
  "sharePointUtilisation",
  "sharePointTrend",
  "oneDriveUtilisation",
  "oneDriveTrend",
  "teamsUtilisation",
  "teamsTrend",
  "coreAppsUtilisation",
  "coreAppsTrend",
  "intuneUtilisation",
  "entraIdUtilisation",
  "mfaUtilisation",
  "mfaTrend",
  "overallUtilisation",
  "overallTrend",
  "lowWorkloads",
] as const;
export const categoricalFeatures = ["segment", "industry", "businessTier", "enterpriseStep"] as const;
export type NumericFeature = (typeof numericFeatures)[number];
export type CategoricalFeature = (typeof categoricalFeatures)[number];
export type FeatureKey = NumericFeature | CategoricalFeature;
export type TenantFeatures = { [K in NumericFeature]: number } & { [K in CategoricalFeature]: string | undefined };

export interface TenantState {
  asOf: string;
  monthIndex: number;
  absent: boolean;
  /** Paid seats per licence class (indexed by licenceClassIndex). */
  seats: Float64Array;
  /** Microsoft 365 / Office 365 suites and standalone apps. */
  suiteSeats: number;
  /** Every paid licence line (the opportunity's "Seats"). */
  paidLicences: number;
  trials: TrialLine[];
  /** Part numbers no catalogue knows, with their line count. */
  unknownSkus: Map<string, number>;
  /** The usage month used (month index), undefined when no usage is recent enough. */
  usageMonth?: number;
  /** [PAU, MAU] per workload at usageMonth (NaN when missing). */
  usage: Float64Array;
  utilisation: Float64Array;
  /** Relative MAU change vs three months before, per workload (NaN unknown). */
  trend: Float64Array;
  features: TenantFeatures;
}

export function seatsOf(state: Pick<TenantState, "seats">, ...classes: readonly LicenceClass[]): number {
  let s = 0;
  for (const c of classes) s += state.seats[licenceClassIndex[c]];
  return s;
}

export function pauOf(state: TenantState, w: Workload): number {
  return state.usage[2 * wIndex[w]];
}

export function mauOf(state: TenantState, w: Workload): number {
  return state.usage[2 * wIndex[w] + 1];
}

export function utilisationOf(state: TenantState, w: Workload): number {
  return state.utilisation[wIndex[w]];
}

export function trendOf(state: TenantState, w: Workload): number {
  return state.trend[wIndex[w]];
}

/** Positive above +threshold, Negative below −threshold, else No change; undefined when unknown. */
export function trendStatus(change: number, threshold: number): TrendStatus | undefined {
  if (!Number.isFinite(change)) return undefined;
  if (change > threshold) return "Positive";
  if (change < -threshold) return "Negative";
  return "No change";
}

const paidStatuses = new Set(["Active", "Warning"]);
/** Shared, never written: the usage of a state without a usage month. */
const noUsage = new Float64Array(2 * W).fill(NaN);
const classCount = licenceClasses.length;
const teamsExploratoryIndex = licenceClassIndex.teamsExploratory;
const suiteIndexes = suiteClasses.map((c) => licenceClassIndex[c]);

interface Counted {
  seats: Float64Array;
  trials: TrialLine[];
  unknownSkus: Map<string, number>;
  paidLicences: number;
  suiteSeats: number;
  skuCount: number;
  earliestStart?: string;
}

function countedAt(history: NormalisedHistory, i: number): Counted {
  return (history.counted[i] ??= countSeats(history.snapshots[i].items));
}

function countSeats(items: readonly SubscriptionItem[]): Counted {
  const seats = new Float64Array(classCount);
  const trials: TrialLine[] = [];
  const unknownSkus = new Map<string, number>();
  let paidLicences = 0;
  let skuCount = 0;
  let earliestStart: string | undefined;
  for (const item of items) {
    const cls = licenceClassOf(item.sku);
    if (cls === "unknown") unknownSkus.set(item.sku.toUpperCase(), (unknownSkus.get(item.sku.toUpperCase()) ?? 0) + 1);
    const status = item.status;
    const isTrial = status === "Trial" || licenceClassIndex[cls] === teamsExploratoryIndex;
    if (isTrial) {
      if (status !== "Expired" && status !== "Disabled") {
        trials.push({ sku: item.sku.toUpperCase(), licenceClass: cls, quantity: item.quantity, ...(item.endDate ? { endDate: item.endDate } : {}) });
      }
      continue;
    }
    if (status !== undefined && !paidStatuses.has(status)) continue;
    const paid = Math.max(0, item.paidUnits ?? item.quantity);
    seats[licenceClassIndex[cls]] += paid;
    paidLicences += paid;
    if (paid > 0) skuCount++;
    if (item.startDate && (earliestStart === undefined || item.startDate < earliestStart)) earliestStart = item.startDate;
  }
  let suiteSeats = 0;
  for (const i of suiteIndexes) suiteSeats += seats[i];
  return { seats, trials, unknownSkus, paidLicences, suiteSeats, skuCount, ...(earliestStart ? { earliestStart } : {}) };
}

function usageAt(history: NormalisedHistory, monthIndex: number): { month?: number; row?: Float64Array } {
  for (let m = monthIndex; m >= monthIndex - 2; m--) {
    const row = history.usage.get(m);
    if (row) return { month: m, row };
  }
  return {};
}

function relativeChange(now: number, before: number): number {
  if (!Number.isFinite(now) || !Number.isFinite(before)) return NaN;
  if (before <= 0) return now > 0 ? 1 : 0;
  return (now - before) / before;
}

function mfaShare(row: Float64Array | undefined): number {
  if (!row) return NaN;
  const entraPau = row[2 * wIndex.entraId];
  const mfaMau = row[2 * wIndex.mfa + 1];
  if (!(entraPau > 0) || !Number.isFinite(mfaMau)) return NaN;
  return Math.min(1, mfaMau / entraPau);
}

/** MFA utilisation of a usage month (MFA MAU / Entra ID PAU, capped); NaN when unknown. */
export function mfaUtilisationInMonth(history: NormalisedHistory, monthIndex: number): number {
  return mfaShare(history.usage.get(monthIndex));
}

function highestHeld(seats: Float64Array, ladder: readonly LicenceClass[]): string {
  for (let i = ladder.length - 1; i >= 0; i--) if (seats[licenceClassIndex[ladder[i]]] > 0) return ladder[i];
  return "none";
}

/** What was known about the tenant at snapshot `i` (oldest first): licences, usage up to t, trends, tenure. */
export function stateAt(history: NormalisedHistory, i: number, settings: Pick<OpportunitySettings, "smb" | "trendThreshold">): TenantState {
  const snap = history.snapshots[i];
  const counted = countedAt(history, i);
  const { seats, suiteSeats } = counted;

  // Seats three months earlier: the newest snapshot at least three months before t.
  let before: number | undefined;
  for (let j = i - 1; j >= 0; j--) {
    if (history.snapshots[j].monthIndex <= snap.monthIndex - 3) {
      before = countedAt(history, j).suiteSeats;
      break;
    }
  }
  const seatChange3m = before === undefined ? NaN : relativeChange(suiteSeats, before);

  const firstMonth = history.snapshots[0]?.monthIndex ?? snap.monthIndex;
  const startMonth = counted.earliestStart ? monthIndexOfDate(counted.earliestStart) : NaN;
  const tenureMonths = Number.isFinite(startMonth)
    ? snap.monthIndex - Math.min(startMonth, firstMonth)
    : history.joinedDuringHistory
      ? snap.monthIndex - firstMonth
      : NaN;

  const { month, row } = usageAt(history, snap.monthIndex);
  const usage = row ?? noUsage;
  const earlier = month === undefined ? undefined : history.usage.get(month - 3);
  const utilisation = new Float64Array(W);
  const trend = new Float64Array(W);
  let sumPau = 0;
  let sumMau = 0;
  let sumNow = 0;
  let sumBefore = 0;
  let maxAssigned = NaN;
  let low = 0;
  for (let w = 0; w < W; w++) {
    const pau = usage[2 * w];
    const mau = usage[2 * w + 1];
    utilisation[w] = pau > 0 ? Math.min(1, mau / pau) : NaN;
    trend[w] = earlier ? relativeChange(mau, earlier[2 * w + 1]) : NaN;
  }
  for (const name of engagementWorkloads) {
    const w = wIndex[name];
    const pau = usage[2 * w];
    if (!(pau > 0)) continue;
    sumPau += pau;
    sumMau += Math.min(pau, usage[2 * w + 1]);
    if (!(pau <= maxAssigned)) maxAssigned = pau;
    if (earlier && Number.isFinite(earlier[2 * w + 1]) && Number.isFinite(usage[2 * w + 1])) {
      sumNow += usage[2 * w + 1];
      sumBefore += earlier[2 * w + 1];
    }
    if (utilisation[w] < settings.smb.lowUtilisation || trend[w] < -settings.trendThreshold) low++;
  }
  const mfaUtilisation = mfaShare(row);
  const mfaBefore = mfaShare(earlier);
  const tenant = history.tenant;

  const features: TenantFeatures = {
    segment: tenant.segment,
    industry: tenant.industry,
    businessTier: highestHeld(seats, businessLadder),
    enterpriseStep: highestHeld(seats, enterpriseLadder),
    employees: tenant.employees ?? NaN,
    tenureMonths,
    suiteSeats,
    paidLicences: counted.paidLicences,
    seatChange3m,
    seatAssignment: suiteSeats > 0 && Number.isFinite(maxAssigned) ? Math.min(2, maxAssigned / suiteSeats) : NaN,
    skuCount: counted.skuCount,
    trialSeats: counted.trials.reduce((s, t) => s + t.quantity, 0),
    standaloneSeats: seats[licenceClassIndex.standalone],
    businessBasicSeats: seats[licenceClassIndex.businessBasic],
    businessStandardSeats: seats[licenceClassIndex.businessStandard],
    businessPremiumSeats: seats[licenceClassIndex.businessPremium],
    o365E3Seats: seats[licenceClassIndex.o365E3],
    o365E5Seats: seats[licenceClassIndex.o365E5],
    m365E3Seats: seats[licenceClassIndex.m365E3],
    m365E5Seats: seats[licenceClassIndex.m365E5],
    frontlineSeats: seats[licenceClassIndex.frontline],
    emsE3Seats: seats[licenceClassIndex.emsE3],
    emsE5Seats: seats[licenceClassIndex.emsE5],
    entraPremiumSeats: seats[licenceClassIndex.entraIdP1] + seats[licenceClassIndex.entraIdP2],
    intuneSeats: seats[licenceClassIndex.intune],
    exchangeUtilisation: utilisation[wIndex.exchange],
    exchangeTrend: trend[wIndex.exchange],
    sharePointUtilisation: utilisation[wIndex.sharePoint],
    sharePointTrend: trend[wIndex.sharePoint],
    oneDriveUtilisation: utilisation[wIndex.oneDrive],
    oneDriveTrend: trend[wIndex.oneDrive],
    teamsUtilisation: utilisation[wIndex.teams],
    teamsTrend: trend[wIndex.teams],
    coreAppsUtilisation: utilisation[wIndex.coreApps],
    coreAppsTrend: trend[wIndex.coreApps],
    intuneUtilisation: utilisation[wIndex.intune],
    entraIdUtilisation: utilisation[wIndex.entraId],
    mfaUtilisation,
    mfaTrend: Number.isFinite(mfaUtilisation) && Number.isFinite(mfaBefore) ? mfaUtilisation - mfaBefore : NaN,
    overallUtilisation: sumPau > 0 ? sumMau / sumPau : NaN,
    overallTrend: sumBefore > 0 || sumNow > 0 ? relativeChange(sumNow, sumBefore) : NaN,
    lowWorkloads: row ? low : NaN,
  };

  return {
    asOf: snap.asOf,
    monthIndex: snap.monthIndex,
    absent: snap.absent,
    seats,
    suiteSeats,
    paidLicences: counted.paidLicences,
    trials: counted.trials,
    unknownSkus: counted.unknownSkus,
    ...(month !== undefined ? { usageMonth: month } : {}),
    usage,
    utilisation,
    trend,
    features,
  };
}

// ---- what normalising did, in words ---------------------------------------------------------

/** Adds one tenant's issues to a partner total. */
export function addIssues(total: HistoryIssues, issues: HistoryIssues): void {
  total.duplicateSnapshots += issues.duplicateSnapshots;
  total.futureSnapshots += issues.futureSnapshots;
  total.invalidSnapshotDates += issues.invalidSnapshotDates;
  total.outOfOrder ||= issues.outOfOrder;
  total.truncatedSnapshots += issues.truncatedSnapshots;
  total.absentFilled += issues.absentFilled;
  total.invalidUsageMonths += issues.invalidUsageMonths;
}

export function noIssues(): HistoryIssues {
  return {
    duplicateSnapshots: 0,
    futureSnapshots: 0,
    invalidSnapshotDates: 0,
    outOfOrder: false,
    truncatedSnapshots: 0,
    absentFilled: 0,
    invalidUsageMonths: 0,
  };
}

/** Warnings a partner can act on; snapshots out of order are only sorted (stated, not a problem). */
export function issueWarnings(total: HistoryIssues): string[] {
  const out: string[] = [];
  if (total.duplicateSnapshots > 0) {
    out.push(`${total.duplicateSnapshots} duplicate subscription snapshots (same tenant and date) were ignored; the first listed was kept`);
  }
  if (total.futureSnapshots > 0) out.push(`${total.futureSnapshots} subscription snapshots dated after today were not used`);
  if (total.invalidSnapshotDates > 0) out.push(`${total.invalidSnapshotDates} subscription snapshots without a valid YYYY-MM-DD date were ignored`);
  if (total.outOfOrder) out.push("subscription snapshots were not newest first; they were sorted by date");
  if (total.truncatedSnapshots > 0) out.push(`${total.truncatedSnapshots} snapshots beyond the newest ${maxSnapshots} per tenant were not used`);
  if (total.absentFilled > 0) {
    out.push(`${total.absentFilled} times a tenant was missing from a later subscriptions drop of the partner; it counts as holding no licences then`);
  }
  if (total.invalidUsageMonths > 0) out.push(`${total.invalidUsageMonths} usage months that are not YYYY-MM were ignored`);
  return out;
}

/** Unknown part numbers seen, as one warning (counted, listed, never silently zero). */
export function unknownSkuWarning(unknown: Map<string, number>): string | undefined {
  if (unknown.size === 0) return undefined;
  const lines = [...unknown.values()].reduce((a, b) => a + b, 0);
  const list = [...unknown.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10).map(([sku]) => sku);
  return (
    `${unknown.size} SKU part numbers are not in the catalogue (${list.join(", ")}${unknown.size > 10 ? ", …" : ""}) on ${lines} subscription lines: ` +
    "their seats count as paid licences but in no product family"
  );
}
