import { z } from "zod";
import { probabilityStatuses, probabilityStatusSchema, type OpportunitySettings, type ProbabilityStatus } from "./inputs.js";

// Probability status from the calibrated probability, with bands that are settings (default High ≥ 0.6,
// Medium ≥ 0.3, else Low), and how often each band was right on data the model did not learn from.

export function probabilityStatus(probability: number, bands: OpportunitySettings["bands"]): ProbabilityStatus {
  if (probability >= bands.high) return "High";
  if (probability >= bands.medium) return "Medium";
  return "Low";
}

/**
 * One band's record on validation data: how many validation examples fell in it and in how many the predicted
 * outcome happened (the upgrade, the churn, the conversion). hitRate = outcomes / rows, null when the band is empty.
 * For High and Medium a high hit rate means the band was right; for Low a low one does.
 */
export const bandHitRateSchema = z.object({
  status: probabilityStatusSchema,
  rows: z.number().int(),
  outcomes: z.number().int(),
  hitRate: z.number().nullable(),
  /** Mean predicted probability in the band, to compare with the hit rate (calibration at a glance). */
  meanProbability: z.number().nullable(),
});
export type BandHitRate = z.infer<typeof bandHitRateSchema>;

/**
 * Hit rates per band. `weights` (rows each kept positive and negative example stands for) count sampled validation
 * rows back to all labelled rows, so a sample that kept a rare outcome more often does not inflate the rates.
 */
export function bandHitRates(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bands: OpportunitySettings["bands"],
  weights: { positiveWeight: number; negativeWeight: number } = { positiveWeight: 1, negativeWeight: 1 },
): BandHitRate[] {
  const acc = new Map<ProbabilityStatus, { rows: number; outcomes: number; sum: number }>(
    probabilityStatuses.map((s) => [s, { rows: 0, outcomes: 0, sum: 0 }]),
  );
  for (let i = 0; i < probabilities.length; i++) {
    const a = acc.get(probabilityStatus(probabilities[i], bands))!;
    const w = labels[i] ? weights.positiveWeight : weights.negativeWeight;
    a.rows += w;
    a.sum += w * probabilities[i];
    if (labels[i]) a.outcomes += w;
  }
  return probabilityStatuses.map((status) => {
    const a = acc.get(status)!;
    return {
      status,
      rows: Math.round(a.rows),
      outcomes: Math.round(a.outcomes),
      hitRate: a.rows > 0 ? a.outcomes / a.rows : null,
      meanProbability: a.rows > 0 ? a.sum / a.rows : null,
    };
  });
}
