import { registerRoute, type RouteHandler } from "../shared/api/register.js";
import { routes } from "../shared/api/routes.js";
import { created, noContent, notFound, ok } from "../shared/http.js";
import type { ApiDeps } from "../shared/wiring.js";

// Sign-in mappings for administrators, always within the caller's own partner.

export const listIdentityMappings = (deps: ApiDeps): RouteHandler<typeof routes.listIdentityMappings> =>
  async ({ caller }) => ok({ items: await deps.identities.list(caller.partnerId) });

export const createIdentityMapping = (deps: ApiDeps): RouteHandler<typeof routes.createIdentityMapping> =>
  async ({ caller, body, log }) => {
    const { mapping, created: isNew } = await deps.identities.add({ partnerId: caller.partnerId, ...body, createdBy: caller.keyId });
    if (!isNew) return ok(mapping);
    log.info(`Sign-in mapping ${body.kind} ${body.objectId} → ${caller.partnerId} added by ${caller.keyId}`);
    return created(mapping);
  };

export const deleteIdentityMapping = (deps: ApiDeps): RouteHandler<typeof routes.deleteIdentityMapping> =>
  async ({ caller, params, log }) => {
    if (!(await deps.identities.remove(caller.partnerId, params.kind, params.objectId))) return notFound("No such sign-in mapping for your partner.");
    log.info(`Sign-in mapping ${params.kind} ${params.objectId} of ${caller.partnerId} removed by ${caller.keyId}`);
    return noContent();
  };

registerRoute(routes.listIdentityMappings, listIdentityMappings);
registerRoute(routes.createIdentityMapping, createIdentityMapping);
registerRoute(routes.deleteIdentityMapping, deleteIdentityMapping);
