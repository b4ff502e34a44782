import { z } from "zod";
import { ingestionDocSchema, roles } from "../domain/documents.js";
import { apiKeyNameSchema } from "../auth/apiKeys.js";

// Schemas of the ingestion, key and refresh routes: validation and OpenAPI from the same source.

export const maxIngestionPageSize = 100;
export const defaultIngestionPageSize = 20;

export const ingestionsListQuerySchema = z.strictObject({
  pageSize: z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(maxIngestionPageSize, { error: `must be at most ${maxIngestionPageSize}` })
    .default(defaultIngestionPageSize)
    .meta({ description: `Records per page (default ${defaultIngestionPageSize}, at most ${maxIngestionPageSize}).` }),
  continuationToken: z
    .string()
    .min(1, { error: "must not be empty" })
    .max(4096, { error: "is too long" })
    .optional()
    .meta({ description: "Opaque token from the previous page." }),
});
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

export const apiKeyInfoSchema = z.object({
  keyId: z.string(),
  name: z.string(),
  role: z.enum(roles),
  createdAt: z.string(),
  createdBy: z.string().optional(),
  revokedAt: z.string().optional(),
});

export const createdKeySchema = apiKeyInfoSchema.extend({
  key: z.string().meta({ description: "The API key. Shown only in this response: store it now." }),
});

export const keysListResponseSchema = z.object({ items: z.array(apiKeyInfoSchema) });

export const refreshAcceptedSchema = z.object({
  status: z.literal("queued"),
  partnerId: z.string(),
  requestedAt: z.string(),
});

export const healthResponseSchema = z.object({
  status: z.enum(["ok", "unavailable"]),
  checks: z.object({ cosmos: z.enum(["ok", "unavailable"]), storage: z.enum(["ok", "unavailable"]) }),
});

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().meta({ description: "Stable error code: invalid_request, unauthorized, forbidden, not_found, conflict, payload_too_large, unsupported_media_type, unavailable, internal." }),
    message: z.string(),
    field: z.string().optional().meta({ description: "The query parameter, path parameter, header or body field at fault (400, 413, 415)." }),
  }),
});
