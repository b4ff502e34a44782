import { z } from "zod";
import { rowDocSchema, summaryDocSchema } from "../results.js";
import { catalogue } from "./catalogue.js";
import { feedbackRecordSchema, opportunitySettingsSchema, opportunityTypeSchema, type FeedbackRecord, type PreviousOpportunity } from "./inputs.js";
import { trainedModelSchema } from "./modelSet.js";
import { opportunityId, opportunitySchema, type Opportunity } from "./opportunity.js";
import { opportunitySummarySchema } from "./summary.js";

// What the Opportunities tab keeps between refreshes, as stored (zod schemas validate what is read back):
// - result rows (results container): one per listed opportunity, key "{tenantId}:{type}"; and one per opportunity
//   hidden by "not helpful" feedback, key "hidden:{tenantId}:{type}" with hidden = true. Lists never return hidden
//   rows; the next refresh reads them with the listed ones as `previous`, so a dismissed opportunity keeps its date
//   added while it stays hidden. Suggested actions and resources are the model's catalogue entry, the same for every
//   row of a model: they are added when a row is read, not stored 20,000 times.
// - the summary of a result set: the overview and prioritised tiles, the warnings and which model set scored it;
// - the model registry (partners container, id "opportunityModels"): which versioned model set in Blob Storage is
//   current, each model's metadata and the fingerprint of the data it was trained on;
// - feedback (partners container): one document per answer, keyed by its opportunity.

/**
 * A stored result row: the opportunity without the catalogue fields, plus the list's own fields. Its type is stored
 * as opportunityType and its id is not stored: every result document has its own id and type ("row").
 */
export const opportunityRowSchema = opportunitySchema.omit({ id: true, type: true, actions: true, resources: true }).extend({
  opportunityType: opportunityTypeSchema,
  /** Dismissed by "not helpful" feedback: kept for date added, never listed. */
  hidden: z.boolean(),
  /** Sort key of the default order, newest first: "{dateAdded}|{probability to 4 decimals}". */
  newestKey: z.string(),
});
export type OpportunityRow = z.infer<typeof opportunityRowSchema>;
export const opportunityRowDocSchema = rowDocSchema(opportunityRowSchema);

export function opportunityRowKey(o: Pick<Opportunity, "id">, hidden: boolean): string {
  return hidden ? `hidden:${o.id}` : o.id;
}

/** One sort field for "newest first, then most probable": the store sorts on one field only. */
export function newestKey(o: Pick<Opportunity, "dateAdded" | "probability">): string {
  return `${o.dateAdded.slice(0, 10)}|${o.probability.toFixed(4)}`;
}

export function toOpportunityRow(o: Opportunity, hidden: boolean): OpportunityRow {
  const { id: _id, type, actions: _actions, resources: _resources, ...rest } = o;
  return { ...rest, opportunityType: type, hidden, newestKey: newestKey(o) };
}

/** A stored row as the API shows it: the opportunity with its id, type and its model's actions and resources. */
export function fromOpportunityRow(doc: unknown): Opportunity {
  const { hidden: _hidden, newestKey: _key, opportunityType: type, ...row } = opportunityRowSchema.parse(doc);
  const entry = catalogue[row.modelId];
  return opportunitySchema.parse({
    id: opportunityId(row.tenantId, type),
    ...row,
    type,
    actions: [...entry.actions],
    resources: entry.resources.map((r) => ({ ...r })),
  });
}

/** Keyword search matches tenant name, domain and id (lower-case). */
export function opportunitySearchText(o: Pick<Opportunity, "tenantName" | "domain" | "tenantId">): string {
  return [o.tenantName, o.domain ?? "", o.tenantId].join(" ").toLowerCase();
}

/** What the next refresh needs of a stored row (listed or hidden): which (tenant, type, product) and since when. */
export function previousOfRow(doc: unknown): PreviousOpportunity | undefined {
  const parsed = opportunityRowSchema.pick({ tenantId: true, opportunityType: true, product: true, dateAdded: true }).safeParse(doc);
  if (!parsed.success) return undefined;
  const { opportunityType: type, ...rest } = parsed.data;
  return { ...rest, type };
}

export const opportunitiesSummaryExtraSchema = z.object({
  /** Opportunities hidden by "not helpful" feedback in this result set. */
  hiddenByFeedback: z.number().int(),
  /** What the partner can act on: data problems, models on their prior and why. */
  warnings: z.array(z.string()),
  /** The model set that scored this result set and the models retrained for it. */
  modelSetVersion: z.string().optional(),
  retrained: z.array(z.string()),
  /** Feedback given up to this time is reflected in the set; later answers are applied when rows are read. */
  feedbackAsOf: z.string(),
});
export const opportunitiesSummarySchema = opportunitySummarySchema.extend(opportunitiesSummaryExtraSchema.shape);
export type OpportunitiesSummary = z.infer<typeof opportunitiesSummarySchema>;
export const opportunitiesSummaryDocSchema = summaryDocSchema(opportunitiesSummarySchema);

// ---- partners container -------------------------------------------------------------------------

/** A model's metadata as GET /api/opportunity-models shows it: the trained model without the engine's internals. */
export const modelInfoSchema = trainedModelSchema.omit({ engine: true }).extend({
  /** Fingerprint of what the model was trained on (data, settings, its feedback labels): unchanged means not retrained. */
  fingerprint: z.string(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export const opportunityModelsDocSchema = z.object({
  id: z.literal("opportunityModels"),
  partnerId: z.string(),
  type: z.literal("opportunityModels"),
  /** The current model set's version ("set.{UTC time}"); its JSON is models/{partnerId}/opportunities/{version}.json. */
  version: z.string(),
  artifact: z.string(),
  /** The version before it, kept so the previous result set can still be explained. */
  previousVersion: z.string().optional(),
  savedAt: z.string(),
  settings: opportunitySettingsSchema,
  history: z.object({ tenants: z.number().int(), snapshots: z.number().int(), from: z.string().optional(), to: z.string().optional() }),
  warnings: z.array(z.string()),
  models: z.array(modelInfoSchema),
});
export type OpportunityModelsDoc = z.infer<typeof opportunityModelsDocSchema>;

/** One answer as stored: the record, with the opportunity's type as opportunityType (the document's type is its kind). */
export const opportunityFeedbackDocSchema = feedbackRecordSchema.omit({ type: true }).extend({
  id: z.string(),
  partnerId: z.string(),
  type: z.literal("opportunityFeedback"),
  opportunityType: opportunityTypeSchema,
});
export type OpportunityFeedbackDoc = z.infer<typeof opportunityFeedbackDocSchema>;

export function toFeedbackDoc(partnerId: string, id: string, record: FeedbackRecord): OpportunityFeedbackDoc {
  const { type, ...rest } = record;
  return { ...rest, id, partnerId, type: "opportunityFeedback", opportunityType: type };
}

export function fromFeedbackDoc(doc: unknown): FeedbackRecord | undefined {
  const parsed = opportunityFeedbackDocSchema.safeParse(doc);
  if (!parsed.success) return undefined;
  const { id: _id, partnerId: _partnerId, type: _kind, opportunityType, ...rest } = parsed.data;
  return { ...rest, type: opportunityType };
}
