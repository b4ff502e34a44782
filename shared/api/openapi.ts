import { z } from "zod";
import { readerRoles } from "../auth/roles.js";
import { cloudEndpointsListResponseSchema, cloudEndpointsRowResponseSchema, cloudEndpointsSummaryResponseSchema } from "./cloudEndpoints.js";
import {
  createDealModelBodySchema,
  dealModelListResponseSchema,
  dealModelResponseSchema,
  dealScoreDetailSchema,
  dealScoresListResponseSchema,
  dealScoresSummaryResponseSchema,
  gradeBandsBodySchema,
  trainingAcceptedSchema,
  updateDealModelBodySchema,
} from "./dealScoring.js";
import { createIdentityMappingBodySchema, identityMappingsListResponseSchema } from "./identity.js";
import {
  customerDetailResponseSchema,
  feedbackBodySchema,
  feedbackResponseSchema,
  opportunitiesListResponseSchema,
  opportunitiesSummaryResponseSchema,
  opportunityModelsResponseSchema,
} from "./opportunities.js";
import {
  apiKeyInfoSchema,
  createdKeySchema,
  createKeyBodySchema,
  errorBodySchema,
  healthResponseSchema,
  ingestionSchema,
  ingestionsListResponseSchema,
  keysListResponseSchema,
  meResponseSchema,
  refreshAcceptedSchema,
  uploadRequestSchema,
  uploadResponseSchema,
} from "./management.js";
import {
  clusterMappingBodySchema,
  clusterMappingResponseSchema,
  propensityCustomerResponseSchema,
  propensityListResponseSchema,
  propensitySummaryResponseSchema,
} from "./propensity.js";
import { routes, type RouteSpec } from "./routes.js";
import { maxJsonBodyBytes } from "./validation.js";

// The OpenAPI 3.1 document, generated from the route table and the same zod schemas that validate requests
// (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Every request body and every answer is a named component
// (components.schemas, referenced with $ref), so generated clients get product words instead of anonymous
// inline types; operations carry their tab as a tag and the error answers that can actually occur on them.

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[]; description?: string; type?: unknown };

const schemaRef = (name: string) => `#/components/schemas/${name}`;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** Element schema of an `items` array property (list answers): rows are named on their own. */
function itemsOf(schema: z.ZodObject): z.ZodType {
  return (schema.shape.items as z.ZodArray).element as z.ZodType;
}

/**
 * Names of the components clients see, in the product's words. A schema not listed here (a route added later)
 * still gets a component, named after its route: `{RouteName}Request`, `{RouteName}Response`.
 */
function namedSchemas(): [z.ZodType, string][] {
  return [
    [errorBodySchema, "Error"],
    [healthResponseSchema, "Health"],
    [meResponseSchema, "Caller"],
    [ingestionsListResponseSchema, "IngestionPage"],
    [ingestionSchema, "Ingestion"],
    [uploadRequestSchema, "UploadRequest"],
    [uploadResponseSchema, "UploadUrl"],
    [refreshAcceptedSchema, "RefreshQueued"],
    [keysListResponseSchema, "ApiKeyList"],
    [apiKeyInfoSchema, "ApiKey"],
    [createKeyBodySchema, "CreateKeyRequest"],
    [createdKeySchema, "CreatedApiKey"],
    [opportunitiesListResponseSchema, "OpportunitiesPage"],
    [itemsOf(opportunitiesListResponseSchema), "Opportunity"],
    [opportunitiesSummaryResponseSchema, "OpportunitiesSummary"],
    [customerDetailResponseSchema, "OpportunityCustomer"],
    [feedbackBodySchema, "FeedbackRequest"],
    [feedbackResponseSchema, "Feedback"],
    [opportunityModelsResponseSchema, "OpportunityModels"],
    [cloudEndpointsListResponseSchema, "CloudEndpointsPage"],
    [itemsOf(cloudEndpointsListResponseSchema), "CloudEndpointsListRow"],
    [cloudEndpointsSummaryResponseSchema, "CloudEndpointsSummary"],
    [cloudEndpointsRowResponseSchema, "CloudEndpointsRow"],
    [propensityListResponseSchema, "PropensityPage"],
    [itemsOf(propensityListResponseSchema), "PropensityRow"],
    [propensitySummaryResponseSchema, "PropensitySummary"],
    [propensityCustomerResponseSchema, "PropensityCustomer"],
    [clusterMappingResponseSchema, "ClusterMapping"],
    [clusterMappingBodySchema, "ClusterMappingRequest"],
    [dealModelListResponseSchema, "DealModelList"],
    [itemsOf(dealModelListResponseSchema), "DealModel"],
    [dealModelResponseSchema, "CreatedDealModel"],
    [createDealModelBodySchema, "CreateDealModelRequest"],
    [updateDealModelBodySchema, "UpdateDealModelRequest"],
    [gradeBandsBodySchema, "GradeBandsRequest"],
    [trainingAcceptedSchema, "TrainingQueued"],
    [dealScoresListResponseSchema, "DealScoresPage"],
    [itemsOf(dealScoresListResponseSchema), "DealScoreListItem"],
    [dealScoresSummaryResponseSchema, "DealScoresSummary"],
    [dealScoreDetailSchema, "DealScoreDetail"],
    [identityMappingsListResponseSchema, "IdentityMappingList"],
    [itemsOf(identityMappingsListResponseSchema), "IdentityMapping"],
    [createIdentityMappingBodySchema, "CreateIdentityMappingRequest"],
  ];
}

// ---- tags: one per tab of the web page, from the route's first path segment --------------------------

const tags: { name: string; description: string; segments: string[] }[] = [
  { name: "Opportunities", description: "Recommendations per customer: overview, lists, export, feedback, the models.", segments: ["opportunities", "opportunity-models"] },
  { name: "Cloud Endpoints", description: "Windows 365 whitespace, utilisation and sales motions per visible tenant.", segments: ["cloud-endpoints"] },
  { name: "Propensity", description: "Fit and intent per customer and prospect, the 4×4 matrix, clusters and product propensities.", segments: ["propensity"] },
  { name: "Deal scoring", description: "Scored open deals (every reader) and the scoring models (administrators).", segments: ["deal-scores", "deal-models"] },
  { name: "Data", description: "Dropping files, their ingestion records, and refreshing the results.", segments: ["ingestions", "uploads", "refresh"] },
  { name: "Keys", description: "The partner's API keys (administrators).", segments: ["keys"] },
  { name: "Sign-in", description: "Which Entra ID tenants and groups sign in as the partner (administrators).", segments: ["identity-mappings"] },
  { name: "System", description: "Health, the caller, this document.", segments: ["health", "me", "openapi.json", "docs"] },
];

function tagOf(spec: RouteSpec): string {
  const segment = spec.route.split("/")[0];
  const tag = tags.find((t) => t.segments.includes(segment));
  // A new tab gets its own tag from its path until it is listed above.
  return tag?.name ?? segment.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");
}

// ---- error answers, where each can occur --------------------------------------------------------------

const retryAfter = { "Retry-After": { description: "Seconds to wait before trying again.", schema: { type: "integer" } } };

const errorResponse = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/json": { schema: { $ref: schemaRef("Error") } } },
});

/** Every role may call it: a 403 then only comes from a signed-in account without an app role or a partner. */
const openToEveryRole = (spec: RouteSpec) => readerRoles.every((role) => spec.roles?.includes(role));

function errorResponses(spec: RouteSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    // Any route refuses an API key in the URL; routes with parameters also name a bad or unknown one.
    400: errorResponse("Invalid or unknown parameter, a parameter given twice, an invalid body, or an API key in the URL; error.field names it."),
  };
  if (spec.roles) {
    out[401] = errorResponse("Missing, malformed, unknown or revoked API key, or an invalid or expired token (always the same message).", {
      "WWW-Authenticate": { schema: { type: "string" } },
    });
    out[403] = errorResponse(
      openToEveryRole(spec)
        ? "A signed-in account has no app role of this API, or its tenant or group is mapped to no partner."
        : `Only ${spec.roles.join(", ")} may call this route; also a signed-in account without an app role or a partner.`,
    );
  }
  if (spec.params) out[404] = errorResponse("Not found for your partner.");
  if (spec.body) {
    out[413] = errorResponse(`The body is larger than ${maxJsonBodyBytes} bytes.`);
    out[415] = errorResponse("The body is not sent as Content-Type: application/json.");
  }
  if (spec.roles) {
    out[429] = errorResponse("This caller spent its request budget on this instance.", retryAfter);
    out[503] = errorResponse("A store is unreachable or keeps throttling (never a 500).", retryAfter);
  }
  out[500] = errorResponse("Unexpected error; the message carries a reference for support.");
  return out;
}

// ---- operations ---------------------------------------------------------------------------------------

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

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** Bodies (read as input) and answers (written as output) get their own registries: the same zod schema can differ between the two. */
interface Components {
  input: z.core.$ZodRegistry<{ id: string }>;
  output: z.core.$ZodRegistry<{ id: string }>;
  names: Map<z.ZodType, string>;
}

function nameFor(components: Components, registry: "input" | "output", schema: z.ZodType, fallback: string): string {
  const name = components.names.get(schema) ?? fallback;
  const target = components[registry];
  if (!target.has(schema)) target.add(schema, { id: name });
  return target.get(schema)!.id;
}

/** File answers: each content type of the route (an export: CSV, or an Excel workbook with format=xlsx). */
function fileContent(contentType: string | readonly string[]): Record<string, unknown> {
  const types = typeof contentType === "string" ? [contentType] : contentType;
  return Object.fromEntries(types.map((t) => [t, { schema: t.startsWith("text/") ? { type: "string" } : { type: "string", format: "binary" } }]));
}

function operation(spec: RouteSpec, components: Components): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    if (Number(status) >= 400) {
      responses[status] = errorResponse(response.description);
      continue;
    }
    const twoSchemas = Object.values(spec.responses).filter((r) => r.schema && r.schema !== response.schema).length > 0;
    const contentType = response.contentType;
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? {
            content: {
              [typeof contentType === "string" ? contentType : "application/json"]: {
                schema: { $ref: schemaRef(nameFor(components, "output", response.schema, `${pascal(spec.name)}${twoSchemas ? status : ""}Response`)) },
              },
            },
          }
        : contentType
          ? { content: fileContent(contentType) }
          : status === "200"
            ? { content: { "application/json": { schema: { type: "object" } } } }
            : {}),
    };
  }
  for (const [status, response] of Object.entries(errorResponses(spec))) responses[status] ??= response;
  return {
    operationId: spec.name,
    summary: spec.summary,
    tags: [tagOf(spec)],
    ...(spec.roles ? { security: [{ apiKey: [] }, { bearer: [] }], "x-roles": [...spec.roles] } : { security: [] }),
    parameters: [...parameters(spec.params, "path"), ...parameters(spec.query, "query", spec.repeatable)],
    ...(spec.body
      ? { requestBody: { required: true, content: { "application/json": { schema: { $ref: schemaRef(nameFor(components, "input", spec.body, `${pascal(spec.name)}Request`)) } } } } }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
  };
}

/** The registry's schemas as components: refs between them point into components.schemas. */
function componentSchemas(registry: z.core.$ZodRegistry<{ id: string }>, io: "input" | "output"): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, { io, unrepresentable: "any", target: "draft-2020-12", uri: schemaRef }) as { schemas: Record<string, JsonSchema> };
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return schemas;
}

export function buildOpenApiDocument(options: { version?: string; serverUrl?: string } = {}): Record<string, unknown> {
  const components: Components = { input: z.registry<{ id: string }>(), output: z.registry<{ id: string }>(), names: new Map(namedSchemas()) };
  const bodies = new Set((Object.values(routes) as RouteSpec[]).flatMap((spec) => (spec.body ? [spec.body] : [])));
  // Named rows are registered before the answers that hold them, so those answers reference them.
  for (const [schema, id] of components.names) components[bodies.has(schema) ? "input" : "output"].add(schema, { id });
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of Object.values(routes) as RouteSpec[]) {
    const path = `/${spec.route}`;
    paths[path] ??= {};
    paths[path][spec.method.toLowerCase()] = operation(spec, components);
  }
  const output = componentSchemas(components.output, "output");
  const input = componentSchemas(components.input, "input");
  const clash = Object.keys(input).find((name) => name in output);
  if (clash) throw new Error(`OpenAPI component ${clash} is both a body and an answer: give one of them another name.`);
  const used = new Set(Object.values(paths).flatMap((methods) => Object.values(methods).map((op) => (op as { tags: string[] }).tags[0])));
  return {
    openapi: "3.1.0",
    info: {
      title: "Partner opportunity insights API",
      version: options.version ?? "0.1.0",
      description:
        "Opportunities, Cloud Endpoints (Windows 365), Propensity and deal scoring for one partner, with ingestion status, " +
        "API keys and sign-in mappings. Every route except health and this document needs an API key bound to one partner " +
        "and a role, or an Entra ID token. Unknown query parameters, and a parameter given twice that is not repeatable, " +
        "answer 400 naming it; an unknown path answers 404 and a known path with another method 405 (with Allow), both " +
        "as the JSON error shape. Browser origins are not allowed (no CORS): call the API from a server, never with a key " +
        "in a web page. The interactive reference is served at /api/docs.",
      license: { name: "Proprietary: for the partner's and operator's own use" },
    },
    servers: [{ url: options.serverUrl ?? "/api" }],
    security: [{ apiKey: [] }, { bearer: [] }],
    tags: tags.filter((t) => used.has(t.name)).map(({ name, description }) => ({ name, description })),
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "x-api-key", description: "poi_{partnerId}_{secret}" },
        bearer: { type: "http", scheme: "bearer", description: "The same API key as a bearer token, or an Entra ID access token for this API (when Entra ID sign-in is configured)." },
      },
      schemas: Object.fromEntries(Object.entries({ ...output, ...input }).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}
