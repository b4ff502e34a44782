import { z } from "zod";
import { modelIdSchema, opportunityTypeSchema, probabilityStatusSchema, type OpportunityType } from "./inputs.js";

// One opportunity: a specific, actionable recommendation for one customer tenant (PRODUCT.md section 2).
// The same schema is the API row and, flattened, the CSV row.

export const opportunityCategories = ["acquisition", "retention", "growth"] as const;
export const opportunityCategorySchema = z.enum(opportunityCategories);
export type OpportunityCategory = z.infer<typeof opportunityCategorySchema>;

/** acquisition = Trial; retention = Engagement, Retention; growth = Upsell, Expansion. */
export const categoryOfType: Record<OpportunityType, OpportunityCategory> = {
  Trial: "acquisition",
  Engagement: "retention",
  Retention: "retention",
  Upsell: "growth",
  Expansion: "growth",
};

export const opportunityBases = ["ml", "tree", "rule", "prior"] as const;
export const opportunityBasisSchema = z.enum(opportunityBases);
export type OpportunityBasis = z.infer<typeof opportunityBasisSchema>;

export const resourceKinds = ["playbook", "demo", "email template", "learning", "product page"] as const;
export const resourceSchema = z.object({ title: z.string(), url: z.string().url(), kind: z.enum(resourceKinds) });
export type Resource = z.infer<typeof resourceSchema>;

/** How much more labelled history a model on the prior needs before it learns from the partner's own data. */
export const dataNeededSchema = z.object({
  positives: z.number().int().min(0),
  negatives: z.number().int().min(0),
  message: z.string(),
});
export type DataNeeded = z.infer<typeof dataNeededSchema>;

export const opportunitySchema = z.object({
  /** "{tenantId}:{type}": at most one opportunity per customer per type. */
  id: z.string(),
  tenantId: z.string(),
  tenantName: z.string(),
  customerName: z.string().optional(),
  tpid: z.string().optional(),
  domain: z.string().optional(),
  /** Names the product and the step, e.g. "Upgrade 48 seats from Microsoft 365 Business Standard to Microsoft 365 Business Premium". */
  recommendation: z.string(),
  /** Calibrated probability (0..1) behind the status. */
  probability: z.number().min(0).max(1),
  status: probabilityStatusSchema,
  category: opportunityCategorySchema,
  type: opportunityTypeSchema,
  /** The recommended product; absent for retention opportunities (hidden, as in Lighthouse). */
  product: z.string().optional(),
  /** Paid licences in the customer tenant. */
  seats: z.number().int().min(0),
  /** YYYY-MM-DD of the first refresh at which this (tenant, type, product) appeared and has stayed since. */
  dateAdded: z.string(),
  /** The record's own top factors in a seller's words. */
  insights: z.array(z.string()),
  actions: z.array(z.string()),
  resources: z.array(resourceSchema),
  basis: opportunityBasisSchema,
  /** Present when basis is "prior". */
  dataNeeded: dataNeededSchema.optional(),
  modelId: modelIdSchema,
  modelVersion: z.string(),
});
export type Opportunity = z.infer<typeof opportunitySchema>;

export function opportunityId(tenantId: string, type: OpportunityType): string {
  return `${tenantId}:${type}`;
}
