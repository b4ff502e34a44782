import { z } from "zod";

// The publish gate on the newest-20 % test split (PRODUCT.md section 5 decisions): Ready when AUC ≥ 0.70,
// OK when ≥ 0.60, else Not ready — and Not ready whenever the AUC's 95 % interval reaches 0.5, so a small
// test set cannot look good by luck. A Not ready model can still be published by force (recorded).

export const PUBLISH_GATE = { ready: 0.7, ok: 0.6, chance: 0.5 } as const;

export const readinessValues = ["Ready", "OK", "Not ready"] as const;
export const readinessSchema = z.enum(readinessValues);
export type Readiness = z.infer<typeof readinessSchema>;

export const publishReadinessSchema = z.object({ readiness: readinessSchema, reason: z.string() });
export type PublishReadiness = z.infer<typeof publishReadinessSchema>;

function f(x: number): string {
  return x.toFixed(3);
}

/** Readiness from the test AUC and its 95 % interval. */
export function publishReadiness(test: { auc: number; aucInterval: readonly [number, number] }): PublishReadiness {
  const { auc } = test;
  const [lo, hi] = test.aucInterval;
  if (!Number.isFinite(auc)) {
    return { readiness: "Not ready", reason: "the test deals are all won or all lost, so the model's ranking cannot be measured" };
  }
  if (!(lo > PUBLISH_GATE.chance)) {
    return {
      readiness: "Not ready",
      reason: `test AUC ${f(auc)} has a 95 % interval ${f(lo)}–${f(hi)} that reaches ${PUBLISH_GATE.chance}: it could be chance`,
    };
  }
  if (auc >= PUBLISH_GATE.ready) return { readiness: "Ready", reason: `test AUC ${f(auc)} ≥ ${PUBLISH_GATE.ready} (95 % interval ${f(lo)}–${f(hi)})` };
  if (auc >= PUBLISH_GATE.ok) return { readiness: "OK", reason: `test AUC ${f(auc)} ≥ ${PUBLISH_GATE.ok} but below ${PUBLISH_GATE.ready} (95 % interval ${f(lo)}–${f(hi)})` };
  return { readiness: "Not ready", reason: `test AUC ${f(auc)} is below ${PUBLISH_GATE.ok}` };
}
