import type { HttpHandler } from "@azure/functions";
import { apiKeyAuthenticator, registerRoute, type ApiDeps } from "../shared/api/deps.js";
import { routes } from "../shared/api/routes.js";
import { parseQuery } from "../shared/api/validation.js";
import { ok, withAuth } from "../shared/http.js";

// Who the caller is: the web page signs in with a key and shows what that key's role may do.

export function makeMeHandler(deps: ApiDeps): HttpHandler {
  const spec = routes.me;
  return withAuth(async (request, _context, caller) => {
    parseQuery(spec.query, request.query);
    return ok({ partnerId: caller.partnerId, role: caller.role, keyId: caller.keyId });
  }, { roles: spec.roles, authenticate: apiKeyAuthenticator(deps) });
}

registerRoute(routes.me, makeMeHandler);
