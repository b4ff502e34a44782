import { app, type HttpHandler, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import type { z } from "zod";
import type { AuthenticationError } from "../auth/apiKeys.js";
import type { Caller } from "../auth/roles.js";
import type { SignInForbiddenError } from "../auth/signIn.js";
import { InvalidRequestError } from "../errors.js";
import { errorToResponse, forbidden, unauthorized } from "../http.js";
import { containsKeyShaped, safeLogger, type Logger } from "../logging.js";
import { appDeps, type ApiDeps } from "../wiring.js";
import { apiRoute, type RouteSpec } from "./routes.js";
import { parseJsonBody, parseOrThrow, parseQuery } from "./validation.js";

// Every API route goes through here, driven by its entry in the route table: the table says who may call it
// (roles; none = anonymous), which query parameters and path parameters it takes; this applies them before the
// handler runs, so a handler only does its route's work. Errors map to statuses in one place (shared/http.ts).

type Output<T> = T extends z.ZodType ? z.output<T> : Record<string, never>;

export interface RouteInput<S extends RouteSpec> {
  request: HttpRequest;
  context: InvocationContext;
  /** The invocation's logger, every line redacted of anything key-shaped. */
  log: Logger;
  /** The authenticated caller (routes with roles only). */
  caller: S["roles"] extends readonly unknown[] ? Caller : undefined;
  query: Output<S["query"]>;
  params: Output<S["params"]>;
  body: Output<S["body"]>;
}

export type RouteHandler<S extends RouteSpec> = (input: RouteInput<S>) => Promise<HttpResponseInit>;

/** Builds the full pipeline for one route (tests call it directly with their own deps). */
export function routeHandler<S extends RouteSpec>(spec: S, deps: ApiDeps, handler: RouteHandler<S>): HttpHandler {
  return async (request, context) => {
    try {
      // A key in a URL is recorded by proxies and request logs: refuse it, whatever the route.
      if (containsKeyShaped(request.url)) {
        throw new InvalidRequestError("Send the API key in the x-api-key or Authorization header, never in the URL.", "url");
      }
      let caller: Caller | undefined;
      if (spec.roles) {
        try {
          // An API key, an Entra ID token when configured, or a trusted App Service principal (shared/auth/signIn.ts).
          caller = await deps.signIn.authenticate(request.headers);
        } catch (err) {
          const refused = err as Partial<AuthenticationError> | Partial<SignInForbiddenError>;
          if (refused.code !== "unauthorized" && refused.code !== "forbidden") throw err;
          // Counted per partner and window; only a few lines are written, however many keys or tokens are tried.
          const partnerId = "partnerId" in refused ? refused.partnerId : undefined;
          for (const line of deps.rejections.record(partnerId, refused.reason ?? "unknown")) context.warn(line);
          return refused.code === "forbidden" ? forbidden(refused.message) : unauthorized();
        }
        if (!spec.roles.includes(caller.role)) return forbidden();
      }
      const query = spec.query ? parseQuery(spec.query, request.query, spec.repeatable) : {};
      const params = spec.params ? parseOrThrow(spec.params, request.params, Object.keys(request.params)[0] ?? "path") : {};
      const body = spec.body ? await parseJsonBody(spec.body, request) : {};
      return await handler({ request, context, log: safeLogger(context), caller, query, params, body } as RouteInput<S>);
    } catch (err) {
      return errorToResponse(err, context);
    }
  };
}

/**
 * Registers a route of the route table with the Functions host (anonymous at the platform level: our API keys
 * guard it). Dependencies come from the composition root on the first call, so importing a function file
 * needs no settings; a failure to build them answers a logged 500.
 */
export function registerRoute<S extends RouteSpec>(
  spec: S,
  handler: (deps: ApiDeps) => RouteHandler<S>,
  options: { whenUnconfigured?: (context: InvocationContext, err: unknown) => HttpResponseInit } = {},
): void {
  const built = new WeakMap<ApiDeps, HttpHandler>();
  app.http(spec.name, {
    methods: [spec.method],
    route: apiRoute(spec),
    authLevel: "anonymous",
    handler: async (request, context) => {
      let deps: ApiDeps;
      try {
        deps = appDeps().api;
      } catch (err) {
        return options.whenUnconfigured ? options.whenUnconfigured(context, err) : errorToResponse(err, context);
      }
      let pipeline = built.get(deps);
      if (!pipeline) built.set(deps, (pipeline = routeHandler(spec, deps, handler(deps))));
      return pipeline(request, context);
    },
  });
}
