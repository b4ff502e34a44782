import { z } from "zod";
import { readerRoles as readers } from "../auth/roles.js";
import { guidPattern, guidSchema } from "../domain/common.js";
import {
  bandHitRateSchema,
  customerSubscriptionSchema,
  customerUsageSchema,
  feedbackReasons,
  feedbackRecordSchema,
  opportunityCategories,
  opportunitySchema,
  opportunitySummarySchema,
  opportunityTypes,
  probabilityStatuses,
  type Opportunity,
} from "../domain/opportunities/index.js";
import { modelInfoSchema } from "../domain/opportunities/stored.js";
import type { RowFilter, RowQuery } from "../ports/results.js";
import type { CsvColumn } from "../export/csv.js";
import { exportFormatSchema, exportResponse } from "../export/format.js";
import { emptyQuerySchema, maxSearchLength, orderParam, pagingShape, searchParam } from "./common.js";
import { refreshStatusShape, resultStatusSchema } from "./refreshStatus.js";
import type { RouteSpec } from "./routeSpec.js";

// The Opportunities tab's routes (Sales Advisor): list with category tabs, filters, keyword search, sort and paging;
// the overview and prioritised tiles; a customer's detail; feedback; the models; the CSV export. Schemas here are
// the single source for validation and the OpenAPI document.

export const maxPageSize = 500;
export const defaultPageSize = 50;

/**
 * Sort options → the stored row field they read (a whitelist: only these reach ORDER BY). "dateAdded" reads the
 * row's newestKey (date added, then probability), so newest-first lists the most probable of a day first.
 */
export const sortFields = { dateAdded: "newestKey", probability: "probability", tenantName: "tenantName", seats: "seats", type: "opportunityType" } as const;
export type OpportunitySort = keyof typeof sortFields;
const sortNames = Object.keys(sortFields) as [OpportunitySort, ...OpportunitySort[]];
const textSorts: ReadonlySet<OpportunitySort> = new Set(["tenantName", "type"]);

const enumList = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z
    .array(z.enum(values, { error: `must be one of: ${values.join(", ")}` }))
    .optional()
    .meta({ description: `${what} to include (repeat the parameter or give a comma-separated list).` });

const filterShape = {
  category: z
    .enum(opportunityCategories, { error: `must be one of: ${opportunityCategories.join(", ")}` })
    .optional()
    .meta({ description: "The category tab: acquisition (Trial), retention (Engagement, Retention) or growth (Upsell, Expansion); absent = all opportunities." }),
  type: enumList(opportunityTypes, "Opportunity types"),
  status: enumList(probabilityStatuses, "Probability statuses"),
  product: z
    .array(z.string().min(1).max(maxSearchLength, { error: `must be at most ${maxSearchLength} characters` }))
    .optional()
    .meta({ description: "Recommended products to include, by name as listed (e.g. Microsoft 365 Business Premium); repeatable or comma-separated." }),
  search: searchParam("the tenant name, domain and id"),
  sort: z
    .enum(sortNames, { error: `must be one of: ${sortNames.join(", ")}` })
    .default("dateAdded")
    .meta({ description: "Order: dateAdded (newest first by default, then most probable), probability, tenantName, seats or type." }),
  order: orderParam("Sort direction; default desc, except asc for tenantName and type."),
};

export const repeatableParameters = ["type", "status", "product"] as const;

/** GET opportunities/export: the filtered view, every row (no paging). */
export const opportunitiesExportQuerySchema = z.strictObject({ ...filterShape, format: exportFormatSchema });
/** GET opportunities. */
export const opportunitiesListQuerySchema = z.strictObject({ ...filterShape, ...pagingShape(maxPageSize, defaultPageSize) });
export type OpportunitiesFilter = Omit<z.output<typeof opportunitiesExportQuerySchema>, "format">;

/** The list's filters and sort as a query on the tab's result rows; hidden (dismissed) rows are never listed. */
export function opportunitiesRowQuery(filter: OpportunitiesFilter): RowQuery {
  const filters: RowFilter[] = [{ field: "hidden", op: "eq", value: false }];
  if (filter.category) filters.push({ field: "category", op: "eq", value: filter.category });
  if (filter.type?.length) filters.push({ field: "opportunityType", op: "in", values: filter.type });
  if (filter.status?.length) filters.push({ field: "status", op: "in", values: filter.status });
  if (filter.product?.length) filters.push({ field: "product", op: "in", values: filter.product });
  if (filter.search) filters.push({ field: "searchText", op: "contains", value: filter.search });
  return {
    tab: "opportunities",
    filters,
    sort: { field: sortFields[filter.sort], order: filter.order ?? (textSorts.has(filter.sort) ? "asc" : "desc"), optional: false },
  };
}

/** One customer's listed opportunities. */
export function customerRowQuery(tenantId: string): RowQuery {
  return {
    tab: "opportunities",
    filters: [
      { field: "hidden", op: "eq", value: false },
      { field: "tenantId", op: "eq", value: tenantId },
    ],
    sort: { field: "probability", order: "desc", optional: false },
  };
}

export const tenantIdParamsSchema = z.strictObject({
  tenantId: guidSchema.meta({ description: "The customer tenant id (GUID)." }),
});

const opportunityIdPattern = new RegExp(`^(${guidPattern.source.slice(1, -1)}):(${opportunityTypes.join("|")})$`);

export const opportunityIdParamsSchema = z.strictObject({
  opportunityId: z
    .string()
    .regex(opportunityIdPattern, { error: `must be {tenantId}:{type}, type one of ${opportunityTypes.join(", ")}` })
    .transform((id) => {
      const [tenantId, type] = id.split(":");
      return `${tenantId.toLowerCase()}:${type}`;
    })
    .meta({ description: "The opportunity's id from the list: {tenantId}:{type} (at most one per customer and type)." }),
});

export const feedbackBodySchema = z
  .strictObject({
    helpful: z.boolean({ error: "must be true or false" }).meta({ description: "Whether the opportunity was helpful." }),
    reason: z
      .enum(feedbackReasons, { error: `must be one of: ${feedbackReasons.join(", ")}` })
      .optional()
      .meta({ description: "Why not helpful (required when helpful is false): alreadyPurchased, notRelevant, wrongTiming or other." }),
    comment: z
      .string()
      .trim()
      .min(1, { error: "must not be empty" })
      .max(2000, { error: "must be at most 2000 characters" })
      .optional()
      .meta({ description: "Free text; required with reason other." }),
  })
  .superRefine((b, ctx) => {
    if (!b.helpful && b.reason === undefined) ctx.addIssue({ code: "custom", path: ["reason"], message: "is required when helpful is false" });
    if (b.reason === "other" && b.comment === undefined) ctx.addIssue({ code: "custom", path: ["comment"], message: "is required with reason other" });
  });
export type FeedbackBody = z.output<typeof feedbackBodySchema>;

// ---- response shapes ------------------------------------------------------------------------------

const setFields = {
  resultSetId: z.string().optional(),
  refreshedAt: z.string().optional(),
  asOf: z.record(z.string(), z.string()).optional(),
  ...refreshStatusShape,
};

export const opportunitiesListResponseSchema = z.object({
  status: resultStatusSchema,
  items: z.array(opportunitySchema),
  continuationToken: z.string().optional(),
  ...setFields,
  message: z.string().optional(),
});

export const opportunitiesSummaryResponseSchema = z.object({
  status: resultStatusSchema,
  overview: opportunitySummarySchema.pick({ totalTenants: true, customersWithOpportunities: true, opportunities: true, byCategory: true, byType: true }),
  prioritised: opportunitySummarySchema.shape.prioritised,
  hiddenByFeedback: z.number().int(),
  warnings: z.array(z.string()),
  ...setFields,
  message: z.string().optional(),
});

export const customerDetailResponseSchema = z.object({
  tenantId: z.string(),
  tenantName: z.string(),
  domain: z.string().optional(),
  tpid: z.string().optional(),
  customerName: z.string().optional(),
  segment: z.string().optional(),
  opportunities: z.array(opportunitySchema),
  subscriptions: z.object({ asOf: z.string().optional(), items: z.array(customerSubscriptionSchema) }),
  usage: customerUsageSchema,
  resultSetId: z.string().optional(),
});

export const feedbackResponseSchema = feedbackRecordSchema.extend({
  hidden: z.boolean().meta({ description: "Whether the opportunity is now hidden from lists (until its product or band changes)." }),
});

const feedbackCountsSchema = z.object({
  helpful: z.number().int(),
  notHelpful: z.number().int(),
  reasons: z.record(z.string(), z.number().int()),
});

export const opportunityModelsResponseSchema = z.object({
  status: z.enum(["trained", "notTrainedYet"]),
  version: z.string().optional(),
  savedAt: z.string().optional(),
  history: z.object({ tenants: z.number().int(), snapshots: z.number().int(), from: z.string().optional(), to: z.string().optional() }).optional(),
  bands: z.object({ high: z.number(), medium: z.number() }),
  warnings: z.array(z.string()),
  models: z.array(
    modelInfoSchema.omit({ fingerprint: true, bands: true }).extend({
      bandHitRates: z.array(bandHitRateSchema),
      feedback: feedbackCountsSchema,
    }),
  ),
});

// ---- CSV export ------------------------------------------------------------------------------------

/**
 * The page's address of one customer: the Opportunities tab with its flyout open (web/src/app/router.ts reads it).
 * A seller clicks it in the exported file and signs in as on the page; the API route would want a key header.
 */
export const customerPageLink = (origin: string, tenantId: string) => `${origin}/#/opportunities/customers/${encodeURIComponent(tenantId)}`;

/** The export's columns: the Lighthouse ones first, then ours. `link` opens the customer on the page. */
export function opportunityCsvFields(link: (tenantId: string) => string): CsvColumn<Opportunity>[] {
  return [
    { header: "Customer ID", value: (o) => o.tenantId },
    { header: "TPID", value: (o) => o.tpid },
    { header: "Name", value: (o) => o.tenantName },
    { header: "Opportunity Type", value: (o) => o.type },
    { header: "Customer Insight", value: (o) => o.insights.join("; ") },
    { header: "Suggested Actions", value: (o) => o.actions.join("; ") },
    { header: "Related Resources", value: (o) => o.resources.map((r) => `${r.title} (${r.url})`).join("; ") },
    { header: "Probability", value: (o) => o.status },
    { header: "Recommended Product", value: (o) => o.product },
    { header: "Seats", value: (o) => o.seats },
    { header: "Date added", value: (o) => o.dateAdded },
    { header: "Link", value: (o) => link(o.tenantId) },
    { header: "Probability (%)", value: (o) => o.probability, format: "percent" },
    { header: "Category", value: (o) => o.category },
    { header: "Recommendation", value: (o) => o.recommendation },
    { header: "Customer Name", value: (o) => o.customerName },
    { header: "Domain", value: (o) => o.domain },
    { header: "Basis", value: (o) => o.basis },
    { header: "Model", value: (o) => o.modelId },
  ];
}

// ---- routes --------------------------------------------------------------------------------------------

const notRefreshed = "Empty until the first refresh (status notRefreshedYet).";

export const opportunitiesRoutes = {
  listOpportunities: {
    name: "listOpportunities",
    method: "GET",
    route: "opportunities",
    summary: "Opportunities of the current result set: category tab, filters, keyword search, sort (newest first), paging.",
    roles: readers,
    query: opportunitiesListQuerySchema,
    repeatable: repeatableParameters,
    responses: { 200: { description: `One page of opportunities. ${notRefreshed}`, schema: opportunitiesListResponseSchema } },
  },
  opportunitiesSummary: {
    name: "opportunitiesSummary",
    method: "GET",
    route: "opportunities/summary",
    summary: "Overview (customer tenants, customers with opportunities, count by category) and prioritised (High and Medium by category).",
    roles: readers,
    query: emptyQuerySchema,
    responses: { 200: { description: `The tiles. ${notRefreshed}`, schema: opportunitiesSummaryResponseSchema } },
  },
  exportOpportunities: {
    name: "exportOpportunities",
    method: "GET",
    route: "opportunities/export",
    summary: "Export of the current filtered view (all pages), streamed: CSV (UTF-8 BOM, RFC 4180, formula-safe) or an Excel workbook (format=xlsx).",
    roles: readers,
    query: opportunitiesExportQuerySchema,
    repeatable: repeatableParameters,
    responses: { 200: exportResponse("The current filtered view") },
  },
  getOpportunityCustomer: {
    name: "getOpportunityCustomer",
    method: "GET",
    route: "opportunities/customers/{tenantId}",
    summary: "One customer: its opportunities, subscriptions (newest snapshot) and usage per workload with 12 months of active users and the 3-month trend.",
    roles: readers,
    query: emptyQuerySchema,
    params: tenantIdParamsSchema,
    responses: {
      200: { description: "The customer.", schema: customerDetailResponseSchema },
      404: { description: "No customer tenant with this id in the partner's data." },
    },
  },
  giveOpportunityFeedback: {
    name: "giveOpportunityFeedback",
    method: "POST",
    route: "opportunities/{opportunityId}/feedback",
    summary: "Feedback on one listed opportunity: helpful, or not helpful with a reason (not helpful hides it until its product or band changes).",
    roles: readers,
    params: opportunityIdParamsSchema,
    body: feedbackBodySchema,
    responses: {
      201: { description: "The feedback as stored.", schema: feedbackResponseSchema },
      400: { description: "Invalid body; the error names the field (e.g. reason)." },
      404: { description: "No such opportunity in the partner's current results." },
    },
  },
  listOpportunityModels: {
    name: "listOpportunityModels",
    method: "GET",
    route: "opportunity-models",
    summary: "The eight opportunity models: basis, trained at, labelled examples, validation AUC, band hit rates, learner, training window, feedback counts.",
    roles: readers,
    query: emptyQuerySchema,
    responses: { 200: { description: "The models of the current model set.", schema: opportunityModelsResponseSchema } },
  },
} as const satisfies Record<string, RouteSpec>;
