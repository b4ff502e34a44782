import {
  feedbackReasons,
  modelIds,
  type FeedbackReason,
  type FeedbackRecord,
  type ModelId,
  type OpportunityType,
  type ProbabilityStatus,
} from "./inputs.js";

// Feedback rules (PRODUCT.md "Feedback"):
// - The latest answer on a (tenant, type, product) decides. "Not helpful" hides that opportunity while its product
//   and its probability status stay what they were when the answer was given; a new product or a new band shows
//   it again. A later "helpful" answer shows it again too.
// - "Already purchased" answers become positive labels of the growth and trial models (train.ts): the customer's
//   state at the latest snapshot on or before the answer is an example of a customer who bought. Retention models
//   ignore them (the answer does not say anything about churn or engagement).
// - Counts per model are shown beside the model's quality.

function key(tenantId: string, type: OpportunityType, product: string | undefined): string {
  return `${tenantId}|${type}|${product ?? ""}`;
}

export interface FeedbackIndex {
  latest: Map<string, FeedbackRecord>;
}

export function indexFeedback(feedback: readonly FeedbackRecord[]): FeedbackIndex {
  const latest = new Map<string, FeedbackRecord>();
  for (const f of feedback) {
    const k = key(f.tenantId, f.type, f.product);
    const seen = latest.get(k);
    if (!seen || f.givenAt >= seen.givenAt) latest.set(k, f);
  }
  return { latest };
}

/** Whether feedback hides an opportunity with this product and status now. */
export function isHiddenByFeedback(
  index: FeedbackIndex,
  opportunity: { tenantId: string; type: OpportunityType; product?: string; status: ProbabilityStatus },
): boolean {
  const f = index.latest.get(key(opportunity.tenantId, opportunity.type, opportunity.product));
  return f !== undefined && !f.helpful && f.status === opportunity.status;
}

export interface FeedbackCounts {
  helpful: number;
  notHelpful: number;
  reasons: Record<FeedbackReason, number>;
}

export function feedbackCounts(feedback: readonly FeedbackRecord[]): Record<ModelId, FeedbackCounts> {
  const out = Object.fromEntries(
    modelIds.map((id) => [id, { helpful: 0, notHelpful: 0, reasons: Object.fromEntries(feedbackReasons.map((r) => [r, 0])) }]),
  ) as Record<ModelId, FeedbackCounts>;
  for (const f of feedback) {
    const c = out[f.modelId];
    if (!c) continue;
    if (f.helpful) c.helpful++;
    else c.notHelpful++;
    if (f.reason) c.reasons[f.reason]++;
  }
  return out;
}

/** "Already purchased" answers per tenant: the model and the date (YYYY-MM-DD) they were given. */
export function alreadyPurchasedByTenant(feedback: readonly FeedbackRecord[]): Map<string, { modelId: ModelId; date: string }[]> {
  const out = new Map<string, { modelId: ModelId; date: string }[]>();
  for (const f of feedback) {
    if (f.reason !== "alreadyPurchased") continue;
    const list = out.get(f.tenantId) ?? [];
    list.push({ modelId: f.modelId, date: f.givenAt.slice(0, 10) });
    out.set(f.tenantId, list);
  }
  return out;
}
