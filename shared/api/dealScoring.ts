import { z } from "zod";
import { administratorRoles as administrators, readerRoles as readers } from "../auth/roles.js";
import {
  dealFactorSchema,
  dealScoreRowSchema,
  dealScoresSummarySchema,
  dealScoringModelSchema,
  gradeBandsSchema,
  grades,
  modelConfigInputSchema,
  modelEditSchema,
  scorePointSchema,
  scoreTrends,
  topFactors,
  type DealScoreRow,
} from "../domain/dealScoring/index.js";
import type { RowFilter, RowQuery } from "../ports/results.js";
import { emptyQuerySchema, orderParam, pagingShape, searchParam, sortParam } from "./common.js";
import { refreshStatusShape, resultStatusSchema } from "./refreshStatus.js";
import { exportFormatSchema, exportResponse } from "../export/format.js";
import type { RouteSpec } from "./routeSpec.js";

// The deal scoring tab's routes: the administrator's models (create, list, get, edit, train, publish, revert,
// grade bands, delete) and the scored deals every reader sees (list, summary, CSV export, one deal with its
// factors and score history). Validation and OpenAPI come from these schemas.

export const maxPageSize = 500;
export const defaultPageSize = 50;

export const modelIdParamsSchema = z.strictObject({
  modelId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "is not a model id" }).meta({ description: "The model id (from the model list)." }),
});

export const dealIdParamsSchema = z.strictObject({
  dealId: z
    .string()
    .min(1, { error: "is required" })
    .max(200, { error: "must be at most 200 characters" })
    .regex(/^[^\u0000-\u001f]+$/, { error: "must not contain control characters" })
    .meta({ description: "The deal id as in the partner's deals file." }),
});

// ---- models

export const createDealModelBodySchema = z.strictObject({
  ...modelConfigInputSchema.shape,
  confirmOverlap: z.boolean().optional().meta({ description: "Create the model although its filter overlaps another model's (answered 409 with the overlaps otherwise)." }),
});

export const updateDealModelBodySchema = z.strictObject({
  ...modelEditSchema.shape,
  retrainAutomatically: z.boolean().optional().meta({ description: "Retrain every 15 days (the retrained version replaces the active one by the replacement rule)." }),
});

export const publishQuerySchema = z.strictObject({
  version: z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .optional()
    .meta({ description: "The version to publish; default the newest trained one." }),
  force: z
    .enum(["true", "false"], { error: "must be true or false" })
    .transform((v) => v === "true")
    .optional()
    .meta({ description: "Publish a Not ready version anyway (recorded as force-published)." }),
});

const band = gradeBandsSchema.shape.A;
export const gradeBandsBodySchema = z
  .strictObject({
    A: band.optional(),
    B: band.optional(),
    C: band.optional(),
    D: band.optional(),
    grade: z.enum(grades, { error: `must be one of: ${grades.join(", ")}` }).optional(),
    edge: z.enum(["min", "max"], { error: "must be min or max" }).optional(),
    value: z.number().int({ error: "must be a whole number" }).optional(),
  })
  .meta({
    description:
      "Either all four bands {A, B, C, D} each {min, max} (D starts at 0, A ends at 100, each band one above the one below), " +
      "or one edge to move {grade, edge, value}: the neighbouring band's edge follows.",
  });
export type GradeBandsBody = z.output<typeof gradeBandsBodySchema>;

const modelViewSchema = dealScoringModelSchema.extend({
  state: z.enum(["new", "training", "trained", "failed", "published"]),
  activeVersion: z.number().int().optional(),
  retrainDueAt: z.string().optional(),
});

export const filterOverlapWarningSchema = z.object({
  code: z.literal("filter_overlap"),
  message: z.string(),
  overlaps: z.array(
    z.object({
      model: z.string(),
      reason: z.enum(["no_filter", "same_values", "other_column"]),
      sharedValues: z.array(z.string()).optional(),
      sharedDeals: z.number().int().optional(),
    }),
  ),
});

export const dealModelResponseSchema = modelViewSchema.extend({ warning: filterOverlapWarningSchema.optional() });

export const dealModelListResponseSchema = z.object({ items: z.array(modelViewSchema) });

export const trainingAcceptedSchema = z.object({
  status: z.literal("queued"),
  modelId: z.string(),
  version: z.number().int(),
  requestedAt: z.string(),
});

// ---- scored deals

/** Columns the list and export may be sorted by (a whitelist: only these reach ORDER BY). */
export const sortableColumns = ["score", "estimatedValue", "estimatedCloseDate", "createdOn", "name", "dealId"] as const satisfies readonly (keyof DealScoreRow)[];
const optionalSortColumns: ReadonlySet<string> = new Set(["estimatedValue", "estimatedCloseDate", "name"]);
const textSortColumns: ReadonlySet<string> = new Set(["name", "dealId"]);

const filterShape = {
  grade: z
    .array(z.enum(grades, { error: `must be one of: ${grades.join(", ")}` }))
    .optional()
    .meta({ description: "Grades to include (repeat the parameter or give a comma-separated list)." }),
  trend: z
    .array(z.enum(scoreTrends, { error: `must be one of: ${scoreTrends.join(", ")}` }))
    .optional()
    .meta({ description: "Trends to include (repeatable or comma-separated)." }),
  owner: z.string().min(1).max(200).optional().meta({ description: "Only deals of this owner (exact, as in the deals file)." }),
  stage: z.string().min(1).max(200).optional().meta({ description: "Only deals in this stage (exact)." }),
  product: z.string().min(1).max(200).optional().meta({ description: "Only deals of this product (exact)." }),
  modelId: modelIdParamsSchema.shape.modelId.optional().meta({ description: "Only deals scored by this model." }),
  search: searchParam("the deal's id, name, owner, product and stage"),
  sort: sortParam(sortableColumns, "score", "Column to sort by (default score)."),
  order: orderParam("Sort direction; default desc for score, value and dates, asc for name and id. Rows without a value come last."),
};

export const dealScoresExportQuerySchema = z.strictObject({ ...filterShape, format: exportFormatSchema });
export const dealScoresListQuerySchema = z.strictObject({ ...filterShape, ...pagingShape(maxPageSize, defaultPageSize) });
export type DealScoresListQuery = z.output<typeof dealScoresListQuerySchema>;
export type DealScoresFilter = Omit<z.output<typeof dealScoresExportQuerySchema>, "format">;
export const repeatableParameters = ["grade", "trend"] as const;

/** The filters and sort as a query on the tab's rows (field names from the whitelists above). */
export function dealScoresRowQuery(filter: DealScoresFilter): RowQuery {
  const filters: RowFilter[] = [];
  if (filter.grade?.length) filters.push({ field: "grade", op: "in", values: filter.grade });
  if (filter.trend?.length) filters.push({ field: "trend", op: "in", values: filter.trend });
  if (filter.owner !== undefined) filters.push({ field: "owner", op: "eq", value: filter.owner });
  if (filter.stage !== undefined) filters.push({ field: "stage", op: "eq", value: filter.stage });
  if (filter.product !== undefined) filters.push({ field: "product", op: "eq", value: filter.product });
  if (filter.modelId !== undefined) filters.push({ field: "modelId", op: "eq", value: filter.modelId });
  if (filter.search) filters.push({ field: "searchText", op: "contains", value: filter.search });
  return {
    tab: "dealScores",
    filters,
    sort: { field: filter.sort, order: filter.order ?? (textSortColumns.has(filter.sort) ? "asc" : "desc"), optional: optionalSortColumns.has(filter.sort), tieBreaker: "dealId" },
  };
}

/** A scored deal in a list: everything but the full factor list, with the top five factors each way. */
export const dealScoreListItemSchema = dealScoreRowSchema.omit({ factors: true }).extend({
  topPositive: z.array(dealFactorSchema),
  topNegative: z.array(dealFactorSchema),
});
export type DealScoreListItem = z.infer<typeof dealScoreListItemSchema>;

export const dealScoreDetailSchema = dealScoreRowSchema.extend({
  topPositive: z.array(dealFactorSchema),
  topNegative: z.array(dealFactorSchema),
  history: z.array(scorePointSchema).meta({ description: "The deal's scores under this model, one per UTC day (the last 400 days), oldest first." }),
  resultSetId: z.string(),
  refreshedAt: z.string(),
});

/** A stored row as a list shows it: validated, without storage fields or the full factor list. */
export function toListItem(doc: unknown): DealScoreListItem {
  const { factors, ...row } = dealScoreRowSchema.parse(doc);
  return { ...row, ...topFactors(factors) };
}

export const dealScoresListResponseSchema = z.object({
  status: resultStatusSchema,
  items: z.array(dealScoreListItemSchema),
  continuationToken: z.string().optional(),
  resultSetId: z.string().optional(),
  refreshedAt: z.string().optional(),
  asOf: z.record(z.string(), z.string()).optional(),
  ...refreshStatusShape,
  message: z.string().optional(),
});

export const dealScoresSummaryResponseSchema = dealScoresSummarySchema.extend({
  status: resultStatusSchema,
  resultSetId: z.string().optional(),
  refreshedAt: z.string().optional(),
  asOf: z.record(z.string(), z.string()).optional(),
  ...refreshStatusShape,
  message: z.string().optional(),
});

const problemResponses = {
  400: { description: "Invalid input; error.field names it and error.details.problem gives the reason (for a refusal by the data floor, details holds the counts)." },
  404: { description: "No such model for your partner." },
  409: { description: "The model's state does not allow it (still training, Not ready without force, no previous version, ...); error.details.problem says which." },
};

/** The deal scoring tab's routes (literal routes before the ids). */
export const dealScoringRoutes = {
  listDealModels: {
    name: "listDealModels",
    method: "GET",
    route: "deal-models",
    summary: "The partner's deal scoring models (at most 10), with their state, active version and each version's performance (GET one model for insights and the data report).",
    roles: administrators,
    query: emptyQuerySchema,
    responses: { 200: { description: "The models, oldest first.", schema: dealModelListResponseSchema } },
  },
  createDealModel: {
    name: "createDealModel",
    method: "POST",
    route: "deal-models",
    summary: "Creates a model from its configuration (name, status column with won and lost values, filter, training window, per-stage, inputs).",
    roles: administrators,
    body: createDealModelBodySchema,
    responses: {
      201: { description: "Created (warning present when its filter overlaps another model's and creation was confirmed).", schema: dealModelResponseSchema },
      ...problemResponses,
    },
  },
  getDealModel: {
    name: "getDealModel",
    method: "GET",
    route: "deal-models/{modelId}",
    summary: "One model with its versions: performance, publish readiness, attribute insights, per-stage influence, data report.",
    roles: administrators,
    query: emptyQuerySchema,
    params: modelIdParamsSchema,
    responses: { 200: { description: "The model.", schema: modelViewSchema }, 404: problemResponses[404] },
  },
  updateDealModel: {
    name: "updateDealModel",
    method: "PATCH",
    route: "deal-models/{modelId}",
    summary: "Turns automatic retraining on or off, or changes the inputs (attributes, ignore empty values, stages an input counts in) the next training uses.",
    roles: administrators,
    params: modelIdParamsSchema,
    body: updateDealModelBodySchema,
    responses: { 200: { description: "The model.", schema: modelViewSchema }, ...problemResponses },
  },
  deleteDealModel: {
    name: "deleteDealModel",
    method: "DELETE",
    route: "deal-models/{modelId}",
    summary: "Deletes a model with its versions, their artifacts and its deals' score histories; its scores go at the rescoring it queues.",
    roles: administrators,
    params: modelIdParamsSchema,
    responses: { 204: { description: "Deleted." }, 404: problemResponses[404] },
  },
  trainDealModel: {
    name: "trainDealModel",
    method: "POST",
    route: "deal-models/{modelId}/train",
    summary: "Trains a new version (a queued job; poll the model). Refused with the counts when the data floor is not met.",
    roles: administrators,
    params: modelIdParamsSchema,
    responses: { 202: { description: "Training queued.", schema: trainingAcceptedSchema }, ...problemResponses },
  },
  publishDealModel: {
    name: "publishDealModel",
    method: "POST",
    route: "deal-models/{modelId}/publish",
    summary: "Publishes a trained version (force=true for a Not ready one); its scores replace the model's at the rescoring it queues.",
    roles: administrators,
    query: publishQuerySchema,
    params: modelIdParamsSchema,
    responses: { 200: { description: "The model.", schema: modelViewSchema }, ...problemResponses },
  },
  revertDealModel: {
    name: "revertDealModel",
    method: "POST",
    route: "deal-models/{modelId}/revert",
    summary: "Returns to the previously published version.",
    roles: administrators,
    params: modelIdParamsSchema,
    responses: { 200: { description: "The model.", schema: modelViewSchema }, ...problemResponses },
  },
  setDealModelGradeBands: {
    name: "setDealModelGradeBands",
    method: "PUT",
    route: "deal-models/{modelId}/grade-bands",
    summary: "Sets the grade bands A–D (all four, or one edge moved with its neighbour's).",
    roles: administrators,
    params: modelIdParamsSchema,
    body: gradeBandsBodySchema,
    responses: { 200: { description: "The model.", schema: modelViewSchema }, ...problemResponses },
  },
  listDealScores: {
    name: "listDealScores",
    method: "GET",
    route: "deal-scores",
    summary: "Scored open deals of the current result set: filters (grade, trend, owner, stage, product, model), keyword search, sort, paging.",
    roles: readers,
    query: dealScoresListQuerySchema,
    repeatable: repeatableParameters,
    responses: { 200: { description: "One page of scored deals with their top five factors each way.", schema: dealScoresListResponseSchema } },
  },
  dealScoresSummary: {
    name: "dealScoresSummary",
    method: "GET",
    route: "deal-scores/summary",
    summary: "Counts of scored deals per grade, trend and model.",
    roles: readers,
    query: emptyQuerySchema,
    responses: { 200: { description: "The summary (zeros until the first refresh with a published model).", schema: dealScoresSummaryResponseSchema } },
  },
  exportDealScores: {
    name: "exportDealScores",
    method: "GET",
    route: "deal-scores/export",
    summary: "Export of the current filtered view (all pages), streamed: CSV (UTF-8 BOM, RFC 4180, formula-safe) or an Excel workbook (format=xlsx).",
    roles: readers,
    query: dealScoresExportQuerySchema,
    repeatable: repeatableParameters,
    responses: { 200: exportResponse("The current filtered view") },
  },
  getDealScore: {
    name: "getDealScore",
    method: "GET",
    route: "deal-scores/{dealId}",
    summary: "One scored deal with every factor and its score history (for the chart).",
    roles: readers,
    query: emptyQuerySchema,
    params: dealIdParamsSchema,
    responses: {
      200: { description: "The deal.", schema: dealScoreDetailSchema },
      404: { description: "No scored deal with this id in your current results." },
    },
  },
} as const satisfies Record<string, RouteSpec>;
