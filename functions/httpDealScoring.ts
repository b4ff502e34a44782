import {
  dealScoresRowQuery,
  toListItem,
  type GradeBandsBody,
} from "../shared/api/dealScoring.js";
import { registerRoute, type RouteHandler } from "../shared/api/register.js";
import { routes } from "../shared/api/routes.js";
import { exportTabRows, readPartnerForStatus, readTabPage, readTabSummary, statusFields, tabListAnswer } from "../shared/api/tabReads.js";
import {
  createDealModel as createModel,
  deleteDealModel as deleteModel,
  getDealModel as getModel,
  listDealModels as listModels,
  publishDealModel as publishModel,
  requestTraining,
  revertDealModel as revertModel,
  setDealModelGradeBands as setGradeBands,
  updateDealModel as updateModel,
  type GradeBandsChange,
} from "../shared/dealScoring/models.js";
import { dealScoreRowSchema, dealScoresSummarySchema, summarizeDealScores, topFactors } from "../shared/domain/dealScoring/index.js";
import { resultIds } from "../shared/domain/results.js";
import { InvalidRequestError } from "../shared/errors.js";
import { dealScoresCsvColumns, toExportRow } from "../shared/export/dealScoresCsv.js";
import { accepted, created, noContent, notFound, ok } from "../shared/http.js";
import { dealKey } from "../shared/ingest/deals.js";
import type { ApiDeps } from "../shared/wiring.js";

// Deal scoring tab: the administrator's models (create, list, get, edit, train, publish, revert, grade bands,
// delete) and the scored deals (list, summary, export, one deal). Thin: the use cases are in
// shared/dealScoring/models.ts; every read and write is in the caller's partition.

const exportPageSize = 2_000;
const notRefreshedMessage = "No scores yet: publish a deal scoring model (POST /api/deal-models/{modelId}/publish), or wait for the partner's data to be refreshed.";

// ---- models (administrators)

export const listDealModels = (deps: ApiDeps): RouteHandler<typeof routes.listDealModels> =>
  async ({ caller }) => ok({ items: await listModels(deps.dealScoring, caller.partnerId) });

export const createDealModel = (deps: ApiDeps): RouteHandler<typeof routes.createDealModel> =>
  async ({ caller, body }) => {
    const { confirmOverlap, ...config } = body;
    const { model, warning } = await createModel(deps.dealScoring, caller.partnerId, { config, confirmOverlap });
    return created({ ...model, ...(warning ? { warning } : {}) });
  };

export const getDealModel = (deps: ApiDeps): RouteHandler<typeof routes.getDealModel> =>
  async ({ caller, params }) => ok(await getModel(deps.dealScoring, caller.partnerId, params.modelId));

export const updateDealModel = (deps: ApiDeps): RouteHandler<typeof routes.updateDealModel> =>
  async ({ caller, params, body }) => ok(await updateModel(deps.dealScoring, caller.partnerId, params.modelId, body));

export const deleteDealModel = (deps: ApiDeps): RouteHandler<typeof routes.deleteDealModel> =>
  async ({ caller, params }) => {
    await deleteModel(deps.dealScoring, caller.partnerId, params.modelId);
    return noContent();
  };

export const trainDealModel = (deps: ApiDeps): RouteHandler<typeof routes.trainDealModel> =>
  async ({ caller, params }) => {
    const { model, version } = await requestTraining(deps.dealScoring, caller.partnerId, params.modelId);
    const requestedAt = model.versions.find((v) => v.version === version)?.requestedAt ?? new Date().toISOString();
    return accepted({ status: "queued", modelId: model.modelId, version, requestedAt });
  };

export const publishDealModel = (deps: ApiDeps): RouteHandler<typeof routes.publishDealModel> =>
  async ({ caller, params, query }) => ok(await publishModel(deps.dealScoring, caller.partnerId, params.modelId, query));

export const revertDealModel = (deps: ApiDeps): RouteHandler<typeof routes.revertDealModel> =>
  async ({ caller, params }) => ok(await revertModel(deps.dealScoring, caller.partnerId, params.modelId));

/** The body as one change: all four bands, or one edge moved (never both, nothing missing). */
export function gradeBandsChange(body: GradeBandsBody): GradeBandsChange {
  const { grade, edge, value, ...bands } = body;
  const moving = grade !== undefined || edge !== undefined || value !== undefined;
  if (moving) {
    if (Object.keys(bands).length > 0) throw new InvalidRequestError("give either the four bands A, B, C, D or one edge to move (grade, edge, value), not both", Object.keys(bands)[0]);
    if (grade === undefined) throw new InvalidRequestError("grade is required to move an edge", "grade");
    if (edge === undefined) throw new InvalidRequestError("edge is required to move an edge (min or max)", "edge");
    if (value === undefined) throw new InvalidRequestError("value is required to move an edge", "value");
    return { move: { grade, edge, value } };
  }
  return { bands };
}

export const setDealModelGradeBands = (deps: ApiDeps): RouteHandler<typeof routes.setDealModelGradeBands> =>
  async ({ caller, params, body }) => ok(await setGradeBands(deps.dealScoring, caller.partnerId, params.modelId, gradeBandsChange(body)));

// ---- scored deals (readers)

export const listDealScores = (deps: ApiDeps): RouteHandler<typeof routes.listDealScores> =>
  async ({ caller, query, log }) => {
    const [page, partnerRead] = await Promise.all([
      readTabPage(deps, caller.partnerId, dealScoresRowQuery(query), query),
      readPartnerForStatus(deps, caller.partnerId, log),
    ]);
    return ok(tabListAnswer(page, partnerRead, (docs) => docs.map(toListItem), notRefreshedMessage));
  };

export const dealScoresSummary = (deps: ApiDeps): RouteHandler<typeof routes.dealScoresSummary> =>
  async ({ caller, log }) => {
    const [current, partnerRead] = await Promise.all([readTabSummary(deps, caller.partnerId, "dealScores"), readPartnerForStatus(deps, caller.partnerId, log)]);
    if (!current) {
      // The empty tab is the summary of no rows.
      return ok({ status: "notRefreshedYet", message: notRefreshedMessage, ...statusFields(partnerRead, undefined), ...summarizeDealScores({ deals: 0, rows: [], models: [] }) });
    }
    const summary = dealScoresSummarySchema.parse(current.summary);
    return ok({
      status: "ready",
      resultSetId: current.pointer.resultSetId,
      refreshedAt: current.pointer.refreshedAt,
      asOf: current.pointer.asOf,
      ...statusFields(partnerRead, current.pointer),
      ...summary,
      ...(summary.models.length === 0 ? { message: "No published deal scoring model: create, train and publish one (POST /api/deal-models)." } : {}),
    });
  };

export const exportDealScores = (deps: ApiDeps): RouteHandler<typeof routes.exportDealScores> =>
  async ({ caller, query, log }) => {
    const pointer = await deps.results.pointer(caller.partnerId, "dealScores");
    return exportTabRows(deps, {
      format: query.format,
      tab: "deal-scores",
      sheetName: "Deal scores",
      partnerId: caller.partnerId,
      columns: dealScoresCsvColumns,
      pointer,
      query: dealScoresRowQuery(query),
      pageSize: exportPageSize,
      toRows: (docs) => docs.map((d) => toExportRow(toListItem(d))),
      log,
    });
  };

export const getDealScore = (deps: ApiDeps): RouteHandler<typeof routes.getDealScore> =>
  async ({ caller, params }) => {
    const pointer = await deps.results.pointer(caller.partnerId, "dealScores");
    const doc = pointer ? await deps.results.document(caller.partnerId, resultIds.row("dealScores", pointer.resultSetId, dealKey(params.dealId))) : undefined;
    const row = doc === undefined ? undefined : dealScoreRowSchema.parse(doc);
    if (!pointer || !row || row.dealId !== params.dealId) return notFound("No scored deal with this id in your current deal scores.");
    const history = await deps.dealScoring.scoreHistory.get(caller.partnerId, row.modelId, row.dealId);
    return ok({ ...row, ...topFactors(row.factors), history: history?.points ?? [], resultSetId: pointer.resultSetId, refreshedAt: pointer.refreshedAt });
  };

// Literal routes before the ids, so summary and export are never taken for a deal id.
registerRoute(routes.listDealModels, listDealModels);
registerRoute(routes.createDealModel, createDealModel);
registerRoute(routes.getDealModel, getDealModel);
registerRoute(routes.updateDealModel, updateDealModel);
registerRoute(routes.deleteDealModel, deleteDealModel);
registerRoute(routes.trainDealModel, trainDealModel);
registerRoute(routes.publishDealModel, publishDealModel);
registerRoute(routes.revertDealModel, revertDealModel);
registerRoute(routes.setDealModelGradeBands, setDealModelGradeBands);
registerRoute(routes.listDealScores, listDealScores);
registerRoute(routes.dealScoresSummary, dealScoresSummary);
registerRoute(routes.exportDealScores, exportDealScores);
registerRoute(routes.getDealScore, getDealScore);
