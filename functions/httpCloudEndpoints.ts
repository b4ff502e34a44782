import type { HttpHandler, InvocationContext } from "@azure/functions";
import { refreshStatus, toApiRow, type RefreshStatus } from "../shared/api/cloudEndpoints.js";
import { apiKeyAuthenticator, registerRoute, type ApiDeps } from "../shared/api/deps.js";
import { routes } from "../shared/api/routes.js";
import { parseOrThrow, parseQuery } from "../shared/api/validation.js";
import {
  iterateCloudEndpointsRows,
  listCloudEndpointsRows,
  readCurrentPointer,
  readRow,
  readSummary,
} from "../shared/adapters/resultQueries.js";
import { cloudEndpointsCsv, cloudEndpointsCsvColumns, exportFileName, toByteStream } from "../shared/export/csv.js";
import { readPartnerDoc } from "../shared/adapters/partnerStore.js";
import { notFound, ok, withAuth } from "../shared/http.js";
import type { PartnerDoc } from "../shared/domain/documents.js";
import { salesMotions, type CloudEndpointsSummary, type ResultPointerDoc } from "../shared/domain/results.js";

// Cloud Endpoints (Windows 365) tab: list, summary, export, one row. Reads only the caller's partition.

// Large pages: each page is one query (on the emulator a full scan), and a page of a few MB stays well inside memory.
const exportPageSize = 5_000;

const notRefreshedMessage = "No results yet: the partner's data has not been refreshed. Drop files or POST /api/refresh.";

/**
 * The caller's partner doc, read beside the results for the stale flag. A failed read leaves the flag out
 * (`undefined`) rather than failing the answer: the results themselves are fine.
 */
async function readPartnerForStatus(
  deps: ApiDeps,
  partnerId: string,
  context: InvocationContext,
): Promise<{ partner: PartnerDoc | undefined } | undefined> {
  try {
    return { partner: await readPartnerDoc(deps.clients.containers.partners, partnerId) };
  } catch (err) {
    context.warn(`Refresh status left out in ${context.functionName} (invocation ${context.invocationId})`, err);
    return undefined;
  }
}

function statusFields(read: { partner: PartnerDoc | undefined } | undefined, pointer: ResultPointerDoc | undefined): Partial<RefreshStatus> {
  return read ? refreshStatus(read.partner, pointer) : {};
}

export function makeListCloudEndpointsHandler(deps: ApiDeps): HttpHandler {
  const spec = routes.listCloudEndpoints;
  return withAuth(async (request, context, caller) => {
    const query = parseQuery(spec.query, request.query, spec.repeatable);
    const [page, partnerRead] = await Promise.all([
      listCloudEndpointsRows(deps.clients.containers, caller.partnerId, query),
      readPartnerForStatus(deps, caller.partnerId, context),
    ]);
    if (page.status === "notRefreshedYet") {
      return ok({ status: page.status, items: [], ...statusFields(partnerRead, undefined), message: notRefreshedMessage });
    }
    const current = page.resultSetId === page.pointer.resultSetId;
    return ok({
      status: page.status,
      items: page.docs.map((d) => toApiRow(d, query.columns)),
      ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      resultSetId: page.resultSetId,
      // Times describe the current set; a page continuing the previous set says so instead.
      ...(current
        ? { refreshedAt: page.pointer.refreshedAt, asOf: page.pointer.asOf }
        : { message: "This page continues the previous result set; start again without continuationToken for the latest data." }),
      // Always against the current set: whether the partner's latest data has reached the results.
      ...statusFields(partnerRead, page.pointer),
    });
  }, { roles: spec.roles, authenticate: apiKeyAuthenticator(deps) });
}

function emptySummary(): CloudEndpointsSummary {
  return {
    kpis: {
      tenants: 0,
      w365SeatPenetration: 0,
      w365SeatWhitespace: 0,
      w365EligibleSeats: 0,
      w365Pau: 0,
      salesMotions: Object.fromEntries(salesMotions.map((m) => [m, 0])),
      incentiveEligibleTenants: 0,
      potentialEarnings: 0,
    },
    charts: {
      tenantsBySegment: [],
      w365TenantPenetration: { withW365Pau: 0, withoutW365Pau: 0 },
      tenantsBySalesMotion: [],
      tenantsByRenewalPeriod: [],
      potentialEarningsByWorkshop: [],
    },
  };
}

export function makeCloudEndpointsSummaryHandler(deps: ApiDeps): HttpHandler {
  const spec = routes.cloudEndpointsSummary;
  return withAuth(async (request, context, caller) => {
    parseQuery(spec.query, request.query);
    const [pointer, partnerRead] = await Promise.all([
      readCurrentPointer(deps.clients.containers, caller.partnerId),
      readPartnerForStatus(deps, caller.partnerId, context),
    ]);
    if (!pointer) {
      return ok({ status: "notRefreshedYet", message: notRefreshedMessage, ...statusFields(partnerRead, undefined), ...emptySummary() });
    }
    const summary = await readSummary(deps.clients.containers, caller.partnerId, pointer.resultSetId);
    // A pointer is switched only after its result set is complete, so a missing summary is a fault.
    if (!summary) throw new Error(`Summary of result set ${pointer.resultSetId} is missing`);
    return ok({
      status: "ready",
      resultSetId: pointer.resultSetId,
      refreshedAt: pointer.refreshedAt,
      asOf: pointer.asOf,
      ...statusFields(partnerRead, pointer),
      kpis: summary.kpis,
      charts: summary.charts,
    });
  }, { roles: spec.roles, authenticate: apiKeyAuthenticator(deps) });
}

export function makeExportCloudEndpointsHandler(deps: ApiDeps): HttpHandler {
  const spec = routes.exportCloudEndpoints;
  return withAuth(async (request, context, caller) => {
    const filter = parseQuery(spec.query, request.query, spec.repeatable);
    const columns = cloudEndpointsCsvColumns(filter.columns);
    const pointer = await readCurrentPointer(deps.clients.containers, caller.partnerId);
    // Before the first refresh the export is the header row alone, like an empty list.
    async function* pages() {
      if (!pointer) return;
      for await (const docs of iterateCloudEndpointsRows(deps.clients.containers, caller.partnerId, pointer.resultSetId, filter, exportPageSize)) {
        yield docs.map((d) => toApiRow(d, "all"));
      }
    }
    const body = toByteStream(cloudEndpointsCsv(pages(), columns), (err) =>
      context.error(`CSV export failed mid-stream (invocation ${context.invocationId})`, err),
    );
    return {
      status: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${exportFileName(caller.partnerId)}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        ...(pointer ? { "x-result-set-id": pointer.resultSetId } : {}),
      },
      body,
    };
  }, { roles: spec.roles, authenticate: apiKeyAuthenticator(deps) });
}

export function makeGetCloudEndpointHandler(deps: ApiDeps): HttpHandler {
  const spec = routes.getCloudEndpoint;
  return withAuth(async (request, _context, caller) => {
    parseQuery(spec.query, request.query);
    const { tenantId } = parseOrThrow(spec.params, { tenantId: request.params.tenantId }, "tenantId");
    const missing = notFound("No visible tenant with this id in your current Cloud Endpoints results.");
    const pointer = await readCurrentPointer(deps.clients.containers, caller.partnerId);
    if (!pointer) return missing;
    const row = await readRow(deps.clients.containers, caller.partnerId, pointer.resultSetId, tenantId);
    if (!row) return missing;
    return ok({ ...toApiRow(row, "all"), resultSetId: pointer.resultSetId, refreshedAt: pointer.refreshedAt });
  }, { roles: spec.roles, authenticate: apiKeyAuthenticator(deps) });
}

// Literal routes first, so summary and export are never taken for a tenant id.
registerRoute(routes.listCloudEndpoints, makeListCloudEndpointsHandler);
registerRoute(routes.cloudEndpointsSummary, makeCloudEndpointsSummaryHandler);
registerRoute(routes.exportCloudEndpoints, makeExportCloudEndpointsHandler);
registerRoute(routes.getCloudEndpoint, makeGetCloudEndpointHandler);
