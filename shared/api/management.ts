import { z } from "zod";
import { apiKeyInfoSchema, apiKeyNameSchema } from "../auth/apiKeys.js";
import { datasetNames } from "../domain/datasets.js";
import { ingestionDocSchema, roles } from "../domain/documents.js";
import { administratorRoles as administrators, readerRoles as readers } from "../auth/roles.js";
import { emptyQuerySchema, pagingShape } from "./common.js";
import type { RouteSpec } from "./routeSpec.js";

// Schemas of the ingestion, key and refresh routes: validation and OpenAPI from the same source.

export const maxIngestionPageSize = 100;
export const defaultIngestionPageSize = 20;

export const ingestionsListQuerySchema = z.strictObject(pagingShape(maxIngestionPageSize, defaultIngestionPageSize, "Records"));
export type IngestionsListQuery = z.output<typeof ingestionsListQuerySchema>;

export const ingestionIdParamsSchema = z.strictObject({
  id: z
    .string()
    // Not "." or "..": the SDK puts the id in a URL path, where dots alone would climb to another resource.
    .regex(/^(?!\.+$)[A-Za-z0-9:_.=-]{1,200}$/, { error: "is not an ingestion id" })
    .meta({ description: "The ingestion id (from the list)." }),
});

/** An ingestion record as the API shows it (storage fields removed). */
export const ingestionSchema = ingestionDocSchema.omit({ type: true });
export type Ingestion = z.infer<typeof ingestionSchema>;

export const ingestionsListResponseSchema = z.object({
  items: z.array(ingestionSchema),
  continuationToken: z.string().optional(),
});

export const roleParamSchema = z.enum(roles, { error: `must be one of: ${roles.join(", ")}` });

export const createKeyBodySchema = z.strictObject({
  name: apiKeyNameSchema.meta({ description: "What the key is for (shown in the key list)." }),
  role: roleParamSchema.meta({ description: "reportViewer and executiveReportViewer read; administrator also manages keys and refreshes." }),
});
export type CreateKeyBody = z.output<typeof createKeyBodySchema>;

export const keyIdParamsSchema = z.strictObject({
  keyId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "is not a key id" }).meta({ description: "The key id (from the key list)." }),
});

export { apiKeyInfoSchema };

export const createdKeySchema = apiKeyInfoSchema.extend({
  key: z.string().meta({ description: "The API key. Shown only in this response: store it now." }),
});

export const keysListResponseSchema = z.object({ items: z.array(apiKeyInfoSchema) });

export const refreshAcceptedSchema = z.object({
  status: z.literal("queued"),
  partnerId: z.string(),
  requestedAt: z.string(),
});

// A file name as it lands in drops/{partner}/{dataset}/: one path segment, no traversal, no control or
// bidirectional characters, ending in .csv or .csv.gz.
const fileNamePattern = /^(?!\.)[A-Za-z0-9][A-Za-z0-9 ._()-]{0,198}\.csv(\.gz)?$/i;

export const uploadRequestSchema = z.strictObject({
  dataset: z.enum(datasetNames, { error: `must be one of: ${datasetNames.join(", ")}` }).meta({ description: "The dataset folder the file goes into." }),
  fileName: z
    .string()
    .regex(fileNamePattern, {
      error: "must be a plain file name (letters, digits, spaces, dots, dashes, underscores, brackets) ending in .csv or .csv.gz, at most 200 characters",
    })
    .refine((name) => !name.includes(".."), { error: "must not contain .." })
    .meta({ description: "The file name, e.g. usage_2026-11-01.csv; a date in it is the snapshot date." }),
});
export type UploadRequest = z.output<typeof uploadRequestSchema>;

export const uploadResponseSchema = z.object({
  uploadUrl: z.string().meta({ description: "Where to PUT the file: valid for this one blob, create-only, until expiresAt." }),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()).meta({ description: "Headers the PUT must send." }),
  blobPath: z.string().meta({ description: "drops/{partnerId}/{dataset}/{fileName}" }),
  expiresAt: z.string(),
});

export const healthResponseSchema = z.object({
  status: z.enum(["ok", "unavailable"]),
  checks: z.object({ cosmos: z.enum(["ok", "unavailable"]), storage: z.enum(["ok", "unavailable"]) }),
});

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().meta({ description: "Stable error code: invalid_request, unauthorized, forbidden, not_found, method_not_allowed, conflict, payload_too_large, unsupported_media_type, too_many_requests, unavailable, internal." }),
    message: z.string(),
    field: z.string().optional().meta({ description: "The query parameter, path parameter, header or body field at fault (400, 413, 415)." }),
    details: z.record(z.string(), z.unknown()).optional().meta({ description: "Machine-readable detail where a route documents it (for example the counts behind a refusal)." }),
  }),
});

/** GET me: who the key belongs to (the web page shows what the role may do). */
export const meResponseSchema = z.object({ partnerId: z.string(), role: z.enum(roles), keyId: z.string() });

/** System, data (ingestions, uploads, refresh) and key routes. */
export const managementRoutes = {
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
  createUpload: {
    name: "createUpload",
    method: "POST",
    route: "uploads",
    summary:
      "An upload URL for one file into the caller's drops folder: create-only, valid for one blob, expiring in minutes. PUT the file to it; it is ingested within seconds (see ingestions). Administrators only: a drop changes what everyone sees.",
    roles: administrators,
    query: emptyQuerySchema,
    body: uploadRequestSchema,
    responses: {
      201: { description: "The upload URL and how to use it.", schema: uploadResponseSchema },
      409: { description: "A file of that name is still waiting to be ingested; wait for it or use another name." },
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
