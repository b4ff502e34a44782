import { addDays, addMonths } from "./calendar.js";
import type { Readiness } from "./publishGate.js";

// Automatic retraining (seed 004 "Retrain automatically"): every 15 days when enabled; the retrained version
// replaces the active one only if its accuracy is at least 95 % of the active one's, or the active one is
// older than 3 months. A retrained version that is Not ready is never published automatically.

export const RETRAIN_RULE = { everyDays: 15, accuracyRatio: 0.95, activeMaxAgeMonths: 3 } as const;

export interface ReplacementDecision {
  replace: boolean;
  rule: "accuracy" | "active_too_old" | "kept_accuracy" | "kept_not_ready";
  reason: string;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

export function replacementDecision(input: {
  retrained: { accuracy: number; readiness: Readiness };
  active: { accuracy: number; trainedAt: string };
  now: Date;
}): ReplacementDecision {
  const { retrained, active, now } = input;
  if (retrained.readiness === "Not ready") {
    return { replace: false, rule: "kept_not_ready", reason: "the retrained version is Not ready to publish; the active version stays (an administrator can still force it)" };
  }
  const floor = RETRAIN_RULE.accuracyRatio * active.accuracy;
  if (retrained.accuracy >= floor) {
    return { replace: true, rule: "accuracy", reason: `retrained accuracy ${pct(retrained.accuracy)} ≥ 95 % of the active version's ${pct(active.accuracy)}` };
  }
  const expires = addMonths(new Date(active.trainedAt), RETRAIN_RULE.activeMaxAgeMonths);
  if (now > expires) {
    return { replace: true, rule: "active_too_old", reason: `the active version was trained on ${active.trainedAt.slice(0, 10)}, more than 3 months ago` };
  }
  return {
    replace: false,
    rule: "kept_accuracy",
    reason: `retrained accuracy ${pct(retrained.accuracy)} is below 95 % of the active version's ${pct(active.accuracy)} and the active version is not yet 3 months old`,
  };
}

/** When the next automatic retraining is due: 15 days after the last training began, for a published model with retraining on. */
export function nextRetrainAt(input: { enabled: boolean; hasActiveVersion: boolean; trainingInProgress: boolean; lastTrainingRequestedAt?: string }): Date | undefined {
  if (!input.enabled || !input.hasActiveVersion || input.trainingInProgress || !input.lastTrainingRequestedAt) return undefined;
  return addDays(new Date(input.lastTrainingRequestedAt), RETRAIN_RULE.everyDays);
}

export function retrainDue(input: Parameters<typeof nextRetrainAt>[0], now: Date): boolean {
  const due = nextRetrainAt(input);
  return due !== undefined && now >= due;
}
