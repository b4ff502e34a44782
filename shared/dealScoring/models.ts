import { randomBytes } from "node:crypto";
import {
  activeVersion,
  checkDataFloor,
  createModel,
  DATA_FLOOR,
  dealColumns,
  deleteModel as deleteFromModels,
  editModelConfig,
  failTraining,
  moveGradeEdge,
  parseModelConfig,
  problem,
  publish,
  retrainDueAt,
  revert,
  selectTrainingDeals,
  setConfig,
  setGradeBands,
  setRetrainAutomatically,
  startTraining,
  trainingVersion,
  validateNewModel,
  checkBesideModels,
  type DealRow,
  type DealScoringModel,
  type FilterOverlapWarning,
  type Grade,
  type ModelVersion,
  type Outcome,
} from "../domain/dealScoring/index.js";
import { ConflictError } from "../errors.js";
import type { ModelStore } from "../ports/models.js";
import type { DealModelStore, DealTrainingQueue, ScoreHistoryStore } from "../ports/dealScoring.js";
import type { RefreshQueue } from "../ports/refreshQueue.js";
import { artifactVersion, DEAL_MODEL_KIND } from "./artifacts.js";
import { problemError, unwrap } from "./problems.js";
import type { DealsReader } from "./readDeals.js";

// What an administrator does with the partner's deal scoring models (issue 8): create (with the filter-overlap
// warning), edit, train (answered at once: the training is a queue job), publish (or force), revert, set grade
// bands, delete. Each command reads the model, applies the domain's pure transition and writes it back only if
// nobody wrote since (retried on a lost race); a refused transition changes nothing. Whatever changes the
// scores (publish, revert, bands, delete) queues a rescoring refresh of the partner.

export interface DealModelDeps {
  models: DealModelStore;
  artifacts: Pick<ModelStore, "remove">;
  deals: DealsReader;
  trainingQueue: DealTrainingQueue;
  refreshQueue: RefreshQueue;
  scoreHistory: Pick<ScoreHistoryStore, "removeModel">;
  now?: () => Date;
  newModelId?: () => string;
}

/** A training that has not finished after this long is taken as lost (its job failed for good) and recorded failed. */
export const STALE_TRAINING_MS = 2 * 60 * 60 * 1000;
const maxRaces = 5;

export const modelStates = ["new", "training", "trained", "failed", "published"] as const;
export type ModelState = (typeof modelStates)[number];

/** The model as the API shows it: its document plus where it stands. */
export interface DealModelView extends DealScoringModel {
  state: ModelState;
  activeVersion?: number;
  retrainDueAt?: string;
}

export function describeModel(model: DealScoringModel): DealModelView {
  const active = activeVersion(model);
  const latest = [...model.versions].sort((a, b) => b.version - a.version)[0];
  const state: ModelState = trainingVersion(model) ? "training" : active ? "published" : !latest ? "new" : latest.state === "failed" ? "failed" : "trained";
  const due = retrainDueAt(model);
  return { ...model, state, ...(active ? { activeVersion: active.version } : {}), ...(due ? { retrainDueAt: due.toISOString() } : {}) };
}

const notFound = (modelId: string) => problemError(problem("model_not_found", `no deal scoring model ${modelId}`, "modelId"));

/** Records a training whose job never finished as failed, so the model can train again. */
export function failStaleTraining(model: DealScoringModel, now: Date): DealScoringModel {
  const busy = trainingVersion(model);
  if (!busy || now.getTime() - Date.parse(busy.requestedAt) < STALE_TRAINING_MS) return model;
  const failed = failTraining(model, busy.version, { code: "training_failed", message: "the training did not finish (its job failed or was lost); train again" });
  return failed.ok ? failed.value : model;
}

/** Deals read to learn the columns: a page of the newest snapshot, whose columns are almost always all of them. */
const COLUMN_SAMPLE = 2_000;
const columnProblems = new Set(["unknown_column", "unknown_filter_column", "unknown_attribute"]);

/**
 * The deals a check of column names needs: a page of the newest snapshot, and every deal of it only when the
 * page was not all of them and the check needs more (a name not seen in the page may be a sparse attribute).
 */
async function dealsForColumns<T>(deps: Pick<DealModelDeps, "deals">, partnerId: string, check: (deals: DealRow[]) => Outcome<T>, needsEveryDeal = false): Promise<DealRow[]> {
  const sample = await deps.deals.newestRows(partnerId, COLUMN_SAMPLE);
  if (sample.complete) return sample.rows;
  const outcome = needsEveryDeal ? undefined : check(sample.rows);
  if (outcome && (outcome.ok || !columnProblems.has(outcome.error.code))) return sample.rows;
  return (await deps.deals.histories(partnerId, "current")).map((h) => h.deal);
}

/** The value of `check` over the deals it needs (dealsForColumns); a refusal is thrown as the domain's problem. */
async function withDealColumns<T>(deps: Pick<DealModelDeps, "deals">, partnerId: string, needsEveryDeal: boolean, check: (deals: DealRow[]) => Outcome<T>): Promise<T> {
  return unwrap(check(await dealsForColumns(deps, partnerId, check, needsEveryDeal)));
}

/** Reads, changes and writes a model, again on a lost race; `change` throws to refuse (nothing is written). */
export async function mutateModel(
  deps: Pick<DealModelDeps, "models">,
  partnerId: string,
  modelId: string,
  change: (model: DealScoringModel) => DealScoringModel,
): Promise<{ before: DealScoringModel; after: DealScoringModel }> {
  for (let attempt = 1; attempt <= maxRaces; attempt++) {
    const stored = await deps.models.get(partnerId, modelId);
    if (!stored) throw notFound(modelId);
    const after = change(stored.model);
    if (after === stored.model) return { before: stored.model, after };
    const saved = await deps.models.replace(partnerId, after, stored.etag);
    if (saved !== "conflict") return { before: stored.model, after: saved.model };
  }
  throw new ConflictError(`model ${modelId} kept changing while it was being updated; try again`, "modelId");
}

function clock(deps: Pick<DealModelDeps, "now">): Date {
  return (deps.now ?? (() => new Date()))();
}

async function rescore(deps: Pick<DealModelDeps, "refreshQueue">, partnerId: string, now: Date): Promise<void> {
  await deps.refreshQueue.enqueue({ partnerId, reason: "manual", requestedAt: now.toISOString() });
}

/** The partner's models; each version without its insights, influence, importance and data report (GET one model for those). */
export async function listDealModels(deps: Pick<DealModelDeps, "models">, partnerId: string): Promise<DealModelView[]> {
  return (await deps.models.list(partnerId)).map((s) => {
    const view = describeModel(s.model);
    return { ...view, versions: view.versions.map(({ insights: _i, stageInfluence: _s, importance: _m, report: _r, notes: _n, ...v }) => v) };
  });
}

export async function getDealModel(deps: Pick<DealModelDeps, "models">, partnerId: string, modelId: string): Promise<DealModelView> {
  const stored = await deps.models.get(partnerId, modelId);
  if (!stored) throw notFound(modelId);
  return describeModel(stored.model);
}

/**
 * Creates a model from an administrator's configuration. Its columns must exist in the partner's newest deals
 * snapshot; a filter that overlaps another model's is refused with the warning (409) unless confirmed.
 */
export async function createDealModel(
  deps: DealModelDeps,
  partnerId: string,
  input: { config: unknown; confirmOverlap?: boolean },
): Promise<{ model: DealModelView; warning?: FilterOverlapWarning }> {
  const now = clock(deps);
  const before = await deps.models.list(partnerId);
  const existing = before.map((s) => s.model.config);
  const filter = parseModelConfig(input.config, now);
  // Filters on different columns overlap when some deal meets both: counting that needs every deal.
  const needsEveryDeal = filter.ok && filter.value.filter !== undefined && existing.some((m) => m.filter && m.filter.column.toLowerCase() !== filter.value.filter!.column.toLowerCase());
  const { config, warning } = await withDealColumns(deps, partnerId, needsEveryDeal, (deals) =>
    validateNewModel(input.config, { now, columns: dealColumns(deals), existing, confirmOverlap: input.confirmOverlap, deals }),
  );
  const modelId = (deps.newModelId ?? (() => `dm-${randomBytes(6).toString("hex")}`))();
  const model = createModel({ modelId, config, now });
  if ((await deps.models.create(partnerId, model)) === "exists") throw new ConflictError(`model id ${modelId} is taken; try again`, "modelId");
  // Creates at the same moment each passed the checks above against the models before them. So each checks again
  // against every other model stored after its own write, and withdraws on a conflict: of two creates racing,
  // the later to look always sees the other, so the limit, the unique name and the overlap warning hold (both may
  // withdraw; the administrator tries again).
  const others = (await deps.models.list(partnerId)).filter((s) => s.model.modelId !== modelId);
  const arrived = others.filter((s) => !before.some((b) => b.model.modelId === s.model.modelId)).map((s) => s.model.config);
  if (arrived.length > 0) {
    // Filters on another column count as overlapping here: the deals were counted for the models before only.
    const again = checkBesideModels(config, { existing: others.map((s) => s.model.config), overlapsWith: arrived, confirmOverlap: input.confirmOverlap });
    if (!again.ok) {
      await deps.models.remove(partnerId, modelId);
      const names = arrived.map((m) => m.name).join(", ");
      throw problemError({ ...again.error, message: `${again.error.message} (${names} ${arrived.length === 1 ? "was" : "were"} created at the same moment; nothing was created, try again)` });
    }
  }
  return { model: describeModel(model), ...(warning ? { warning } : {}) };
}

export interface DealModelEdit {
  retrainAutomatically?: boolean;
  attributes?: string[];
  ignoreEmpty?: string[];
  stageAttributes?: Record<string, string[]>;
  stages?: string[];
}

/** Turns automatic retraining on or off, or changes the inputs the next training uses. */
export async function updateDealModel(deps: DealModelDeps, partnerId: string, modelId: string, edit: DealModelEdit): Promise<DealModelView> {
  const { retrainAutomatically, ...configEdit } = edit;
  const editing = Object.keys(configEdit).length > 0;
  const current = editing ? await deps.models.get(partnerId, modelId) : undefined;
  if (editing && !current) throw notFound(modelId);
  // The edited configuration's columns are checked against the deals first; the model changes below.
  const columns = current ? dealColumns(await dealsForColumns(deps, partnerId, (deals) => editModelConfig(current.model.config, configEdit, dealColumns(deals)))) : [];
  const { after } = await mutateModel(deps, partnerId, modelId, (model) => {
    let next = model;
    if (editing) next = unwrap(setConfig(next, unwrap(editModelConfig(next.config, configEdit, columns))));
    if (retrainAutomatically !== undefined && retrainAutomatically !== next.retrainAutomatically) next = setRetrainAutomatically(next, retrainAutomatically);
    return next;
  });
  return describeModel(after);
}

/**
 * Starts training a new version: the data floor is checked first (a refusal names the counts it has and
 * needs), then the version is recorded as training and its job queued; the caller gets 202 at once.
 */
export async function requestTraining(deps: DealModelDeps, partnerId: string, modelId: string): Promise<{ model: DealModelView; version: number }> {
  const now = clock(deps);
  const stored = await deps.models.get(partnerId, modelId);
  if (!stored) throw notFound(modelId);
  const busy = trainingVersion(failStaleTraining(stored.model, now));
  if (busy) throw problemError(problem("model_still_training", `version ${busy.version} of ${stored.model.config.name} is still training`, "version"));
  // Counted by the store when it can be (a fast 202 for a partner with plenty of deals); else read and checked exactly.
  const counted = await deps.deals.closedInWindow(partnerId, stored.model.config, now);
  if (!counted || counted.won < DATA_FLOOR.won || counted.lost < DATA_FLOOR.lost) {
    unwrap(checkDataFloor(selectTrainingDeals(await deps.deals.histories(partnerId, "all"), stored.model.config, now)));
  }
  let version = 0;
  const { after } = await mutateModel(deps, partnerId, modelId, (model) => {
    const started = unwrap(startTraining(failStaleTraining(model, now), { now, trigger: "manual" }));
    version = started.version;
    return started.model;
  });
  await deps.trainingQueue.enqueue({ partnerId, modelId, version, requestedAt: now.toISOString() });
  return { model: describeModel(after), version };
}

/** The version publish takes when none is named: the newest that trained. */
function newestTrained(model: DealScoringModel): ModelVersion | undefined {
  return [...model.versions].sort((a, b) => b.version - a.version).find((v) => v.state === "trained" || v.state === "training");
}

/** Publishes a trained version (the newest by default); a Not ready one only with force, recorded as forced. */
export async function publishDealModel(deps: DealModelDeps, partnerId: string, modelId: string, input: { version?: number; force?: boolean }): Promise<DealModelView> {
  const now = clock(deps);
  const { before, after } = await mutateModel(deps, partnerId, modelId, (model) => {
    const version = input.version ?? newestTrained(model)?.version;
    if (version === undefined) throw problemError(problem("version_not_trained", `model ${model.config.name} has no trained version to publish; train it first`, "version"));
    return unwrap(publish(model, version, { now, force: input.force }));
  });
  if (activeVersion(before)?.version !== activeVersion(after)?.version) await rescore(deps, partnerId, now);
  return describeModel(after);
}

/** Returns to the previously published version. */
export async function revertDealModel(deps: DealModelDeps, partnerId: string, modelId: string): Promise<DealModelView> {
  const now = clock(deps);
  const { after } = await mutateModel(deps, partnerId, modelId, (model) => unwrap(revert(model, { now })));
  await rescore(deps, partnerId, now);
  return describeModel(after);
}

export type GradeBandsChange = { bands: unknown } | { move: { grade: Grade; edge: "min" | "max"; value: number } };

/** Sets all four bands, or moves one band's edge (its neighbour's edge follows). */
export async function setDealModelGradeBands(deps: DealModelDeps, partnerId: string, modelId: string, change: GradeBandsChange): Promise<DealModelView> {
  const now = clock(deps);
  const { before, after } = await mutateModel(deps, partnerId, modelId, (model) => {
    if ("bands" in change) return unwrap(setGradeBands(model, change.bands));
    const moved = unwrap(moveGradeEdge(model.gradeBands, change.move.grade, change.move.edge, change.move.value));
    return unwrap(setGradeBands(model, moved));
  });
  if (activeVersion(after) && JSON.stringify(before.gradeBands) !== JSON.stringify(after.gradeBands)) await rescore(deps, partnerId, now);
  return describeModel(after);
}

/** Deletes a model, its versions' artifacts and its deals' score histories; its scores go at the next refresh (queued). */
export async function deleteDealModel(deps: DealModelDeps, partnerId: string, modelId: string): Promise<void> {
  const now = clock(deps);
  const models = (await deps.models.list(partnerId)).map((s) => s.model);
  const { removed } = unwrap(deleteFromModels(models, modelId));
  await deps.models.remove(partnerId, modelId);
  for (const v of removed.versions) await deps.artifacts.remove(partnerId, DEAL_MODEL_KIND, artifactVersion(modelId, v.version));
  await deps.scoreHistory.removeModel(partnerId, modelId);
  if (activeVersion(removed)) await rescore(deps, partnerId, now);
}
