import { z } from "zod";
import { guidSchema, yearMonthSchema } from "./common.js";

// The CSV datasets a partner drops (PRODUCT.md section 1). Column names are matched
// case-insensitively by the ingest code; these schemas validate one parsed row each.

export const datasetNames = ["tenants", "subscriptions", "usage", "incentives", "deals", "signals", "installbase"] as const;
export const datasetNameSchema = z.enum(datasetNames);
export type DatasetName = z.infer<typeof datasetNameSchema>;

export const guid = z.string().trim().pipe(guidSchema);
/** An optional column: an empty cell is absent; anything else must satisfy `inner`. */
export function blankable<T extends z.ZodType<unknown, string>>(inner: T) {
  return z
    .string()
    .trim()
    .transform((s) => (s === "" ? undefined : s))
    .pipe(inner.optional())
    .optional();
}

export const optionalText = blankable(z.string());
const yearMonth = z.string().trim().pipe(yearMonthSchema);
const optionalYearMonth = blankable(yearMonth);
export const isoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, "must be an ISO 8601 date")
  .refine((s) => !Number.isNaN(Date.parse(s)), "must be a valid date");
const optionalDate = blankable(isoDate);
const count = z
  .string()
  .trim()
  .regex(/^\d+$/, "must be a whole number ≥ 0")
  .transform(Number);
export const optionalCount = blankable(count);
const money = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, "must be a number ≥ 0")
  .transform(Number);
const optionalMoney = blankable(money);
const yesNo = blankable(
  z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(["yes", "no", "true", "false", "y", "n", "1", "0"], { message: "must be Yes or No" }))
    .transform((s) => ["yes", "true", "y", "1"].includes(s)),
);
const pipeList = z
  .string()
  .trim()
  .transform((s) => (s === "" ? [] : s.split("|").map((x) => x.trim()).filter(Boolean)))
  .optional();

export const segments = ["Enterprise", "SME&C", "SMB"] as const;
export const subscriptionStatuses = ["Active", "Trial", "Expired", "Disabled", "Warning"] as const;

function caseInsensitiveEnum<T extends readonly [string, ...string[]]>(values: T, label: string) {
  const canonical = (s: string) => values.find((v) => v.toLowerCase() === s.toLowerCase());
  return blankable(
    z
      .string()
      .refine((s) => canonical(s) !== undefined, `must be one of ${values.join(", ")} (${label})`)
      .transform((s) => canonical(s) as T[number]),
  );
}

export const tenantRowSchema = z.object({
  tenantId: guid,
  tenantName: z.string().trim().min(1, "is required"),
  domain: optionalText,
  countryRegion: optionalText,
  segment: caseInsensitiveEnum(segments, "segment"),
  subSegment: optionalText,
  tpid: optionalText,
  customerName: optionalText,
  industry: optionalText,
  employees: optionalCount,
  azureMonthlyRevenue: optionalMoney,
  eaRenewal: optionalYearMonth,
  largestCspRenewal: optionalYearMonth,
  cporAssociation: yesNo,
  cspAssociation: yesNo,
  cspTier: caseInsensitiveEnum(["Tier1", "Tier2"] as const, "cspTier"),
  t2ResellerName: optionalText,
  eaLicensingPartner: yesNo,
  partnerCenterId: optionalText,
  mciEligibleWorkloads: pipeList,
});
export type TenantRow = z.infer<typeof tenantRowSchema>;

export const subscriptionRowSchema = z.object({
  tenantId: guid,
  sku: z.string().trim().min(1, "is required").transform((s) => s.toUpperCase()),
  quantity: count,
  product: optionalText,
  paidUnits: optionalCount,
  status: caseInsensitiveEnum(subscriptionStatuses, "status"),
  startDate: optionalDate,
  endDate: optionalDate,
  source: caseInsensitiveEnum(["Partner", "Direct"] as const, "source"),
});
export type SubscriptionRow = z.infer<typeof subscriptionRowSchema>;

export const usageRowSchema = z.object({
  tenantId: guid,
  month: yearMonth,
  workload: z.string().trim().min(1, "is required"),
  assignedUsers: count,
  activeUsers: count,
});
export type UsageRow = z.infer<typeof usageRowSchema>;

export const incentiveRowSchema = z.object({
  tenantId: guid,
  engagement: z.string().trim().min(1, "is required"),
  workloads: z
    .string()
    .trim()
    .transform((s) => s.split("|").map((x) => x.trim()).filter(Boolean)),
  potentialEarnings: money,
});
export type IncentiveRow = z.infer<typeof incentiveRowSchema>;

export const datasetRowSchemas = {
  tenants: tenantRowSchema,
  subscriptions: subscriptionRowSchema,
  usage: usageRowSchema,
  incentives: incentiveRowSchema,
} as const;

/** Required columns per dataset, in the product's spelling (matched case-insensitively). */
export const requiredColumns: Record<DatasetName, string[]> = {
  tenants: ["tenantId", "tenantName"],
  subscriptions: ["tenantId", "sku", "quantity"],
  usage: ["tenantId", "month", "workload", "assignedUsers", "activeUsers"],
  incentives: ["tenantId", "engagement", "workloads", "potentialEarnings"],
  // Rows are read by shared/domain/dealScoring/dealRows.ts (other columns become attributes).
  deals: ["dealId", "status", "createdOn"],
  // CloudAscent propensity (row schemas in propensity/rows.ts): a signals file also needs tenantId or domain.
  signals: ["signalType", "observedOn"],
  installbase: ["tenantId", "product", "version"],
};

/** Canonical workload names; other values are kept as given. */
export const workloads = [
  "Exchange",
  "SharePoint",
  "OneDrive",
  "Teams",
  "CoreApps",
  "Intune",
  "EntraID",
  "Windows365",
  "DefenderForOffice",
  "DefenderForBusiness",
  "MFA",
] as const;
