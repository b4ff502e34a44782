import { cloudEndpointsRowQuery, toApiRow } from "../shared/api/cloudEndpoints.js";
import { registerRoute, type RouteHandler } from "../shared/api/register.js";
import { routes } from "../shared/api/routes.js";
import { exportTabRows, notRefreshedMessage, readPartnerForStatus, readTabPage, readTabSummary, statusFields, tabListAnswer } from "../shared/api/tabReads.js";
import { summarizeCloudEndpoints } from "../shared/domain/cloudEndpoints/index.js";
import { cloudEndpointsSummaryDocSchema, resultIds } from "../shared/domain/results.js";
import { cloudEndpointsCsvColumns } from "../shared/export/csv.js";
import { notFound, ok } from "../shared/http.js";
import type { ApiDeps } from "../shared/wiring.js";

// Cloud Endpoints (Windows 365) tab: list, summary, export, one row. Reads only the caller's partition.

// Large pages: each page is one query (on the emulator a full scan), and a page of a few MB stays well inside memory.
const exportPageSize = 5_000;

export const listCloudEndpoints = (deps: ApiDeps): RouteHandler<typeof routes.listCloudEndpoints> =>
  async ({ caller, query, log }) => {
    const [page, partnerRead] = await Promise.all([
      readTabPage(deps, caller.partnerId, cloudEndpointsRowQuery(query), query),
      readPartnerForStatus(deps, caller.partnerId, log),
    ]);
    return ok(tabListAnswer(page, partnerRead, (docs) => docs.map((d) => toApiRow(d, query.columns))));
  };

export const cloudEndpointsSummary = (deps: ApiDeps): RouteHandler<typeof routes.cloudEndpointsSummary> =>
  async ({ caller, log }) => {
    const [current, partnerRead] = await Promise.all([
      readTabSummary(deps, caller.partnerId, "cloudEndpoints"),
      readPartnerForStatus(deps, caller.partnerId, log),
    ]);
    if (!current) {
      // The empty tab is the summary of no rows.
      return ok({ status: "notRefreshedYet", message: notRefreshedMessage, ...statusFields(partnerRead, undefined), ...summarizeCloudEndpoints([]) });
    }
    const summary = cloudEndpointsSummaryDocSchema.parse(current.summary);
    return ok({
      status: "ready",
      resultSetId: current.pointer.resultSetId,
      refreshedAt: current.pointer.refreshedAt,
      asOf: current.pointer.asOf,
      ...statusFields(partnerRead, current.pointer),
      kpis: summary.kpis,
      charts: summary.charts,
    });
  };

export const exportCloudEndpoints = (deps: ApiDeps): RouteHandler<typeof routes.exportCloudEndpoints> =>
  async ({ caller, query, log }) => {
    const pointer = await deps.results.pointer(caller.partnerId, "cloudEndpoints");
    return exportTabRows(deps, {
      format: query.format,
      tab: "cloud-endpoints",
      sheetName: "Cloud Endpoints",
      partnerId: caller.partnerId,
      columns: cloudEndpointsCsvColumns(query.columns),
      pointer,
      query: cloudEndpointsRowQuery(query),
      pageSize: exportPageSize,
      toRows: (docs) => docs.map((d) => toApiRow(d, "all")),
      log,
    });
  };

export const getCloudEndpoint = (deps: ApiDeps): RouteHandler<typeof routes.getCloudEndpoint> =>
  async ({ caller, params }) => {
    const pointer = await deps.results.pointer(caller.partnerId, "cloudEndpoints");
    const row = pointer ? await deps.results.document(caller.partnerId, resultIds.row("cloudEndpoints", pointer.resultSetId, params.tenantId)) : undefined;
    if (!pointer || !row) return notFound("No visible tenant with this id in your current Cloud Endpoints results.");
    return ok({ ...toApiRow(row, "all"), resultSetId: pointer.resultSetId, refreshedAt: pointer.refreshedAt });
  };

// Literal routes first, so summary and export are never taken for a tenant id.
registerRoute(routes.listCloudEndpoints, listCloudEndpoints);
registerRoute(routes.cloudEndpointsSummary, cloudEndpointsSummary);
registerRoute(routes.exportCloudEndpoints, exportCloudEndpoints);
registerRoute(routes.getCloudEndpoint, getCloudEndpoint);
