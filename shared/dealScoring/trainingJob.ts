import {
  activeVersion,
  completeTraining,
  failTraining,
  pruneVersions,
  trainDealModel,
  trainingSummary,
  type DealScoringModel,
} from "../domain/dealScoring/index.js";
import type { DealTrainingJob } from "../ports/dealScoring.js";
import type { ModelStore } from "../ports/models.js";
import type { RefreshQueue } from "../ports/refreshQueue.js";
import type { DealModelDeps } from "./models.js";
import { mutateModel } from "./models.js";
import { artifactVersion, DEAL_MODEL_KIND, saveDealArtifact } from "./artifacts.js";
import type { DealsReader } from "./readDeals.js";

// One training job (queue-triggered): reads every deal of the partner's live snapshots, trains and tests the
// version, stores its artifact (versioned JSON in the model store), then records the result on the model. An
// automatic retraining of a published model replaces the active version by the replacement rule, which then
// queues a rescoring. A refusal (the data floor at training time) is recorded as a failed version, not
// retried. A redelivered job whose version is no longer training does nothing.

export interface DealTrainingDeps {
  models: DealModelDeps["models"];
  artifacts: Pick<ModelStore, "save" | "remove">;
  deals: DealsReader;
  refreshQueue: RefreshQueue;
  now?: () => Date;
  /** Versions kept per model (plus the active one, the one revert returns to, and any in training). */
  keepVersions?: number;
  log?: (line: string) => void;
}

export type DealTrainingOutcome =
  /** seconds: the whole job (reading the deals, training, storing). */
  | { status: "trained"; readiness: string; replacedActive: boolean; seconds: number }
  | { status: "failed"; code: string; message: string }
  | { status: "skipped"; reason: string };

export async function runDealTraining(deps: DealTrainingDeps, job: DealTrainingJob): Promise<DealTrainingOutcome> {
  const started = performance.now();
  const now = (deps.now ?? (() => new Date()))();
  const { partnerId, modelId, version } = job;
  const stored = await deps.models.get(partnerId, modelId);
  const pending = stored?.model.versions.find((v) => v.version === version);
  if (!stored) return { status: "skipped", reason: "the model was deleted" };
  if (!pending || pending.state !== "training") return { status: "skipped", reason: `version ${version} is ${pending?.state ?? "gone"}, not training` };

  const histories = await deps.deals.histories(partnerId, "all");
  const trained = trainDealModel({ histories, config: stored.model.config, now });
  if (!trained.ok) {
    await mutateModel(deps, partnerId, modelId, (model) => settle(model, version, (m) => failTraining(m, version, trained.error)));
    return { status: "failed", code: trained.error.code, message: trained.error.message };
  }
  // The artifact first: a version recorded as trained always has one.
  await saveDealArtifact(deps.artifacts, partnerId, modelId, version, trained.value.model.artifact);
  let removed: number[] = [];
  const { before, after } = await mutateModel(deps, partnerId, modelId, (model) => {
    const completed = settle(model, version, (m) => completeTraining(m, version, trainingSummary(trained.value), now));
    if (completed === model) return model;
    const pruned = pruneVersions(completed, deps.keepVersions ?? 10);
    removed = pruned.removed;
    return pruned.model;
  });
  for (const v of removed) await deps.artifacts.remove(partnerId, DEAL_MODEL_KIND, artifactVersion(modelId, v));
  const replacedActive = activeVersion(before)?.version !== activeVersion(after)?.version;
  if (replacedActive) await deps.refreshQueue.enqueue({ partnerId, reason: "manual", requestedAt: now.toISOString() });
  deps.log?.(
    `deal training ${partnerId}/${modelId} v${version}: ${trained.value.readiness.readiness}, test AUC ${trained.value.performance.auc ?? "n/a"}, ` +
      `${trained.value.performance.train.deals} training deals, trained in ${trained.value.trainingSeconds.toFixed(1)} s, ` +
      `job ${((performance.now() - started) / 1000).toFixed(1)} s (reading ${histories.length} deals, storing the artifact)${replacedActive ? ", now the active version" : ""}`,
  );
  return { status: "trained", readiness: trained.value.readiness.readiness, replacedActive, seconds: (performance.now() - started) / 1000 };
}

/** Applies a transition to a version still training; a version settled meanwhile (a redelivery) is left alone. */
function settle(
  model: DealScoringModel,
  version: number,
  transition: (m: DealScoringModel) => { ok: true; value: DealScoringModel } | { ok: false },
): DealScoringModel {
  if (model.versions.find((v) => v.version === version)?.state !== "training") return model;
  const next = transition(model);
  return next.ok ? next.value : model;
}
