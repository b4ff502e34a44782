import { z } from "zod";
import { segments } from "../domain/datasets.js";
import type { PartnerDoc } from "../domain/documents.js";
import {
  cloudEndpointsColumns,
  cloudEndpointsRowSchema,
  salesMotions,
  type CloudEndpointsRow,
  type ResultPointerDoc,
} from "../domain/results.js";

// Query strings of the Cloud Endpoints routes: the single source for validation and the OpenAPI document.

const yearMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: "must be a month YYYY-MM" });

/** Columns a list or export may be sorted by (a whitelist: only these reach ORDER BY). */
export const sortableColumns = [
  "tenantName",
  "tenantId",
  "tenantSegment",
  "customerName",
  "eaRenewal",
  "renewalPeriod",
  "w365EligibleSeats",
  "w365Whitespace",
  "salesMotion",
  "w365Pau",
  "w365Mau",
  "w365Utilization",
  "intuneMau",
  "intuneUtilization",
  "entraIdMau",
  "entraIdUtilization",
  "potentialEarnings",
] as const satisfies readonly (keyof CloudEndpointsRow)[];
export type SortColumn = (typeof sortableColumns)[number];

/** Sort columns a row may lack; rows without a value come last in either order. */
export const optionalSortColumns: ReadonlySet<SortColumn> = new Set(["tenantSegment", "customerName", "eaRenewal", "renewalPeriod"]);
const textSortColumns: ReadonlySet<SortColumn> = new Set([
  "tenantName", "tenantId", "tenantSegment", "customerName", "eaRenewal", "renewalPeriod", "salesMotion",
]);

/** Text columns sort A→Z by default, numbers largest first. */
export function defaultOrder(sort: SortColumn): "asc" | "desc" {
  return textSortColumns.has(sort) ? "asc" : "desc";
}

export const maxPageSize = 500;
export const defaultPageSize = 50;
export const maxSearchLength = 100;

const filterShape = {
  salesMotion: z
    .array(z.enum(salesMotions, { error: `must be one of: ${salesMotions.join(", ")}` }))
    .optional()
    .meta({ description: "Sales motions to include (repeat the parameter or give a comma-separated list)." }),
  segment: z
    .array(z.enum(segments, { error: `must be one of: ${segments.join(", ")}` }))
    .optional()
    .meta({ description: "Tenant segments to include (repeatable or comma-separated)." }),
  renewalPeriod: yearMonth.optional().meta({ description: "Renewal month (EA renewal, else largest-seat CSP renewal), YYYY-MM." }),
  renewalFrom: yearMonth.optional().meta({ description: "First renewal month of a range, YYYY-MM (inclusive)." }),
  renewalTo: yearMonth.optional().meta({ description: "Last renewal month of a range, YYYY-MM (inclusive)." }),
  incentiveEligible: z
    .enum(["true", "false"], { error: "must be true or false" })
    .transform((v) => v === "true")
    .optional()
    .meta({ description: "Only tenants that are (true) or are not (false) eligible for MCI incentives." }),
  search: z
    .string()
    .max(maxSearchLength, { error: `must be at most ${maxSearchLength} characters` })
    .transform((v) => v.trim().toLowerCase())
    .optional()
    .meta({ description: "Keyword, case-insensitive, matched in tenant name, domain, id and customer name." }),
  sort: z
    .enum(sortableColumns, { error: `must be one of: ${sortableColumns.join(", ")}` })
    .default("tenantName")
    .meta({ description: "Column to sort by." }),
  order: z
    .enum(["asc", "desc"], { error: "must be asc or desc" })
    .optional()
    .meta({ description: "Sort direction; default asc for text columns, desc for numbers. Rows without a value come last." }),
  columns: z
    .enum(["default", "all"], { error: "must be default or all" })
    .default("default")
    .meta({ description: "all adds the hidden columns (sub-segment, industry, ME5/ME3/F3 seats, Windows PAU)." }),
};

function checkRenewalRange(
  v: { renewalPeriod?: string; renewalFrom?: string; renewalTo?: string },
  ctx: z.core.$RefinementCtx,
): void {
  if (v.renewalPeriod !== undefined && (v.renewalFrom !== undefined || v.renewalTo !== undefined)) {
    ctx.addIssue({ code: "custom", path: ["renewalPeriod"], message: "cannot be combined with renewalFrom or renewalTo" });
  }
  if (v.renewalFrom !== undefined && v.renewalTo !== undefined && v.renewalFrom > v.renewalTo) {
    ctx.addIssue({ code: "custom", path: ["renewalTo"], message: "must not be before renewalFrom" });
  }
}

/** GET cloud-endpoints/export: the filtered view, every row (no paging). */
export const cloudEndpointsExportQuerySchema = z.strictObject(filterShape).superRefine(checkRenewalRange);

/** GET cloud-endpoints. */
export const cloudEndpointsListQuerySchema = z
  .strictObject({
    ...filterShape,
    pageSize: z.coerce
      .number({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(1, { error: "must be at least 1" })
      .max(maxPageSize, { error: `must be at most ${maxPageSize}` })
      .default(defaultPageSize)
      .meta({ description: `Rows per page (default ${defaultPageSize}, at most ${maxPageSize}).` }),
    continuationToken: z
      .string()
      .min(1, { error: "must not be empty" })
      .max(4096, { error: "is too long" })
      .optional()
      .meta({ description: "Opaque token from the previous page; valid only with the same filters, sort and result set." }),
  })
  .superRefine(checkRenewalRange);

export type CloudEndpointsListQuery = z.output<typeof cloudEndpointsListQuerySchema>;
export type CloudEndpointsExportQuery = z.output<typeof cloudEndpointsExportQuerySchema>;
export type CloudEndpointsFilter = CloudEndpointsExportQuery;

/** Parameters that may be repeated or given as comma lists. */
export const repeatableParameters = ["salesMotion", "segment"] as const;

/** GET cloud-endpoints/summary takes no parameters. */
export const emptyQuerySchema = z.strictObject({});

const guidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const tenantIdParamsSchema = z.strictObject({
  tenantId: z
    .string()
    .regex(guidPattern, { error: "must be a GUID" })
    .transform((v) => v.toLowerCase())
    .meta({ description: "The customer tenant id (GUID)." }),
});

// ---- response shapes (documented in OpenAPI; rows are the domain schema) --------------------------

const hiddenKeys = new Set<string>([...cloudEndpointsColumns.filter((c) => c.hidden).map((c) => c.key), "microsoft365Licenses"]);


/** A stored row as the API shows it: validated, without storage fields, hidden columns only on request. */
export function toApiRow(doc: unknown, columns: "default" | "all"): Partial<CloudEndpointsRow> {
  const row = cloudEndpointsRowSchema.parse(doc);
  if (columns === "all") return row;
  return Object.fromEntries(Object.entries(row).filter(([k]) => !hiddenKeys.has(k))) as Partial<CloudEndpointsRow>;
}

export const resultStatusSchema = z.enum(["ready", "notRefreshedYet"]).meta({
  description: "notRefreshedYet: the partner's data has not been refreshed yet; lists are empty and figures zero.",
});

/** Whether the results lag behind the partner's data because refreshes fail (list and summary responses). */
export const refreshStatusShape = {
  stale: z.boolean().optional().meta({
    description:
      "true: your data is newer than these results and refreshing it has failed (see refreshFailure); the service " +
      "keeps retrying. false otherwise. Absent when the refresh status could not be read.",
  }),
  refreshFailure: z
    .object({
      lastFailedAt: z.string().meta({ description: "When the latest refresh attempt failed (ISO 8601, UTC)." }),
      reference: z.string().meta({ description: "Reference of the failed attempt, for support." }),
    })
    .optional()
    .meta({ description: "Present when stale is true." }),
};
export type RefreshStatus = { stale: boolean; refreshFailure?: { lastFailedAt: string; reference: string } };

/**
 * Stale when the partner's data is newer than what the current results were computed from and a refresh
 * failure is recorded. A data change still being refreshed normally is not stale, nor is a failure whose
 * data a later refresh covered.
 */
export function refreshStatus(
  partner: Pick<PartnerDoc, "dataVersion" | "refreshFailure"> | undefined,
  pointer: Pick<ResultPointerDoc, "dataVersion"> | undefined,
): RefreshStatus {
  const dataVersion = partner?.dataVersion;
  const newerData = dataVersion !== undefined && (pointer?.dataVersion === undefined || pointer.dataVersion < dataVersion);
  const failure = partner?.refreshFailure;
  if (!newerData || !failure) return { stale: false };
  return { stale: true, refreshFailure: { lastFailedAt: failure.lastFailedAt, reference: failure.reference } };
}

export const cloudEndpointsListResponseSchema = z.object({
  status: resultStatusSchema,
  items: z.array(cloudEndpointsRowSchema.partial()),
  continuationToken: z.string().optional(),
  resultSetId: z.string().optional(),
  refreshedAt: z.string().optional(),
  asOf: z.record(z.string(), z.string()).optional(),
  ...refreshStatusShape,
  message: z.string().optional(),
});
