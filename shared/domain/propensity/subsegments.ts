import type { TenantRow } from "../datasets.js";

// SMB subsegments exactly as seed 003 defines them:
//   Upper Medium — 300+ employees, or Azure consumption revenue over $1,000 a month;
//   Medium       — 25 to 300 employees;
//   Very Small   — 1 to 25 employees.
// The seed's ranges share their ends (25, 300); each end belongs to the larger subsegment, as "300+" says
// for 300: 300 is Upper Medium, 299 Medium, 25 Medium, 24 Very Small. $1,000 exactly is not "over $1,000".
// A subSegment given in the tenants file wins. Subsegments divide the SMB segment: they are worked out for
// tenants whose segment is SMB or not given; Enterprise and SME&C tenants have one only when it is given.
// No employee count (or 0) and no qualifying Azure revenue leaves the subsegment unknown.

export const smbSubsegments = ["Upper Medium", "Medium", "Very Small"] as const;
export type SmbSubsegment = (typeof smbSubsegments)[number];

export const subsegmentThresholds = {
  upperMediumMinEmployees: 300,
  mediumMinEmployees: 25,
  verySmallMinEmployees: 1,
  /** Azure consumption revenue per month (USD) above which a tenant is Upper Medium whatever its size. */
  upperMediumAzureMonthlyRevenueAbove: 1000,
} as const;

export type SubsegmentInput = Pick<TenantRow, "segment" | "subSegment" | "employees" | "azureMonthlyRevenue">;

/** Given subsegments in the seed's longer spelling ("Upper Medium business") map to the canonical name. */
function canonicalSubsegment(given: string): string {
  const key = given.trim().toLowerCase().replace(/\s+/g, " ").replace(/ business$/, "");
  return smbSubsegments.find((s) => s.toLowerCase() === key) ?? given.trim();
}

/** The SMB subsegment of a tenant from employees and Azure revenue, or undefined when it cannot be told. */
export function subsegmentFromSize(employees: number | undefined, azureMonthlyRevenue: number | undefined): SmbSubsegment | undefined {
  const t = subsegmentThresholds;
  if ((azureMonthlyRevenue ?? 0) > t.upperMediumAzureMonthlyRevenueAbove) return "Upper Medium";
  if (employees === undefined) return undefined;
  if (employees >= t.upperMediumMinEmployees) return "Upper Medium";
  if (employees >= t.mediumMinEmployees) return "Medium";
  if (employees >= t.verySmallMinEmployees) return "Very Small";
  return undefined;
}

/** Whether a tenant belongs to the SMB segment (SMB, or no segment given). */
export function isSmb(tenant: Pick<TenantRow, "segment">): boolean {
  return tenant.segment === undefined || tenant.segment === "SMB";
}

/** The tenant's subsegment: the given one when present, else from its size for SMB tenants. */
export function subsegmentOf(tenant: SubsegmentInput): string | undefined {
  if (tenant.subSegment !== undefined && tenant.subSegment.trim() !== "") return canonicalSubsegment(tenant.subSegment);
  if (!isSmb(tenant)) return undefined;
  return subsegmentFromSize(tenant.employees, tenant.azureMonthlyRevenue);
}
