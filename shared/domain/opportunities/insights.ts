import type { FeatureKey } from "./history.js";
import { productNames } from "./products.js";

// Insights in a seller's words: each one states the record's own value of a factor ("Teams used by 22 % of
// assigned users"), for learnt models the factors that raised this record's score most, for trees the path that
// led to its leaf (with the thresholds), for rules and priors the thresholds that fired. Never a fixed sentence.

type Unit = "share" | "change" | "points" | "count" | "months" | "category";

interface FeatureWords {
  unit: Unit;
  /** The value in words; `v` is already formatted for the unit ("22 %", "down 18 %", "48"). */
  say(v: string, raw: number | string): string;
  /** Said when the value is missing. */
  missing: string;
}

const up = (x: number) => (x > 0 ? "up" : x < 0 ? "down" : "unchanged");

function usageWords(workload: string): [FeatureWords, FeatureWords] {
  return [
    { unit: "share", say: (v) => `${workload} used by ${v} of assigned users`, missing: `No ${workload} usage reported` },
    {
      unit: "change",
      say: (v, raw) => (Number(raw) === 0 ? `${workload} monthly active users unchanged over three months` : `${workload} monthly active users ${v} over three months`),
      missing: `No ${workload} usage three months ago to compare with`,
    },
  ];
}

function seatWords(product: string): FeatureWords {
  return { unit: "count", say: (v) => (v === "0" ? `No ${product} seats` : `${v} ${product} seats`), missing: `No ${product} seats` };
}

const [exchangeU, exchangeT] = usageWords("Exchange (email)");
const [sharePointU, sharePointT] = usageWords("SharePoint");
const [oneDriveU, oneDriveT] = usageWords("OneDrive");
const [teamsU, teamsT] = usageWords("Teams");
const [coreAppsU, coreAppsT] = usageWords("Core Apps");

const tierName = (v: string) => (productNames as Record<string, string>)[v] ?? v;

export const featureWords: Record<FeatureKey, FeatureWords> = {
  segment: { unit: "category", say: (v) => `${v} segment`, missing: "No segment given" },
  industry: { unit: "category", say: (v) => `Industry: ${v}`, missing: "No industry given" },
  businessTier: {
    unit: "category",
    say: (v) => (v === "none" ? "No Microsoft 365 Business plan" : `Currently on ${tierName(v)}`),
    missing: "No Microsoft 365 Business plan",
  },
  enterpriseStep: {
    unit: "category",
    say: (v) => (v === "none" ? "No Office 365 E3 or Microsoft 365 E3/E5" : `Currently on ${tierName(v)}`),
    missing: "No Office 365 E3 or Microsoft 365 E3/E5",
  },
  employees: { unit: "count", say: (v) => `${v} employees`, missing: "Number of employees not given" },
  tenureMonths: { unit: "months", say: (v, raw) => (Number(raw) < 1 ? "New customer this month" : `Customer for ${v}`), missing: "Customer since before the first subscription snapshot" },
  suiteSeats: { unit: "count", say: (v) => `${v} Microsoft 365 seats`, missing: "No Microsoft 365 seats" },
  paidLicences: { unit: "count", say: (v) => `${v} paid licences in the tenant`, missing: "No paid licences" },
  seatChange3m: {
    unit: "change",
    say: (v, raw) => (Number(raw) === 0 ? "Microsoft 365 seats unchanged over three months" : `Microsoft 365 seats ${v} over three months`),
    missing: "No seat count three months ago to compare with",
  },
  seatAssignment: { unit: "share", say: (v) => `${v} of paid seats assigned to users`, missing: "Seat assignment unknown (no usage data)" },
  skuCount: { unit: "count", say: (v) => `${v} paid products`, missing: "No paid products" },
  trialSeats: { unit: "count", say: (v) => (v === "0" ? "No trial licences" : `${v} trial licences`), missing: "No trial licences" },
  standaloneSeats: seatWords("standalone app"),
  businessBasicSeats: seatWords("Business Basic"),
  businessStandardSeats: seatWords("Business Standard"),
  businessPremiumSeats: seatWords("Business Premium"),
  o365E3Seats: seatWords("Office 365 E3"),
  o365E5Seats: seatWords("Office 365 E5"),
  m365E3Seats: seatWords("Microsoft 365 E3"),
  m365E5Seats: seatWords("Microsoft 365 E5"),
  frontlineSeats: seatWords("frontline (F1/F3)"),
  emsE3Seats: seatWords("EMS E3"),
  emsE5Seats: seatWords("EMS E5"),
  entraPremiumSeats: seatWords("Entra ID P1/P2"),
  intuneSeats: seatWords("Intune"),
  exchangeUtilisation: exchangeU,
  exchangeTrend: exchangeT,
  sharePointUtilisation: sharePointU,
  sharePointTrend: sharePointT,
  oneDriveUtilisation: oneDriveU,
  oneDriveTrend: oneDriveT,
  teamsUtilisation: teamsU,
  teamsTrend: teamsT,
  coreAppsUtilisation: coreAppsU,
  coreAppsTrend: coreAppsT,
  intuneUtilisation: { unit: "share", say: (v) => `Intune used by ${v} of assigned users`, missing: "No Intune usage reported" },
  entraIdUtilisation: { unit: "share", say: (v) => `Entra ID used by ${v} of assigned users`, missing: "No Entra ID usage reported" },
  mfaUtilisation: { unit: "share", say: (v) => `MFA used by ${v} of Entra ID users`, missing: "No MFA usage reported" },
  mfaTrend: {
    unit: "points",
    say: (v, raw) => (Number(raw) === 0 ? "MFA use unchanged over three months" : `MFA use ${v} over three months`),
    missing: "No MFA usage three months ago to compare with",
  },
  overallUtilisation: {
    unit: "share",
    say: (v) => `${v} of assigned users active across email, apps, Teams, SharePoint and OneDrive`,
    missing: "No usage reported",
  },
  overallTrend: {
    unit: "change",
    say: (v, raw) => (Number(raw) === 0 ? "Monthly active users unchanged over three months" : `Monthly active users ${v} over three months`),
    missing: "No usage three months ago to compare with",
  },
  lowWorkloads: { unit: "count", say: (v) => `${v} of 5 core workloads under-used or declining`, missing: "No usage reported" },
};

function round(x: number): number {
  return Math.abs(x) >= 10 ? Math.round(x) : Math.round(x * 10) / 10;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

const counts = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** A count as a seller reads it: "4,561". */
export function formatCount(n: number): string {
  return counts.format(n);
}

/** A value formatted for its unit: shares and changes as percentages, points as points, counts whole. */
export function formatValue(unit: Unit, value: number): string {
  switch (unit) {
    case "share":
      return `${round(value * 100)} %`;
    case "change":
      return `${up(value)} ${round(Math.abs(value) * 100)} %`;
    case "points":
      return `${up(value)} ${round(Math.abs(value) * 100)} points`;
    case "months":
      return plural(Math.round(value), "month", "months");
    default:
      return formatCount(Math.round(value * 100) / 100);
  }
}

function formatBound(unit: Unit, value: number): string {
  switch (unit) {
    case "share":
    case "change":
      return `${round(value * 100)} %`;
    case "points":
      return `${round(value * 100)} points`;
    case "months":
      return plural(Math.round(value * 10) / 10, "month", "months");
    default:
      return formatCount(Math.round(value * 100) / 100);
  }
}

/** The record's value of one feature in words; missing values say what is missing. */
export function describeValue(feature: FeatureKey, value: number | string | null | undefined): string {
  const words = featureWords[feature];
  if (value === null || value === undefined || value === "" || (typeof value === "number" && !Number.isFinite(value))) return words.missing;
  if (words.unit === "category") return words.say(String(value), value);
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) return words.say(String(value), value);
  return words.say(formatValue(words.unit, n), n);
}

/** A tree-path condition: the record's value with the thresholds of its branch ("… (at most 35 %)"). */
export function describeCondition(
  feature: FeatureKey,
  value: number | string | null | undefined,
  condition: { lower?: number; upper?: number; categories?: string[] },
): string {
  const base = describeValue(feature, value);
  const unit = featureWords[feature].unit;
  if (unit === "category") return base;
  const { lower, upper } = condition;
  let bound: string | undefined;
  if (lower !== undefined && upper !== undefined) bound = `between ${formatBound(unit, lower)} and ${formatBound(unit, upper)}`;
  else if (upper !== undefined) bound = `at most ${formatBound(unit, upper)}`;
  else if (lower !== undefined) bound = `above ${formatBound(unit, lower)}`;
  const missing = value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value));
  return bound && !missing ? `${base} (${bound})` : base;
}

/** A rule or prior threshold that fired: the value and the threshold it crossed ("… (under 40 %)"). */
export function describeThreshold(feature: FeatureKey, value: number, test: "below" | "above" | "atMost" | "atLeast", threshold: number): string {
  const unit = featureWords[feature].unit;
  const words = { below: "under", above: "over", atMost: "at most", atLeast: "at least" }[test];
  return `${describeValue(feature, value)} (${words} ${formatBound(unit, threshold)})`;
}

export function isFeatureKey(name: string): name is FeatureKey {
  return name in featureWords;
}
