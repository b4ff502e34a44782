import { loadDealModel, type DealModel, type DealModelArtifact } from "../domain/dealScoring/index.js";
import type { ModelStore } from "../ports/models.js";

// Where a deal model version's artifact lives in the model store: models/{partnerId}/deals/{modelId}.v{version}.json.

export const DEAL_MODEL_KIND = "deals";

export function artifactVersion(modelId: string, version: number): string {
  return `${modelId}.v${version}`;
}

export function saveDealArtifact(store: Pick<ModelStore, "save">, partnerId: string, modelId: string, version: number, artifact: DealModelArtifact): Promise<string> {
  return store.save(partnerId, DEAL_MODEL_KIND, artifactVersion(modelId, version), artifact);
}

/** The version's model ready to score, or a reason it cannot be (missing or unreadable artifact). */
export async function loadDealArtifact(
  store: Pick<ModelStore, "load">,
  partnerId: string,
  modelId: string,
  version: number,
): Promise<{ ok: true; model: DealModel } | { ok: false; reason: string }> {
  const json = await store.load(partnerId, DEAL_MODEL_KIND, artifactVersion(modelId, version));
  if (json === undefined) return { ok: false, reason: `the artifact of ${modelId} version ${version} is missing` };
  const loaded = loadDealModel(json);
  return loaded.ok ? { ok: true, model: loaded.value } : { ok: false, reason: loaded.error.message };
}
