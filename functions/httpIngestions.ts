import type { HttpHandler } from "@azure/functions";
import { decodeContinuation, encodeContinuation, foreignTokenMessage, isRejectedToken } from "../shared/api/continuation.js";
import { apiKeyAuthenticator, registerRoute, type ApiDeps } from "../shared/api/deps.js";
import { ingestionSchema } from "../shared/api/management.js";
import { routes } from "../shared/api/routes.js";
import { parseOrThrow, parseQuery } from "../shared/api/validation.js";
import { getIngestion, listIngestions } from "../shared/adapters/ingestionStore.js";
import { ApiError, notFound, ok, withAuth } from "../shared/http.js";

// Ingestion status for the caller's partner: recent records and one by id.

const listFingerprint = "ingestions";

export function makeListIngestionsHandler(deps: ApiDeps): HttpHandler {
  const spec = routes.listIngestions;
  return withAuth(async (request, _context, caller) => {
    const query = parseQuery(spec.query, request.query);
    // Our token wraps the store's, bound to the partner, so another partner's token is a clear 400.
    const sdkToken = query.continuationToken
      ? decodeContinuation(query.continuationToken, { partnerId: caller.partnerId, fingerprint: listFingerprint }).t
      : undefined;
    let page;
    try {
      page = await listIngestions(deps.clients.containers, caller.partnerId, { pageSize: query.pageSize, continuationToken: sdkToken });
    } catch (err) {
      // A tampered token the database cannot read is the caller's mistake, not an outage.
      if (sdkToken !== undefined && isRejectedToken(err)) throw new ApiError("invalid_request", foreignTokenMessage, "continuationToken", { cause: err });
      throw err;
    }
    const items = page.items.filter((i) => i.partnerId === caller.partnerId).map((i) => ingestionSchema.parse(i));
    const continuationToken = page.continuationToken
      ? encodeContinuation({ v: 1, p: caller.partnerId, f: listFingerprint, ph: 0, t: page.continuationToken })
      : undefined;
    return ok({ items, ...(continuationToken ? { continuationToken } : {}) });
  }, { roles: spec.roles, authenticate: apiKeyAuthenticator(deps) });
}

export function makeGetIngestionHandler(deps: ApiDeps): HttpHandler {
  const spec = routes.getIngestion;
  return withAuth(async (request, _context, caller) => {
    parseQuery(spec.query, request.query);
    const { id } = parseOrThrow(spec.params, { id: request.params.id }, "id");
    const ingestion = await getIngestion(deps.clients.containers, caller.partnerId, id);
    if (!ingestion || ingestion.partnerId !== caller.partnerId) return notFound("No ingestion with this id for your partner.");
    return ok(ingestionSchema.parse(ingestion));
  }, { roles: spec.roles, authenticate: apiKeyAuthenticator(deps) });
}

registerRoute(routes.listIngestions, makeListIngestionsHandler);
registerRoute(routes.getIngestion, makeGetIngestionHandler);
