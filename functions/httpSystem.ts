import { app, type HttpHandler } from "@azure/functions";
import { apiKeyAuthenticator, registerRoute, type ApiDeps } from "../shared/api/deps.js";
import { buildOpenApiDocument } from "../shared/api/openapi.js";
import { apiRoute, routes } from "../shared/api/routes.js";
import { parseQuery } from "../shared/api/validation.js";
import { createRefreshQueue } from "../shared/adapters/refreshQueue.js";
import { names } from "../shared/config.js";
import { accepted, ok, withAuth, withErrors } from "../shared/http.js";
import { getServices } from "../shared/services.js";

// Health, the OpenAPI document and manual refresh. This file also enables HTTP response streaming
// (needed by the CSV export) for the whole app: every file in functions/ is loaded, so it is set once, here.
app.setup({ enableHttpStream: true });

const healthTimeoutMs = 5_000;

async function reachable(check: () => Promise<unknown>): Promise<"ok" | "unavailable"> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), healthTimeoutMs))),
    ]);
    return "ok";
  } catch {
    return "unavailable";
  } finally {
    clearTimeout(timer);
  }
}

/** Cheap reachability checks: one database read, one container properties read. Never reveals why. */
export function makeHealthHandler(getDeps: () => ApiDeps): HttpHandler {
  return withErrors(async (request, context) => {
    // Unknown query parameters are a 400 on every route, this one included.
    parseQuery(routes.health.query, request.query);
    let deps: ApiDeps;
    try {
      deps = getDeps();
    } catch (err) {
      context.error(`Health: the app is not configured (invocation ${context.invocationId})`, err);
      return ok({ status: "unavailable", checks: { cosmos: "unavailable", storage: "unavailable" } }, 503);
    }
    const [cosmos, storage] = await Promise.all([
      reachable(() => deps.clients.database.read()),
      reachable(() => deps.clients.blobs.getContainerClient(names.blobContainers.drops).getProperties()),
    ]);
    const healthy = cosmos === "ok" && storage === "ok";
    if (!healthy) context.warn(`Health: cosmos ${cosmos}, storage ${storage}`);
    return ok({ status: healthy ? "ok" : "unavailable", checks: { cosmos, storage } }, healthy ? 200 : 503);
  });
}

export function makeOpenApiHandler(): HttpHandler {
  let document: Record<string, unknown> | undefined;
  return withErrors(async (request) => {
    parseQuery(routes.openApi.query, request.query);
    document ??= buildOpenApiDocument();
    return ok(document, 200, { "cache-control": "public, max-age=300" });
  });
}

export function makeRefreshHandler(deps: ApiDeps): HttpHandler {
  const spec = routes.refresh;
  return withAuth(async (request, context, caller) => {
    parseQuery(spec.query, request.query);
    const requestedAt = new Date().toISOString();
    await createRefreshQueue(deps.clients.queues).enqueue({ partnerId: caller.partnerId, reason: "manual", requestedAt });
    context.log(`Refresh of ${caller.partnerId} queued by ${caller.keyId}`);
    return accepted({ status: "queued", partnerId: caller.partnerId, requestedAt });
  }, { roles: spec.roles, authenticate: apiKeyAuthenticator(deps) });
}

app.http(routes.health.name, {
  methods: [routes.health.method],
  route: apiRoute(routes.health),
  authLevel: "anonymous",
  handler: makeHealthHandler(() => ({ clients: getServices().clients })),
});
app.http(routes.openApi.name, {
  methods: [routes.openApi.method],
  route: apiRoute(routes.openApi),
  authLevel: "anonymous",
  handler: makeOpenApiHandler(),
});
registerRoute(routes.refresh, makeRefreshHandler);
