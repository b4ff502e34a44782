import { Readable } from "node:stream";
import type { DatasetName, workloads } from "../shared/domain/datasets.js";

type Workload = (typeof workloads)[number];
import { createRandom } from "../shared/scoring/index.js";

// A realistic, deterministic demo partner: customer tenants with licences, 12 months of usage and MCI
// engagements, as the CSV files a partner drops (PRODUCT.md section 1). Every tenant is derived from
// (seed, index) alone, so each dataset can be streamed in chunks for 20,000 tenants without holding a
// whole file in memory, and the four files always agree with one another.
//
// The mix is chosen so a refresh puts tenants in every Cloud Endpoints sales motion (seed 002) and
// leaves some out: SMB tenants, tenants reached only as the EA licensing partner, and tenants below
// the licence thresholds.

export interface DemoPartnerOptions {
  /** Number of customer tenants. Default 400. */
  tenants?: number;
  /** Months of usage, ending at asOfMonth. Default 12. */
  months?: number;
  /** Same seed, same files. Default 2024. */
  seed?: number;
  /** Latest usage month (YYYY-MM). Default: the last complete month (UTC). */
  asOfMonth?: string;
}

export type DemoPartnerFiles = Record<DatasetName, string>;

export const demoDatasets = ["tenants", "subscriptions", "usage", "incentives"] as const satisfies readonly DatasetName[];

// The eight workloads the demo partner reports usage for.
export const demoWorkloads = ["Exchange", "SharePoint", "OneDrive", "Teams", "CoreApps", "Intune", "EntraID", "Windows365"] as const satisfies readonly Workload[];

/** The profile a tenant was generated from; the sales motion is what the refresh should find (none: not visible). */
export type DemoArchetype =
  | "Land W365"
  | "Expand W365"
  | "Expand W365 - Mature"
  | "Expand to Frontline (Flex)"
  | "Expand to Frontline (Flex) - Mature"
  | "Low Whitespace"
  | "Nurture Intune"
  | "hidden: SMB"
  | "hidden: EA licensing only"
  | "hidden: below thresholds";

// Share of tenants per profile (sums to 1).
const archetypeWeights: [DemoArchetype, number][] = [
  ["Land W365", 0.12],
  ["Expand W365", 0.1],
  ["Expand W365 - Mature", 0.05],
  ["Expand to Frontline (Flex)", 0.07],
  ["Expand to Frontline (Flex) - Mature", 0.04],
  ["Low Whitespace", 0.14],
  ["Nurture Intune", 0.13],
  ["hidden: SMB", 0.2],
  ["hidden: EA licensing only", 0.06],
  ["hidden: below thresholds", 0.09],
];

const headers: Record<DatasetName, string> = {
  tenants:
    "tenantId,tenantName,domain,countryRegion,segment,subSegment,tpid,customerName,industry,employees,azureMonthlyRevenue," +
    "eaRenewal,largestCspRenewal,cporAssociation,cspAssociation,cspTier,t2ResellerName,eaLicensingPartner,partnerCenterId,mciEligibleWorkloads",
  subscriptions: "tenantId,sku,product,quantity,paidUnits,status,startDate,endDate,source",
  usage: "tenantId,month,workload,assignedUsers,activeUsers",
  incentives: "tenantId,engagement,workloads,potentialEarnings",
};

// ---- deterministic randomness -------------------------------------------------------------

type Rng = () => number;

const mulberry32: (seed: number) => Rng = createRandom;

function mix(seed: number, index: number, salt: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35) ^ Math.imul(salt + 7, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 13)) >>> 0;
}

const between = (rng: Rng, min: number, max: number) => Math.floor(min + rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const chance = (rng: Rng, p: number) => rng() < p;

function guid(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((Math.floor(rng() * 4) + 8) as number).toString(16);
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

// ---- vocabulary (Microsoft's fictitious company names) --------------------------------------

const companyNames = [
  "Contoso", "Fabrikam", "Northwind Traders", "Adventure Works", "Tailspin Toys", "Woodgrove Bank", "Litware",
  "Proseware", "Wingtip Toys", "Alpine Ski House", "Coho Winery", "Lamna Healthcare", "Margie's Travel",
  "Relecloud", "Trey Research", "Wide World Importers", "Fourth Coffee", "Humongous Insurance",
  "Lucerne Publishing", "Blue Yonder Airlines", "City Power & Light", "Consolidated Messenger",
  "Southridge Video", "VanArsdel", "Bellows College", "Munson's Pickles and Preserves", "A. Datum",
  "Nod Publishers", "Best For You Organics", "Graphic Design Institute", "School of Fine Art",
  "Tailwind Traders", "First Up Consultants", "Liberty's Delightful Sinful Bakery", "Boulder Innovations",
  "Rainier Logistics", "Cascade Outfitters", "Olympic Clinics", "Summit Foods", "Harbor Freightways",
];

const industries = {
  frontline: ["Retail", "Manufacturing", "Healthcare", "Hospitality", "Transportation and Logistics"],
  other: ["Financial Services", "Professional Services", "Education", "Government", "Media and Communications", "Energy", "Technology"],
} as const;

const nameSuffixByIndustry: Record<string, readonly string[]> = {
  Retail: ["Stores", "Retail", "Outlets", "Markets"],
  Manufacturing: ["Manufacturing", "Industries", "Components", "Works"],
  Healthcare: ["Health", "Medical Group", "Clinics", "Care"],
  Hospitality: ["Hotels", "Resorts", "Hospitality", "Restaurants"],
  "Transportation and Logistics": ["Logistics", "Freight", "Transport", "Shipping"],
  "Financial Services": ["Financial", "Capital", "Bank", "Insurance"],
  "Professional Services": ["Consulting", "Partners", "Advisory", "Legal"],
  Education: ["University", "Academy", "Schools", "College"],
  Government: ["County", "City Services", "Agency", "Council"],
  "Media and Communications": ["Media", "Studios", "Broadcasting", "Telecom"],
  Energy: ["Energy", "Power", "Utilities", "Renewables"],
  Technology: ["Software", "Systems", "Labs", "Cloud"],
};

const countries = [
  ["United States", 30], ["United Kingdom", 10], ["Germany", 9], ["France", 7], ["Netherlands", 5], ["Canada", 6],
  ["Australia", 5], ["Japan", 5], ["Brazil", 4], ["India", 5], ["Spain", 4], ["Italy", 3], ["Sweden", 3],
  ["Switzerland", 2], ["Singapore", 2],
] as const;

const resellers = ["Northwind Reseller", "Litware Distribution", "Proseware Cloud Services", "Fabrikam Solutions"];
const partnerCenterIds = ["4721903", "4721911", "4721928"];

// MCI engagements (workshops); several span more than one workload.
const engagements = [
  { engagement: "Windows 365 Accelerate", workloads: ["Windows365"], earnings: [4000, 12000] },
  { engagement: "Cloud Endpoints Workshop", workloads: ["Windows365", "Intune"], earnings: [5000, 15000] },
  { engagement: "Endpoint Management Accelerate", workloads: ["Intune", "EntraID"], earnings: [3000, 10000] },
  { engagement: "Modern Work Security Workshop", workloads: ["DefenderForOffice", "EntraID", "Intune"], earnings: [6000, 18000] },
  { engagement: "Frontline Workers Accelerate", workloads: ["Windows365", "Teams"], earnings: [4000, 14000] },
  { engagement: "Teams Meetings and Calling Accelerate", workloads: ["Teams"], earnings: [2500, 8000] },
] as const;

// ---- one tenant -----------------------------------------------------------------------------

interface SubscriptionLine {
  sku: string;
  product: string;
  quantity: number;
  paidUnits: number;
  status: "Active" | "Trial" | "Expired" | "Disabled" | "Warning";
  startDate: string;
  endDate: string;
  source: "Partner" | "Direct";
}

interface UsageSeries {
  /** Latest-month paid available units and utilisation; earlier months are derived with a trend. */
  pau: number;
  utilization: number;
  /** Change in utilisation over the year (positive: rising). */
  trend: number;
  /** Paid units grew by this fraction over the year. */
  growth: number;
  /** Month index (0 = oldest) from which the workload has paid units; 0 = all year. */
  startsAt: number;
}

export interface DemoTenant {
  index: number;
  archetype: DemoArchetype;
  tenantId: string;
  tenantRow: string[];
  subscriptions: SubscriptionLine[];
  usage: Record<(typeof demoWorkloads)[number], UsageSeries>;
  incentives: { engagement: string; workloads: string[]; potentialEarnings: number }[];
}

function archetypeFor(seed: number, index: number, total: number): DemoArchetype {
  // The first tenants cycle through every profile so even a small partner shows each motion.
  const cycle = archetypeWeights.length;
  if (index < cycle * 2 && total >= cycle) return archetypeWeights[index % cycle][0];
  const r = mulberry32(mix(seed, index, 1))();
  let acc = 0;
  for (const [archetype, weight] of archetypeWeights) {
    acc += weight;
    if (r < acc) return archetype;
  }
  return archetypeWeights[archetypeWeights.length - 1][0];
}

function addMonths(month: string, delta: number): string {
  const [y, m] = month.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 + delta, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

export function lastCompleteMonth(now: Date = new Date()): string {
  return addMonths(`${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`, -1);
}

/** Generates tenant `index` of the demo partner (pure: the same inputs give the same tenant). */
export function demoTenant(seed: number, index: number, total: number, asOfMonth: string): DemoTenant {
  const rng = mulberry32(mix(seed, index, 2));
  const archetype = archetypeFor(seed, index, total);
  const tenantId = guid(rng);
  const visible = !archetype.startsWith("hidden");
  const motion = visible ? archetype : undefined;
  const isFlex = motion?.startsWith("Expand to Frontline") ?? false;

  // Segment and size
  let segment: "Enterprise" | "SME&C" | "SMB";
  if (archetype === "hidden: SMB") segment = "SMB";
  else if (motion === "Low Whitespace" || motion === "Nurture Intune" || archetype === "hidden: below thresholds") {
    segment = chance(rng, 0.5) ? "SME&C" : "Enterprise";
  } else segment = chance(rng, 0.7) ? "Enterprise" : "SME&C";

  const industry = isFlex
    ? pick(rng, industries.frontline)
    : motion === "Expand W365" || motion === "Expand W365 - Mature"
      ? // Frontline industries appear here too, but such tenants hold no F3 seats (so they are not Flex).
        pick(rng, chance(rng, 0.3) ? industries.frontline : industries.other)
      : pick(rng, chance(rng, 0.45) ? industries.frontline : industries.other);

  // W365-eligible seats (ME5 + ME3 + F3) by profile
  let eligible: number;
  switch (archetype) {
    case "Land W365":
    case "Expand W365":
    case "Expand to Frontline (Flex)":
      eligible = between(rng, 520, segment === "Enterprise" ? 9000 : 2400);
      break;
    case "Expand W365 - Mature":
    case "Expand to Frontline (Flex) - Mature":
      eligible = between(rng, 1500, 18000);
      break;
    case "Low Whitespace":
      eligible = between(rng, segment === "Enterprise" ? 180 : 110, 480);
      break;
    case "Nurture Intune":
      eligible = between(rng, 120, 5000);
      break;
    case "hidden: EA licensing only":
      eligible = between(rng, 800, 12000);
      break;
    case "hidden: below thresholds":
      eligible = between(rng, 10, 95);
      break;
    case "hidden: SMB":
      eligible = 0;
      break;
  }

  // Split eligible seats into F3 (frontline), E5 and E3
  let f3 = 0;
  if (isFlex) f3 = Math.max(20, Math.round(eligible * (0.3 + rng() * 0.4)));
  else if (motion !== "Expand W365" && motion !== "Expand W365 - Mature" && segment !== "SMB" && chance(rng, 0.25)) {
    f3 = Math.round(eligible * (0.1 + rng() * 0.3));
  }
  const e5 = Math.round((eligible - f3) * (0.15 + rng() * 0.45));
  const e3 = eligible - f3 - e5;

  // W365 paid units
  let w365 = 0;
  if (motion === "Expand W365" || motion === "Expand to Frontline (Flex)") w365 = between(rng, 10, 240);
  else if (motion === "Expand W365 - Mature" || motion === "Expand to Frontline (Flex) - Mature") w365 = between(rng, 260, Math.min(1200, eligible - 50));
  else if (motion === "Low Whitespace" || motion === "Nurture Intune") w365 = chance(rng, 0.3) ? between(rng, 5, 60) : 0;

  // Intune utilisation in the latest month: > 20 % for the high-propensity motions, ≤ 20 % for Nurture.
  const intuneUtil =
    motion === "Nurture Intune" ? (chance(rng, 0.3) ? 0 : 0.02 + rng() * 0.16) : segment === "SMB" ? 0 : 0.26 + rng() * 0.6;
  const emsSeats = segment !== "SMB" && chance(rng, 0.35) ? Math.round(eligible * (0.05 + rng() * 0.2)) : 0;
  const o365e3 = segment !== "SMB" && chance(rng, 0.3) ? between(rng, 20, 800) : 0;

  // SMB: Business SKUs
  const smbSeats = segment === "SMB" ? between(rng, 5, 280) : 0;
  const smbSku = pick(rng, ["O365_BUSINESS_ESSENTIALS", "O365_BUSINESS_PREMIUM", "SPB"] as const);

  const employees =
    segment === "SMB"
      ? Math.max(smbSeats + between(rng, 0, 40), 3)
      : Math.round((eligible + o365e3) * (1.05 + rng() * 0.6)) + (segment === "Enterprise" ? between(rng, 500, 4000) : between(rng, 50, 400));
  const subSegment =
    segment === "Enterprise"
      ? pick(rng, ["Major Commercial", "Strategic Commercial", "Major Public Sector"])
      : segment === "SME&C"
        ? employees >= 2500
          ? "Corporate"
          : "Upper Medium"
        : employees >= 300
          ? "Upper Medium"
          : employees >= 25
            ? "Medium"
            : "Very Small";

  // Names
  const base = companyNames[index % companyNames.length];
  const suffix = pick(rng, nameSuffixByIndustry[industry]);
  const round = Math.floor(index / companyNames.length);
  const tenantName = `${base} ${suffix}${round > 0 ? ` ${round + 1}` : ""}`;
  const slug = `${base} ${suffix}`.toLowerCase().replace(/&/g, "and").replace(/[^a-z0-9]+/g, "");
  const domain = `${slug}${round > 0 ? round + 1 : ""}.com`;
  const country = weightedCountry(rng);
  const tpid = String(between(rng, 1_000_000, 99_999_999));

  // Associations: visible tenants have a CPOR claim or a CSP relationship (or both).
  let cpor = false;
  let csp = false;
  let eaPartner = false;
  if (archetype === "hidden: EA licensing only") eaPartner = true;
  else if (segment === "SMB") csp = true;
  else {
    const r = rng();
    if (r < 0.25) cpor = true;
    else if (r < 0.75) csp = true;
    else {
      cpor = true;
      csp = true;
    }
    eaPartner = segment === "Enterprise" && chance(rng, 0.35);
  }
  const cspTier = csp ? (chance(rng, 0.6) ? "Tier1" : "Tier2") : "";
  const t2Reseller = cspTier === "Tier2" ? pick(rng, resellers) : "";

  // Subscriptions
  const source = eaPartner && !csp ? "Direct" : "Partner";
  const renewalOffset = between(rng, 1, 30);
  const renewalMonth = addMonths(asOfMonth, renewalOffset);
  const endDate = `${renewalMonth}-${String(between(rng, 1, 28)).padStart(2, "0")}`;
  const startDate = `${addMonths(renewalMonth, -12 * between(rng, 1, 3))}-${endDate.slice(8)}`;
  const lines: SubscriptionLine[] = [];
  const line = (sku: string, product: string, seats: number, status: SubscriptionLine["status"] = "Active", paid = seats) => {
    if (seats > 0) lines.push({ sku, product, quantity: seats, paidUnits: paid, status, startDate, endDate, source });
  };
  line("SPE_E5", "Microsoft 365 E5", e5);
  line("SPE_E3", "Microsoft 365 E3", e3, chance(rng, 0.05) ? "Warning" : "Active");
  line("SPE_F1", "Microsoft 365 F3", f3);
  line("ENTERPRISEPACK", "Office 365 E3", o365e3);
  line("EMSPREMIUM", "Enterprise Mobility + Security E5", emsSeats);
  if (segment !== "SMB" && chance(rng, 0.3)) line("ATP_ENTERPRISE", "Microsoft Defender for Office 365 (Plan 1)", Math.round((e3 + o365e3) * 0.5));
  if (w365 > 0) {
    const sizes = ["CPC_E_2C_8GB", "CPC_E_4C_16GB", "CPC_E_2C_4GB"] as const;
    if (isFlex) {
      const frontlinePcs = Math.round(w365 * (0.4 + rng() * 0.3));
      line("CPC_F_2C_8GB", "Windows 365 Frontline 2 vCPU 8 GB", frontlinePcs);
      line(pick(rng, sizes), "Windows 365 Enterprise", w365 - frontlinePcs);
    } else line(pick(rng, sizes), "Windows 365 Enterprise", w365);
  }
  if (segment === "SMB") {
    const productNames = { O365_BUSINESS_ESSENTIALS: "Microsoft 365 Business Basic", O365_BUSINESS_PREMIUM: "Microsoft 365 Business Standard", SPB: "Microsoft 365 Business Premium" };
    line(smbSku, productNames[smbSku], smbSeats);
    if (smbSku === "SPB" && chance(rng, 0.4)) line("MDE_SMB", "Microsoft Defender for Business", smbSeats);
  }
  if (chance(rng, 0.15)) line("TEAMS_EXPLORATORY", "Microsoft Teams Exploratory", between(rng, 10, 200), "Trial", 0);
  if (chance(rng, 0.1)) line("STANDARDPACK", "Office 365 E1", between(rng, 10, 120), "Expired");

  // Usage: suites drive the productivity workloads; Intune and Entra ID come with ME3/ME5/F3 and EMS.
  const suiteSeats = eligible + o365e3 + smbSeats;
  const intunePau = segment === "SMB" ? (smbSku === "SPB" ? smbSeats : 0) : eligible + emsSeats;
  const entraPau = segment === "SMB" ? (smbSku === "SPB" ? smbSeats : 0) : eligible + emsSeats;
  const series = (pau: number, utilization: number, startsAt = 0): UsageSeries => ({
    pau,
    utilization,
    trend: (rng() - 0.4) * 0.3,
    growth: rng() * 0.25,
    startsAt,
  });
  const usage: DemoTenant["usage"] = {
    Exchange: series(suiteSeats, 0.8 + rng() * 0.18),
    SharePoint: series(suiteSeats, 0.45 + rng() * 0.4),
    OneDrive: series(suiteSeats, 0.5 + rng() * 0.4),
    Teams: series(suiteSeats, 0.6 + rng() * 0.35),
    CoreApps: series(suiteSeats - f3, 0.5 + rng() * 0.45),
    Intune: series(intuneUtil === 0 && motion === "Nurture Intune" ? 0 : intunePau, intuneUtil),
    EntraID: series(entraPau, 0.55 + rng() * 0.4),
    // Windows 365 landed during the year for most tenants that have it.
    Windows365: series(w365, 0.5 + rng() * 0.45, w365 > 0 ? between(rng, 0, 8) : 0),
  };

  // Incentives: MCI engagements for part of the visible tenants (and a few hidden ones).
  const incentives: DemoTenant["incentives"] = [];
  const eligibleWorkloads: string[] = [];
  if (chance(rng, visible ? 0.5 : 0.1)) {
    const count = between(rng, 1, 2);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(rng() * engagements.length));
    for (const i of chosen) {
      const e = engagements[i];
      incentives.push({ engagement: e.engagement, workloads: [...e.workloads], potentialEarnings: between(rng, e.earnings[0], e.earnings[1]) });
      for (const w of e.workloads) if (!eligibleWorkloads.includes(w)) eligibleWorkloads.push(w);
    }
  }

  const eaRenewal = eaPartner ? addMonths(asOfMonth, between(rng, 2, 36)) : "";
  const largestCspRenewal = csp ? renewalMonth : "";
  const tenantRow = [
    tenantId,
    tenantName,
    domain,
    country,
    segment,
    subSegment,
    tpid,
    segment === "SMB" ? tenantName : `${base} ${segment === "Enterprise" ? "Corporation" : "Ltd"}`,
    industry,
    String(employees),
    segment === "SMB" ? String(between(rng, 0, 1500)) : String(between(rng, 500, 250_000)),
    eaRenewal,
    largestCspRenewal,
    cpor ? "Yes" : "No",
    csp ? "Yes" : "No",
    cspTier,
    t2Reseller,
    eaPartner ? "Yes" : "No",
    csp ? pick(rng, partnerCenterIds) : "",
    eligibleWorkloads.join("|"),
  ];
  return { index, archetype, tenantId, tenantRow, subscriptions: lines, usage, incentives };
}

function weightedCountry(rng: Rng): string {
  const total = countries.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [name, weight] of countries) {
    r -= weight;
    if (r < 0) return name;
  }
  return countries[0][0];
}

/** Paid units and active users of one workload in month `m` (0 = oldest of `months`). */
function usageInMonth(s: UsageSeries, m: number, months: number, noise: number): { pau: number; mau: number } {
  const last = months - 1;
  if (s.pau === 0 || (m < s.startsAt && m !== last)) return { pau: 0, mau: 0 };
  if (m === last) return { pau: s.pau, mau: Math.min(s.pau, Math.round(s.pau * s.utilization)) };
  const back = (last - m) / Math.max(1, last);
  const pau = Math.max(1, Math.round(s.pau * (1 - s.growth * back)));
  const util = Math.min(1, Math.max(0, s.utilization - s.trend * back + noise));
  return { pau, mau: Math.min(pau, Math.round(pau * util)) };
}

// ---- CSV ------------------------------------------------------------------------------------

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvLine(fields: readonly (string | number)[]): string {
  return fields.map((f) => csvField(String(f))).join(",") + "\n";
}

function linesFor(dataset: DatasetName, t: DemoTenant, seed: number, months: number, asOfMonth: string): string {
  switch (dataset) {
    case "tenants":
      return csvLine(t.tenantRow);
    case "subscriptions":
      return t.subscriptions
        .map((s) => csvLine([t.tenantId, s.sku, s.product, s.quantity, s.paidUnits, s.status, s.startDate, s.endDate, s.source]))
        .join("");
    case "usage": {
      const noise = mulberry32(mix(seed, t.index, 3));
      let out = "";
      for (let m = 0; m < months; m++) {
        const month = addMonths(asOfMonth, m - (months - 1));
        for (const workload of demoWorkloads) {
          const { pau, mau } = usageInMonth(t.usage[workload], m, months, (noise() - 0.5) * 0.06);
          out += `${t.tenantId},${month},${workload},${pau},${mau}\n`;
        }
      }
      return out;
    }
    case "incentives":
      return t.incentives.map((i) => csvLine([t.tenantId, i.engagement, i.workloads.join("|"), i.potentialEarnings])).join("");
  }
}

function resolve(options: DemoPartnerOptions) {
  const tenants = options.tenants ?? 400;
  const months = options.months ?? 12;
  const seed = options.seed ?? 2024;
  const asOfMonth = options.asOfMonth ?? lastCompleteMonth();
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(asOfMonth)) throw new Error(`asOfMonth "${asOfMonth}" must be YYYY-MM`);
  if (!Number.isInteger(tenants) || tenants < 1) throw new Error("tenants must be a positive whole number");
  if (!Number.isInteger(months) || months < 1) throw new Error("months must be a positive whole number");
  return { tenants, months, seed, asOfMonth };
}

/** One dataset's CSV as text chunks (header first, then `tenantsPerChunk` tenants per chunk). */
export function* demoDatasetChunks(dataset: DatasetName, options: DemoPartnerOptions = {}, tenantsPerChunk = 250): Generator<string> {
  const { tenants, months, seed, asOfMonth } = resolve(options);
  yield `${headers[dataset]}\n`;
  let chunk = "";
  for (let i = 0; i < tenants; i++) {
    chunk += linesFor(dataset, demoTenant(seed, i, tenants, asOfMonth), seed, months, asOfMonth);
    if ((i + 1) % tenantsPerChunk === 0) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

/** One dataset's CSV as a byte stream, e.g. to upload a large drop without building it in memory. */
export function demoDatasetStream(dataset: DatasetName, options: DemoPartnerOptions = {}): Readable {
  return Readable.from((function* () {
    for (const chunk of demoDatasetChunks(dataset, options)) yield Buffer.from(chunk, "utf8");
  })());
}

/** The demo partner's four CSV files as text. */
export function generateDemoPartner(options: DemoPartnerOptions = {}): DemoPartnerFiles {
  const files = {} as DemoPartnerFiles;
  for (const dataset of demoDatasets) files[dataset] = [...demoDatasetChunks(dataset, options)].join("");
  return files;
}

/** The profile each tenant was generated from (tests compare it with what a refresh finds). */
export function demoTenantArchetypes(options: DemoPartnerOptions = {}): Map<string, DemoArchetype> {
  const { tenants, seed, asOfMonth } = resolve(options);
  const out = new Map<string, DemoArchetype>();
  for (let i = 0; i < tenants; i++) {
    const t = demoTenant(seed, i, tenants, asOfMonth);
    out.set(t.tenantId, t.archetype);
  }
  return out;
}
