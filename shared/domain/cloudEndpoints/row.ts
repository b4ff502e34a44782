import { z } from "zod";
import { renewalDates } from "../associations.js";
import type { IncentivesDoc, TenantDoc, UsageDoc } from "../documents.js";
import { distinctEngagements, type Engagement } from "./incentives.js";
import { countLicences, currentSubscriptionItems, type LicenceCounts, type SubscriptionHistory } from "./licences.js";
import { salesMotion, salesMotionSchema } from "./salesMotion.js";
import { latestUsage, utilization, type UsageFigures } from "./usage.js";
import { isVisibleOnCloudEndpoints } from "./visibility.js";

// One visible tenant's row.
// - Whitespace = eligible seats - W365 PAU, never below 0 (PAU above the eligible seats is no negative room).
// - Intune / W365 CPOR eligibility: the tenant has paid units of that workload (PAU > 0 in the latest
//   month) and the partner holds no CPOR claim on the tenant yet, so a claim can still be made.
// - MCI eligibility = the tenant's MCI-eligible workloads plus the workloads of its MCI engagements;
//   incentive eligible = at least one of those or at least one engagement.

/** One row of the Cloud Endpoints (Windows 365) tab: a visible tenant. Utilisations are 0..1. */
export const cloudEndpointsRowSchema = z.object({
  tenantId: z.string(),
  tenantName: z.string(),
  tenantDomain: z.string().optional(),
  tenantCountryRegion: z.string().optional(),
  tenantSegment: z.string().optional(),
  tpid: z.string().optional(),
  customerName: z.string().optional(),
  eaRenewal: z.string().optional(),
  largestSeatCspRenewal: z.string().optional(),
  /** EA renewal, else largest-seat CSP renewal; absent for tenants reached only by a non-transacting association. */
  renewalPeriod: z.string().optional(),
  w365EligibleSeats: z.number(),
  w365Whitespace: z.number(),
  salesMotion: salesMotionSchema,
  w365Pau: z.number(),
  w365Mau: z.number(),
  w365Utilization: z.number(),
  intuneMau: z.number(),
  intuneUtilization: z.number(),
  entraIdMau: z.number(),
  entraIdUtilization: z.number(),
  mciEligibility: z.array(z.string()),
  incentiveEligible: z.boolean(),
  intuneCporEligibility: z.boolean(),
  w365CporEligibility: z.boolean(),
  potentialEarnings: z.number(),
  partnerName: z.string().optional(),
  partnerCenterId: z.string().optional(),
  cporAssociation: z.boolean(),
  cspAssociation: z.boolean(),
  cspTier: z.string().optional(),
  t2ResellerName: z.string().optional(),
  // Hidden columns
  customerSubSegment: z.string().optional(),
  industry: z.string().optional(),
  me5Seats: z.number(),
  me3Seats: z.number(),
  f3Seats: z.number(),
  windowsPau: z.number(),
  microsoft365Licenses: z.number(),
});
export type CloudEndpointsRow = z.infer<typeof cloudEndpointsRowSchema>;

/** Columns shown by default, then hidden ones, in the seed's order: used by the list and the CSV export. */
export const cloudEndpointsColumns: { key: keyof CloudEndpointsRow; header: string; hidden?: boolean }[] = [
  { key: "tenantName", header: "Tenant Name" },
  { key: "tenantId", header: "Tenant ID" },
  { key: "tenantDomain", header: "Tenant Domain" },
  { key: "tenantCountryRegion", header: "Tenant Country/Region" },
  { key: "tenantSegment", header: "Tenant Segment" },
  { key: "tpid", header: "TPID" },
  { key: "customerName", header: "Customer Name" },
  { key: "eaRenewal", header: "EA Renewal" },
  { key: "largestSeatCspRenewal", header: "Largest Seat CSP Renewal" },
  { key: "w365EligibleSeats", header: "W365 Eligible Seats" },
  { key: "w365Whitespace", header: "W365 Whitespace" },
  { key: "salesMotion", header: "Sales Motion" },
  { key: "w365Pau", header: "W365 PAU" },
  { key: "w365Mau", header: "W365 MAU" },
  { key: "w365Utilization", header: "W365 Utilization" },
  { key: "intuneMau", header: "Intune MAU" },
  { key: "intuneUtilization", header: "Intune Utilization" },
  { key: "entraIdMau", header: "Entra ID MAU" },
  { key: "entraIdUtilization", header: "Entra ID Utilization" },
  { key: "mciEligibility", header: "MCI Eligibility" },
  { key: "intuneCporEligibility", header: "Intune CPOR Eligibility" },
  { key: "w365CporEligibility", header: "W365 CPOR Eligibility" },
  { key: "potentialEarnings", header: "Potential Earnings" },
  { key: "partnerName", header: "Partner Name" },
  { key: "partnerCenterId", header: "Partner Center ID (MPN)" },
  { key: "cporAssociation", header: "CPOR Association" },
  { key: "cspAssociation", header: "CSP Association" },
  { key: "cspTier", header: "CSP Tier" },
  { key: "t2ResellerName", header: "T2 Reseller Name" },
  { key: "customerSubSegment", header: "Customer Sub-Segment", hidden: true },
  { key: "industry", header: "Industry/Vertical", hidden: true },
  { key: "me5Seats", header: "ME5 Seats", hidden: true },
  { key: "me3Seats", header: "ME3 Seats", hidden: true },
  { key: "f3Seats", header: "F3 Seats", hidden: true },
  { key: "windowsPau", header: "Windows PAU", hidden: true },
];

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
  if (!isVisibleOnCloudEndpoints(tenant, licences)) return undefined;

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
  subscriptions?: SubscriptionHistory;
  usage?: Pick<UsageDoc, "months">;
  incentives?: Pick<IncentivesDoc, "engagements"> & { asOf?: string };
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

export function roundMoney(n: number): number {
  return Math.round(n * 100) / 100;
}
