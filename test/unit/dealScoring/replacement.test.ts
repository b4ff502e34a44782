import { describe, expect, it } from "vitest";
import { addDays, addMonths, nextRetrainAt, replacementDecision, retrainDue, RETRAIN_RULE } from "../../../shared/domain/dealScoring/index.js";

const now = new Date("2026-06-15T12:00:00Z");
const activeTrained = (monthsAgo: number, daysMore = 0) => addDays(addMonths(now, -monthsAgo), -daysMore).toISOString();

describe("replacement rule", () => {
  it("replaces the active version when the retrained accuracy is at least 95 % of it", () => {
    const active = { accuracy: 0.8, trainedAt: activeTrained(1) };
    expect(replacementDecision({ retrained: { accuracy: 0.8 * RETRAIN_RULE.accuracyRatio, readiness: "OK" }, active, now })).toMatchObject({ replace: true, rule: "accuracy" });
    expect(replacementDecision({ retrained: { accuracy: 0.8 * RETRAIN_RULE.accuracyRatio - 0.001, readiness: "Ready" }, active, now })).toMatchObject({
      replace: false,
      rule: "kept_accuracy",
    });
  });

  it("replaces an active version older than 3 months whatever the accuracy", () => {
    const retrained = { accuracy: 0.5, readiness: "OK" as const };
    expect(replacementDecision({ retrained, active: { accuracy: 0.9, trainedAt: activeTrained(3, 1) }, now })).toMatchObject({ replace: true, rule: "active_too_old" });
    expect(replacementDecision({ retrained, active: { accuracy: 0.9, trainedAt: activeTrained(3) }, now }).replace).toBe(false);
  });

  it("never publishes a Not ready retrained version automatically", () => {
    const out = replacementDecision({ retrained: { accuracy: 0.99, readiness: "Not ready" }, active: { accuracy: 0.5, trainedAt: activeTrained(6) }, now });
    expect(out).toMatchObject({ replace: false, rule: "kept_not_ready" });
  });

  it("is due 15 days after the last training began, only when enabled, published and not already training", () => {
    const last = addDays(now, -RETRAIN_RULE.everyDays).toISOString();
    const base = { enabled: true, hasActiveVersion: true, trainingInProgress: false, lastTrainingRequestedAt: last };
    expect(nextRetrainAt(base)?.toISOString()).toBe(now.toISOString());
    expect(retrainDue(base, now)).toBe(true);
    expect(retrainDue(base, addDays(now, -0.001))).toBe(false);
    expect(retrainDue({ ...base, enabled: false }, now)).toBe(false);
    expect(retrainDue({ ...base, hasActiveVersion: false }, now)).toBe(false);
    expect(retrainDue({ ...base, trainingInProgress: true }, now)).toBe(false);
  });
});
