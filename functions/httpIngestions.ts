import { registerRoute, type RouteHandler } from "../shared/api/register.js";
import { ingestionSchema } from "../shared/api/management.js";
import { routes } from "../shared/api/routes.js";
import { notFound, ok } from "../shared/http.js";
import type { ApiDeps } from "../shared/wiring.js";

// Ingestion status for the caller's partner: recent records and one by id.

const listFingerprint = "ingestions";

export const listIngestions = (deps: ApiDeps): RouteHandler<typeof routes.listIngestions> =>
  async ({ caller, query }) => {
    const tokens = await deps.tokens();
    // Our token seals the store's, bound to the partner, so another partner's token is a clear 400.
    const storeToken = query.continuationToken
      ? tokens.open(query.continuationToken, { partnerId: caller.partnerId, fingerprint: listFingerprint }).t
      : undefined;
    const page = await deps.ingestions.page(caller.partnerId, query.pageSize, storeToken);
    const items = page.items.filter((i) => i.partnerId === caller.partnerId).map((i) => ingestionSchema.parse(i));
    const continuationToken = page.storeToken ? tokens.seal({ v: 2, p: caller.partnerId, f: listFingerprint, ph: 0, t: page.storeToken }) : undefined;
    return ok({ items, ...(continuationToken ? { continuationToken } : {}) });
  };

export const getIngestion = (deps: ApiDeps): RouteHandler<typeof routes.getIngestion> =>
  async ({ caller, params }) => {
    const ingestion = await deps.ingestions.get(caller.partnerId, params.id);
    if (!ingestion || ingestion.partnerId !== caller.partnerId) return notFound("No ingestion with this id for your partner.");
    return ok(ingestionSchema.parse(ingestion));
  };

registerRoute(routes.listIngestions, listIngestions);
registerRoute(routes.getIngestion, getIngestion);
