import { z } from "zod";
import { administratorRoles as administrators, readerRoles as readers } from "../auth/roles.js";
import { guidSchema } from "../domain/common.js";
import {
  bands,
  cells,
  clusterMappingSchema,
  clusterPurpose,
  clusters,
  ClusterMappingError,
  customerPropensitySchema,
  defaultClusterMapping,
  families,
  fitReportSchema,
  parseClusterMapping,
  productPropensitySchema,
  propensityReportSchema,
  propensitySummarySchema,
  type ClusterMapping,
  type CustomerPropensity,
  type ProductPropensity,
} from "../domain/propensity/index.js";
import { summaryDocSchema } from "../domain/results.js";
import type { CsvColumn } from "../export/csv.js";
import type { RowFilter, RowQuery } from "../ports/results.js";
import { emptyQuerySchema, orderParam, pagingShape, searchParam } from "./common.js";
import { refreshStatusShape, resultStatusSchema } from "./refreshStatus.js";
import { exportFormatSchema, exportResponse } from "../export/format.js";
import type { RouteSpec } from "./routeSpec.js";

// The Propensity (CloudAscent) tab's routes and their schemas: the single source for validation and the OpenAPI
// document. One row per customer or prospect, its product propensities nested; filters on a family or a product
// keep only the matching propensities in the answer and the export.

export const maxPageSize = 500;
export const defaultPageSize = 50;
const maxValueLength = 100;

/** Columns a list or export may be sorted by (a whitelist: only these reach ORDER BY). */
export const sortableColumns = [
  "priority",
  "tenantName",
  "fit",
  "intent",
  "cell",
  "whitespaceRevenue",
  "openExpiringRevenue",
  "monthlyLicenceValue",
  "licensedUsers",
  "employees",
  "azureMonthlyRevenue",
] as const;
export type SortColumn = (typeof sortableColumns)[number];
/** Sort columns a row may lack (no fit learned, not given): those rows come last in either order. */
const optionalSortColumns: ReadonlySet<SortColumn> = new Set(["fit", "cell", "employees", "azureMonthlyRevenue"]);
const ascendingByDefault: ReadonlySet<SortColumn> = new Set(["tenantName", "cell"]);

const oneOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z
    .array(z.enum(values, { error: `must be one of: ${values.join(", ")}` }))
    .optional()
    .meta({ description: `${what} to include (repeat the parameter or give a comma-separated list).` });

const textValues = (what: string) =>
  z
    .array(z.string().max(maxValueLength, { error: `must be at most ${maxValueLength} characters` }))
    .optional()
    .meta({ description: `${what} to include, case-insensitive (repeat the parameter or give a comma-separated list).` });

const filterShape = {
  cluster: oneOf(clusters, "Clusters"),
  cell: oneOf(cells as unknown as readonly [string, ...string[]], "Matrix cells (A1 = high fit, high intent … D4)"),
  fitBand: oneOf(bands, "Fit bands"),
  intentBand: oneOf(bands, "Intent bands"),
  customerType: oneOf(["Customer", "Prospect"] as const, "Customers (paid licences) or prospects (none)"),
  family: oneOf(families, "Propensity families"),
  product: textValues("Recommended products, by name or part number (e.g. SPB)"),
  subsegment: textValues("Subsegments (Upper Medium, Medium, Very Small, or a given one)"),
  industry: textValues("Industries"),
  country: textValues("Countries/regions"),
  search: searchParam("tenant name, domain, id, customer name and TPID"),
  sort: z
    .enum(sortableColumns, { error: `must be one of: ${sortableColumns.join(", ")}` })
    .default("priority")
    .meta({
      description:
        "Column to sort by. priority (the default) is the matrix order: A1 first … D4, within a cell higher fit then higher intent; tenants without a cell (fit not learned) come last, by intent.",
    }),
  order: orderParam("Sort direction; default asc for tenantName and cell, desc otherwise. Rows without a value come last."),
};

/** Parameters that may be repeated or given as comma lists. */
export const repeatableParameters = ["cluster", "cell", "fitBand", "intentBand", "customerType", "family", "product", "subsegment", "industry", "country"] as const;

/** GET propensity/export: the filtered view, every row. */
export const propensityExportQuerySchema = z.strictObject({ ...filterShape, format: exportFormatSchema });
/** GET propensity. */
export const propensityListQuerySchema = z.strictObject({ ...filterShape, ...pagingShape(maxPageSize, defaultPageSize, "Customers") });
export type PropensityFilter = Omit<z.output<typeof propensityExportQuerySchema>, "format">;

export const tenantIdParamsSchema = z.strictObject({ tenantId: guidSchema.meta({ description: "The customer or prospect tenant id (GUID)." }) });

const facet = (name: string, values: readonly string[]) => values.map((v) => `${name}:${v.trim().toLowerCase()}`);

/** The list's filters and sort as a query on the tab's rows (facets are lower-case "name:value" tags). */
export function propensityRowQuery(filter: PropensityFilter): RowQuery {
  const filters: RowFilter[] = [];
  const inList = (field: string, values: readonly string[] | undefined) => {
    if (values?.length) filters.push({ field, op: "in", values });
  };
  const tagged = (name: string, values: readonly string[] | undefined) => {
    if (values?.length) filters.push({ field: "facets", op: "hasAny", values: facet(name, values) });
  };
  inList("cluster", filter.cluster);
  inList("cell", filter.cell);
  inList("fitBand", filter.fitBand);
  inList("intentBand", filter.intentBand);
  inList("customerType", filter.customerType);
  tagged("family", filter.family);
  tagged("product", filter.product);
  tagged("subsegment", filter.subsegment);
  tagged("industry", filter.industry);
  tagged("country", filter.country);
  if (filter.search) filters.push({ field: "searchText", op: "contains", value: filter.search });
  const sort = filter.sort;
  return {
    tab: "propensity",
    filters,
    sort: { field: sort, order: filter.order ?? (ascendingByDefault.has(sort) ? "asc" : "desc"), optional: optionalSortColumns.has(sort), tieBreaker: "tenantName" },
  };
}

// ---- rows as the API shows them ------------------------------------------------------------------------

export const propensityRowSchema = customerPropensitySchema.extend({
  priority: z.number().meta({ description: "Matrix order as one number, highest first (the default sort)." }),
});
export type PropensityApiRow = z.infer<typeof propensityRowSchema>;

/** Whether a product propensity passes the family and product filters (none given: all pass). */
export function productMatcher(filter: Pick<PropensityFilter, "family" | "product">): (p: ProductPropensity) => boolean {
  const familySet = filter.family?.length ? new Set<string>(filter.family) : undefined;
  const productSet = filter.product?.length ? new Set(filter.product.map((p) => p.trim().toLowerCase())) : undefined;
  return (p) =>
    (familySet === undefined || familySet.has(p.family)) &&
    (productSet === undefined || productSet.has(p.product.toLowerCase()) || (p.sku !== undefined && productSet.has(p.sku.toLowerCase())));
}

/** A stored row as the API shows it: validated, without storage fields, its propensities filtered. */
export function toApiRow(doc: unknown, keep: (p: ProductPropensity) => boolean = () => true): PropensityApiRow {
  const row = propensityRowSchema.parse(doc);
  return { ...row, products: row.products.filter(keep) };
}

// ---- the export ------------------------------------------------------------------------------------------

/** One export line: a customer and one of its propensities (blank product columns for a customer without any). */
export interface PropensityExportLine extends Omit<CustomerPropensity, "products" | "strongestSignals">, Partial<ProductPropensity> {
  strongestSignals: string[];
}

export const propensityCsvColumns: CsvColumn<PropensityExportLine>[] = [
  { key: "tenantId", header: "Customer ID" },
  { key: "tpid", header: "TPID" },
  { key: "tenantName", header: "Name" },
  { key: "customerName", header: "Customer Name" },
  { key: "domain", header: "Domain" },
  { key: "countryRegion", header: "Country/Region" },
  { key: "industry", header: "Industry" },
  { key: "segment", header: "Segment" },
  { key: "subsegment", header: "Subsegment" },
  { key: "employees", header: "Employees" },
  { key: "azureMonthlyRevenue", header: "Azure Monthly Revenue" },
  { key: "customerType", header: "Customer Type" },
  { key: "licensedUsers", header: "Licensed Users" },
  { key: "fit", header: "Fit" },
  { key: "fitBand", header: "Fit Band" },
  { key: "intent", header: "Intent" },
  { key: "intentBand", header: "Intent Band" },
  { key: "cell", header: "Cell" },
  { key: "cluster", header: "Cluster" },
  { key: "family", header: "Propensity Family" },
  { key: "product", header: "Recommended Product" },
  { key: "sku", header: "SKU" },
  { key: "seats", header: "Seats" },
  { key: "listPrice", header: "List Price (USD/month)" },
  { key: "estimatedAnnualRevenue", header: "Estimated Annual Revenue (USD)" },
  { key: "reason", header: "Why" },
  { key: "installedProduct", header: "Installed Product" },
  { key: "endOfService", header: "End of Service" },
  { key: "fitFactors", header: "Fit Factors" },
  { key: "strongestSignals", header: "Strongest Signals" },
  { key: "expiringAgreements", header: "Agreements Expiring This Fiscal Year" },
  { key: "openExpiringRevenue", header: "Open Expiring Revenue (USD)" },
];

/** A customer's export lines: one per (kept) propensity; one blank-product line when it has none and none were filtered for. */
export function exportLines(row: PropensityApiRow, productFiltered: boolean): PropensityExportLine[] {
  const { products, strongestSignals, ...customer } = row;
  const base = { ...customer, strongestSignals: strongestSignals.map((s) => s.text) };
  if (products.length === 0) return productFiltered ? [] : [base];
  return products.map((p) => ({ ...base, ...p }));
}

// ---- summary, detail, cluster mapping -----------------------------------------------------------------

const mappingInfoShape = {
  mapping: clusterMappingSchema,
  isDefault: z.boolean().meta({ description: "true while the partner uses the default mapping (row A Act now, B Evaluate, C Nurture, D Educate)." }),
  updatedAt: z.string().optional(),
};

/** The tab's summary document: the dashboard, the report on its inputs, the mapping and settings it used. */
export const propensityTabSummarySchema = propensitySummarySchema.extend({
  report: propensityReportSchema,
  clusterMapping: z.object(mappingInfoShape),
  settings: z.object({
    halfLifeDays: z.number(),
    signalWeights: z.record(z.string(), z.number()).meta({ description: "Weights set over the documented defaults." }),
    fitEveryMonths: z.number(),
    signalHorizonDays: z.number(),
  }),
});
export const propensitySummaryDocSchema = summaryDocSchema(propensityTabSummarySchema);

export const propensitySummaryResponseSchema = propensitySummarySchema.extend({
  status: resultStatusSchema,
  report: propensityReportSchema.optional().meta({ description: "How fit was learned, how signals and the install base were read, in counts and sentences (absent before the first refresh)." }),
  clusterMapping: z.object(mappingInfoShape).meta({ description: "The mapping the figures use (before the first refresh: the saved one)." }),
  settings: propensityTabSummarySchema.shape.settings.optional(),
  resultSetId: z.string().optional(),
  refreshedAt: z.string().optional(),
  asOf: z.record(z.string(), z.string()).optional(),
  message: z.string().optional(),
  ...refreshStatusShape,
});

export const propensityListResponseSchema = z.object({
  status: resultStatusSchema,
  items: z.array(propensityRowSchema),
  continuationToken: z.string().optional(),
  resultSetId: z.string().optional(),
  refreshedAt: z.string().optional(),
  asOf: z.record(z.string(), z.string()).optional(),
  ...refreshStatusShape,
  message: z.string().optional(),
});

export const propensityCustomerResponseSchema = propensityRowSchema.extend({
  explanation: z.object({
    fit: z.object({
      basis: fitReportSchema.shape.basis,
      message: z.string().optional().meta({ description: "What fit rests on for the whole partner (learned model, profile-match fallback, or none)." }),
      factors: z.array(z.string()).meta({ description: "The firmographics that moved this tenant's fit most, strongest first." }),
    }),
    intent: z.object({
      halfLifeDays: z.number().optional(),
      signalsCounted: z.number(),
      strongestSignals: customerPropensitySchema.shape.strongestSignals,
    }),
    cluster: z.object({ cluster: z.enum(clusters), purpose: z.string() }).optional(),
  }),
  resultSetId: z.string(),
  refreshedAt: z.string(),
});

/** The cluster mapping as the API shows it. */
export const clusterMappingResponseSchema = z.object({
  ...mappingInfoShape,
  updatedBy: z.string().optional().meta({ description: "The API key id that saved it." }),
  clusters: z.array(z.object({ cluster: z.enum(clusters), purpose: z.string(), cells: z.array(z.string()) })),
  refresh: z
    .object({ status: z.literal("queued"), requestedAt: z.string() })
    .optional()
    .meta({ description: "After a save: the refresh that applies the mapping, queued." }),
});

export function clusterMappingView(mapping: ClusterMapping, saved?: { updatedAt: string; updatedBy: string }): z.infer<typeof clusterMappingResponseSchema> {
  return {
    mapping,
    isDefault: saved === undefined,
    ...(saved ? { updatedAt: saved.updatedAt, updatedBy: saved.updatedBy } : {}),
    clusters: clusters.map((cluster) => ({ cluster, purpose: clusterPurpose[cluster], cells: cells.filter((cell) => mapping[cell] === cluster) })),
  };
}

/**
 * PUT body: a cluster for every cell. Validated by parseClusterMapping, so a cell left out, a cluster that does
 * not exist or a key that is not a cell is a 400 naming that cell.
 */
export const clusterMappingBodySchema = z
  .record(z.string(), z.unknown())
  .transform((input, ctx) => {
    try {
      return parseClusterMapping(input);
    } catch (err) {
      if (!(err instanceof ClusterMappingError)) throw err;
      ctx.addIssue({ code: "custom", path: [err.cell || "body"], message: err.message });
      return z.NEVER;
    }
  })
  .meta({
    description: `A cluster (${clusters.join(", ")}) for each of the 16 cells A1–D4, e.g. the default: ${JSON.stringify(defaultClusterMapping)}.`,
  });

// ---- routes ------------------------------------------------------------------------------------------------

/** The Propensity tab's routes (literal routes before the tenant id, so summary, export and the mapping are never a tenant). */
export const propensityRoutes = {
  listPropensity: {
    name: "listPropensity",
    method: "GET",
    route: "propensity",
    summary: "Customers and prospects with fit, intent, matrix cell, cluster and product propensities: filters, keyword search, sort, paging.",
    roles: readers,
    query: propensityListQuerySchema,
    repeatable: repeatableParameters,
    responses: { 200: { description: "One page of customers.", schema: propensityListResponseSchema } },
  },
  propensitySummary: {
    name: "propensitySummary",
    method: "GET",
    route: "propensity/summary",
    summary:
      "The Customers Opportunities dashboard: SMB customers by subsegment, agreements expiring this fiscal year and their open revenue, counts per cluster and cell (the heat map), revenue per family; and the report on fit, signals and install base.",
    roles: readers,
    query: emptyQuerySchema,
    responses: { 200: { description: "Dashboard and report (zeros until the first refresh).", schema: propensitySummaryResponseSchema } },
  },
  exportPropensity: {
    name: "exportPropensity",
    method: "GET",
    route: "propensity/export",
    summary:
      "Export of the filtered view, one line per customer and product propensity, streamed: CSV (UTF-8 BOM, RFC 4180, formula-safe) or an Excel workbook (format=xlsx).",
    roles: readers,
    query: propensityExportQuerySchema,
    repeatable: repeatableParameters,
    responses: { 200: exportResponse("The filtered view, one line per customer and propensity") },
  },
  getPropensityClusterMapping: {
    name: "getPropensityClusterMapping",
    method: "GET",
    route: "propensity/cluster-mapping",
    summary: "The partner's cell → cluster mapping (the default until an administrator sets one).",
    roles: readers,
    query: emptyQuerySchema,
    responses: { 200: { description: "The mapping, and the cells of each cluster.", schema: clusterMappingResponseSchema } },
  },
  setPropensityClusterMapping: {
    name: "setPropensityClusterMapping",
    method: "PUT",
    route: "propensity/cluster-mapping",
    summary: "Set the partner's cell → cluster mapping (administrator): every cell A1–D4 to one cluster. Queues a refresh that applies it.",
    roles: administrators,
    query: emptyQuerySchema,
    body: clusterMappingBodySchema,
    responses: { 200: { description: "Saved; the refresh that applies it is queued.", schema: clusterMappingResponseSchema } },
  },
  getPropensityCustomer: {
    name: "getPropensityCustomer",
    method: "GET",
    route: "propensity/{tenantId}",
    summary: "One customer's or prospect's propensities with their explanations: fit's top factors, intent's strongest recent signals.",
    roles: readers,
    query: emptyQuerySchema,
    params: tenantIdParamsSchema,
    responses: {
      200: { description: "The customer, all its propensities, and why.", schema: propensityCustomerResponseSchema },
      404: { description: "No listed tenant with this id in the partner's current results." },
    },
  },
} as const satisfies Record<string, RouteSpec>;
