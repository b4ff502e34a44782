import { isRetrainDue, startTraining } from "../domain/dealScoring/index.js";
import type { DealModelStore, DealTrainingQueue } from "../ports/dealScoring.js";
import type { PartnerRegistry } from "../ports/partners.js";
import { failStaleTraining } from "./models.js";

// The retraining timer's use case: every published model with automatic retraining on whose last training
// began 15 days ago or more gets a new version (trigger "automatic") and its job queued; the job's result
// replaces the active version only by the replacement rule. Trainings whose job was lost are recorded
// failed. Off-boarded partners are left alone.

export interface RetrainScheduleDeps {
  models: Pick<DealModelStore, "listAll" | "replace">;
  trainingQueue: DealTrainingQueue;
  partners: Pick<PartnerRegistry, "listForSchedule">;
  now?: () => Date;
}

export async function retrainDueModels(deps: RetrainScheduleDeps): Promise<{ started: { partnerId: string; modelId: string; version: number }[]; staleFailed: number }> {
  const now = (deps.now ?? (() => new Date()))();
  const offboarded = new Set((await deps.partners.listForSchedule()).filter((p) => p.offboardedAt).map((p) => p.partnerId));
  const started: { partnerId: string; modelId: string; version: number }[] = [];
  let staleFailed = 0;
  for await (const page of deps.models.listAll()) {
    for (const { partnerId, stored } of page) {
      if (offboarded.has(partnerId)) continue;
      let model = failStaleTraining(stored.model, now);
      if (model !== stored.model) staleFailed++;
      let version: number | undefined;
      if (isRetrainDue(model, now)) {
        const next = startTraining(model, { now, trigger: "automatic" });
        if (next.ok) {
          model = next.value.model;
          version = next.value.version;
        }
      }
      if (model === stored.model) continue;
      // A lost race means an administrator changed the model meanwhile: the next run looks again.
      if ((await deps.models.replace(partnerId, model, stored.etag)) === "conflict") continue;
      if (version !== undefined) {
        await deps.trainingQueue.enqueue({ partnerId, modelId: model.modelId, version, requestedAt: now.toISOString() });
        started.push({ partnerId, modelId: model.modelId, version });
      }
    }
  }
  return { started, staleFailed };
}
