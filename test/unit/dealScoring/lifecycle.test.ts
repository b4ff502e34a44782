import { describe, expect, it } from "vitest";
import {
  activeVersion,
  addDays,
  addMonths,
  completeTraining,
  createModel,
  dealScoringModelSchema,
  deleteModel,
  failTraining,
  isRetrainDue,
  orThrow,
  parseModelConfig,
  publish,
  pruneVersions,
  retrainDueAt,
  revert,
  setGradeBands,
  setRetrainAutomatically,
  startTraining,
  type DealScoringModel,
  type ModelPerformance,
  type Readiness,
} from "../../../shared/domain/dealScoring/index.js";

const t0 = new Date("2026-01-01T00:00:00Z");
const config = orThrow(parseModelConfig({ name: "Enterprise" }, t0));

function performanceWith(accuracy: number): ModelPerformance {
  const part = { deals: 100, rows: 100, won: 40, closedFrom: "2025-01-01T00:00:00.000Z", closedTo: "2025-12-01T00:00:00.000Z" };
  return {
    auc: 0.8,
    aucInterval: [0.72, 0.88],
    accuracy,
    precision: 0.7,
    recall: 0.7,
    f1: 0.7,
    conversionRate: 0.4,
    threshold: 45,
    confusion: { truePositive: 28, falsePositive: 12, trueNegative: 48, falseNegative: 12 },
    train: part,
    test: part,
    learner: "gbdt",
  };
}

/** Trains a version to completion at `at`. */
function trained(model: DealScoringModel, at: Date, accuracy: number, readiness: Readiness = "Ready", trigger: "manual" | "automatic" = "manual") {
  const started = orThrow(startTraining(model, { now: at, trigger }));
  const done = orThrow(
    completeTraining(started.model, started.version, { trainedAt: at.toISOString(), performance: performanceWith(accuracy), readiness: { readiness, reason: "test" } }, at),
  );
  return { model: done, version: started.version };
}

describe("model lifecycle", () => {
  it("trains, then publishes: the version becomes active and keeps its metrics", () => {
    const { model, version } = trained(createModel({ modelId: "m1", config, now: t0 }), t0, 0.8);
    expect(model.versions[0]).toMatchObject({ version: 1, state: "trained", performance: { accuracy: 0.8 }, readiness: { readiness: "Ready" } });
    const published = orThrow(publish(model, version, { now: t0 }));
    expect(activeVersion(published)).toMatchObject({ version: 1, publishedAt: t0.toISOString() });
    expect(activeVersion(published)?.forcedPublish).toBeUndefined();
    expect(dealScoringModelSchema.parse(JSON.parse(JSON.stringify(published)))).toEqual(published);
  });

  it("refuses to publish a version still training, or to start a second training", () => {
    const started = orThrow(startTraining(createModel({ modelId: "m1", config, now: t0 }), { now: t0, trigger: "manual" }));
    const out = publish(started.model, started.version, { now: t0 });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error).toMatchObject({ code: "model_still_training", kind: "conflict", field: "version" });
    const again = startTraining(started.model, { now: t0, trigger: "manual" });
    if (!again.ok) expect(again.error.code).toBe("model_still_training");
    expect(again.ok).toBe(false);
    const missing = publish(started.model, 7, { now: t0 });
    if (!missing.ok) expect(missing.error).toMatchObject({ code: "version_not_found", kind: "not_found" });
  });

  it("publishes a Not ready version only by force, and records that it was forced", () => {
    const { model, version } = trained(createModel({ modelId: "m1", config, now: t0 }), t0, 0.6, "Not ready");
    const refused = publish(model, version, { now: t0 });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ code: "not_ready_to_publish", field: "force" });
    expect(activeVersion(orThrow(publish(model, version, { now: t0, force: true })))).toMatchObject({ forcedPublish: true, state: "active" });
  });

  it("does not publish a version whose training failed", () => {
    const started = orThrow(startTraining(createModel({ modelId: "m1", config, now: t0 }), { now: t0, trigger: "manual" }));
    const failed = orThrow(failTraining(started.model, started.version, { code: "not_enough_deals", message: "39 won" }));
    expect(failed.versions[0]).toMatchObject({ state: "failed", failure: { code: "not_enough_deals" } });
    const out = publish(failed, started.version, { now: t0 });
    if (!out.ok) expect(out.error.code).toBe("version_not_trained");
    expect(out.ok).toBe(false);
  });

  it("reverts to the previously active version; with none, says so", () => {
    const fresh = createModel({ modelId: "m1", config, now: t0 });
    const none = revert(fresh, { now: t0 });
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error).toMatchObject({ code: "no_previous_version", field: "version" });
    const t1 = addDays(t0, 20);
    let m = orThrow(publish(trained(fresh, t0, 0.8).model, 1, { now: t0 }));
    m = orThrow(publish(trained(m, t1, 0.82).model, 2, { now: t1 }));
    expect(m.versions.map((v) => v.state)).toEqual(["published", "active"]);
    const reverted = orThrow(revert(m, { now: t1 }));
    expect(reverted.versions.map((v) => v.state)).toEqual(["active", "trained"]);
    expect(reverted.versions[1].revertedAt).toBe(t1.toISOString());
    expect(revert(reverted, { now: t1 }).ok).toBe(false);
  });

  it("retrains automatically every 15 days after publishing, unless turned off", () => {
    let m = orThrow(publish(trained(createModel({ modelId: "m1", config, now: t0 }), t0, 0.8).model, 1, { now: t0 }));
    expect(retrainDueAt(m)?.toISOString()).toBe(addDays(t0, 15).toISOString());
    expect(isRetrainDue(m, addDays(t0, 14))).toBe(false);
    expect(isRetrainDue(m, addDays(t0, 15))).toBe(true);
    m = setRetrainAutomatically(m, false);
    expect(isRetrainDue(m, addDays(t0, 30))).toBe(false);
  });

  it("lets an automatic retraining replace the active version only by the replacement rule", () => {
    const published = orThrow(publish(trained(createModel({ modelId: "m1", config, now: t0 }), t0, 0.8).model, 1, { now: t0 }));
    const t1 = addDays(t0, 15);
    const better = trained(published, t1, 0.8 * 0.95, "OK", "automatic").model;
    expect(activeVersion(better)?.version).toBe(2);
    expect(better.versions[1].decision).toMatchObject({ replace: true, rule: "accuracy" });
    const worse = trained(published, t1, 0.7, "OK", "automatic").model;
    expect(activeVersion(worse)?.version).toBe(1);
    expect(worse.versions[1]).toMatchObject({ state: "trained", decision: { replace: false, rule: "kept_accuracy" } });
    const late = addDays(addMonths(t0, 3), 1);
    expect(activeVersion(trained(published, late, 0.7, "OK", "automatic").model)?.version).toBe(2);
    // A manual retraining waits for an administrator.
    expect(activeVersion(trained(published, t1, 0.9).model)?.version).toBe(1);
  });

  it("sets grade bands only when they are valid", () => {
    const m = createModel({ modelId: "m1", config, now: t0 });
    const out = setGradeBands(m, { ...m.gradeBands, B: { min: 65, max: 79 } });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error.code).toBe("invalid_grade_bands");
  });

  it("keeps the active and the previous version when old versions are pruned", () => {
    let m = createModel({ modelId: "m1", config, now: t0 });
    for (let k = 0; k < 6; k++) {
      const at = addDays(t0, 15 * k);
      const r = trained(m, at, 0.8);
      m = k < 2 ? orThrow(publish(r.model, r.version, { now: at })) : r.model;
    }
    const { model, removed } = pruneVersions(m, 2);
    expect(model.versions.map((v) => [v.version, v.state])).toEqual([
      [1, "published"],
      [2, "active"],
      [5, "trained"],
      [6, "trained"],
    ]);
    expect(removed).toEqual([3, 4]);
  });

  it("deletes a model; an unknown model is not found", () => {
    const models = [createModel({ modelId: "a", config, now: t0 }), createModel({ modelId: "b", config, now: t0 })];
    expect(orThrow(deleteModel(models, "a")).models.map((m) => m.modelId)).toEqual(["b"]);
    const out = deleteModel(models, "zzz");
    if (!out.ok) expect(out.error).toMatchObject({ code: "model_not_found", kind: "not_found" });
    expect(out.ok).toBe(false);
  });
});
