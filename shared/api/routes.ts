import { z } from "zod";
import type { HttpMethod } from "@azure/functions";
import { roleSchema, type Role } from "../domain/documents.js";
import { cloudEndpointsRowSchema, cloudEndpointsSummarySchema } from "../domain/results.js";
import {
  cloudEndpointsExportQuerySchema,
  cloudEndpointsListQuerySchema,
  cloudEndpointsListResponseSchema,
  emptyQuerySchema,
  refreshStatusShape,
  repeatableParameters,
  resultStatusSchema,
  tenantIdParamsSchema,
} from "./cloudEndpoints.js";
import {
  createKeyBodySchema,
  createdKeySchema,
  healthResponseSchema,
  ingestionIdParamsSchema,
  ingestionSchema,
  ingestionsListQuerySchema,
  ingestionsListResponseSchema,
  keyIdParamsSchema,
  keysListResponseSchema,
  refreshAcceptedSchema,
} from "./management.js";

// Every HTTP route in one table: the functions register from it and the OpenAPI document is built
// from it, so the two cannot drift apart. Routes carry no prefix: every API route is registered under
// "api/" (host.json's routePrefix is empty so the web page can be served at the site's root).

export interface RouteSpec {
  /** Function name used in app.http(...) */
  name: string;
  method: HttpMethod;
  route: string;
  summary: string;
  /** Roles allowed; undefined = no authentication. */
  roles?: readonly Role[];
  query?: z.ZodType;
  repeatable?: readonly string[];
  params?: z.ZodType;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

const readers: readonly Role[] = ["reportViewer", "executiveReportViewer", "administrator"];
const administrators: readonly Role[] = ["administrator"];

export const cloudEndpointsSummaryResponseSchema = cloudEndpointsSummarySchema.extend({
  status: resultStatusSchema,
  resultSetId: z.string().optional(),
  refreshedAt: z.string().optional(),
  asOf: z.record(z.string(), z.string()).optional(),
  ...refreshStatusShape,
});

/** GET me: who the key belongs to (the web page shows what the role may do). */
export const meResponseSchema = z.object({ partnerId: z.string(), role: roleSchema, keyId: z.string() });

export const routes = {
  health: {
    name: "health",
    method: "GET",
    route: "health",
    summary: "Liveness and dependency reachability (Cosmos DB, Storage). No authentication.",
    query: emptyQuerySchema,
    responses: {
      200: { description: "All dependencies reachable.", schema: healthResponseSchema },
      503: { description: "A dependency is unreachable.", schema: healthResponseSchema },
    },
  },
  openApi: {
    name: "openApi",
    method: "GET",
    route: "openapi.json",
    summary: "This OpenAPI 3.1 document. No authentication.",
    query: emptyQuerySchema,
    responses: { 200: { description: "The OpenAPI document." } },
  },
  me: {
    name: "me",
    method: "GET",
    route: "me",
    summary: "The caller: the partner, role and key id of the API key sent (the web page shows what the role may do).",
    roles: readers,
    query: emptyQuerySchema,
    responses: { 200: { description: "The caller.", schema: meResponseSchema } },
  },
  listCloudEndpoints: {
    name: "listCloudEndpoints",
    method: "GET",
    route: "cloud-endpoints",
    summary: "Cloud Endpoints (Windows 365) rows of the current result set: filters, keyword search, sort, paging.",
    roles: readers,
    query: cloudEndpointsListQuerySchema,
    repeatable: repeatableParameters,
    responses: { 200: { description: "One page of rows.", schema: cloudEndpointsListResponseSchema } },
  },
  cloudEndpointsSummary: {
    name: "cloudEndpointsSummary",
    method: "GET",
    route: "cloud-endpoints/summary",
    summary: "KPI tiles and the five charts' data of the current result set.",
    roles: readers,
    query: emptyQuerySchema,
    responses: { 200: { description: "KPIs and charts (zeros until the first refresh).", schema: cloudEndpointsSummaryResponseSchema } },
  },
  exportCloudEndpoints: {
    name: "exportCloudEndpoints",
    method: "GET",
    route: "cloud-endpoints/export",
    summary: "CSV export of the current filtered view (all pages), streamed; UTF-8 BOM, RFC 4180, formula-safe.",
    roles: readers,
    query: cloudEndpointsExportQuerySchema,
    repeatable: repeatableParameters,
    responses: { 200: { description: "CSV file (attachment).", contentType: "text/csv" } },
  },
  getCloudEndpoint: {
    name: "getCloudEndpoint",
    method: "GET",
    route: "cloud-endpoints/{tenantId}",
    summary: "One tenant's Cloud Endpoints row (all columns).",
    roles: readers,
    query: emptyQuerySchema,
    params: tenantIdParamsSchema,
    responses: {
      200: { description: "The row.", schema: cloudEndpointsRowSchema },
      404: { description: "No visible tenant with this id in the partner's current results." },
    },
  },
  listIngestions: {
    name: "listIngestions",
    method: "GET",
    route: "ingestions",
    summary: "Recent ingestions of dropped files, newest first.",
    roles: readers,
    query: ingestionsListQuerySchema,
    responses: { 200: { description: "One page of ingestion records.", schema: ingestionsListResponseSchema } },
  },
  getIngestion: {
    name: "getIngestion",
    method: "GET",
    route: "ingestions/{id}",
    summary: "One ingestion: status, counts, first row errors, where the file was archived.",
    roles: readers,
    query: emptyQuerySchema,
    params: ingestionIdParamsSchema,
    responses: {
      200: { description: "The ingestion record.", schema: ingestionSchema },
      404: { description: "No ingestion with this id for the partner." },
    },
  },
  refresh: {
    name: "requestRefresh",
    method: "POST",
    route: "refresh",
    summary: "Queue a refresh of the caller's partner (administrator).",
    roles: administrators,
    query: emptyQuerySchema,
    responses: { 202: { description: "Refresh queued.", schema: refreshAcceptedSchema } },
  },
  listKeys: {
    name: "listKeys",
    method: "GET",
    route: "keys",
    summary: "The partner's API keys (never the secrets), newest first (administrator).",
    roles: administrators,
    query: emptyQuerySchema,
    responses: { 200: { description: "Keys.", schema: keysListResponseSchema } },
  },
  createKey: {
    name: "createKey",
    method: "POST",
    route: "keys",
    summary: "Issue an API key for the caller's partner (administrator). The key is shown once.",
    roles: administrators,
    query: emptyQuerySchema,
    body: createKeyBodySchema,
    responses: { 201: { description: "The new key, shown only now.", schema: createdKeySchema } },
  },
  revokeKey: {
    name: "revokeKey",
    method: "DELETE",
    route: "keys/{keyId}",
    summary: "Revoke one of the partner's API keys (administrator). Takes effect within 30 seconds everywhere.",
    roles: administrators,
    query: emptyQuerySchema,
    params: keyIdParamsSchema,
    responses: {
      204: { description: "Revoked (also when it already was)." },
      404: { description: "The partner has no key with this id." },
    },
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof routes;

/** The path every API route is served under; the OpenAPI document's server URL. */
export const apiBasePath = "api";

/** The route as registered with the Functions host (host.json's routePrefix is empty). */
export function apiRoute(spec: Pick<RouteSpec, "route">): string {
  return `${apiBasePath}/${spec.route}`;
}
