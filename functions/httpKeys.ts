import { registerRoute, type RouteHandler } from "../shared/api/register.js";
import { routes } from "../shared/api/routes.js";
import { created, noContent, notFound, ok } from "../shared/http.js";
import type { ApiDeps } from "../shared/wiring.js";

// API key management for administrators, always within the caller's own partner.

export const listKeys = (deps: ApiDeps): RouteHandler<typeof routes.listKeys> =>
  async ({ caller }) => ok({ items: await deps.auth.list(caller.partnerId) });

export const createKey = (deps: ApiDeps): RouteHandler<typeof routes.createKey> =>
  async ({ caller, body, log }) => {
    const issued = await deps.auth.issue({ partnerId: caller.partnerId, role: body.role, name: body.name, createdBy: caller.keyId });
    log.info(`API key ${issued.keyId} (${body.role}) issued for ${caller.partnerId} by ${caller.keyId}`);
    return created({ key: issued.key, ...issued.info });
  };

export const revokeKey = (deps: ApiDeps): RouteHandler<typeof routes.revokeKey> =>
  async ({ caller, params, log }) => {
    const revoked = await deps.auth.revoke(caller.partnerId, params.keyId);
    if (!revoked) return notFound("No API key with this id for your partner.");
    log.info(`API key ${params.keyId} of ${caller.partnerId} revoked by ${caller.keyId}`);
    return noContent();
  };

registerRoute(routes.listKeys, listKeys);
registerRoute(routes.createKey, createKey);
registerRoute(routes.revokeKey, revokeKey);
