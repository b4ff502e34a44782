import { z } from "zod";
import { cloudEndpointsColumns, cloudEndpointsRowSchema, salesMotions, type CloudEndpointsRow } from "../domain/cloudEndpoints/index.js";
import { guidSchema, yearMonthSchema } from "../domain/common.js";
import { segments } from "../domain/datasets.js";
import type { RowFilter, RowQuery } from "../ports/results.js";
import { exportFormatSchema, exportResponse } from "../export/format.js";
import { readerRoles as readers } from "../auth/roles.js";
import { cloudEndpointsSummarySchema } from "../domain/cloudEndpoints/index.js";
import { emptyQuerySchema, orderParam, pagingShape, searchParam, sortParam } from "./common.js";
import { refreshStatusShape, resultStatusSchema } from "./refreshStatus.js";
import type { RouteSpec } from "./routeSpec.js";

// Query strings of the Cloud Endpoints routes: the single source for validation and the OpenAPI document.

const yearMonth = yearMonthSchema;

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
  search: searchParam("tenant name, domain, id and customer name"),
  sort: sortParam(sortableColumns, "tenantName", "Column to sort by."),
  order: orderParam("Sort direction; default asc for text columns, desc for numbers. Rows without a value come last."),
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
export const cloudEndpointsExportQuerySchema = z.strictObject({ ...filterShape, format: exportFormatSchema }).superRefine(checkRenewalRange);

/** GET cloud-endpoints. */
export const cloudEndpointsListQuerySchema = z
  .strictObject({
    ...filterShape,
    ...pagingShape(maxPageSize, defaultPageSize),
  })
  .superRefine(checkRenewalRange);

export type CloudEndpointsListQuery = z.output<typeof cloudEndpointsListQuerySchema>;
export type CloudEndpointsExportQuery = z.output<typeof cloudEndpointsExportQuerySchema>;
export type CloudEndpointsFilter = Omit<CloudEndpointsExportQuery, "format">;

/** Parameters that may be repeated or given as comma lists. */
export const repeatableParameters = ["salesMotion", "segment"] as const;

export const tenantIdParamsSchema = z.strictObject({
  tenantId: guidSchema.meta({ description: "The customer tenant id (GUID)." }),
});

/** The list's filters and sort as a query on the tab's result rows (field names from the whitelists above). */
export function cloudEndpointsRowQuery(filter: CloudEndpointsFilter): RowQuery {
  const filters: RowFilter[] = [];
  if (filter.salesMotion?.length) filters.push({ field: "salesMotion", op: "in", values: filter.salesMotion });
  if (filter.segment?.length) filters.push({ field: "tenantSegment", op: "in", values: filter.segment });
  if (filter.renewalPeriod !== undefined) filters.push({ field: "renewalPeriod", op: "eq", value: filter.renewalPeriod });
  if (filter.renewalFrom !== undefined) filters.push({ field: "renewalPeriod", op: "gte", value: filter.renewalFrom });
  if (filter.renewalTo !== undefined) filters.push({ field: "renewalPeriod", op: "lte", value: filter.renewalTo });
  if (filter.incentiveEligible !== undefined) filters.push({ field: "incentiveEligible", op: "eq", value: filter.incentiveEligible });
  // searchText is stored lower-case; the schema lower-cases the keyword.
  if (filter.search) filters.push({ field: "searchText", op: "contains", value: filter.search });
  return {
    tab: "cloudEndpoints",
    filters,
    sort: { field: filter.sort, order: filter.order ?? defaultOrder(filter.sort), optional: optionalSortColumns.has(filter.sort), tieBreaker: "tenantName" },
  };
}

// ---- response shapes (documented in OpenAPI; rows are the domain schema) --------------------------

const hiddenKeys = new Set<string>([...cloudEndpointsColumns.filter((c) => c.hidden).map((c) => c.key), "microsoft365Licenses"]);


/** A stored row as the API shows it: validated, without storage fields, hidden columns only on request. */
export function toApiRow(doc: unknown, columns: "default" | "all"): Partial<CloudEndpointsRow> {
  const row = cloudEndpointsRowSchema.parse(doc);
  if (columns === "all") return row;
  return Object.fromEntries(Object.entries(row).filter(([k]) => !hiddenKeys.has(k))) as Partial<CloudEndpointsRow>;
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

/** GET cloud-endpoints/{tenantId}: the row with every column, and the result set it comes from. */
export const cloudEndpointsRowResponseSchema = cloudEndpointsRowSchema.extend({
  resultSetId: z.string(),
  refreshedAt: z.string(),
});

export const cloudEndpointsSummaryResponseSchema = cloudEndpointsSummarySchema.extend({
  status: resultStatusSchema,
  resultSetId: z.string().optional(),
  refreshedAt: z.string().optional(),
  asOf: z.record(z.string(), z.string()).optional(),
  ...refreshStatusShape,
  message: z.string().optional().meta({ description: "Before the first refresh: what to do to get results." }),
});

/** The Cloud Endpoints tab's routes (literal routes before the tenant id, so summary and export are never a tenant). */
export const cloudEndpointsRoutes = {
  listCloudEndpoints: {
    name: "listCloudEndpoints",
    method: "GET",
    route: "cloud-endpoints",
    summary: "Cloud Endpoints (Windows 365) rows of the current result set: filters, keyword search, sort, paging.",
    roles: readers,
    query: cloudEndpointsListQuerySchema,
    repeatable: repeatableParameters,
    responses: { 200: { description: "One page of rows.", schema: cloudEndpointsListResponseSchema } },
  },
  cloudEndpointsSummary: {
    name: "cloudEndpointsSummary",
    method: "GET",
    route: "cloud-endpoints/summary",
    summary: "KPI tiles and the five charts' data of the current result set.",
    roles: readers,
    query: emptyQuerySchema,
    responses: { 200: { description: "KPIs and charts (zeros until the first refresh).", schema: cloudEndpointsSummaryResponseSchema } },
  },
  exportCloudEndpoints: {
    name: "exportCloudEndpoints",
    method: "GET",
    route: "cloud-endpoints/export",
    summary: "Export of the current filtered view (all pages), streamed: CSV (UTF-8 BOM, RFC 4180, formula-safe) or an Excel workbook (format=xlsx).",
    roles: readers,
    query: cloudEndpointsExportQuerySchema,
    repeatable: repeatableParameters,
    responses: { 200: exportResponse("The current filtered view") },
  },
  getCloudEndpoint: {
    name: "getCloudEndpoint",
    method: "GET",
    route: "cloud-endpoints/{tenantId}",
    summary: "One tenant's Cloud Endpoints row (all columns).",
    roles: readers,
    query: emptyQuerySchema,
    params: tenantIdParamsSchema,
    responses: {
      200: { description: "The row.", schema: cloudEndpointsRowResponseSchema },
      404: { description: "No visible tenant with this id in the partner's current results." },
    },
  },
} as const satisfies Record<string, RouteSpec>;
