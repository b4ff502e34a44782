import { app } from "@azure/functions";
import { buildOpenApiDocument } from "../shared/api/openapi.js";
import { registerRoute, type RouteHandler } from "../shared/api/register.js";
import { routes } from "../shared/api/routes.js";
import { accepted, ok } from "../shared/http.js";
import type { ApiDeps } from "../shared/wiring.js";

// Health, the OpenAPI document and manual refresh. This file also enables HTTP response streaming (needed by
// the CSV export) for the whole app: every file in functions/ is loaded, so it is set once, here.
app.setup({ enableHttpStream: true });

const healthTimeoutMs = 5_000;
const unavailable = { status: "unavailable", checks: { cosmos: "unavailable", storage: "unavailable" } } as const;

async function reachable(check: () => Promise<unknown>): Promise<"ok" | "unavailable"> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), healthTimeoutMs)))]);
    return "ok";
  } catch {
    return "unavailable";
  } finally {
    clearTimeout(timer);
  }
}

/** Cheap reachability checks: one database read, one container properties read. Never reveals why. */
export const health = (deps: ApiDeps): RouteHandler<typeof routes.health> =>
  async ({ log }) => {
    const [cosmos, storage] = await Promise.all([reachable(deps.health.cosmos), reachable(deps.health.storage)]);
    const healthy = cosmos === "ok" && storage === "ok";
    if (!healthy) log.warn(`Health: cosmos ${cosmos}, storage ${storage}`);
    return ok({ status: healthy ? "ok" : "unavailable", checks: { cosmos, storage } }, healthy ? 200 : 503, healthy ? {} : { "retry-after": "5" });
  };

export const openApi = (): RouteHandler<typeof routes.openApi> => {
  let document: Record<string, unknown> | undefined;
  return async () => {
    document ??= buildOpenApiDocument();
    return ok(document, 200, { "cache-control": "public, max-age=300" });
  };
};

export const requestRefresh = (deps: ApiDeps): RouteHandler<typeof routes.refresh> =>
  async ({ caller, log }) => {
    const requestedAt = new Date().toISOString();
    await deps.refreshQueue.enqueue({ partnerId: caller.partnerId, reason: "manual", requestedAt });
    log.info(`Refresh of ${caller.partnerId} queued by ${caller.keyId}`);
    return accepted({ status: "queued", partnerId: caller.partnerId, requestedAt });
  };

registerRoute(routes.health, health, {
  whenUnconfigured: (context, err) => {
    context.error(`Health: the app is not configured (invocation ${context.invocationId})`, err);
    return ok(unavailable, 503, { "retry-after": "5" });
  },
});
registerRoute(routes.openApi, openApi);
registerRoute(routes.refresh, requestRefresh);
