import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../shared/api/openapi.js";
import { routes, type RouteSpec } from "../../shared/api/routes.js";
import { allowedMethods, unknownRouteResponse } from "../../shared/api/unknownRoute.js";

// What a generated client gets from the OpenAPI document: named types for every body and answer, a tag per tab,
// a licence, and the error answers each operation can really give; and the JSON answers for unknown routes.

type Operation = { operationId: string; tags: string[]; security: unknown[]; parameters: any[]; requestBody?: any; responses: Record<string, any> };
const doc = buildOpenApiDocument() as {
  info: { license?: { name: string } };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, any> };
};
const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
const specOf = (operationId: string) => (Object.values(routes) as RouteSpec[]).find((r) => r.name === operationId)!;
const refName = (schema: { $ref?: string }) => schema.$ref?.replace("#/components/schemas/", "");

describe("the OpenAPI document for client generators", () => {
  it("names every request body and every JSON answer as a component", () => {
    for (const { path, method, op } of operations) {
      if (op.requestBody) {
        const name = refName(op.requestBody.content["application/json"].schema);
        expect(doc.components.schemas[name!], `${method} ${path} body`).toBeDefined();
      }
      for (const [status, response] of Object.entries(op.responses)) {
        const json = response.content?.["application/json"];
        if (!json || op.operationId === "openApi") continue;
        expect(refName(json.schema), `${method} ${path} ${status}`).toBeDefined();
        expect(doc.components.schemas[refName(json.schema)!], `${method} ${path} ${status}`).toBeDefined();
      }
    }
  });

  it("names list rows on their own, in the product's words, and keeps JSON Schema keywords out of the components", () => {
    expect(doc.components.schemas.CloudEndpointsPage.properties.items.items).toEqual({ $ref: "#/components/schemas/CloudEndpointsListRow" });
    expect(doc.components.schemas.PropensityPage.properties.items.items).toEqual({ $ref: "#/components/schemas/PropensityRow" });
    expect(doc.components.schemas.DealScoresPage.properties.items.items).toEqual({ $ref: "#/components/schemas/DealScoreListItem" });
    expect(doc.components.schemas.IngestionPage.properties.items.items).toEqual({ $ref: "#/components/schemas/Ingestion" });
    expect(refName(doc.paths["/cloud-endpoints/{tenantId}"].get.responses["200"].content["application/json"].schema)).toBe("CloudEndpointsRow");
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      expect(schema.$schema, name).toBeUndefined();
      expect(schema.$id, name).toBeUndefined();
    }
  });

  it("documents the one-tenant answer with the result set fields it carries", () => {
    const row = doc.components.schemas.CloudEndpointsRow;
    expect(row.required).toEqual(expect.arrayContaining(["tenantId", "resultSetId", "refreshedAt"]));
  });

  it("tags each operation with its tab, and lists each tag used with a description", () => {
    const listed = new Set(doc.tags.map((t) => t.name));
    for (const { path, op } of operations) {
      expect(op.tags, path).toHaveLength(1);
      expect(listed.has(op.tags[0]), `${path}: ${op.tags[0]}`).toBe(true);
    }
    const tagOf = (path: string, method = "get") => doc.paths[path][method].tags[0];
    expect(tagOf("/cloud-endpoints")).toBe("Cloud Endpoints");
    expect(tagOf("/propensity/{tenantId}")).toBe("Propensity");
    expect([tagOf("/deal-models"), tagOf("/deal-scores")]).toEqual(["Deal scoring", "Deal scoring"]);
    expect([tagOf("/ingestions"), tagOf("/uploads", "post"), tagOf("/refresh", "post")]).toEqual(["Data", "Data", "Data"]);
    expect(doc.tags.every((t) => t.description.length > 0)).toBe(true);
  });

  it("carries a licence", () => {
    expect(doc.info.license?.name).toEqual(expect.any(String));
  });

  it("declares the error answers where they can occur, each as the JSON error shape", () => {
    for (const { path, method, op } of operations) {
      const spec = specOf(op.operationId);
      const statuses = Object.keys(op.responses);
      const where = `${method} ${path}`;
      expect(statuses, where).toContain("400");
      expect(statuses, where).toContain("500");
      for (const status of ["401", "403", "429", "503"]) {
        if (spec.roles) expect(statuses, `${where} ${status}`).toContain(status);
        else if (status !== "503") expect(statuses, `${where} ${status}`).not.toContain(status);
      }
      for (const status of ["413", "415"]) expect(statuses.includes(status), `${where} ${status}`).toBe(spec.body !== undefined);
      if (spec.params) expect(statuses, where).toContain("404");
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        expect(op.responses[status].content["application/json"].schema, `${where} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
      }
      for (const status of ["429", "503"].filter((s) => spec.roles && statuses.includes(s))) {
        expect(op.responses[status].headers, `${where} ${status}`).toHaveProperty("Retry-After");
      }
    }
  });

  it("says a 403 on a route every role may call comes only from sign-in, and names the role on administrator routes", () => {
    expect(doc.paths["/cloud-endpoints"].get.responses["403"].description).toMatch(/^A signed-in account/);
    expect(doc.paths["/keys"].get.responses["403"].description).toMatch(/^Only administrator may call this route/);
  });

  it("documents both export formats", () => {
    for (const path of ["/opportunities/export", "/cloud-endpoints/export", "/propensity/export", "/deal-scores/export"]) {
      const op = doc.paths[path].get;
      expect(Object.keys(op.responses["200"].content).sort(), path).toEqual(["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"]);
      expect(op.parameters.find((p: { name: string }) => p.name === "format")?.schema, path).toMatchObject({ enum: ["csv", "xlsx"], default: "csv" });
    }
  });
});

describe("unknown API routes", () => {
  it("answer 404 as the JSON error shape", () => {
    const res = unknownRouteResponse("GET", "no-such-route");
    expect(res.status).toBe(404);
    expect(res.jsonBody).toMatchObject({ error: { code: "not_found" } });
    expect(unknownRouteResponse("GET", "cloud-endpoints/summary/extra").status).toBe(404);
  });

  it("answer 405 with Allow for a known path and another method, as the JSON error shape", () => {
    const res = unknownRouteResponse("DELETE", "cloud-endpoints");
    expect(res.status).toBe(405);
    expect((res.headers as Record<string, string>).allow).toBe("GET");
    expect(res.jsonBody).toMatchObject({ error: { code: "method_not_allowed" } });
    expect(allowedMethods("propensity/cluster-mapping").sort()).toEqual(["GET", "PUT"]);
    // Templates match any value of a parameter, literals case-insensitively (as the host routes).
    expect(allowedMethods("Keys/k_123")).toEqual(["DELETE"]);
    expect(allowedMethods("docs")).toEqual(["GET", "HEAD"]);
  });
});
