import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../../shared/api/openapi.js";
import {
  clusterMappingBodySchema,
  exportLines,
  productMatcher,
  propensityCsvColumns,
  propensityExportQuerySchema,
  propensityListQuerySchema,
  propensityRowQuery,
  type PropensityApiRow,
} from "../../../shared/api/propensity.js";
import { parseOrThrow, queryToInput } from "../../../shared/api/validation.js";
import { ConfigError, loadConfig } from "../../../shared/config.js";
import { defaultClusterMapping, type ProductPropensity } from "../../../shared/domain/propensity/index.js";
import { csvFile } from "../../../shared/export/csv.js";
import { InvalidRequestError } from "../../../shared/errors.js";

// The Propensity routes' parameters, body and export, as the route table applies them.

const repeatable = ["cluster", "cell", "fitBand", "intentBand", "customerType", "family", "product", "subsegment", "industry", "country"];
const listQuery = (qs: string) => parseOrThrow(propensityListQuerySchema, queryToInput(new URLSearchParams(qs), repeatable), "query");

function fieldOf(f: () => unknown): { field?: string; message: string } {
  try {
    f();
  } catch (err) {
    if (err instanceof InvalidRequestError) return { field: err.field, message: err.message };
    throw err;
  }
  throw new Error("expected an InvalidRequestError");
}

describe("list parameters", () => {
  it("filters on clusters, cells, bands and customer type as values, and on families, products and firmographics as lower-case tags", () => {
    const q = propensityRowQuery(
      listQuery("cluster=Act%20now,Evaluate&cell=A1&fitBand=High&intentBand=Medium&customerType=Prospect&family=Up-sell&product=SPB&product=Azure%20SQL&industry=Retail&country=United%20Kingdom&subsegment=Very%20Small&search=%20Contoso%20"),
    );
    expect(q.filters).toEqual([
      { field: "cluster", op: "in", values: ["Act now", "Evaluate"] },
      { field: "cell", op: "in", values: ["A1"] },
      { field: "fitBand", op: "in", values: ["High"] },
      { field: "intentBand", op: "in", values: ["Medium"] },
      { field: "customerType", op: "in", values: ["Prospect"] },
      { field: "facets", op: "hasAny", values: ["family:up-sell"] },
      { field: "facets", op: "hasAny", values: ["product:spb", "product:azure sql"] },
      { field: "facets", op: "hasAny", values: ["subsegment:very small"] },
      { field: "facets", op: "hasAny", values: ["industry:retail"] },
      { field: "facets", op: "hasAny", values: ["country:united kingdom"] },
      { field: "searchText", op: "contains", value: "contoso" },
    ]);
  });

  it("sorts by the matrix order by default; fit, which a prospect-only partner lacks, puts rows without it last", () => {
    expect(propensityRowQuery(listQuery("")).sort).toEqual({ field: "priority", order: "desc", optional: false, tieBreaker: "tenantName" });
    expect(propensityRowQuery(listQuery("sort=fit")).sort).toMatchObject({ field: "fit", order: "desc", optional: true });
    expect(propensityRowQuery(listQuery("sort=tenantName")).sort).toMatchObject({ order: "asc" });
  });

  it("names the parameter at fault", () => {
    expect(fieldOf(() => listQuery("cluster=Later"))).toMatchObject({ field: "cluster", message: expect.stringContaining("Act now, Evaluate, Nurture, Educate") });
    expect(fieldOf(() => listQuery("cell=E5"))).toMatchObject({ field: "cell" });
    expect(fieldOf(() => listQuery("family=Cross-sell"))).toMatchObject({ field: "family" });
    expect(fieldOf(() => listQuery("sort=revenue"))).toMatchObject({ field: "sort" });
    expect(fieldOf(() => listQuery("pageSize=501"))).toMatchObject({ field: "pageSize" });
    expect(fieldOf(() => parseOrThrow(propensityExportQuerySchema, { pageSize: "5" }, "query"))).toMatchObject({ field: "pageSize" });
  });
});

const product = (family: ProductPropensity["family"], name: string, sku?: string): ProductPropensity => ({ family, product: name, ...(sku ? { sku } : {}), reason: "why" });

describe("family and product filters on a customer's propensities", () => {
  const products = [product("Whitespace", "Microsoft 365 Business Premium", "SPB"), product("Up-sell", "Microsoft 365 E3", "SPE_E3"), product("Azure next logical workload", "Azure SQL")];

  it("keep the matching propensities only, a product matched by name or part number", () => {
    expect(products.filter(productMatcher({ family: ["Up-sell", "Azure next logical workload"] })).map((p) => p.product)).toEqual(["Microsoft 365 E3", "Azure SQL"]);
    expect(products.filter(productMatcher({ product: ["spb", "azure sql"] })).map((p) => p.product)).toEqual(["Microsoft 365 Business Premium", "Azure SQL"]);
    expect(products.filter(productMatcher({}))).toHaveLength(3);
  });

  it("export one line per propensity; a customer without any gets one line, unless the export is filtered to products", () => {
    const row = { tenantId: "t", tenantName: "Contoso", products, strongestSignals: [{ text: "Funding on 2026-06-01" }], fitFactors: ["Industry is Retail (raises the fit)"] } as unknown as PropensityApiRow;
    expect(exportLines(row, false).map((l) => l.product)).toEqual(["Microsoft 365 Business Premium", "Microsoft 365 E3", "Azure SQL"]);
    expect(exportLines(row, false)[0].strongestSignals).toEqual(["Funding on 2026-06-01"]);
    expect(exportLines({ ...row, products: [] }, false)).toHaveLength(1);
    expect(exportLines({ ...row, products: [] }, true)).toEqual([]);
  });
});

describe("the CSV export", () => {
  it("opens cleanly in Excel: BOM, headers, lists joined with |, formulas neutralised", async () => {
    const row = {
      tenantId: "t1",
      tenantName: "=HYPERLINK(\"http://x\")",
      customerType: "Customer",
      fit: 80,
      products: [product("Whitespace", "Microsoft 365 Business Premium", "SPB")],
      strongestSignals: [{ text: "Funding on 2026-06-01, 14 days ago (strength 1)" }],
      fitFactors: ["Industry is Retail (raises the fit)", "Employees: 40 (lowers the fit)"],
    } as unknown as PropensityApiRow;
    let text = "";
    for await (const chunk of csvFile(
      (async function* () {
        yield exportLines(row, false);
      })(),
      propensityCsvColumns,
    ))
      text += chunk;
    const [header, line] = text.split("\r\n");
    expect(header.startsWith("\uFEFFCustomer ID,TPID,Name,")).toBe(true);
    expect(header).toContain("Propensity Family,Recommended Product,SKU,Seats");
    expect(line).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(line).toContain("Whitespace,Microsoft 365 Business Premium,SPB");
    expect(line).toContain("Industry is Retail (raises the fit)|Employees: 40 (lowers the fit)");
    expect(line).toContain('"Funding on 2026-06-01, 14 days ago (strength 1)"');
  });
});

describe("the cluster mapping body", () => {
  const parse = (body: unknown) => parseOrThrow(clusterMappingBodySchema, body, "body");

  it("accepts a cluster for each of the 16 cells", () => {
    const mapping = { ...defaultClusterMapping, A4: "Evaluate", D1: "Nurture" };
    expect(parse(mapping)).toEqual(mapping);
  });

  it("is a 400 naming the cell left unmapped, the cell with an unknown cluster, or a key that is not a cell", () => {
    const { B3: _left, ...missing } = defaultClusterMapping;
    expect(fieldOf(() => parse(missing))).toMatchObject({ field: "B3", message: expect.stringContaining("cell B3 is not mapped") });
    expect(fieldOf(() => parse({ ...defaultClusterMapping, C2: "Later" }))).toMatchObject({ field: "C2", message: expect.stringContaining('"Later" is not a cluster') });
    expect(fieldOf(() => parse({ ...defaultClusterMapping, E5: "Act now" }))).toMatchObject({ field: "E5", message: expect.stringContaining("is not a cell") });
  });
});

describe("propensity settings", () => {
  const base = { COSMOS_ENDPOINT: "http://127.0.0.1:1", AzureWebJobsStorage: "local" };

  it("default to a quarterly fit, a 30-day half-life and the documented weights", () => {
    expect(loadConfig(base).propensity).toEqual({ fitEveryMonths: 3, halfLifeDays: 30, signalWeights: {} });
  });

  it("read signal weights as type=weight pairs, and refuse anything else", () => {
    expect(loadConfig({ ...base, PROPENSITY_SIGNAL_WEIGHTS: "Podcast mention=0.4| Webinar = 0.6", PROPENSITY_FIT_EVERY_MONTHS: "6" }).propensity).toMatchObject({
      fitEveryMonths: 6,
      signalWeights: { "Podcast mention": 0.4, Webinar: 0.6 },
    });
    expect(() => loadConfig({ ...base, PROPENSITY_SIGNAL_WEIGHTS: "Webinar" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PROPENSITY_SIGNAL_WEIGHTS: "Webinar=-1" })).toThrow(/PROPENSITY_SIGNAL_WEIGHTS/);
  });
});

describe("OpenAPI", () => {
  const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { parameters?: { name: string; schema: Record<string, unknown> }[]; requestBody?: unknown }>> };

  it("documents every propensity route, its filters and the mapping body", () => {
    for (const path of ["/propensity", "/propensity/summary", "/propensity/export", "/propensity/cluster-mapping", "/propensity/{tenantId}"]) expect(doc.paths[path], path).toBeDefined();
    expect(doc.paths["/propensity/cluster-mapping"].put.requestBody).toBeDefined();
    const names = doc.paths["/propensity"].get.parameters!.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["cluster", "cell", "fitBand", "intentBand", "family", "product", "subsegment", "industry", "country", "search", "sort", "pageSize", "continuationToken"]));
  });
});
