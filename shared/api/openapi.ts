import { z } from "zod";
import { errorBodySchema } from "./management.js";
import { routes, type RouteSpec } from "./routes.js";
import { maxJsonBodyBytes } from "./validation.js";

// The OpenAPI 3.1 document, generated from the route table and the same zod schemas that validate
// requests (JSON Schema 2020-12, which OpenAPI 3.1 uses as is).

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[]; description?: string; type?: unknown };

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  delete out.$schema;
  return out;
}

function parameters(schema: z.ZodType | undefined, location: "query" | "path", repeatable: readonly string[] = []): unknown[] {
  if (!schema) return [];
  const object = jsonSchema(schema, "input");
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === "path" || required.has(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
      ...(repeatable.includes(name) ? { style: "form", explode: true } : {}),
    };
  });
}

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

function operation(spec: RouteSpec): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const contentType = response.contentType ?? "application/json";
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? { content: { [contentType]: { schema: jsonSchema(response.schema, "output") } } }
        : response.contentType
          ? { content: { [contentType]: { schema: { type: "string" } } } }
          : {}),
    };
  }
  if (spec.query || spec.params || spec.body) {
    responses["400"] = errorResponse("Invalid or unknown parameter, or invalid body; error.field names it.");
  }
  if (spec.body) {
    responses["413"] = errorResponse(`The body is larger than ${maxJsonBodyBytes} bytes.`);
    responses["415"] = errorResponse("The body is not sent as Content-Type: application/json.");
  }
  if (spec.roles) {
    responses["401"] = errorResponse("Missing, malformed, unknown or revoked API key, or an invalid or expired token.");
    responses["403"] = errorResponse("The caller's role may not call this route, or a signed-in account has no app role or partner mapping.");
  }
  if (spec.params && !responses["404"]) responses["404"] = errorResponse("Not found for your partner.");
  else if (responses["404"]) responses["404"] = errorResponse((spec.responses[404] as { description: string }).description);
  responses["500"] = errorResponse("Unexpected error; the message carries a reference for support.");
  return {
    operationId: spec.name,
    summary: spec.summary,
    ...(spec.roles ? { security: [{ apiKey: [] }, { bearer: [] }], "x-roles": [...spec.roles] } : { security: [] }),
    parameters: [
      ...parameters(spec.params, "path"),
      ...parameters(spec.query, "query", spec.repeatable),
    ],
    ...(spec.body
      ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(spec.body, "input") } } } }
      : {}),
    responses,
  };
}

export function buildOpenApiDocument(options: { version?: string; serverUrl?: string } = {}): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of Object.values(routes) as RouteSpec[]) {
    const path = `/${spec.route}`;
    paths[path] ??= {};
    paths[path][spec.method.toLowerCase()] = operation(spec);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Partner opportunity insights API",
      version: options.version ?? "0.1.0",
      description:
        "Cloud Endpoints (Windows 365) opportunities, ingestion status and API keys for one partner. " +
        "Every route except health and this document needs an API key bound to one partner and a role. " +
        "Unknown query parameters, and a parameter given twice that is not repeatable, answer 400 naming it. " +
        "Browser origins are not allowed (no CORS): call the API from a server, never with a key in a web page.",
    },
    servers: [{ url: options.serverUrl ?? "/api" }],
    security: [{ apiKey: [] }, { bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "x-api-key", description: "poi_{partnerId}_{secret}" },
        bearer: { type: "http", scheme: "bearer", description: "The same API key as a bearer token, or an Entra ID access token for this API (when Entra ID sign-in is configured)." },
      },
      schemas: { Error: jsonSchema(errorBodySchema, "output") },
    },
  };
}
