import { z } from "zod";
import type { ModelJson } from "../../scoring/index.js";
import { bandHitRateSchema } from "./bands.js";
import { modelIdSchema, opportunitySettingsSchema, opportunityTypeSchema } from "./inputs.js";
import { dataNeededSchema, opportunityBasisSchema, opportunityCategorySchema } from "./opportunity.js";

// The trained models of one partner, as versioned JSON (stored in Blob Storage by the refresh; the summary fields
// also go to Cosmos DB for GET /api/opportunity-models). A model set scores identically after a JSON round trip.

export const MODEL_SET_FORMAT_VERSION = 1;

export const validationMethods = ["time", "stratified", "cross-validation", "in-sample", "untrained"] as const;

export const trainedModelSchema = z.object({
  modelId: modelIdSchema,
  name: z.string(),
  category: opportunityCategorySchema,
  type: opportunityTypeSchema,
  basis: opportunityBasisSchema,
  /** "{modelId}.{trainedAt as YYYYMMDDTHHMMSSZ}". */
  version: z.string(),
  trainedAt: z.string(),
  /** The engine's chosen learner ("gbdt", "logistic", "ensemble(gbdt+logistic)", "tree"), "rule" or "prior scorecard". */
  learner: z.string(),
  /** Dates of the oldest and newest snapshot t among the labelled examples used. */
  trainingWindow: z.object({ from: z.string(), to: z.string() }).optional(),
  /** Every labelled example found in the history (before any sampling); fromFeedback of them came from "already purchased". */
  labels: z.object({ positives: z.number().int(), negatives: z.number().int(), fromFeedback: z.number().int() }),
  /** Rows the learner was given (all labelled examples, or a sample of maxTrainingRows). */
  trainingRows: z.number().int(),
  /**
   * Present when the labelled examples were sampled with a rare outcome over-represented (train.ts RowSample): how
   * many of each were kept, and the factor on the odds that turns the learner's probabilities back into rates of
   * the whole history (scoring applies it).
   */
  sampling: z.object({ positives: z.number().int(), negatives: z.number().int(), oddsFactor: z.number().positive() }).optional(),
  /**
   * How the quality was measured: "time" = trained on older snapshots, validated on the newest ones whose features
   * it never saw, with an embargo so no training label looks into the validation period; "stratified" /
   * "cross-validation" = the engine's own split when the history was too short for a time split; "in-sample" =
   * a rule's measured rates on the firings they were measured from; "untrained" = a prior on labels it never learnt from.
   */
  validation: z
    .object({
      method: z.enum(validationMethods),
      rows: z.number().int(),
      positives: z.number().int(),
      auc: z.number().nullable(),
      from: z.string().optional(),
      to: z.string().optional(),
    })
    .optional(),
  /** How often each probability band was right on the validation rows. */
  bands: z.array(bandHitRateSchema),
  /** The engine found the model no better than chance on validation. */
  notUseful: z.boolean(),
  dataNeeded: dataNeededSchema.optional(),
  rule: z
    .object({
      levels: z.array(
        z.object({
          id: z.string(),
          description: z.string(),
          defaultProbability: z.number(),
          firings: z.number().int(),
          conversions: z.number().int(),
          probability: z.number(),
        }),
      ),
    })
    .optional(),
  /** The engine's model (ml and tree bases). */
  engine: z.custom<ModelJson>((v) => typeof v === "object" && v !== null && "formatVersion" in v).optional(),
  seconds: z.number(),
  notes: z.array(z.string()),
});
export type TrainedOpportunityModel = z.infer<typeof trainedModelSchema>;

export const opportunityModelSetSchema = z.object({
  formatVersion: z.literal(MODEL_SET_FORMAT_VERSION),
  trainedAt: z.string(),
  settings: opportunitySettingsSchema,
  history: z.object({
    tenants: z.number().int(),
    /** The partner's subscription snapshot dates seen (oldest and newest) and how many. */
    snapshots: z.number().int(),
    from: z.string().optional(),
    to: z.string().optional(),
  }),
  models: z.array(trainedModelSchema),
  warnings: z.array(z.string()),
});
export type OpportunityModelSet = z.infer<typeof opportunityModelSetSchema>;

/** Undoes class-aware sampling on a probability: odds × oddsFactor (train.ts RowSample). */
export function correctForSampling(p: number, oddsFactor: number): number {
  if (oddsFactor === 1 || p <= 0 || p >= 1) return p;
  const odds = (p / (1 - p)) * oddsFactor;
  return odds / (1 + odds);
}
