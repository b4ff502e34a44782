import type { HttpMethod } from "@azure/functions";
import type { z } from "zod";
import type { Role } from "../auth/roles.js";

// One entry of the route table: the functions register from it, requests are authenticated, authorised and
// validated by it (shared/api/register.ts), and the OpenAPI document is built from it, so none can drift apart.

export interface RouteSpec {
  /** Function name used in app.http(...) */
  name: string;
  method: HttpMethod;
  /** Without the "api/" prefix. */
  route: string;
  summary: string;
  /** Roles allowed; undefined = no authentication. */
  roles?: readonly Role[];
  query?: z.ZodType;
  repeatable?: readonly string[];
  params?: z.ZodType;
  body?: z.ZodType;
  /** contentType: a file answer (a list when the route offers several formats, e.g. CSV and xlsx). */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string | readonly string[] }>;
}

/** The path every API route is served under; the OpenAPI document's server URL. */
export const apiBasePath = "api";

/** The route as registered with the Functions host (host.json's routePrefix is empty so the page can live at "/"). */
export function apiRoute(spec: Pick<RouteSpec, "route">): string {
  return `${apiBasePath}/${spec.route}`;
}
