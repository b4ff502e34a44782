import { z } from "zod";
import { attributeInsightsSchema } from "./attributeInsights.js";
import { dataReportSchema } from "./dataFloor.js";
import { failure, success, type DealScoringProblem, type Outcome } from "./errors.js";
import { DEFAULT_GRADE_BANDS, gradeBandsSchema, validateGradeBands } from "./grades.js";
import { modelConfigSchema, type ModelConfig } from "./modelConfig.js";
import { stageInfluenceSchema } from "./perStage.js";
import { publishReadinessSchema, type PublishReadiness } from "./publishGate.js";
import { nextRetrainAt, replacementDecision, retrainDue } from "./replacement.js";
import { modelPerformanceSchema, type ModelPerformance, type TrainedDealModel } from "./train.js";

// A scoring model and its versions, as a small aggregate with pure transitions (seed 004 lifecycle):
// train → review → publish (a Not ready version only by force, recorded), automatic retraining that
// replaces the active version by the replacement rule, revert to the previous version, delete.
// Version states: training → trained (or failed) → active when published; an active version that another
// replaces becomes "published" (it was published, it is kept, and it is what revert returns to).

export const versionStates = ["training", "trained", "failed", "published", "active"] as const;
export type VersionState = (typeof versionStates)[number];

export const modelVersionSchema = z.object({
  version: z.number().int().min(1),
  state: z.enum(versionStates),
  trigger: z.enum(["manual", "automatic"]),
  requestedAt: z.string(),
  trainedAt: z.string().optional(),
  performance: modelPerformanceSchema.optional(),
  readiness: publishReadinessSchema.optional(),
  /** The most influential inputs, largest first. */
  importance: z.array(z.object({ key: z.string(), label: z.string(), importance: z.number() })).optional(),
  insights: attributeInsightsSchema.optional(),
  stageInfluence: stageInfluenceSchema.optional(),
  /** The deals trained on and the ones left out, with why. */
  report: dataReportSchema.optional(),
  notes: z.array(z.string()).optional(),
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
  publishedAt: z.string().optional(),
  /** Published although Not ready. */
  forcedPublish: z.boolean().optional(),
  /** When another version replaced it as the active one. */
  retiredAt: z.string().optional(),
  /** When an administrator reverted away from it. */
  revertedAt: z.string().optional(),
  /** Automatic retraining: whether it replaced the active version, and why. */
  decision: z.object({ replace: z.boolean(), rule: z.string(), reason: z.string() }).optional(),
});
export type ModelVersion = z.infer<typeof modelVersionSchema>;

export const dealScoringModelSchema = z.object({
  modelId: z.string().min(1),
  config: modelConfigSchema,
  createdAt: z.string(),
  /** Dynamics turns this on when a model is published; an administrator can turn it off. */
  retrainAutomatically: z.boolean(),
  gradeBands: gradeBandsSchema,
  versions: z.array(modelVersionSchema),
});
export type DealScoringModel = z.infer<typeof dealScoringModelSchema>;

export function createModel(input: { modelId: string; config: ModelConfig; now: Date }): DealScoringModel {
  return {
    modelId: input.modelId,
    config: input.config,
    createdAt: input.now.toISOString(),
    retrainAutomatically: true,
    gradeBands: DEFAULT_GRADE_BANDS,
    versions: [],
  };
}

export function activeVersion(model: DealScoringModel): ModelVersion | undefined {
  return model.versions.find((v) => v.state === "active");
}

/** The version revert returns to: the one most recently replaced as active. */
export function previousVersion(model: DealScoringModel): ModelVersion | undefined {
  let best: ModelVersion | undefined;
  for (const v of model.versions) if (v.state === "published" && (!best || (v.retiredAt ?? "") > (best.retiredAt ?? ""))) best = v;
  return best;
}

export function trainingVersion(model: DealScoringModel): ModelVersion | undefined {
  return model.versions.find((v) => v.state === "training");
}

function withVersion(model: DealScoringModel, version: ModelVersion): DealScoringModel {
  return { ...model, versions: model.versions.map((v) => (v.version === version.version ? version : v)) };
}

function findVersion(model: DealScoringModel, version: number): Outcome<ModelVersion> {
  const v = model.versions.find((x) => x.version === version);
  return v ? success(v) : failure("version_not_found", `model ${model.config.name} has no version ${version}`, "version");
}

/** Makes `version` the active one; the active one it replaces is kept as "published". */
function activate(model: DealScoringModel, version: ModelVersion, now: string, forced: boolean): DealScoringModel {
  return {
    ...model,
    versions: model.versions.map((v) => {
      if (v.version === version.version) {
        const { revertedAt: _reverted, retiredAt: _retired, ...rest } = v;
        return { ...rest, state: "active", publishedAt: now, ...(forced ? { forcedPublish: true } : {}) };
      }
      if (v.state === "active") return { ...v, state: "published", retiredAt: now };
      return v;
    }),
  };
}

/** What a version keeps of its training: the figures an administrator reviews before publishing. */
export type TrainingSummary = Pick<ModelVersion, "importance" | "insights" | "stageInfluence" | "report" | "notes"> & {
  trainedAt: string;
  performance: ModelPerformance;
  readiness: PublishReadiness;
};

export function trainingSummary(trained: TrainedDealModel): TrainingSummary {
  return {
    trainedAt: trained.trainedAt,
    performance: trained.performance,
    readiness: trained.readiness,
    importance: trained.importance,
    insights: trained.insights,
    ...(trained.stageInfluence ? { stageInfluence: trained.stageInfluence } : {}),
    report: trained.report,
    notes: trained.notes,
  };
}

/** Starts training a new version (an administrator's request, or the automatic retraining). */
export function startTraining(model: DealScoringModel, input: { now: Date; trigger: "manual" | "automatic" }): Outcome<{ model: DealScoringModel; version: number }> {
  const busy = trainingVersion(model);
  if (busy) return failure("model_still_training", `version ${busy.version} of ${model.config.name} is still training`, "version");
  const version = Math.max(0, ...model.versions.map((v) => v.version)) + 1;
  const v: ModelVersion = { version, state: "training", trigger: input.trigger, requestedAt: input.now.toISOString() };
  return success({ model: { ...model, versions: [...model.versions, v] }, version });
}

/**
 * Records a finished training. An automatic retraining of a published model replaces the active version when
 * the replacement rule says so; otherwise the version waits as trained for an administrator.
 */
export function completeTraining(model: DealScoringModel, version: number, result: TrainingSummary, now: Date): Outcome<DealScoringModel> {
  const found = findVersion(model, version);
  if (!found.ok) return found;
  const v = found.value;
  if (v.state !== "training") return failure("version_not_trained", `version ${version} is ${v.state}, not training`, "version");
  const trained: ModelVersion = { ...v, ...result, state: "trained" };
  let next = withVersion(model, trained);
  const active = activeVersion(model);
  if (v.trigger === "automatic" && active?.performance && active.trainedAt) {
    const decision = replacementDecision({
      retrained: { accuracy: result.performance.accuracy, readiness: result.readiness.readiness },
      active: { accuracy: active.performance.accuracy, trainedAt: active.trainedAt },
      now,
    });
    const decided = { ...trained, decision };
    next = withVersion(next, decided);
    if (decision.replace) next = activate(next, decided, now.toISOString(), false);
  }
  return success(next);
}

/** Records a training that could not finish (for example refused by the data floor at training time). */
export function failTraining(model: DealScoringModel, version: number, problem: Pick<DealScoringProblem, "code" | "message">): Outcome<DealScoringModel> {
  const found = findVersion(model, version);
  if (!found.ok) return found;
  if (found.value.state !== "training") return failure("version_not_trained", `version ${version} is ${found.value.state}, not training`, "version");
  return success(withVersion(model, { ...found.value, state: "failed", failure: { code: problem.code, message: problem.message } }));
}

/**
 * Publishes a trained version: it becomes the active one. A Not ready version needs `force`, and is recorded
 * as force-published. Publishing the active version again changes nothing.
 */
export function publish(model: DealScoringModel, version: number, input: { now: Date; force?: boolean }): Outcome<DealScoringModel> {
  const found = findVersion(model, version);
  if (!found.ok) return found;
  const v = found.value;
  if (v.state === "training") return failure("model_still_training", `version ${version} of ${model.config.name} is still training; publish it once it is trained`, "version");
  if (v.state === "failed" || !v.readiness) return failure("version_not_trained", `version ${version} of ${model.config.name} did not train, so it cannot be published`, "version");
  if (v.state === "active") return success(model);
  const notReady = v.readiness.readiness === "Not ready";
  if (notReady && !input.force) {
    return failure("not_ready_to_publish", `version ${version} is Not ready to publish (${v.readiness.reason}); publish it with force to use it anyway`, "force", {
      readiness: v.readiness,
    });
  }
  return success(activate(model, v, input.now.toISOString(), notReady));
}

/** Returns to the previously active version; the version reverted from waits as trained (it can be published again). */
export function revert(model: DealScoringModel, input: { now: Date }): Outcome<DealScoringModel> {
  const previous = previousVersion(model);
  if (!previous) return failure("no_previous_version", `model ${model.config.name} has no previously published version to revert to`, "version");
  const now = input.now.toISOString();
  return success({
    ...model,
    versions: model.versions.map((v) => {
      if (v.version === previous.version) {
        const { retiredAt: _retired, ...rest } = v;
        return { ...rest, state: "active", publishedAt: now };
      }
      if (v.state === "active") return { ...v, state: "trained", revertedAt: now };
      return v;
    }),
  });
}

export function setGradeBands(model: DealScoringModel, bands: unknown): Outcome<DealScoringModel> {
  const checked = validateGradeBands(bands);
  return checked.ok ? success({ ...model, gradeBands: checked.value }) : checked;
}

export function setRetrainAutomatically(model: DealScoringModel, on: boolean): DealScoringModel {
  return { ...model, retrainAutomatically: on };
}

/** Replaces the configuration (after editModelConfig); the next training uses it. */
export function setConfig(model: DealScoringModel, config: ModelConfig): Outcome<DealScoringModel> {
  const busy = trainingVersion(model);
  if (busy) return failure("model_still_training", `version ${busy.version} of ${model.config.name} is still training; edit the model when it is done`, "version");
  return success({ ...model, config });
}

function lastRequestedAt(model: DealScoringModel): string | undefined {
  let last: string | undefined;
  for (const v of model.versions) if (!last || v.requestedAt > last) last = v.requestedAt;
  return last;
}

function retrainInput(model: DealScoringModel) {
  return {
    enabled: model.retrainAutomatically,
    hasActiveVersion: activeVersion(model) !== undefined,
    trainingInProgress: trainingVersion(model) !== undefined,
    lastTrainingRequestedAt: lastRequestedAt(model),
  };
}

/** When the automatic retraining is next due (undefined: not scheduled). */
export function retrainDueAt(model: DealScoringModel): Date | undefined {
  return nextRetrainAt(retrainInput(model));
}

export function isRetrainDue(model: DealScoringModel, now: Date): boolean {
  return retrainDue(retrainInput(model), now);
}

/**
 * Keeps the newest `keep` versions plus the active one, the one revert returns to, and any in training;
 * returns the versions dropped (their stored artifacts can be deleted).
 */
export function pruneVersions(model: DealScoringModel, keep = 10): { model: DealScoringModel; removed: number[] } {
  const protectedVersions = new Set([activeVersion(model)?.version, previousVersion(model)?.version, trainingVersion(model)?.version]);
  const newest = [...model.versions].sort((a, b) => b.version - a.version).slice(0, keep).map((v) => v.version);
  const kept = new Set([...newest, ...protectedVersions]);
  const removed = model.versions.filter((v) => !kept.has(v.version)).map((v) => v.version);
  return { model: { ...model, versions: model.versions.filter((v) => kept.has(v.version)) }, removed };
}

/** Deletes a model from the partner's models; its versions' artifacts and scores go with it. */
export function deleteModel(models: readonly DealScoringModel[], modelId: string): Outcome<{ models: DealScoringModel[]; removed: DealScoringModel }> {
  const removed = models.find((m) => m.modelId === modelId);
  if (!removed) return failure("model_not_found", `no scoring model ${modelId}`, "modelId");
  return success({ models: models.filter((m) => m.modelId !== modelId), removed });
}
