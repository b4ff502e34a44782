import ExcelJS from "exceljs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoDealsFiles, generateDemoPartner } from "../../local/demoData/index.js";
import { startLocalHost, type LocalHost } from "../../local/host/index.js";
import { routes, type RouteSpec } from "../../shared/api/routes.js";
import { names } from "../../shared/config.js";
import { defaultClusterMapping } from "../../shared/domain/propensity/index.js";
import { ingestDrop } from "../../shared/ingest/ingestDrop.js";
import { refreshPartner } from "../../shared/refresh/refreshPartner.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// Every live answer is valid against its schema: the real functions on the local host, over HTTP, against the
// emulators holding a demo partner's data (every dataset, a trained and published deal scoring model), a partner
// with too few deals and a partner with no data yet. Each GET route of the route table, representative writes and
// the error answers are checked with a JSON Schema validator (Ajv, draft 2020-12) against the response schema of
// their operation in the /api/openapi.json the host serves; the status itself must be one the operation declares.

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Operation = { operationId: string; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } & Record<string, unknown> }> }> };
type OpenApi = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

let env: TestEnvironment;
let host: LocalHost;
let api: string;
let doc: OpenApi;
let ajv: Ajv2020;
const partner = "conf-demo";
const fewDeals = "conf-few";
const empty = "conf-empty";
const keys: Record<"admin" | "viewer" | "fewAdmin" | "emptyViewer", string> = { admin: "", viewer: "", fewAdmin: "", emptyViewer: "" };
let modelId = "";
/** Operations checked, by operationId and status: the coverage test reads it. */
const checked = new Map<string, Set<number>>();

const docBase = "https://api.test/openapi.json";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function drop(partnerId: string, dataset: string, fileName: string, text: string): Promise<void> {
  const path = `${partnerId}/${dataset}/${fileName}`;
  const content = Buffer.from(text, "utf8");
  const res = await env.clients.blobs.getContainerClient(names.blobContainers.drops).getBlockBlobClient(path).uploadData(content);
  const outcome = await ingestDrop(env.deps.ingest, { blobPath: `drops/${path}`, content, etag: res.etag!, writtenAt: res.lastModified! });
  expect(outcome.status, path).toBe("loaded");
}

interface Call {
  status: number;
  contentType: string;
  body: unknown;
  bytes: Buffer;
  headers: Headers;
}

async function call(method: string, path: string, init: { key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Call> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.key) headers["x-api-key"] = init.key;
  if (init.body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  const res = await fetch(`${api}/${path}`, {
    method,
    headers,
    ...(init.body !== undefined ? { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) } : {}),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const contentType = res.headers.get("content-type") ?? "";
  const body = contentType.startsWith("application/json") ? JSON.parse(bytes.toString("utf8")) : undefined;
  return { status: res.status, contentType, body, bytes, headers: res.headers };
}

function operationOf(spec: RouteSpec): Operation {
  const op = doc.paths[`/${spec.route}`]?.[spec.method.toLowerCase()];
  expect(op, `${spec.method} /${spec.route} in the served document`).toBeDefined();
  return op;
}

const validators = new Map<string, ValidateFunction>();
function validatorFor(schema: { $ref?: string } & Record<string, unknown>): ValidateFunction {
  const key = schema.$ref ?? JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = schema.$ref ? ajv.getSchema(`${docBase}${schema.$ref}`)! : ajv.compile(schema);
    expect(validate, key).toBeDefined();
    validators.set(key, validate);
  }
  return validate;
}

/** The answer's status is one its operation declares, and its JSON body is valid against that status's schema. */
function expectConforms(spec: RouteSpec, res: Call, label = `${spec.method} /${spec.route}`): void {
  const op = operationOf(spec);
  const response = op.responses[String(res.status)];
  expect(response, `${label}: status ${res.status} is declared (${Object.keys(op.responses).join(", ")}); body ${res.bytes.toString("utf8").slice(0, 300)}`).toBeDefined();
  const declared = Object.keys(response.content ?? {});
  if (declared.length === 0) {
    expect(res.bytes.length, `${label}: ${res.status} has no body`).toBe(0);
  } else {
    const mediaType = res.contentType.split(";")[0].trim();
    expect(declared, `${label}: content type ${mediaType}`).toContain(mediaType);
    if (mediaType === "application/json") {
      const validate = validatorFor(response.content![mediaType].schema);
      const valid = validate(res.body);
      expect(valid ? [] : validate.errors?.slice(0, 5), `${label} ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`).toEqual([]);
    }
  }
  const statuses = checked.get(spec.name) ?? new Set<number>();
  statuses.add(res.status);
  checked.set(spec.name, statuses);
}

function expectErrorShape(res: Call, label: string): void {
  const validate = ajv.getSchema(`${docBase}#/components/schemas/Error`)!;
  expect(validate(res.body), `${label}: ${JSON.stringify(res.body)}`).toBe(true);
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not done in time (${JSON.stringify(value).slice(0, 300)})`);
    await sleep(300);
  }
}

beforeAll(async () => {
  env = await startTestEnvironment();
  for (const [id, name] of [[partner, "Conformance demo"], [fewDeals, "Few deals"], [empty, "No data yet"]] as const) await env.deps.partners.register(id, name);
  keys.admin = (await env.deps.api.auth.issue({ partnerId: partner, role: "administrator", name: "admin" })).key;
  keys.viewer = (await env.deps.api.auth.issue({ partnerId: partner, role: "reportViewer", name: "viewer" })).key;
  keys.fewAdmin = (await env.deps.api.auth.issue({ partnerId: fewDeals, role: "administrator", name: "admin" })).key;
  keys.emptyViewer = (await env.deps.api.auth.issue({ partnerId: empty, role: "executiveReportViewer", name: "exec" })).key;

  // Every dataset of the demo partner, through the real ingest; then every tab refreshed.
  const files = generateDemoPartner({ tenants: 150, seed: 11 });
  const day = new Date().toISOString().slice(0, 10);
  for (const [dataset, text] of Object.entries(files)) await drop(partner, dataset, `${dataset}_${day}.csv`, text);
  for (const file of demoDealsFiles({ seed: 12 })) await drop(partner, "deals", file.fileName, file.csv);
  const [few] = demoDealsFiles({ seed: 99, closedDeals: 50, openDeals: 12, snapshots: 0 });
  await drop(fewDeals, "deals", few.fileName, few.csv);
  await refreshPartner(env.deps.refresh, partner);
  await refreshPartner(env.deps.refresh, fewDeals);

  host = await startLocalHost({ settings: env.emulators.settings, port: 0, log: () => undefined });
  api = `${host.baseUrl}/api`;
  doc = (await call("GET", "openapi.json")).body as OpenApi;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: docBase, components: doc.components });

  // A deal scoring model trained (the host's training queue) and published; its scores come with the refresh it queues.
  const created = await call("POST", "deal-models", { key: keys.admin, body: { name: "Conformance" } });
  expectConforms(routes.createDealModel, created);
  modelId = (created.body as { modelId: string }).modelId;
  expectConforms(routes.trainDealModel, await call("POST", `deal-models/${modelId}/train`, { key: keys.admin }));
  const trained = await until("training", async () => (await call("GET", `deal-models/${modelId}`, { key: keys.admin })).body as { state: string; versions: { readiness?: { readiness: string } }[] }, (m) => m.state !== "training" && m.state !== "new");
  expect(trained.state).toBe("trained");
  const force = trained.versions[0].readiness?.readiness === "Not ready" ? "?force=true" : "";
  expectConforms(routes.publishDealModel, await call("POST", `deal-models/${modelId}/publish${force}`, { key: keys.admin }));
  await until("deal scores", async () => (await call("GET", "deal-scores/summary", { key: keys.viewer })).body as { scored: number }, (s) => s.scored > 0);
}, 600_000);

afterAll(async () => {
  await host?.stop();
  await env?.stop();
});

/** The first item of a list answer. */
async function first<T>(path: string, key = keys.viewer): Promise<T> {
  const res = await call("GET", path, { key });
  const items = (res.body as { items: T[] }).items;
  expect(items.length, path).toBeGreaterThan(0);
  return items[0];
}

describe("live answers against the served OpenAPI document", () => {
  it("every GET route answers as its schema says, with data, without data and for a missing id", async () => {
    const opportunity = await first<{ tenantId: string }>("opportunities");
    const tenant = await first<{ tenantId: string }>("cloud-endpoints");
    const customer = await first<{ tenantId: string }>("propensity");
    const deal = await first<{ dealId: string }>("deal-scores");
    const ingestion = await first<{ id: string }>("ingestions");
    const missingTenant = "00000000-0000-4000-8000-000000000000";
    // Path parameters of each route with parameters: a real one, and one that does not exist.
    const pathCases: Record<string, string[]> = {
      getOpportunityCustomer: [`opportunities/customers/${opportunity.tenantId}`, `opportunities/customers/${missingTenant}`],
      getCloudEndpoint: [`cloud-endpoints/${tenant.tenantId}`, `cloud-endpoints/${missingTenant}`],
      getPropensityCustomer: [`propensity/${customer.tenantId}`, `propensity/${missingTenant}`],
      getDealScore: [`deal-scores/${encodeURIComponent(deal.dealId)}`, "deal-scores/no-such-deal"],
      getIngestion: [`ingestions/${encodeURIComponent(ingestion.id)}`, "ingestions/no-such-ingestion"],
      getDealModel: [`deal-models/${modelId}`, "deal-models/dm-nosuchmodel"],
    };
    // Query strings worth checking beyond the defaults (every column, filters, a second page).
    const queryCases: Record<string, string[]> = {
      listOpportunities: ["pageSize=500", "category=growth&sort=probability"],
      listCloudEndpoints: ["columns=all&pageSize=500", "salesMotion=Land%20W365,Nurture%20Intune&sort=w365Whitespace", "pageSize=0"],
      listPropensity: ["pageSize=500", "cluster=Act%20now&family=Whitespace&sort=whitespaceRevenue"],
      listDealScores: ["pageSize=500", "grade=A,B&sort=score"],
      listIngestions: ["pageSize=100"],
    };
    const gets = (Object.values(routes) as RouteSpec[]).filter((r) => r.method === "GET");
    for (const spec of gets) {
      const paths = spec.params ? pathCases[spec.name] : [spec.route];
      expect(paths, `a case for GET /${spec.route}: add its path parameters to pathCases`).toBeDefined();
      const queries = ["", ...(queryCases[spec.name] ?? [])];
      for (const path of paths) {
        for (const query of queries) {
          const url = query ? `${path}?${query}` : path;
          const admin = spec.roles && !spec.roles.includes("reportViewer");
          expectConforms(spec, await call("GET", url, { key: admin ? keys.admin : keys.viewer }), `GET /${url}`);
          // A partner with no results yet, and one with too few deals for a model.
          if (!spec.params && !query) {
            expectConforms(spec, await call("GET", url, { key: admin ? keys.fewAdmin : keys.emptyViewer }), `GET /${url} (no data)`);
            if (admin) continue;
            expectConforms(spec, await call("GET", url, { key: keys.fewAdmin }), `GET /${url} (few deals)`);
          }
        }
      }
    }
    // The second page of a list continues from its token.
    const page = (await call("GET", "cloud-endpoints?pageSize=7", { key: keys.viewer })).body as { continuationToken?: string };
    expect(page.continuationToken).toBeDefined();
    expectConforms(routes.listCloudEndpoints, await call("GET", `cloud-endpoints?pageSize=7&continuationToken=${encodeURIComponent(page.continuationToken!)}`, { key: keys.viewer }));
    for (const spec of gets) expect(checked.get(spec.name)?.has(200), `GET /${spec.route} answered 200 at least once`).toBe(true);
  });

  it("exports answer CSV, or with format=xlsx a workbook Excel's format reader opens", async () => {
    for (const spec of [routes.exportOpportunities, routes.exportCloudEndpoints, routes.exportPropensity, routes.exportDealScores]) {
      const csv = await call("GET", spec.route, { key: keys.viewer });
      expectConforms(spec, csv);
      expect(csv.contentType).toBe("text/csv; charset=utf-8");
      const xlsx = await call("GET", `${spec.route}?format=xlsx`, { key: keys.viewer });
      expectConforms(spec, xlsx, `GET /${spec.route}?format=xlsx`);
      expect(xlsx.headers.get("content-disposition")).toMatch(/\.xlsx"$/);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
      const csvLines = csv.bytes.toString("utf8").split("\r\n").filter(Boolean).length;
      expect(workbook.worksheets[0].rowCount, spec.route).toBe(csvLines);
      expectConforms(spec, await call("GET", `${spec.route}?format=pdf`, { key: keys.viewer }), `GET /${spec.route}?format=pdf`);
    }
  });

  it("representative writes answer as their schemas say", async () => {
    const opportunities = (await call("GET", "opportunities?pageSize=2", { key: keys.viewer })).body as { items: { id: string }[] };
    const [liked, disliked] = opportunities.items;
    expectConforms(routes.giveOpportunityFeedback, await call("POST", `opportunities/${liked.id}/feedback`, { key: keys.viewer, body: { helpful: true } }));
    expectConforms(routes.giveOpportunityFeedback, await call("POST", `opportunities/${disliked.id}/feedback`, { key: keys.viewer, body: { helpful: false, reason: "wrongTiming" } }));
    expectConforms(routes.giveOpportunityFeedback, await call("POST", `opportunities/${liked.id}/feedback`, { key: keys.viewer, body: { helpful: false } }));
    const createdKey = await call("POST", "keys", { key: keys.admin, body: { name: "conformance", role: "reportViewer" } });
    expectConforms(routes.createKey, createdKey);
    expectConforms(routes.revokeKey, await call("DELETE", `keys/${(createdKey.body as { keyId: string }).keyId}`, { key: keys.admin }));
    expectConforms(routes.revokeKey, await call("DELETE", "keys/k_nosuchkey", { key: keys.admin }));
    expectConforms(routes.createUpload, await call("POST", "uploads", { key: keys.admin, body: { dataset: "tenants", fileName: "conformance.csv" } }));
    expectConforms(routes.refresh, await call("POST", "refresh", { key: keys.admin }));
    expectConforms(routes.setPropensityClusterMapping, await call("PUT", "propensity/cluster-mapping", { key: keys.admin, body: defaultClusterMapping }));
    expectConforms(routes.setPropensityClusterMapping, await call("PUT", "propensity/cluster-mapping", { key: keys.admin, body: { ...defaultClusterMapping, A1: "Sometime" } }));
    const mapping = { kind: "tenant", objectId: "11111111-2222-4333-8444-555555555555", name: "Conformance" };
    expectConforms(routes.createIdentityMapping, await call("POST", "identity-mappings", { key: keys.admin, body: mapping }));
    expectConforms(routes.createIdentityMapping, await call("POST", "identity-mappings", { key: keys.admin, body: mapping }));
    expectConforms(routes.listIdentityMappings, await call("GET", "identity-mappings", { key: keys.admin }));
    expectConforms(routes.createIdentityMapping, await call("POST", "identity-mappings", { key: keys.fewAdmin, body: mapping }));
    expectConforms(routes.deleteIdentityMapping, await call("DELETE", `identity-mappings/tenant/${mapping.objectId}`, { key: keys.admin }));
    expectConforms(routes.updateDealModel, await call("PATCH", `deal-models/${modelId}`, { key: keys.admin, body: { retrainAutomatically: true } }));
    expectConforms(routes.setDealModelGradeBands, await call("PUT", `deal-models/${modelId}/grade-bands`, { key: keys.admin, body: { grade: "A", edge: "min", value: 75 } }));
    expectConforms(routes.revertDealModel, await call("POST", `deal-models/${modelId}/revert`, { key: keys.admin }));
    const overlapping = await call("POST", "deal-models", { key: keys.admin, body: { name: "Overlapping" } });
    expectConforms(routes.createDealModel, overlapping);
    const few = await call("POST", "deal-models", { key: keys.fewAdmin, body: { name: "FewDeals" } });
    expectConforms(routes.createDealModel, few);
    const refused = await call("POST", `deal-models/${(few.body as { modelId: string }).modelId}/train`, { key: keys.fewAdmin });
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.body).toMatchObject({ error: { details: { problem: "not_enough_deals" } } });
    expectConforms(routes.trainDealModel, refused);
    expectConforms(routes.deleteDealModel, await call("DELETE", `deal-models/${(few.body as { modelId: string }).modelId}`, { key: keys.fewAdmin }));
    for (const spec of (Object.values(routes) as RouteSpec[]).filter((r) => r.method !== "GET")) {
      expect(checked.has(spec.name), `${spec.method} /${spec.route}: add a representative call`).toBe(true);
    }
  });

  it("error answers are declared by their operation and have the JSON error shape", async () => {
    const bigName = "x".repeat(70 * 1024);
    const cases: [RouteSpec, Promise<Call>, number][] = [
      [routes.listCloudEndpoints, call("GET", "cloud-endpoints"), 401],
      [routes.listCloudEndpoints, call("GET", "cloud-endpoints?pageSize=501", { key: keys.viewer }), 400],
      [routes.listCloudEndpoints, call("GET", "cloud-endpoints?nope=1", { key: keys.viewer }), 400],
      [routes.listKeys, call("GET", "keys", { key: keys.viewer }), 403],
      [routes.getCloudEndpoint, call("GET", "cloud-endpoints/not-a-guid", { key: keys.viewer }), 400],
      [routes.createKey, call("POST", "keys", { key: keys.admin, body: { name: bigName, role: "reportViewer" } }), 413],
      [routes.createKey, call("POST", "keys", { key: keys.admin, body: "name=x", headers: { "content-type": "text/plain" } }), 415],
      [routes.createKey, call("POST", "keys", { key: keys.admin, body: { name: "x", role: "owner" } }), 400],
    ];
    for (const [spec, pending, status] of cases) {
      const res = await pending;
      expect(res.status, `${spec.method} /${spec.route}`).toBe(status);
      expectConforms(spec, res, `${spec.method} /${spec.route} → ${status}`);
    }
  });

  it("unknown routes answer 404 and a known path with another method 405, as the JSON error shape", async () => {
    const unknown = await call("GET", "no-such-route", { key: keys.viewer });
    expect(unknown.status).toBe(404);
    expectErrorShape(unknown, "GET /no-such-route");
    const nested = await call("GET", "cloud-endpoints/summary/extra", { key: keys.viewer });
    expect(nested.status).toBe(404);
    expectErrorShape(nested, "GET /cloud-endpoints/summary/extra");
    const wrong = await call("DELETE", "cloud-endpoints", { key: keys.admin });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    expectErrorShape(wrong, "DELETE /cloud-endpoints");
    const docs = await call("POST", "docs");
    expect(docs.status).toBe(405);
    expectErrorShape(docs, "POST /docs");
  });
});
