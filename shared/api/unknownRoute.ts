import type { HttpResponseInit } from "@azure/functions";
import { jsonHeaders } from "../http.js";
import { routes, type RouteSpec } from "./routes.js";

// What a path under /api that no function took answers: 405 with Allow when a route has that path with another
// method, else 404; both as the JSON error shape every other error has. The platform's own answers (an empty 404
// in Azure, plain text locally) never reach a client of the API.

/** A route by method and template (without the "api/" prefix), e.g. GET cloud-endpoints/{tenantId}. */
export interface KnownRoute {
  method: string;
  route: string;
}

/** The API reference page and its assets (functions/httpDocs.ts): not JSON, so not in the route table. */
export const docsRoutes: readonly KnownRoute[] = [
  { method: "GET", route: "docs" },
  { method: "HEAD", route: "docs" },
  { method: "GET", route: "docs/{file}" },
  { method: "HEAD", route: "docs/{file}" },
];

export function knownRoutes(): KnownRoute[] {
  return [...(Object.values(routes) as RouteSpec[]).map((r) => ({ method: r.method, route: r.route })), ...docsRoutes];
}

/** Whether a path (segments after "api/") fits a template: literals match case-insensitively, as the host's routing does. */
function fits(template: string, segments: readonly string[]): boolean {
  const parts = template.split("/");
  return parts.length === segments.length && parts.every((p, i) => (p.startsWith("{") ? segments[i] !== "" : p.toLowerCase() === segments[i].toLowerCase()));
}

/** The methods routes take on this path (empty: no route has it). */
export function allowedMethods(path: string, known: readonly KnownRoute[] = knownRoutes()): string[] {
  const segments = path.split("/").filter((s) => s !== "");
  return [...new Set(known.filter((r) => fits(r.route, segments)).map((r) => r.method))];
}

/** The answer for a request no API route took (path without "api/"). */
export function unknownRouteResponse(method: string, path: string, known: readonly KnownRoute[] = knownRoutes()): HttpResponseInit {
  const allowed = allowedMethods(path, known);
  if (allowed.length > 0 && !allowed.includes(method.toUpperCase())) {
    return {
      status: 405,
      headers: { ...jsonHeaders, allow: allowed.join(", ") },
      jsonBody: { error: { code: "method_not_allowed", message: `${method.toUpperCase()} is not allowed on /api/${path}; use ${allowed.join(" or ")}.` } },
    };
  }
  return {
    status: 404,
    headers: jsonHeaders,
    jsonBody: { error: { code: "not_found", message: "No such API route. See /api/openapi.json or /api/docs." } },
  };
}
