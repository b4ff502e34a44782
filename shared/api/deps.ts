import { app, type HttpHandler } from "@azure/functions";
import type { Clients } from "../adapters/clients.js";
import { authenticate } from "../auth/apiKeys.js";
import { apiKeyHeader, errorToResponse, type Authenticator } from "../http.js";
import { fromServices } from "../services.js";
import { apiRoute, type RouteSpec } from "./routes.js";

// What the HTTP handlers need, and how the functions files wire it: deps come from the composition
// root on the first call, so importing a functions file needs no settings.

export interface ApiDeps {
  clients: Clients;
}

export function apiKeyAuthenticator(deps: ApiDeps): Authenticator {
  return (request) => authenticate(deps.clients.containers, apiKeyHeader(request));
}

/** Builds the handler from the composition root on first use; a failure to build answers a logged 500. */
export function lazyHandler(factory: (deps: ApiDeps) => HttpHandler): HttpHandler {
  const built = fromServices(({ clients }) => factory({ clients }));
  return async (request, context) => {
    let handler: HttpHandler;
    try {
      handler = built();
    } catch (err) {
      return errorToResponse(err, context);
    }
    return handler(request, context);
  };
}

/** Registers a route of the route table (anonymous at the platform level: our API keys guard it). */
export function registerRoute(spec: RouteSpec, factory: (deps: ApiDeps) => HttpHandler): void {
  app.http(spec.name, { methods: [spec.method], route: apiRoute(spec), authLevel: "anonymous", handler: lazyHandler(factory) });
}
