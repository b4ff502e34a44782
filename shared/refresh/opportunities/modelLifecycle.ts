import { createHash } from "node:crypto";
import {
  MODEL_SET_FORMAT_VERSION,
  modelIds,
  opportunityModels,
  opportunityModelSetSchema,
  trainOpportunityModels,
  type FeedbackRecord,
  type ModelId,
  type OpportunityModelSet,
  type OpportunitySettings,
  type TenantHistory,
} from "../../domain/opportunities/index.js";
import type { ModelInfo, OpportunityModelsDoc } from "../../domain/opportunities/stored.js";
import { describeError } from "../../errors.js";
import type { ModelStore } from "../../ports/models.js";
import type { OpportunityModelRegistry } from "../../ports/opportunities.js";

// The models' lifecycle inside a refresh: a model is retrained when what it learns from changed, else the stored
// one is reused. What a model learns from is fingerprinted: the drops its data comes from (dataFingerprint), the
// settings, the model set format, and for growth and trial models the "already purchased" answers that become their
// labels. A new subscriptions or usage drop therefore retrains all eight; an "already purchased" answer retrains the
// model it was given on; an incentives drop or a manual refresh retrains nothing.
//
// The model set (all eight, engines included) is stored as versioned JSON in Blob Storage (ModelStore, kind
// "opportunities", version "set.{UTC time}"); the registry document in the partners container names the current
// version and keeps each model's metadata and fingerprint. The version before it is kept (the previous result set
// may still be read and explained); older ones are removed.

export const modelKind = "opportunities";

export interface ModelLifecycleDeps {
  registry: OpportunityModelRegistry;
  store: ModelStore;
  log?: { info(message: string): void; warn(message: string): void };
}

export interface ModelLifecycleInput {
  partnerId: string;
  histories: readonly TenantHistory[];
  settings: OpportunitySettings;
  feedback: readonly FeedbackRecord[];
  /** Fingerprint of the drops the histories come from (histories.ts dataFingerprint). */
  data: string;
  now: Date;
}

export interface CurrentModelSet {
  modelSet: OpportunityModelSet;
  version: string;
  /** Models trained in this refresh (empty: every stored model was still current). */
  retrained: ModelId[];
  /** Training seconds per retrained model. */
  seconds: Partial<Record<ModelId, number>>;
}

const hash = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32);

/** Each model's fingerprint: data, settings, format, and its own "already purchased" labels. */
export function modelFingerprints(input: Pick<ModelLifecycleInput, "settings" | "feedback" | "data">): Record<ModelId, string> {
  const out = {} as Record<ModelId, string>;
  for (const model of opportunityModels) {
    const labels = model.alreadyPurchasedIsLabel
      ? input.feedback
          .filter((f) => f.modelId === model.id && f.reason === "alreadyPurchased")
          .map((f) => `${f.tenantId}|${f.givenAt.slice(0, 10)}`)
          .sort()
      : [];
    out[model.id] = hash([MODEL_SET_FORMAT_VERSION, input.data, input.settings, labels]);
  }
  return out;
}

export function setVersion(now: Date): string {
  return `set.${now.toISOString().replace(/[-:.]/g, "")}`;
}

export async function currentModelSet(deps: ModelLifecycleDeps, input: ModelLifecycleInput): Promise<CurrentModelSet> {
  const { partnerId } = input;
  const fingerprints = modelFingerprints(input);
  const registry = await deps.registry.read(partnerId);
  const stored = registry ? await loadSet(deps, partnerId, registry.doc.version) : undefined;
  const storedFingerprints = new Map((registry?.doc.models ?? []).map((m) => [m.modelId, m.fingerprint]));
  const storedModels = new Map((stored?.models ?? []).map((m) => [m.modelId, m]));
  const stale = modelIds.filter((id) => !storedModels.has(id) || storedFingerprints.get(id) !== fingerprints[id]);
  if (stored && registry && stale.length === 0) return { modelSet: stored, version: registry.doc.version, retrained: [], seconds: {} };

  const trained = trainOpportunityModels(input.histories, input.settings, input.now, { feedback: input.feedback, models: stale });
  const fresh = new Map(trained.models.map((m) => [m.modelId, m]));
  const kept = modelIds.filter((id) => !fresh.has(id));
  const keptNames = kept.map((id) => `${storedModels.get(id)!.name}:`);
  const modelSet: OpportunityModelSet = {
    ...trained,
    models: modelIds.map((id) => fresh.get(id) ?? storedModels.get(id)!),
    // The data warnings are the new training's; a kept model's own warnings carry over from when it was trained.
    warnings: [...trained.warnings, ...(stored?.warnings ?? []).filter((w) => keptNames.some((n) => w.startsWith(n)))],
  };
  const version = setVersion(input.now);
  const seconds = Object.fromEntries(trained.models.map((m) => [m.modelId, m.seconds])) as CurrentModelSet["seconds"];
  await save(deps, input, modelSet, version, fingerprints, registry);
  return { modelSet, version, retrained: stale, seconds };
}

async function loadSet(deps: ModelLifecycleDeps, partnerId: string, version: string): Promise<OpportunityModelSet | undefined> {
  const artifact = await deps.store.load(partnerId, modelKind, version);
  if (artifact === undefined) {
    deps.log?.warn(`opportunities ${partnerId}: model set ${version} is missing from the model store; every model is retrained`);
    return undefined;
  }
  const parsed = opportunityModelSetSchema.safeParse(artifact);
  if (!parsed.success) {
    deps.log?.warn(`opportunities ${partnerId}: model set ${version} cannot be read by this version of the code; every model is retrained`);
    return undefined;
  }
  return parsed.data;
}

async function save(
  deps: ModelLifecycleDeps,
  input: ModelLifecycleInput,
  modelSet: OpportunityModelSet,
  version: string,
  fingerprints: Record<ModelId, string>,
  registry: { doc: OpportunityModelsDoc; etag: string } | undefined,
): Promise<void> {
  const { partnerId } = input;
  const artifact = await deps.store.save(partnerId, modelKind, version, modelSet);
  const doc: OpportunityModelsDoc = {
    id: "opportunityModels",
    partnerId,
    type: "opportunityModels",
    version,
    artifact,
    ...(registry ? { previousVersion: registry.doc.version } : {}),
    savedAt: input.now.toISOString(),
    settings: modelSet.settings,
    history: modelSet.history,
    warnings: modelSet.warnings,
    models: modelSet.models.map((m): ModelInfo => {
      const { engine: _engine, ...info } = m;
      return { ...info, fingerprint: fingerprints[m.modelId] };
    }),
  };
  const written = await deps.registry.write(doc, registry?.etag);
  // Best effort from here: a leftover blob costs storage, never a wrong answer.
  const remove = async (v: string, why: string) => {
    try {
      await deps.store.remove(partnerId, modelKind, v);
    } catch (err) {
      deps.log?.warn(`opportunities ${partnerId}: removing model set ${v} (${why}) failed: ${describeError(err)}`);
    }
  };
  if (!written) {
    // Another refresh recorded its own training first; this refresh still scores with the set it trained.
    deps.log?.info(`opportunities ${partnerId}: another refresh recorded its models first; model set ${version} is not kept`);
    await remove(version, "not recorded");
    return;
  }
  const older = registry?.doc.previousVersion;
  if (older && older !== version) await remove(older, "older than the previous set");
}
