import type { HttpHandler } from "@azure/functions";
import { apiKeyAuthenticator, registerRoute, type ApiDeps } from "../shared/api/deps.js";
import { routes } from "../shared/api/routes.js";
import { parseJsonBody, parseOrThrow, parseQuery } from "../shared/api/validation.js";
import { issueApiKey, listApiKeys, revokeApiKey } from "../shared/auth/apiKeys.js";
import { created, noContent, notFound, ok, withAuth } from "../shared/http.js";

// API key management for administrators, always within the caller's own partner.

export function makeListKeysHandler(deps: ApiDeps): HttpHandler {
  const spec = routes.listKeys;
  return withAuth(async (request, _context, caller) => {
    parseQuery(spec.query, request.query);
    return ok({ items: await listApiKeys(deps.clients.containers, caller.partnerId) });
  }, { roles: spec.roles, authenticate: apiKeyAuthenticator(deps) });
}

export function makeCreateKeyHandler(deps: ApiDeps): HttpHandler {
  const spec = routes.createKey;
  return withAuth(async (request, context, caller) => {
    parseQuery(spec.query, request.query);
    const body = await parseJsonBody(spec.body, request);
    const issued = await issueApiKey(deps.clients.containers, {
      partnerId: caller.partnerId,
      role: body.role,
      name: body.name,
      createdBy: caller.keyId,
    });
    context.log(`API key ${issued.keyId} (${body.role}) issued for ${caller.partnerId} by ${caller.keyId}`);
    return created({ key: issued.key, ...issued.info });
  }, { roles: spec.roles, authenticate: apiKeyAuthenticator(deps) });
}

export function makeRevokeKeyHandler(deps: ApiDeps): HttpHandler {
  const spec = routes.revokeKey;
  return withAuth(async (request, context, caller) => {
    parseQuery(spec.query, request.query);
    const { keyId } = parseOrThrow(spec.params, { keyId: request.params.keyId }, "keyId");
    const revoked = await revokeApiKey(deps.clients.containers, caller.partnerId, keyId);
    if (!revoked) return notFound("No API key with this id for your partner.");
    context.log(`API key ${keyId} of ${caller.partnerId} revoked by ${caller.keyId}`);
    return noContent();
  }, { roles: spec.roles, authenticate: apiKeyAuthenticator(deps) });
}

registerRoute(routes.listKeys, makeListKeysHandler);
registerRoute(routes.createKey, makeCreateKeyHandler);
registerRoute(routes.revokeKey, makeRevokeKeyHandler);
