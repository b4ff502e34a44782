import { z } from "zod";

// What a refresh produces (results container) and what the HTTP routes serve.
// A refresh writes a whole result set (all documents carry its resultSetId), then switches
// the partner's pointer (id "current") in one conditional write.

export const salesMotions = [
  "Land W365",
  "Expand W365",
  "Expand to Frontline (Flex)",
  "Expand W365 - Mature",
  "Expand to Frontline (Flex) - Mature",
  "Low Whitespace",
  "Nurture Intune",
] as const;
export const salesMotionSchema = z.enum(salesMotions);
export type SalesMotion = z.infer<typeof salesMotionSchema>;

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

export const cloudEndpointsRowDocSchema = cloudEndpointsRowSchema.extend({
  /** "ce:{resultSetId}:{tenantId}" */
  id: z.string(),
  partnerId: z.string(),
  type: z.literal("ceRow"),
  resultSetId: z.string(),
  /** Lower-case tenant name, domain, id and customer name, for keyword search. */
  searchText: z.string(),
});
export type CloudEndpointsRowDoc = z.infer<typeof cloudEndpointsRowDocSchema>;

const countByLabel = z.array(z.object({ label: z.string(), count: z.number() }));

export const cloudEndpointsSummarySchema = z.object({
  kpis: z.object({
    tenants: z.number(),
    w365SeatPenetration: z.number(),
    w365SeatWhitespace: z.number(),
    w365EligibleSeats: z.number(),
    w365Pau: z.number(),
    salesMotions: z.record(z.string(), z.number()),
    incentiveEligibleTenants: z.number(),
    potentialEarnings: z.number(),
  }),
  charts: z.object({
    tenantsBySegment: countByLabel,
    w365TenantPenetration: z.object({ withW365Pau: z.number(), withoutW365Pau: z.number() }),
    tenantsBySalesMotion: countByLabel,
    tenantsByRenewalPeriod: countByLabel,
    potentialEarningsByWorkshop: z.array(z.object({ label: z.string(), potentialEarnings: z.number() })),
  }),
});
export type CloudEndpointsSummary = z.infer<typeof cloudEndpointsSummarySchema>;

export const cloudEndpointsSummaryDocSchema = cloudEndpointsSummarySchema.extend({
  /** "ceSummary:{resultSetId}" */
  id: z.string(),
  partnerId: z.string(),
  type: z.literal("ceSummary"),
  resultSetId: z.string(),
});
export type CloudEndpointsSummaryDoc = z.infer<typeof cloudEndpointsSummaryDocSchema>;

export const resultPointerDocSchema = z.object({
  id: z.literal("current"),
  partnerId: z.string(),
  type: z.literal("pointer"),
  resultSetId: z.string(),
  previousResultSetId: z.string().optional(),
  refreshedAt: z.string(),
  dataVersion: z.string().optional(),
  /** Data as of: the snapshot dates the refresh used, per dataset. */
  asOf: z.record(z.string(), z.string()).default({}),
});
export type ResultPointerDoc = z.infer<typeof resultPointerDocSchema>;

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
