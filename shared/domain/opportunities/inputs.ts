import { z } from "zod";
import { subscriptionItemSchema, tenantDocSchema, workloadUsageSchema } from "../documents.js";
import { PackedUsage } from "./history.js";

// What the opportunities tab reads, independent of storage: per tenant its firmographics, subscription
// snapshots and usage months; per partner the previous refresh's opportunities, the feedback and the settings.
// The refresh producer maps stored documents onto these; the domain never reads a database.

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}/, "must be an ISO date YYYY-MM-DD");

/** The tenants row: the customer's firmographics (a pick of the stored tenant, so one concept has one schema). */
export const tenantProfileSchema = tenantDocSchema.pick({
  tenantId: true,
  tenantName: true,
  domain: true,
  tpid: true,
  customerName: true,
  segment: true,
  subSegment: true,
  industry: true,
  employees: true,
  countryRegion: true,
});
export type TenantProfile = z.infer<typeof tenantProfileSchema>;

/** One subscriptions drop as it concerned this tenant: its licence lines as of that date. */
export const subscriptionSnapshotSchema = z.object({ asOf: isoDate, items: z.array(subscriptionItemSchema) });
export type SubscriptionSnapshot = z.infer<typeof subscriptionSnapshotSchema>;

/** YYYY-MM → workload → assigned (PAU) and active (MAU) users. */
export const usageByMonthSchema = z.record(z.string(), z.record(z.string(), workloadUsageSchema));
export type UsageByMonth = z.infer<typeof usageByMonthSchema>;

/**
 * A tenant's history. Snapshots are expected newest first (as stored, up to 24), but any order, duplicates and
 * gaps are accepted: history.ts normalises them and says what it did.
 */
export const tenantHistorySchema = z.object({
  tenant: tenantProfileSchema,
  snapshots: z.array(subscriptionSnapshotSchema),
  /** By month as dropped, or packed as a refresh reads it (history.ts usagePacker). */
  usage: z.union([usageByMonthSchema, z.instanceof(PackedUsage)]).default({}),
});
export type TenantHistory = z.infer<typeof tenantHistorySchema>;

// ---- feedback -----------------------------------------------------------------------------

export const feedbackReasons = ["alreadyPurchased", "notRelevant", "wrongTiming", "other"] as const;
export const feedbackReasonSchema = z.enum(feedbackReasons);
export type FeedbackReason = z.infer<typeof feedbackReasonSchema>;

export const probabilityStatuses = ["High", "Medium", "Low"] as const;
export const probabilityStatusSchema = z.enum(probabilityStatuses);
export type ProbabilityStatus = z.infer<typeof probabilityStatusSchema>;

export const opportunityTypes = ["Trial", "Engagement", "Retention", "Upsell", "Expansion"] as const;
export const opportunityTypeSchema = z.enum(opportunityTypes);
export type OpportunityType = z.infer<typeof opportunityTypeSchema>;

export const modelIds = [
  "bSkuUpsell",
  "eSkuUpsell",
  "churnRisk",
  "smbEngagement",
  "mdoGrowth",
  "mfaEngagement",
  "mdbGrowth",
  "trials",
] as const;
export const modelIdSchema = z.enum(modelIds);
export type ModelId = z.infer<typeof modelIdSchema>;

/**
 * One answer a user gave on an opportunity. It carries what the opportunity said when it was given (product and
 * probability status), because "not helpful" hides the opportunity only until one of them changes.
 */
export const feedbackRecordSchema = z.object({
  opportunityId: z.string(),
  tenantId: z.string(),
  type: opportunityTypeSchema,
  modelId: modelIdSchema,
  /** The recommended product when the feedback was given; absent for retention opportunities. */
  product: z.string().optional(),
  status: probabilityStatusSchema,
  helpful: z.boolean(),
  reason: feedbackReasonSchema.optional(),
  /** Free text, with reason "other" or any other. */
  comment: z.string().max(2000).optional(),
  givenAt: z.string(),
});
export type FeedbackRecord = z.infer<typeof feedbackRecordSchema>;

/** What date added needs from the previous refresh: which (tenant, type, product) existed and since when. */
export const previousOpportunitySchema = z.object({
  tenantId: z.string(),
  type: opportunityTypeSchema,
  product: z.string().optional(),
  dateAdded: isoDate,
});
export type PreviousOpportunity = z.infer<typeof previousOpportunitySchema>;

// ---- settings -----------------------------------------------------------------------------

const share = z.number().min(0).max(1);

/** Settings with the PRODUCT.md defaults; `opportunitySettingsSchema.parse({})` is the default set. */
export const opportunitySettingsSchema = z.object({
  /** Probability status bands: High at or above `high`, Medium at or above `medium`, else Low. */
  bands: z
    .object({ high: share.default(0.6), medium: share.default(0.3) })
    .default({ high: 0.6, medium: 0.3 })
    .refine((b) => b.high > b.medium, { message: "the High band must start above the Medium band" }),
  /** Labels look this many months after the snapshot at t. */
  labelHorizonMonths: z.number().int().min(1).max(12).default(3),
  /** Churn: paid Microsoft 365 seats fall below this share of the seats at t. */
  churnSeatShare: share.default(0.85),
  mfa: z
    .object({
      /** MFA engagement applies below this MFA utilisation (MFA MAU / Entra ID PAU). */
      lowUtilisation: share.default(0.5),
      /** The label: utilisation rises by at least this many points (0.2 = 20 points). */
      raise: share.default(0.2),
    })
    .default({ lowUtilisation: 0.5, raise: 0.2 }),
  smb: z
    .object({
      /** A tenant with this many Microsoft 365 seats or fewer counts as SMB even without the segment. */
      maxSeats: z.number().int().min(1).default(300),
      /** A workload under this utilisation is low. */
      lowUtilisation: share.default(0.4),
      /** The rule fires when at least this many of the five workloads are low or trending down. */
      minWorkloads: z.number().int().min(1).max(5).default(2),
    })
    .default({ maxSeats: 300, lowUtilisation: 0.4, minWorkloads: 2 }),
  /** Usage trend: Positive above +threshold, Negative below −threshold (relative change of monthly active users). */
  trendThreshold: share.default(0.05),
  /** A learnt model needs at least this many positive and this many negative labelled examples, else the prior. */
  minLabelsPerClass: z.number().int().min(10).default(40),
  /** Learnt (and prior) opportunities below this probability are not listed: the model sees no opportunity. Rules are listed when they fire. */
  minProbability: share.default(0.1),
  /** Training rows per model at most; above it an order-independent sample (rare outcomes kept, then corrected for: train.ts). */
  maxTrainingRows: z.number().int().min(100).default(30_000),
  /** Rules: pseudo-firings at the documented strength probability that measured conversion rates are shrunk towards. */
  rulePriorWeight: z.number().min(0).default(20),
  seed: z.number().int().default(42),
});
export type OpportunitySettings = z.infer<typeof opportunitySettingsSchema>;
export type OpportunitySettingsInput = z.input<typeof opportunitySettingsSchema>;

export const defaultOpportunitySettings: OpportunitySettings = opportunitySettingsSchema.parse({});
