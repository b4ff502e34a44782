import {
  clusterMappingView,
  exportLines,
  productMatcher,
  propensityCsvColumns,
  propensityRowQuery,
  propensitySummaryDocSchema,
  toApiRow,
} from "../shared/api/propensity.js";
import { registerRoute, type RouteHandler } from "../shared/api/register.js";
import { routes } from "../shared/api/routes.js";
import { exportTabRows, notRefreshedMessage, readPartnerForStatus, readTabPage, readTabSummary, statusFields, tabListAnswer } from "../shared/api/tabReads.js";
import { clusterPurpose, defaultClusterMapping, summarizePropensity } from "../shared/domain/propensity/index.js";
import { resultIds } from "../shared/domain/results.js";
import { notFound, ok } from "../shared/http.js";
import type { ApiDeps } from "../shared/wiring.js";

// Propensity (CloudAscent) tab: list, summary, export, cluster mapping, one customer. Reads only the caller's
// partition; saving a mapping queues the refresh that applies it.

// Large pages: each page is one query (on the emulator a full scan), and a page of a few MB stays well inside memory.
const exportPageSize = 2_000;

export const listPropensity = (deps: ApiDeps): RouteHandler<typeof routes.listPropensity> =>
  async ({ caller, query, log }) => {
    const [page, partnerRead] = await Promise.all([
      readTabPage(deps, caller.partnerId, propensityRowQuery(query), query),
      readPartnerForStatus(deps, caller.partnerId, log),
    ]);
    const keep = productMatcher(query);
    return ok(tabListAnswer(page, partnerRead, (docs) => docs.map((d) => toApiRow(d, keep))));
  };

export const propensitySummary = (deps: ApiDeps): RouteHandler<typeof routes.propensitySummary> =>
  async ({ caller, log }) => {
    const [current, partnerRead] = await Promise.all([
      readTabSummary(deps, caller.partnerId, "propensity"),
      readPartnerForStatus(deps, caller.partnerId, log),
    ]);
    if (!current) {
      // The empty tab is the summary of no customers, with the mapping the first refresh will use.
      const saved = await deps.clusterMappings.read(caller.partnerId);
      return ok({
        status: "notRefreshedYet",
        message: notRefreshedMessage,
        ...statusFields(partnerRead, undefined),
        ...summarizePropensity([], new Date().toISOString()),
        clusterMapping: { mapping: saved?.mapping ?? defaultClusterMapping, isDefault: saved === undefined, ...(saved ? { updatedAt: saved.updatedAt } : {}) },
      });
    }
    const { id: _id, partnerId: _p, tab: _t, resultSetId: _r, type: _type, ...summary } = propensitySummaryDocSchema.parse(current.summary);
    return ok({
      status: "ready",
      resultSetId: current.pointer.resultSetId,
      refreshedAt: current.pointer.refreshedAt,
      asOf: current.pointer.asOf,
      ...statusFields(partnerRead, current.pointer),
      ...summary,
    });
  };

export const exportPropensity = (deps: ApiDeps): RouteHandler<typeof routes.exportPropensity> =>
  async ({ caller, query, log }) => {
    const pointer = await deps.results.pointer(caller.partnerId, "propensity");
    const keep = productMatcher(query);
    const productFiltered = Boolean(query.family?.length || query.product?.length);
    return exportTabRows(deps, {
      format: query.format,
      tab: "propensity",
      sheetName: "Propensity",
      partnerId: caller.partnerId,
      columns: propensityCsvColumns,
      pointer,
      query: propensityRowQuery(query),
      pageSize: exportPageSize,
      toRows: (docs) => docs.flatMap((d) => exportLines(toApiRow(d, keep), productFiltered)),
      log,
    });
  };

export const getPropensityClusterMapping = (deps: ApiDeps): RouteHandler<typeof routes.getPropensityClusterMapping> =>
  async ({ caller }) => {
    const saved = await deps.clusterMappings.read(caller.partnerId);
    return ok(clusterMappingView(saved?.mapping ?? defaultClusterMapping, saved));
  };

export const setPropensityClusterMapping = (deps: ApiDeps): RouteHandler<typeof routes.setPropensityClusterMapping> =>
  async ({ caller, body, log }) => {
    const updatedAt = new Date().toISOString();
    const saved = { updatedAt, updatedBy: caller.keyId };
    await deps.clusterMappings.write({ id: "propensity:clusterMapping", partnerId: caller.partnerId, type: "propensityClusterMapping", mapping: body, ...saved });
    // A manual refresh recomputes every tab, whatever the data version: the mapping is not data.
    await deps.refreshQueue.enqueue({ partnerId: caller.partnerId, reason: "manual", requestedAt: updatedAt });
    log.info(`Propensity cluster mapping of ${caller.partnerId} saved by ${caller.keyId}; refresh queued`);
    return ok({ ...clusterMappingView(body, saved), refresh: { status: "queued", requestedAt: updatedAt } });
  };

export const getPropensityCustomer = (deps: ApiDeps): RouteHandler<typeof routes.getPropensityCustomer> =>
  async ({ caller, params }) => {
    const pointer = await deps.results.pointer(caller.partnerId, "propensity");
    if (!pointer) return notFound("No listed tenant with this id in your current Propensity results.");
    const [row, summaryDoc] = await Promise.all([
      deps.results.document(caller.partnerId, resultIds.row("propensity", pointer.resultSetId, params.tenantId)),
      deps.results.document(caller.partnerId, resultIds.summary("propensity", pointer.resultSetId)),
    ]);
    if (!row) return notFound("No listed tenant with this id in your current Propensity results.");
    const customer = toApiRow(row);
    const summary = summaryDoc === undefined ? undefined : propensitySummaryDocSchema.safeParse(summaryDoc);
    const report = summary?.success ? summary.data.report : undefined;
    return ok({
      ...customer,
      explanation: {
        fit: { basis: customer.fitBasis, ...(report ? { message: report.fit.message } : {}), factors: customer.fitFactors },
        intent: { ...(report ? { halfLifeDays: report.intent.halfLifeDays } : {}), signalsCounted: customer.signalsCounted, strongestSignals: customer.strongestSignals },
        ...(customer.cluster ? { cluster: { cluster: customer.cluster, purpose: clusterPurpose[customer.cluster] } } : {}),
      },
      resultSetId: pointer.resultSetId,
      refreshedAt: pointer.refreshedAt,
    });
  };

// Literal routes first, so summary, export and the mapping are never taken for a tenant id.
registerRoute(routes.listPropensity, listPropensity);
registerRoute(routes.propensitySummary, propensitySummary);
registerRoute(routes.exportPropensity, exportPropensity);
registerRoute(routes.getPropensityClusterMapping, getPropensityClusterMapping);
registerRoute(routes.setPropensityClusterMapping, setPropensityClusterMapping);
registerRoute(routes.getPropensityCustomer, getPropensityCustomer);
