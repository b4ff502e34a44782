import { z } from "zod";
import { blankable, guid, isoDate, optionalCount, requiredColumns } from "../datasets.js";
import { normalizeDomain } from "./signals.js";

// The two datasets CloudAscent propensity adds (PRODUCT.md section 1 and section 4 "Decisions"):
// `signals` (buying signals) and `installbase` (on-premises products). One parsed CSV row each, in the
// style of datasets.ts; column names are matched case-insensitively by the ingest code.

export const propensityDatasetNames = ["signals", "installbase"] as const;

/** A strength from 0 (barely a signal) to 1 (as strong as it gets). */
const strength = z
  .string()
  .trim()
  .regex(/^(\d+(\.\d*)?|\.\d+)$/, "must be a number from 0 to 1")
  .transform(Number)
  .refine((n) => n <= 1, "must be a number from 0 to 1");

const domain = blankable(
  z
    .string()
    .transform(normalizeDomain)
    .refine((d) => /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}$/.test(d), "must be a domain name such as contoso.com"),
);

export const signalRowSchema = z
  .object({
    tenantId: blankable(guid),
    domain,
    signalType: z.string().trim().min(1, "is required"),
    observedOn: isoDate,
    strength: blankable(strength),
  })
  // A signal names its tenant directly or through the tenant's domain (matched at refresh time).
  .refine((row) => row.tenantId !== undefined || row.domain !== undefined, {
    path: ["tenantId"],
    message: "tenantId or domain is required",
  });
export type SignalRow = z.infer<typeof signalRowSchema>;

export const installBaseRowSchema = z.object({
  tenantId: guid,
  product: z.string().trim().min(1, "is required"),
  version: z.string().trim().min(1, "is required"),
  quantity: optionalCount,
});
export type InstallBaseRow = z.infer<typeof installBaseRowSchema>;

export const propensityRowSchemas = {
  signals: signalRowSchema,
  installbase: installBaseRowSchema,
} as const;

/**
 * Required columns per dataset. A signals file must also have at least one of `signalTenantColumns`
 * (each row then needs a value in one of them).
 */
export const propensityRequiredColumns: Record<(typeof propensityDatasetNames)[number], string[]> = {
  signals: requiredColumns.signals,
  installbase: requiredColumns.installbase,
};
export const signalTenantColumns = ["tenantId", "domain"] as const;
