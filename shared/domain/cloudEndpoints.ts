import { hasCompliantAssociation, renewalDates } from "./associations.js";
import type { IncentivesDoc, SubscriptionItem, SubscriptionsDoc, TenantDoc, UsageDoc } from "./documents.js";
import {
  salesMotions,
  type CloudEndpointsRow,
  type CloudEndpointsSummary,
  type SalesMotion,
} from "./results.js";
import { lookupSku } from "./skuCatalog.js";

// The Cloud Endpoints (Windows 365) tab: PRODUCT.md section 3 and seed 002. Pure functions.
//
// Decisions (PRODUCT.md "Decisions" list, plus those the brief left to us):
// - Seats are paid units (paidUnits, else quantity) of active subscriptions: status Active or Warning
//   (Warning is the grace period of a live subscription) or no status; Trial, Expired, Disabled excluded.
//   Only the tenant's current subscription snapshot counts (see currentSubscriptionItems).
// - Usage figures (W365, Intune, Entra ID PAU and MAU) are the tenant's latest month in its usage data;
//   a workload absent from that month counts as 0 PAU / 0 MAU, so no Intune usage is 0 % Intune.
// - Utilisation = MAU / PAU capped at 100 %; 0 when PAU is 0.
// - Whitespace = eligible seats − W365 PAU, never below 0 (PAU above the eligible seats is no negative room).
// - Visible when: a compliant association (associations.ts) AND (Enterprise with > 150 Microsoft 365
//   licences, or SME&C with > 25) AND > 100 eligible seats. SMB tenants and tenants without a segment are
//   therefore never visible. Microsoft 365 licences = paid seats of Microsoft 365 / Office 365 suite SKUs.
// - Sales motion precedence: Nurture Intune (Intune ≤ 20 %), Low Whitespace (< 500 eligible),
//   Flex (W365 PAU > 0, F3 seats > 0, frontline industry), Expand (W365 PAU > 0), Land; Mature is > 250 W365 PAU.
// - Windows PAU = paid seats of active subscriptions that include Windows Enterprise (skuCatalog `windows`).
// - Intune / W365 CPOR eligibility: the tenant has paid units of that workload (PAU > 0 in the latest
//   month) and the partner holds no CPOR claim on the tenant yet, so a claim can still be made.
// - MCI eligibility = the tenant's MCI-eligible workloads plus the workloads of its MCI engagements;
//   incentive eligible = at least one of those or at least one engagement.
// - Potential earnings: an engagement listed several times for one tenant (e.g. once per workload)
//   counts once (its largest estimate); a tenant's earnings are the sum over its distinct engagements
//   and the KPI is the sum over tenants.
// - Seat penetration (Σ W365 PAU / Σ eligible seats) is not capped: W365 bought without an eligible suite
//   can take it above 100 %, and the tile should show that rather than hide it. Seat whitespace is the sum
//   of the tenants' (floored) whitespace.
// - Charts: segments Enterprise and SME&C (the only visible ones) and all seven motions are always present,
//   with zeros; renewal periods ascending; workshops by potential earnings, largest first.

export const cloudEndpointsThresholds = {
  /** Visible only with more than this many W365-eligible seats. */
  minEligibleSeatsExclusive: 100,
  /** Enterprise tenants need more than this many Microsoft 365 licences. */
  enterpriseMinM365Exclusive: 150,
  /** SME&C tenants need more than this many Microsoft 365 licences. */
  smecMinM365Exclusive: 25,
  /** Intune utilisation at or below this is Nurture Intune. */
  nurtureIntuneMaxInclusive: 0.2,
  /** High-propensity motions need at least this many eligible seats; fewer is Low Whitespace. */
  highPropensityMinEligibleSeats: 500,
  /** Mature means more than this many W365 PAU. */
  matureMinW365PauExclusive: 250,
} as const;

const t = cloudEndpointsThresholds;

// ---- licences ---------------------------------------------------------------------------

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
export function currentSubscriptionItems(
  doc: Pick<SubscriptionsDoc, "snapshots"> | undefined,
  datasetAsOf?: string,
): SubscriptionItem[] {
  const newest = doc?.snapshots[0];
  if (!newest) return [];
  if (datasetAsOf !== undefined && newest.asOf < datasetAsOf) return [];
  return newest.items;
}

// ---- usage ------------------------------------------------------------------------------

export interface WorkloadFigures {
  pau: number;
  mau: number;
}

export interface UsageFigures {
  /** The tenant's latest month (YYYY-MM), undefined without usage data. */
  month?: string;
  windows365: WorkloadFigures;
  intune: WorkloadFigures;
  entraId: WorkloadFigures;
}

type TrackedWorkload = "windows365" | "intune" | "entraId";

// Canonical names first; a few spellings partners use are accepted too (compared without case or punctuation).
const workloadAliases: Record<string, TrackedWorkload> = {
  windows365: "windows365",
  w365: "windows365",
  cloudpc: "windows365",
  intune: "intune",
  microsoftintune: "intune",
  entraid: "entraId",
  microsoftentraid: "entraId",
  azuread: "entraId",
  aad: "entraId",
  azureactivedirectory: "entraId",
};
const canonicalWorkloadNames: Record<TrackedWorkload, string> = {
  windows365: "Windows365",
  intune: "Intune",
  entraId: "EntraID",
};

const monthPattern = /^\d{4}-\d{2}$/;

/** The latest YYYY-MM key of a usage document's months, undefined when there is none. */
export function latestMonth(months: Record<string, unknown>): string | undefined {
  let month: string | undefined;
  for (const key of Object.keys(months)) {
    if (monthPattern.test(key) && (month === undefined || key > month)) month = key;
  }
  return month;
}

export function latestUsage(usage: Pick<UsageDoc, "months"> | undefined): UsageFigures {
  const figures: UsageFigures = {
    windows365: { pau: 0, mau: 0 },
    intune: { pau: 0, mau: 0 },
    entraId: { pau: 0, mau: 0 },
  };
  if (!usage) return figures;
  const month = latestMonth(usage.months);
  if (month === undefined) return figures;
  figures.month = month;
  const seen = new Set<TrackedWorkload>();
  const entries = Object.entries(usage.months[month]);
  // Exact canonical names win over aliases, so a file with both never double counts.
  entries.sort(([a], [b]) => Number(isCanonical(b)) - Number(isCanonical(a)));
  for (const [name, value] of entries) {
    const workload = workloadAliases[name.toLowerCase().replace(/[^a-z0-9]/g, "")];
    if (!workload || seen.has(workload)) continue;
    seen.add(workload);
    figures[workload] = { pau: value.assignedUsers, mau: value.activeUsers };
  }
  return figures;
}

function isCanonical(name: string): boolean {
  return Object.values(canonicalWorkloadNames).includes(name);
}

/** MAU / PAU capped at 1; 0 when there are no paid units. */
export function utilization({ pau, mau }: WorkloadFigures): number {
  if (pau <= 0) return 0;
  return Math.min(1, mau / pau);
}

// ---- incentives -------------------------------------------------------------------------

export interface Engagement {
  engagement: string;
  workloads: string[];
  potentialEarnings: number;
}

/**
 * The tenant's MCI engagements, each once: an engagement spanning several workloads may be listed
 * once per workload, and its estimate must not be summed across them.
 */
export function distinctEngagements(
  incentives: Pick<IncentivesDoc, "engagements" | "asOf"> | undefined,
  datasetAsOf?: string,
): Engagement[] {
  if (!incentives) return [];
  if (datasetAsOf !== undefined && incentives.asOf < datasetAsOf) return [];
  const byName = new Map<string, Engagement>();
  for (const e of incentives.engagements) {
    const name = e.engagement.trim();
    const key = name.toLowerCase();
    const seen = byName.get(key);
    if (!seen) {
      byName.set(key, { engagement: name, workloads: [...e.workloads], potentialEarnings: e.potentialEarnings });
      continue;
    }
    for (const w of e.workloads) if (!seen.workloads.includes(w)) seen.workloads.push(w);
    seen.potentialEarnings = Math.max(seen.potentialEarnings, e.potentialEarnings);
  }
  return [...byName.values()];
}

// ---- visibility and sales motion ----------------------------------------------------------

export function meetsLicenceThresholds(segment: string | undefined, microsoft365Licenses: number): boolean {
  if (segment === "Enterprise") return microsoft365Licenses > t.enterpriseMinM365Exclusive;
  if (segment === "SME&C") return microsoft365Licenses > t.smecMinM365Exclusive;
  return false;
}

function normalizeIndustry(s: string): string {
  return s.trim().toLowerCase().replace(/&/g, "and").replace(/\s+/g, " ");
}

export function isFrontlineIndustry(industry: string | undefined, frontlineIndustries: readonly string[]): boolean {
  if (!industry) return false;
  const wanted = normalizeIndustry(industry);
  return frontlineIndustries.some((i) => normalizeIndustry(i) === wanted);
}

export interface MotionInputs {
  intuneUtilization: number;
  w365EligibleSeats: number;
  w365Pau: number;
  f3Seats: number;
  industry?: string;
}

export function salesMotion(m: MotionInputs, frontlineIndustries: readonly string[]): SalesMotion {
  if (m.intuneUtilization <= t.nurtureIntuneMaxInclusive) return "Nurture Intune";
  if (m.w365EligibleSeats < t.highPropensityMinEligibleSeats) return "Low Whitespace";
  const mature = m.w365Pau > t.matureMinW365PauExclusive;
  if (m.w365Pau > 0 && m.f3Seats > 0 && isFrontlineIndustry(m.industry, frontlineIndustries)) {
    return mature ? "Expand to Frontline (Flex) - Mature" : "Expand to Frontline (Flex)";
  }
  if (m.w365Pau > 0) return mature ? "Expand W365 - Mature" : "Expand W365";
  return "Land W365";
}

// ---- rows ---------------------------------------------------------------------------------

export interface CloudEndpointsContext {
  frontlineIndustries: readonly string[];
  /** The partner's name, shown in the Partner Name column. */
  partnerName?: string;
}

/** One tenant's data reduced to what the tab needs (what a refresh keeps in memory per tenant). */
export interface TenantFacts {
  tenant: TenantDoc;
  licences: LicenceCounts;
  usage: UsageFigures;
  engagements: Engagement[];
}

/** The tenant's row, or undefined when the tenant is not visible on the tab. */
export function buildCloudEndpointsRow(facts: TenantFacts, ctx: CloudEndpointsContext): CloudEndpointsRow | undefined {
  const { tenant, licences, usage, engagements } = facts;
  if (!hasCompliantAssociation(tenant)) return undefined;
  if (!meetsLicenceThresholds(tenant.segment, licences.microsoft365Licenses)) return undefined;
  if (licences.w365EligibleSeats <= t.minEligibleSeatsExclusive) return undefined;

  const intuneUtilization = utilization(usage.intune);
  const w365Pau = usage.windows365.pau;
  const motion = salesMotion(
    {
      intuneUtilization,
      w365EligibleSeats: licences.w365EligibleSeats,
      w365Pau,
      f3Seats: licences.f3Seats,
      industry: tenant.industry,
    },
    ctx.frontlineIndustries,
  );
  const mciEligibility = unique([
    ...(tenant.mciEligibleWorkloads ?? []),
    ...engagements.flatMap((e) => e.workloads),
  ]);
  const noCporClaim = tenant.cporAssociation !== true;
  const renewals = renewalDates(tenant);

  return {
    tenantId: tenant.tenantId,
    tenantName: tenant.tenantName,
    tenantDomain: tenant.domain,
    tenantCountryRegion: tenant.countryRegion,
    tenantSegment: tenant.segment,
    tpid: tenant.tpid,
    customerName: tenant.customerName,
    eaRenewal: renewals.eaRenewal,
    largestSeatCspRenewal: renewals.largestSeatCspRenewal,
    renewalPeriod: renewals.renewalPeriod,
    w365EligibleSeats: licences.w365EligibleSeats,
    w365Whitespace: Math.max(0, licences.w365EligibleSeats - w365Pau),
    salesMotion: motion,
    w365Pau,
    w365Mau: usage.windows365.mau,
    w365Utilization: utilization(usage.windows365),
    intuneMau: usage.intune.mau,
    intuneUtilization,
    entraIdMau: usage.entraId.mau,
    entraIdUtilization: utilization(usage.entraId),
    mciEligibility,
    incentiveEligible: mciEligibility.length > 0 || engagements.length > 0,
    intuneCporEligibility: noCporClaim && usage.intune.pau > 0,
    w365CporEligibility: noCporClaim && w365Pau > 0,
    potentialEarnings: roundMoney(engagements.reduce((sum, e) => sum + e.potentialEarnings, 0)),
    partnerName: ctx.partnerName,
    partnerCenterId: tenant.partnerCenterId,
    cporAssociation: tenant.cporAssociation === true,
    cspAssociation: tenant.cspAssociation === true,
    cspTier: tenant.cspAssociation === true ? tenant.cspTier : undefined,
    t2ResellerName: tenant.cspAssociation === true ? tenant.t2ResellerName : undefined,
    customerSubSegment: tenant.subSegment,
    industry: tenant.industry,
    me5Seats: licences.me5Seats,
    me3Seats: licences.me3Seats,
    f3Seats: licences.f3Seats,
    windowsPau: licences.windowsPau,
    microsoft365Licenses: licences.microsoft365Licenses,
  };
}

/** One tenant's stored documents, as a refresh reads them. */
export interface TenantBundle {
  tenant: TenantDoc;
  subscriptions?: Pick<SubscriptionsDoc, "snapshots">;
  usage?: Pick<UsageDoc, "months">;
  incentives?: Pick<IncentivesDoc, "engagements" | "asOf">;
}

/** Snapshot dates of the partner's newest drop per dataset (partner.datasets[*].asOf). */
export interface DatasetAsOf {
  subscriptions?: string;
  incentives?: string;
}

export function tenantFacts(bundle: TenantBundle, asOf: DatasetAsOf = {}): TenantFacts {
  return {
    tenant: bundle.tenant,
    licences: countLicences(currentSubscriptionItems(bundle.subscriptions, asOf.subscriptions)),
    usage: latestUsage(bundle.usage),
    engagements: distinctEngagements(bundle.incentives, asOf.incentives),
  };
}

/** The tenant's row from its documents, or undefined when it is not visible. */
export function cloudEndpointsRow(
  bundle: TenantBundle,
  ctx: CloudEndpointsContext,
  asOf: DatasetAsOf = {},
): CloudEndpointsRow | undefined {
  return buildCloudEndpointsRow(tenantFacts(bundle, asOf), ctx);
}

/** Lower-case text the keyword search matches: tenant name, domain, id, customer name and TPID. */
export function searchText(row: CloudEndpointsRow): string {
  return [row.tenantName, row.tenantDomain, row.tenantId, row.customerName, row.tpid]
    .filter((s): s is string => Boolean(s))
    .join(" ")
    .toLowerCase();
}

// ---- summary: KPI tiles and charts ----------------------------------------------------------

export interface SummaryInput {
  row: CloudEndpointsRow;
  /** The tenant's distinct engagements (for potential earnings by workshop). */
  engagements: readonly Engagement[];
}

const chartSegments = ["Enterprise", "SME&C"];

/** Accumulates the summary one visible tenant at a time, so a refresh never holds all rows for it. */
export function createSummaryAccumulator() {
  let tenants = 0;
  let eligible = 0;
  let pau = 0;
  let whitespace = 0;
  let incentiveEligible = 0;
  let earnings = 0;
  let withPau = 0;
  const motions = new Map<string, number>(salesMotions.map((m) => [m, 0]));
  const segments = new Map<string, number>(chartSegments.map((s) => [s, 0]));
  const renewals = new Map<string, number>();
  const workshops = new Map<string, { label: string; value: number }>();

  return {
    add({ row, engagements }: SummaryInput): void {
      tenants += 1;
      eligible += row.w365EligibleSeats;
      pau += row.w365Pau;
      whitespace += row.w365Whitespace;
      if (row.incentiveEligible) incentiveEligible += 1;
      earnings += row.potentialEarnings;
      if (row.w365Pau > 0) withPau += 1;
      motions.set(row.salesMotion, (motions.get(row.salesMotion) ?? 0) + 1);
      const segment = row.tenantSegment ?? "Unknown";
      segments.set(segment, (segments.get(segment) ?? 0) + 1);
      if (row.renewalPeriod) renewals.set(row.renewalPeriod, (renewals.get(row.renewalPeriod) ?? 0) + 1);
      for (const e of engagements) {
        // One bar per workshop however tenants' files spell its case; the first spelling seen is the label.
        const key = e.engagement.toLowerCase();
        const bar = workshops.get(key);
        if (bar) bar.value += e.potentialEarnings;
        else workshops.set(key, { label: e.engagement, value: e.potentialEarnings });
      }
    },
    result(): CloudEndpointsSummary {
      return {
        kpis: {
          tenants,
          w365SeatPenetration: eligible > 0 ? pau / eligible : 0,
          w365SeatWhitespace: whitespace,
          w365EligibleSeats: eligible,
          w365Pau: pau,
          salesMotions: Object.fromEntries(motions),
          incentiveEligibleTenants: incentiveEligible,
          potentialEarnings: roundMoney(earnings),
        },
        charts: {
          tenantsBySegment: [...segments].map(([label, count]) => ({ label, count })),
          w365TenantPenetration: { withW365Pau: withPau, withoutW365Pau: tenants - withPau },
          tenantsBySalesMotion: [...motions].map(([label, count]) => ({ label, count })),
          tenantsByRenewalPeriod: [...renewals]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([label, count]) => ({ label, count })),
          potentialEarningsByWorkshop: [...workshops.values()]
            .map(({ label, value }) => ({ label, potentialEarnings: roundMoney(value) }))
            .sort((a, b) => b.potentialEarnings - a.potentialEarnings || (a.label < b.label ? -1 : 1)),
        },
      };
    },
  };
}

export function summarizeCloudEndpoints(entries: Iterable<SummaryInput>): CloudEndpointsSummary {
  const acc = createSummaryAccumulator();
  for (const entry of entries) acc.add(entry);
  return acc.result();
}

function unique(values: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    const key = v.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}

function roundMoney(n: number): number {
  return Math.round(n * 100) / 100;
}
