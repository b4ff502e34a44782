import { describe, expect, it } from "vitest";
import { cloudEndpointsListQuerySchema, maxPageSize, repeatableParameters, sortableColumns, tenantIdParamsSchema } from "../../shared/api/cloudEndpoints.js";
import { createKeyBodySchema, ingestionIdParamsSchema, ingestionsListQuerySchema, keyIdParamsSchema } from "../../shared/api/management.js";
import { buildOpenApiDocument } from "../../shared/api/openapi.js";
import { routes } from "../../shared/api/routes.js";
import { parseOrThrow, parseQuery } from "../../shared/api/validation.js";
import { salesMotions } from "../../shared/domain/cloudEndpoints/index.js";
import { randomBytes } from "node:crypto";
import { cloudEndpointsRowQuery } from "../../shared/api/cloudEndpoints.js";
import { createTokenSealer } from "../../shared/api/continuation.js";
import { buildRowsQuery } from "../../shared/adapters/cosmos/results.js";

function listQuery(qs: string) {
  return parseQuery(cloudEndpointsListQuerySchema, new URLSearchParams(qs), repeatableParameters);
}

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toMatchObject({ code: "invalid_request" });
    return (err as { field?: string }).field;
  }
  return undefined;
}

describe("query schemas", () => {
  it("applies defaults: 50 rows, sorted by tenant name, default columns", () => {
    expect(listQuery("")).toEqual({ pageSize: 50, sort: "tenantName", columns: "default" });
  });

  it("reads sales motions repeated or as a comma list", () => {
    const q = listQuery(`salesMotion=${encodeURIComponent("Land W365")}&salesMotion=${encodeURIComponent("Low Whitespace,Nurture Intune")}`);
    expect(q.salesMotion).toEqual(["Land W365", "Low Whitespace", "Nurture Intune"]);
  });

  it("lower-cases and trims the search keyword and reads booleans", () => {
    expect(listQuery("search=%20Contoso%20&incentiveEligible=false")).toMatchObject({ search: "contoso", incentiveEligible: false });
  });

  it.each([
    ["pageSize=501", "pageSize"],
    ["pageSize=abc", "pageSize"],
    ["pageSize=2.5", "pageSize"],
    ["salesMotion=Unknown", "salesMotion"],
    ["segment=Mega", "segment"],
    ["renewalPeriod=2026-1", "renewalPeriod"],
    ["renewalFrom=2026", "renewalFrom"],
    ["renewalTo=26-01", "renewalTo"],
    ["renewalFrom=2026-06&renewalTo=2026-01", "renewalTo"],
    ["renewalPeriod=2026-01&renewalTo=2026-02", "renewalPeriod"],
    ["incentiveEligible=yes", "incentiveEligible"],
    [`search=${"a".repeat(101)}`, "search"],
    ["sort=partnerId", "sort"],
    ["order=sideways", "order"],
    ["columns=hidden", "columns"],
    ["continuationToken=", "continuationToken"],
    ["unknownThing=1", "unknownThing"],
    ["order=asc&order=desc", "order"],
  ])("answers 400 naming the field for %s", (qs, field) => {
    expect(fieldOf(() => listQuery(qs))).toBe(field);
  });

  it("caps the ingestion page size and validates key bodies by field", () => {
    expect(fieldOf(() => parseQuery(ingestionsListQuerySchema, new URLSearchParams("pageSize=1000")))).toBe("pageSize");
    expect(fieldOf(() => parseOrThrow(createKeyBodySchema, { name: "x", role: "root" }, "body"))).toBe("role");
    expect(fieldOf(() => parseOrThrow(createKeyBodySchema, { name: "x", role: "administrator", extra: 1 }, "body"))).toBe("extra");
  });

  it("binds continuation tokens to partner, result set and query", () => {
    const { seal, open } = createTokenSealer(randomBytes(32));
    const token = seal({ v: 2, p: "a", rs: "rs1", f: "fp", ph: 0, t: "sdk" });
    expect(open(token, { partnerId: "a", resultSetIds: ["rs1"], fingerprint: "fp" }).t).toBe("sdk");
    expect(fieldOf(() => open(token, { partnerId: "b", resultSetIds: ["rs1"], fingerprint: "fp" }))).toBe("continuationToken");
    expect(fieldOf(() => open(token, { partnerId: "a", resultSetIds: ["rs2"], fingerprint: "fp" }))).toBe("continuationToken");
    expect(fieldOf(() => open(token, { partnerId: "a", resultSetIds: ["rs1"], fingerprint: "other" }))).toBe("continuationToken");
    expect(fieldOf(() => open("!!!", { partnerId: "a", fingerprint: "fp" }))).toBe("continuationToken");
  });

  it("seals continuation tokens: nothing in them is readable, and one bit changed is not a token of ours", () => {
    const sealer = createTokenSealer(randomBytes(32));
    const token = sealer.seal({ v: 2, p: "alpha-partner", rs: "rs1", f: "fp", ph: 0, t: '{"orderBy":["Contoso Secret Tenant"]}' });
    const bytes = Buffer.from(token, "base64url");
    expect(bytes.toString("latin1")).not.toMatch(/alpha|Contoso|orderBy|rs1/);
    bytes[20] ^= 1;
    expect(fieldOf(() => sealer.open(bytes.toString("base64url"), { partnerId: "alpha-partner", fingerprint: "fp" }))).toBe("continuationToken");
    // Another service's key cannot open it either.
    expect(fieldOf(() => createTokenSealer(randomBytes(32)).open(token, { partnerId: "alpha-partner", fingerprint: "fp" }))).toBe("continuationToken");
  });
});

describe("OpenAPI document", () => {
  const doc = buildOpenApiDocument() as {
    openapi: string;
    paths: Record<string, Record<string, { operationId: string; parameters: { name: string; in: string; schema: Record<string, unknown> }[]; security: unknown[]; responses: Record<string, unknown>; requestBody?: unknown }>>;
    components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }>; schemas: Record<string, any> };
  };
  /** A component by its $ref. */
  const component = (schema: { $ref?: string }) => doc.components.schemas[schema.$ref!.replace("#/components/schemas/", "")];

  it("lists every route of the route table with its method", () => {
    expect(doc.openapi).toBe("3.1.0");
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => `${m.toUpperCase()} ${path} ${op.operationId}`));
    const expected = Object.values(routes).map((r) => `${r.method} /${r.route} ${r.name}`);
    expect(operations.sort()).toEqual(expected.sort());
    expect(expected).toEqual(
      expect.arrayContaining([
        "GET /health health",
        "GET /openapi.json openApi",
        "GET /cloud-endpoints listCloudEndpoints",
        "GET /cloud-endpoints/summary cloudEndpointsSummary",
        "GET /cloud-endpoints/export exportCloudEndpoints",
        "GET /cloud-endpoints/{tenantId} getCloudEndpoint",
        "GET /ingestions listIngestions",
        "GET /ingestions/{id} getIngestion",
        "POST /refresh requestRefresh",
        "GET /keys listKeys",
        "POST /keys createKey",
        "DELETE /keys/{keyId} revokeKey",
      ]),
    );
  });

  it("derives parameters from the same zod schemas that validate requests", () => {
    const list = doc.paths["/cloud-endpoints"].get;
    const param = (name: string) => list.parameters.find((p) => p.name === name)!;
    expect(param("pageSize").schema).toMatchObject({ type: "integer", maximum: maxPageSize, default: 50 });
    expect(param("salesMotion").schema).toMatchObject({ type: "array", items: { enum: [...salesMotions] } });
    expect(param("sort").schema).toMatchObject({ enum: [...sortableColumns] });
    expect(param("search").schema).toMatchObject({ maxLength: 100 });
    const row = doc.paths["/cloud-endpoints/{tenantId}"].get;
    expect(row.parameters.find((p) => p.in === "path")).toMatchObject({ name: "tenantId", required: true });
    const keyBody = (doc.paths["/keys"].post.requestBody as { content: Record<string, { schema: { $ref: string } }> }).content["application/json"].schema;
    expect(component(keyBody)).toMatchObject({ properties: { role: { enum: ["reportViewer", "executiveReportViewer", "administrator"] } } });
  });

  it("documents the stale flag and the failure reference (never a count or error text) on the list and summary", () => {
    for (const path of ["/cloud-endpoints", "/cloud-endpoints/summary"]) {
      const ok = doc.paths[path].get.responses["200"] as { content: Record<string, { schema: { $ref: string } }> };
      const properties = component(ok.content["application/json"].schema).properties;
      expect(properties.stale, path).toMatchObject({ type: "boolean" });
      expect(Object.keys(properties.refreshFailure.properties).sort(), path).toEqual(["lastFailedAt", "reference"]);
    }
  });

  it("declares the API key scheme and leaves only health and the document open", () => {
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: "apiKey", in: "header", name: "x-api-key" });
    const open = Object.entries(doc.paths).flatMap(([path, methods]) => Object.values(methods).filter((op) => op.security.length === 0).map(() => path));
    expect(open.sort()).toEqual(["/health", "/openapi.json"]);
    expect(doc.paths["/keys"].get.responses).toHaveProperty("401");
    expect(doc.paths["/keys"].get.responses).toHaveProperty("403");
  });

  it("is structurally valid OpenAPI 3.1: unique operationIds, every path parameter declared, known security schemes, resolvable refs", () => {
    const full = buildOpenApiDocument() as Record<string, any>;
    expect(full.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const ids: string[] = [];
    for (const [path, methods] of Object.entries<Record<string, any>>(full.paths)) {
      expect(path.startsWith("/")).toBe(true);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries<any>(methods)) {
        expect(["get", "post", "put", "patch", "delete"]).toContain(method);
        ids.push(op.operationId);
        const pathParams = op.parameters.filter((p: any) => p.in === "path");
        expect(pathParams.map((p: any) => p.name).sort(), `${method} ${path}`).toEqual(templated);
        expect(pathParams.every((p: any) => p.required === true)).toBe(true);
        // Parameter names are unique per location.
        const keys = op.parameters.map((p: any) => `${p.in}:${p.name}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const [status, response] of Object.entries<any>(op.responses)) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(typeof response.description).toBe("string");
        }
        for (const requirement of op.security) for (const scheme of Object.keys(requirement)) expect(full.components.securitySchemes).toHaveProperty(scheme);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    // Every $ref points into the document.
    const refs = [...JSON.stringify(full).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]);
    for (const ref of refs) {
      const target = ref.split("/").reduce<any>((node, part) => node?.[part], full);
      expect(target, ref).toBeDefined();
    }
    // A body route documents the body limits.
    expect(Object.keys(full.paths["/keys"].post.responses)).toEqual(expect.arrayContaining(["400", "413", "415"]));
  });
});

describe("path parameters", () => {
  it("refuses ingestion ids made only of dots, which would climb the database's resource path", () => {
    for (const id of [".", "..", "..."]) expect(ingestionIdParamsSchema.safeParse({ id }).success, id).toBe(false);
    for (const id of ["a..b", "0123abc", "x.y=z:1"]) expect(ingestionIdParamsSchema.safeParse({ id }).success, id).toBe(true);
    for (const id of ["../partner", "a/b", "a%2Fb", "a b"]) expect(ingestionIdParamsSchema.safeParse({ id }).success, id).toBe(false);
  });

  it("takes tenant ids as GUIDs only, and key ids without separators", () => {
    expect(tenantIdParamsSchema.safeParse({ tenantId: "../current" }).success).toBe(false);
    expect(tenantIdParamsSchema.parse({ tenantId: "AAAAAAAA-0000-4000-8000-000000000001" }).tenantId).toBe("aaaaaaaa-0000-4000-8000-000000000001");
    for (const keyId of ["k_../x", "k_a/b", "k_a:b", ""]) expect(keyIdParamsSchema.safeParse({ keyId }).success, keyId).toBe(false);
  });
});

describe("row queries", () => {
  it("filter on the caller's partner in the query text for every filter, sort and phase (the emulator ignores partition keys)", () => {
    const filters = [
      "",
      "salesMotion=Land%20W365&segment=SMB",
      "renewalFrom=2026-01&renewalTo=2026-03&incentiveEligible=true",
      "search=%27)%20OR%201%3D1%20--&sort=customerName&order=desc",
      ...sortableColumns.map((c) => `sort=${c}`),
    ];
    for (const qs of filters) {
      for (const phase of [0, 1] as const) {
        const spec = buildRowsQuery("alpha", "rs-1", cloudEndpointsRowQuery(listQuery(qs)), phase);
        expect(spec.query, qs).toMatch(/^SELECT \* FROM c WHERE c\.partnerId = @partnerId AND /);
        expect(spec.parameters).toContainEqual({ name: "@partnerId", value: "alpha" });
        // Caller text only ever travels as a parameter.
        expect(spec.query).not.toMatch(/OR 1=1|Land W365/);
      }
    }
  });
});
