import { HttpRequest, InvocationContext, type HttpHandler, type HttpResponseInit } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authCacheTtlMs, createApiKeyAuth } from "../../shared/auth/apiKeys.js";
import { createApiKeyStore } from "../../shared/adapters/cosmos/apiKeys.js";
import { createClients } from "../../shared/adapters/clients.js";
import { administratorRoles, readerRoles } from "../../shared/auth/roles.js";
import { ok } from "../../shared/http.js";
import { routeHandler } from "../../shared/api/register.js";
import type { RouteSpec } from "../../shared/api/routes.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";
import { cloudEndpointsSummary, exportCloudEndpoints, getCloudEndpoint, listCloudEndpoints } from "../../functions/httpCloudEndpoints.js";
import type { ApiDeps } from "../../shared/wiring.js";
import { getIngestion, listIngestions } from "../../functions/httpIngestions.js";
import { createKey, listKeys, revokeKey } from "../../functions/httpKeys.js";
import { health, openApi, requestRefresh } from "../../functions/httpSystem.js";
import { ingestionDocSchema, partnerDocSchema } from "../../shared/domain/documents.js";
import { resultIds } from "../../shared/domain/results.js";
import { names } from "../../shared/config.js";
import { routes } from "../../shared/api/routes.js";
import { iterateTabRows } from "../../shared/api/tabReads.js";
import { cloudEndpointsListQuerySchema, cloudEndpointsRowQuery } from "../../shared/api/cloudEndpoints.js";

const listQueryOf = (qs: string) => cloudEndpointsListQuerySchema.parse(Object.fromEntries(new URLSearchParams(qs)));
import { summarizeCloudEndpoints, type CloudEndpointsRow } from "../../shared/domain/cloudEndpoints/index.js";
import { guid, row, seedResultSet as seedInto } from "../support/cloudEndpointsSeed.js";
import { apiRequest as request } from "../support/apiRequest.js";

// The HTTP API against the real emulators: handlers called directly, as the Functions host would.

let env: TestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.stop();
});


const quietContext = () => new InvocationContext({ functionName: "test", logHandler: () => {} });

async function call(handler: HttpHandler, req: HttpRequest): Promise<HttpResponseInit> {
  return (await handler(req, quietContext())) as HttpResponseInit;
}

async function bodyText(res: HttpResponseInit): Promise<string> {
  // Keep the BOM: Response.text() would strip it.
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(res.body as ReadableStream).arrayBuffer());
}

describe("API keys", () => {
  it("issues a key bound to its partner and role, and stores only its hash", async () => {
    const { key, keyId } = await env.deps.api.auth.issue({ partnerId: "contoso", role: "reportViewer", name: "Power BI" });
    expect(key).toMatch(/^poi_contoso_[A-Za-z0-9_-]{43}$/);
    const caller = await env.deps.api.auth.authenticate(key);
    expect(caller).toEqual({ partnerId: "contoso", role: "reportViewer", keyId });
    const { resources } = await env.clients.containers.partners.items
      .query("SELECT * FROM c", { partitionKey: "contoso" })
      .fetchAll();
    const secret = key.split("_").slice(2).join("_");
    const stored = JSON.stringify(resources);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(key);
  });

  it("answers the same 401 reason-less error for missing, malformed, unknown and revoked keys", async () => {
    const { key, keyId } = await env.deps.api.auth.issue({ partnerId: "contoso", role: "administrator", name: "ops" });
    const unknown = `poi_contoso_${"A".repeat(43)}`;
    await expect(env.deps.api.auth.authenticate(undefined)).rejects.toMatchObject({ code: "unauthorized", reason: "missing" });
    await expect(env.deps.api.auth.authenticate("not-a-key")).rejects.toMatchObject({ code: "unauthorized", reason: "malformed" });
    await expect(env.deps.api.auth.authenticate(unknown)).rejects.toMatchObject({ code: "unauthorized", reason: "unknown" });
    await env.deps.api.auth.authenticate(key); // now cached
    expect(await env.deps.api.auth.revoke("contoso", keyId)).toBe(true);
    await expect(env.deps.api.auth.authenticate(key)).rejects.toMatchObject({ code: "unauthorized", reason: "revoked" });
    const messages = new Set<string>();
    for (const value of [undefined, "not-a-key", unknown, key]) {
      await env.deps.api.auth.authenticate(value).catch((e: Error) => messages.add(e.message));
    }
    expect(messages.size).toBe(1);
  });

  it("cannot revoke or list another partner's keys", async () => {
    const { key, keyId } = await env.deps.api.auth.issue({ partnerId: "fabrikam", role: "reportViewer", name: "fabrikam viewer" });
    expect(await env.deps.api.auth.revoke("contoso", keyId)).toBe(false);
    await expect(env.deps.api.auth.authenticate(key)).resolves.toMatchObject({ partnerId: "fabrikam" });
    const contosoKeys = await env.deps.api.auth.list("contoso");
    expect(contosoKeys.map((k) => k.keyId)).not.toContain(keyId);
    // A key claiming another partner id in its prefix is unknown there: the hash lives in the issuing partner's partition.
    const forged = key.replace("poi_fabrikam_", "poi_contoso_");
    await expect(env.deps.api.auth.authenticate(forged)).rejects.toMatchObject({ reason: "unknown" });
  });

  it("lists keys without hashes or secrets", async () => {
    const { key } = await env.deps.api.auth.issue({ partnerId: "listing", role: "executiveReportViewer", name: "exec" });
    const keys = await env.deps.api.auth.list("listing");
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0]).sort()).toEqual(["createdAt", "keyId", "name", "role"]);
    expect(JSON.stringify(keys)).not.toContain(key.slice(-43));
    expect(JSON.stringify(keys)).not.toContain("key:");
  });
});

describe("routes apply authentication and roles from the route table", () => {
  const spec = (roles: RouteSpec["roles"]) => ({ name: "echo", method: "GET", route: "x", summary: "echo", roles, responses: {} }) as const satisfies RouteSpec;
  let echo: HttpHandler;
  let read: HttpHandler;
  beforeAll(() => {
    echo = routeHandler(spec(administratorRoles), env.deps.api, async ({ caller }) => ok({ caller }));
    read = routeHandler(spec(readerRoles), env.deps.api, async ({ caller }) => ok({ caller }));
  });

  it("passes the caller to the handler and accepts x-api-key or Authorization: Bearer", async () => {
    const { key, keyId } = await env.deps.api.auth.issue({ partnerId: "auth-a", role: "administrator", name: "a" });
    const viaHeader = await call(echo, request("GET", "x", { key }));
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.jsonBody).toEqual({ caller: { partnerId: "auth-a", role: "administrator", keyId } });
    const viaBearer = await call(echo, request("GET", "x", { headers: { authorization: `Bearer ${key}` } }));
    expect(viaBearer.status).toBe(200);
  });

  it("answers 401 without a key and 403 for a role that may not", async () => {
    const { key } = await env.deps.api.auth.issue({ partnerId: "auth-a", role: "reportViewer", name: "v" });
    const missing = await call(echo, request("GET", "x"));
    expect(missing.status).toBe(401);
    expect(missing.jsonBody).toMatchObject({ error: { code: "unauthorized" } });
    const wrongRole = await call(echo, request("GET", "x", { key }));
    expect(wrongRole.status).toBe(403);
    expect((await call(read, request("GET", "x", { key }))).status).toBe(200);
  });

  it("answers an unexpected failure with a generic 500 that leaks nothing", async () => {
    const { key } = await env.deps.api.auth.issue({ partnerId: "auth-a", role: "reportViewer", name: "v2" });
    const failing = routeHandler(spec(readerRoles), env.deps.api, async () => {
      throw new Error("connection string AccountKey=secret leaked");
    });
    const ctx = new InvocationContext({ functionName: "failing", invocationId: "inv-123", logHandler: () => {} });
    const res = (await failing(request("GET", "x", { key }), ctx)) as HttpResponseInit;
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.jsonBody)).not.toContain("secret");
    expect(JSON.stringify(res.jsonBody)).toContain("inv-123");
  });
});

// ---- Cloud Endpoints: two partners' result sets seeded directly with the results.ts schemas ----------

const seedResultSet = (partnerId: string, resultSetId: string, rows: CloudEndpointsRow[], switchPointer = true, previous?: string) =>
  seedInto(env.clients.containers.results, partnerId, resultSetId, rows, switchPointer, previous);

const formulaNames = ["=HYPERLINK(\"http://evil\")", "+SUM(A1)", "-2+3", "@cmd", "\tTabbed", "\rReturn"];

describe("Cloud Endpoints routes", () => {
  const partnerA = "alpha-partner";
  const partnerB = "bravo-partner";
  let deps: ApiDeps;
  let keyA: string;
  let keyB: string;
  let keyEmpty: string;
  let rowsA: CloudEndpointsRow[];
  let rowsB: CloudEndpointsRow[];
  let list: HttpHandler, summaryRoute: HttpHandler, exportRoute: HttpHandler, one: HttpHandler;

  beforeAll(async () => {
    deps = env.deps.api;
    list = routeHandler(routes.listCloudEndpoints, deps, listCloudEndpoints(deps));
    summaryRoute = routeHandler(routes.cloudEndpointsSummary, deps, cloudEndpointsSummary(deps));
    exportRoute = routeHandler(routes.exportCloudEndpoints, deps, exportCloudEndpoints(deps));
    one = routeHandler(routes.getCloudEndpoint, deps, getCloudEndpoint(deps));
    rowsA = Array.from({ length: 24 }, (_, i) => row("a", i + 1));
    rowsA.push(row("a", 30, { tenantName: 'Quote "Q", Comma Ltd', customerName: "Line\r\nBreak" }));
    formulaNames.forEach((name, i) => rowsA.push(row("a", 40 + i, { tenantName: name })));
    rowsB = Array.from({ length: 10 }, (_, i) => row("b", i + 1));
    // An older result set of A that is no longer current must never show.
    await seedResultSet(partnerA, "rs-a-old", [row("a", 99, { tenantName: "Stale Tenant" })], false);
    await seedResultSet(partnerA, "rs-a-1", rowsA);
    await seedResultSet(partnerB, "rs-b-1", rowsB);
    keyA = (await env.deps.api.auth.issue({ partnerId: partnerA, role: "reportViewer", name: "a" })).key;
    keyB = (await env.deps.api.auth.issue({ partnerId: partnerB, role: "executiveReportViewer", name: "b" })).key;
    keyEmpty = (await env.deps.api.auth.issue({ partnerId: "never-refreshed", role: "reportViewer", name: "e" })).key;
  });

  async function listAll(query: string, key = keyA): Promise<{ items: Record<string, unknown>[]; pages: number }> {
    const items: Record<string, unknown>[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const q = token ? `${query}&continuationToken=${encodeURIComponent(token)}` : query;
      const res = await call(list, request("GET", `cloud-endpoints?${q}`, { key }));
      expect(res.status, JSON.stringify(res.jsonBody)).toBe(200);
      items.push(...res.jsonBody.items);
      token = res.jsonBody.continuationToken;
      pages++;
    } while (token && pages < 100);
    return { items, pages };
  }

  it("lists only the caller's current result set, default columns, with the result set and refresh time", async () => {
    const res = await call(list, request("GET", "cloud-endpoints?pageSize=500", { key: keyA }));
    expect(res.status).toBe(200);
    expect(res.jsonBody.status).toBe("ready");
    expect(res.jsonBody.resultSetId).toBe("rs-a-1");
    expect(res.jsonBody.refreshedAt).toBe("2026-11-01T00:00:00.000Z");
    expect(res.jsonBody.asOf).toEqual({ tenants: "2026-10-31" });
    expect(res.jsonBody.items).toHaveLength(rowsA.length);
    const text = JSON.stringify(res.jsonBody);
    expect(text).not.toContain("BRAVO");
    expect(text).not.toContain("Stale Tenant");
    expect(res.jsonBody.items[0]).not.toHaveProperty("me5Seats");
    expect(res.jsonBody.items[0]).not.toHaveProperty("searchText");
    expect(res.jsonBody.items[0]).not.toHaveProperty("partnerId");
    const all = await call(list, request("GET", "cloud-endpoints?columns=all&pageSize=1", { key: keyA }));
    expect(all.jsonBody.items[0]).toMatchObject({ me5Seats: expect.any(Number), industry: "Retail", windowsPau: 7 });
  });

  it("filters by sales motion (repeated or comma list), segment, renewal period and incentive eligibility", async () => {
    const motions = `salesMotion=${encodeURIComponent("Land W365")}&salesMotion=${encodeURIComponent("Nurture Intune,Low Whitespace")}`;
    const byMotion = await listAll(`${motions}&pageSize=500`);
    const wanted = new Set(["Land W365", "Nurture Intune", "Low Whitespace"]);
    expect(byMotion.items.length).toBe(rowsA.filter((r) => wanted.has(r.salesMotion)).length);
    expect(byMotion.items.every((r) => wanted.has(r.salesMotion as string))).toBe(true);

    const bySegment = await listAll("segment=SME%26C&pageSize=500");
    expect(bySegment.items.length).toBe(rowsA.filter((r) => r.tenantSegment === "SME&C").length);

    const byRenewal = await listAll("renewalPeriod=2026-03");
    expect(byRenewal.items.map((r) => r.tenantId).sort()).toEqual(rowsA.filter((r) => r.renewalPeriod === "2026-03").map((r) => r.tenantId).sort());

    const byRange = await listAll("renewalFrom=2026-02&renewalTo=2026-04");
    const inRange = rowsA.filter((r) => r.renewalPeriod && r.renewalPeriod >= "2026-02" && r.renewalPeriod <= "2026-04");
    expect(byRange.items.length).toBe(inRange.length);

    const eligible = await listAll("incentiveEligible=true&pageSize=500");
    expect(eligible.items.length).toBe(rowsA.filter((r) => r.incentiveEligible).length);
    const combined = await listAll("incentiveEligible=false&segment=Enterprise");
    expect(combined.items.length).toBe(rowsA.filter((r) => !r.incentiveEligible && r.tenantSegment === "Enterprise").length);
  });

  it("searches tenant name, domain, id and customer name case-insensitively", async () => {
    expect((await listAll("search=ALPHA%20TENANT%2007")).items.map((r) => r.tenantName)).toEqual(["Alpha Tenant 07"]);
    expect((await listAll("search=t12.a.EXAMPLE")).items.map((r) => r.tenantName)).toEqual(["Alpha Tenant 12"]);
    expect((await listAll(`search=${guid(5, "a").toUpperCase()}`)).items.map((r) => r.tenantName)).toEqual(["Alpha Tenant 05"]);
    expect((await listAll("search=customer%203")).items.map((r) => r.customerName)).toEqual(["Customer 3"]);
    // Partner B's names are never found with A's key.
    expect((await listAll("search=bravo")).items).toHaveLength(0);
  });

  it("sorts by a whitelisted column, numbers largest first by default, rows without a value last", async () => {
    const bySeats = (await listAll("sort=w365Whitespace&pageSize=500")).items.map((r) => r.w365Whitespace as number);
    expect(bySeats).toEqual([...bySeats].sort((x, y) => y - x));
    const byNameDesc = (await listAll("sort=tenantName&order=desc&pageSize=500")).items.map((r) => r.tenantName as string);
    expect(byNameDesc).toHaveLength(rowsA.length);
    const byRenewal = (await listAll("sort=eaRenewal&pageSize=7")).items;
    expect(byRenewal).toHaveLength(rowsA.length);
    const withValue = byRenewal.filter((r) => r.eaRenewal !== undefined).map((r) => r.eaRenewal as string);
    expect(withValue).toEqual([...withValue].sort());
    expect(byRenewal.slice(withValue.length).every((r) => r.eaRenewal === undefined)).toBe(true);
  });

  it("pages with continuation tokens through every row exactly once", async () => {
    const paged = await listAll("sort=potentialEarnings&pageSize=4");
    const whole = await listAll("sort=potentialEarnings&pageSize=500");
    expect(paged.pages).toBeGreaterThanOrEqual(Math.ceil(rowsA.length / 4));
    expect(paged.items.map((r) => r.tenantId)).toEqual(whole.items.map((r) => r.tenantId));
    expect(new Set(paged.items.map((r) => r.tenantId)).size).toBe(rowsA.length);
    const first = await call(list, request("GET", "cloud-endpoints?pageSize=4", { key: keyA }));
    expect(first.jsonBody.items).toHaveLength(4);
    expect(first.jsonBody.continuationToken).toEqual(expect.any(String));
  });

  it("rejects a continuation token from another query, another partner or a tampered one", async () => {
    const first = await call(list, request("GET", "cloud-endpoints?pageSize=3&incentiveEligible=true", { key: keyA }));
    const token = encodeURIComponent(first.jsonBody.continuationToken);
    const otherQuery = await call(list, request("GET", `cloud-endpoints?pageSize=3&incentiveEligible=false&continuationToken=${token}`, { key: keyA }));
    expect(otherQuery.status).toBe(400);
    expect(otherQuery.jsonBody.error).toMatchObject({ code: "invalid_request", field: "continuationToken" });
    expect(otherQuery.jsonBody.error.message).toMatch(/different filters/);
    const otherPartner = await call(list, request("GET", `cloud-endpoints?pageSize=3&incentiveEligible=true&continuationToken=${token}`, { key: keyB }));
    expect(otherPartner.status).toBe(400);
    expect(JSON.stringify(otherPartner.jsonBody)).not.toContain("Alpha");
    const tampered = await call(list, request("GET", "cloud-endpoints?continuationToken=abc%20def", { key: keyA }));
    expect(tampered.jsonBody.error).toMatchObject({ field: "continuationToken" });
    // Same query continues fine...
    const next = await call(list, request("GET", `cloud-endpoints?incentiveEligible=true&pageSize=3&continuationToken=${token}`, { key: keyA }));
    expect(next.status).toBe(200);
  });

  it("answers 400 (never a 5xx, never other rows) for a well-wrapped token whose inner database token was forged", async () => {
    const first = await call(list, request("GET", "cloud-endpoints?pageSize=3", { key: keyA }));
    // As if the sealing key had leaked: the service's own seal around a forged inner token.
    const tokens = await deps.tokens();
    const state = tokens.unseal(first.jsonBody.continuationToken);
    const encodeContinuation = (s: typeof state) => encodeURIComponent(tokens.seal(s));
    for (const t of ["{}", "[1,2]", "\u0100", "a\r\nx-ms-documentdb-partitionkey: [\"bravo-partner\"]"]) {
      const forged = encodeContinuation({ ...state, t });
      const res = await call(list, request("GET", `cloud-endpoints?pageSize=3&continuationToken=${forged}`, { key: keyA }));
      expect(res.status, JSON.stringify(t)).toBe(400);
      expect(res.jsonBody.error).toMatchObject({ code: "invalid_request", field: "continuationToken" });
    }
    // Any token the database accepts still reads only the caller's own partition.
    for (const t of ["garbage", state.t!.replace(/RT:\d+/, "RT:0")]) {
      const res = await call(list, request("GET", `cloud-endpoints?pageSize=500&continuationToken=${encodeContinuation({ ...state, t })}`, { key: keyA }));
      if (res.status === 200) expect(JSON.stringify(res.jsonBody)).not.toContain("BRAVO");
      else expect(res.status).toBe(400);
    }
  });

  it("keeps a paging reader on the result set it started in after one refresh, and answers 400 once that set is gone", async () => {
    const query = "cloud-endpoints?pageSize=5&sort=w365Pau";
    const first = await call(list, request("GET", query, { key: keyA }));
    const token = encodeURIComponent(first.jsonBody.continuationToken);
    // A refresh switches to rs-a-2 and keeps rs-a-1 as the previous set.
    await seedResultSet(partnerA, "rs-a-2", rowsA.slice(0, 5), true, "rs-a-1");
    const cont = await call(list, request("GET", `${query}&continuationToken=${token}`, { key: keyA }));
    expect(cont.status).toBe(200);
    expect(cont.jsonBody.resultSetId).toBe("rs-a-1");
    expect(cont.jsonBody.items).toHaveLength(5);
    expect(cont.jsonBody.message).toMatch(/previous result set/);
    const fresh = await call(list, request("GET", "cloud-endpoints?pageSize=500", { key: keyA }));
    expect(fresh.jsonBody).toMatchObject({ resultSetId: "rs-a-2", refreshedAt: expect.any(String) });
    expect(fresh.jsonBody.items).toHaveLength(5);
    // A second refresh drops rs-a-1 from what may be read.
    await seedResultSet(partnerA, "rs-a-3", rowsA.slice(0, 5), true, "rs-a-2");
    const stale = await call(list, request("GET", `${query}&continuationToken=${token}`, { key: keyA }));
    expect(stale.status).toBe(400);
    expect(stale.jsonBody.error).toMatchObject({ field: "continuationToken", message: expect.stringMatching(/refreshed/) });
    await seedResultSet(partnerA, "rs-a-1", rowsA);
  });

  it("answers 400 naming the field for invalid parameters, including a page size over the cap", async () => {
    const cases: [string, string][] = [
      ["pageSize=501", "pageSize"],
      ["pageSize=0", "pageSize"],
      ["salesMotion=Sell%20More", "salesMotion"],
      ["segment=Huge", "segment"],
      ["renewalPeriod=2026-13", "renewalPeriod"],
      ["renewalPeriod=2026-01&renewalFrom=2026-01", "renewalPeriod"],
      ["renewalFrom=2026-05&renewalTo=2026-01", "renewalTo"],
      ["incentiveEligible=maybe", "incentiveEligible"],
      [`search=${"x".repeat(101)}`, "search"],
      ["sort=searchText", "sort"],
      ["order=up", "order"],
      ["columns=some", "columns"],
      ["colour=red", "colour"],
      ["sort=tenantName&sort=w365Pau", "sort"],
    ];
    for (const [query, field] of cases) {
      const res = await call(list, request("GET", `cloud-endpoints?${query}`, { key: keyA }));
      expect(res.status, query).toBe(400);
      expect(res.jsonBody.error, query).toMatchObject({ code: "invalid_request", field });
    }
  });

  it("serves the caller's KPI tiles and chart data, and zeros before the first refresh", async () => {
    const res = await call(summaryRoute, request("GET", "cloud-endpoints/summary", { key: keyA }));
    expect(res.status).toBe(200);
    expect(res.jsonBody).toMatchObject({ status: "ready", resultSetId: "rs-a-1", kpis: { tenants: rowsA.length } });
    expect(res.jsonBody.charts.potentialEarningsByWorkshop).toHaveLength(1);
    const empty = await call(summaryRoute, request("GET", "cloud-endpoints/summary", { key: keyEmpty }));
    expect(empty.status).toBe(200);
    expect(empty.jsonBody).toMatchObject({ status: "notRefreshedYet", kpis: { tenants: 0 } });
    // The empty tab is the summary of no rows: the same shape, every segment and motion at zero.
    const { kpis, charts } = summarizeCloudEndpoints([]);
    expect({ kpis: empty.jsonBody.kpis, charts: empty.jsonBody.charts }).toEqual({ kpis, charts });
  });

  it("answers an empty list with status notRefreshedYet before the first refresh", async () => {
    const res = await call(list, request("GET", "cloud-endpoints", { key: keyEmpty }));
    expect(res.status).toBe(200);
    expect(res.jsonBody).toMatchObject({ status: "notRefreshedYet", items: [] });
    const exported = await call(exportRoute, request("GET", "cloud-endpoints/export", { key: keyEmpty }));
    expect((await bodyText(exported)).split("\r\n").filter(Boolean)).toHaveLength(1);
  });

  it("returns one tenant's row with all columns, and 404 for an unknown tenant", async () => {
    const res = await call(one, request("GET", `cloud-endpoints/${guid(3, "a").toUpperCase()}`, { key: keyA, params: { tenantId: guid(3, "a").toUpperCase() } }));
    expect(res.status).toBe(200);
    expect(res.jsonBody).toMatchObject({ tenantId: guid(3, "a"), tenantName: "Alpha Tenant 03", me5Seats: expect.any(Number) });
    const unknown = await call(one, request("GET", "x", { key: keyA, params: { tenantId: guid(77, "a") } }));
    expect(unknown.status).toBe(404);
    const invalid = await call(one, request("GET", "x", { key: keyA, params: { tenantId: "not-a-guid" } }));
    expect(invalid.status).toBe(400);
    expect(invalid.jsonBody.error.field).toBe("tenantId");
  });

  it("exports the current filtered view as a streamed, Excel-safe CSV attachment", async () => {
    const res = await call(exportRoute, request("GET", "cloud-endpoints/export?incentiveEligible=true&sort=tenantName", { key: keyA }));
    expect(res.status).toBe(200);
    const headers = new Headers(res.headers as Record<string, string>);
    expect(headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(headers.get("content-disposition")).toMatch(/^attachment; filename="cloud-endpoints-alpha-partner-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body).toBeInstanceOf(ReadableStream);
    const text = await bodyText(res);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split("\r\n").filter(Boolean);
    expect(lines[0].startsWith("Tenant Name,Tenant ID,Tenant Domain,")).toBe(true);
    expect(lines[0]).not.toContain("ME5 Seats");
    const expected = rowsA.filter((r) => r.incentiveEligible);
    expect(lines).toHaveLength(expected.length + 1);
    expect(text).not.toContain("BRAVO");
    expect(lines.slice(1).every((l) => l.includes(",Yes,") || l.endsWith(",Yes"))).toBe(true);
  });

  it("reads the export page by page, each page bounded by the page size", async () => {
    const pages: number[] = [];
    for await (const page of iterateTabRows(deps, partnerA, "rs-a-1", cloudEndpointsRowQuery(listQueryOf("")), 7)) pages.push(page.length);
    expect(pages.length).toBeGreaterThan(3);
    expect(Math.max(...pages)).toBeLessThanOrEqual(7);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(rowsA.length);
  });

  it("neutralises formula-like names in the export and keeps quoting intact", async () => {
    const res = await call(exportRoute, request("GET", "cloud-endpoints/export?columns=all", { key: keyA }));
    const text = await bodyText(res);
    expect(text).toContain(`'=HYPERLINK(""http://evil"")`);
    expect(text).toContain("\n'+SUM(A1),");
    expect(text).toContain("\n'-2+3,");
    expect(text).toContain("\n'@cmd,");
    expect(text).toContain("\n'\tTabbed,");
    expect(text).toContain(`\n"'\rReturn",`);
    expect(text).toContain(`"Quote ""Q"", Comma Ltd"`);
    expect(text).toContain(`"Line\r\nBreak"`);
    expect(text.split("\r\n")[0]).toContain("ME5 Seats");
    expect(text).not.toMatch(/\n[=+@]/);
  });

  it("never shows partner B's data to partner A: B's tenant id answers 404 and nothing of it", async () => {
    const res = await call(one, request("GET", "x", { key: keyA, params: { tenantId: guid(2, "b") } }));
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.jsonBody)).not.toContain("BRAVO");
    // And B sees its own, never A's.
    const own = await call(one, request("GET", "x", { key: keyB, params: { tenantId: guid(2, "b") } }));
    expect(own.status).toBe(200);
    const bList = await call(list, request("GET", "cloud-endpoints?pageSize=500", { key: keyB }));
    expect(bList.jsonBody.items).toHaveLength(rowsB.length);
    expect(JSON.stringify(bList.jsonBody)).not.toContain("Alpha");
    const bSummary = await call(summaryRoute, request("GET", "cloud-endpoints/summary", { key: keyB }));
    expect(bSummary.jsonBody).toMatchObject({ resultSetId: "rs-b-1", kpis: { tenants: rowsB.length } });
    const bExport = await bodyText(await call(exportRoute, request("GET", "cloud-endpoints/export", { key: keyB })));
    expect(bExport).not.toContain("Alpha");
    expect(bExport.split("\r\n").filter(Boolean)).toHaveLength(rowsB.length + 1);
  });
});

// ---- stale results: the partner's data is newer than its results and refreshing it fails ------------------

describe("Cloud Endpoints stale flag", () => {
  const resultsVersion = "2026-11-01T00:00:00.000Z";
  const newerData = "2026-11-02T08:00:00.000Z";
  const failure = { count: 3, lastFailedAt: "2026-11-02T08:30:00.000Z", reference: "inv-refresh-42" };
  let deps: ApiDeps;
  let list: HttpHandler, summaryRoute: HttpHandler;

  beforeAll(() => {
    deps = env.deps.api;
    list = routeHandler(routes.listCloudEndpoints, deps, listCloudEndpoints(deps));
    summaryRoute = routeHandler(routes.cloudEndpointsSummary, deps, cloudEndpointsSummary(deps));
  });

  /** A partner with a current result set computed from `resultsVersion`, its partner doc, and a reader key. */
  async function partnerWith(partnerId: string, doc: Record<string, unknown>): Promise<string> {
    await seedResultSet(partnerId, `rs-${partnerId}`, [row("a", 1), row("a", 2)]);
    const { resource: pointer } = await env.clients.containers.results.item(resultIds.pointer("cloudEndpoints"), partnerId).read();
    await env.clients.containers.results.items.upsert({ ...pointer, dataVersion: resultsVersion });
    await env.clients.containers.partners.items.upsert({ id: "partner", partnerId, type: "partner", datasets: {}, ...doc });
    return (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "stale" })).key;
  }

  const summaryOf = async (key: string) => (await call(summaryRoute, request("GET", "cloud-endpoints/summary", { key }))).jsonBody;
  const listOf = async (key: string) => (await call(list, request("GET", "cloud-endpoints", { key }))).jsonBody;

  it("says stale: true with the failure's time and reference (no count, no error text) when newer data failed to refresh", async () => {
    const key = await partnerWith("stale-failing", { dataVersion: newerData, refreshedDataVersion: resultsVersion, refreshFailure: failure });
    for (const body of [await summaryOf(key), await listOf(key)]) {
      expect(body).toMatchObject({ status: "ready", refreshedAt: "2026-11-01T00:00:00.000Z", stale: true });
      expect(body.refreshFailure).toEqual({ lastFailedAt: failure.lastFailedAt, reference: failure.reference });
    }
  });

  it("says stale: false when the results cover the data, even with a failure recorded, and when newer data is not failing", async () => {
    const covered = await partnerWith("stale-covered", { dataVersion: resultsVersion, refreshedDataVersion: resultsVersion, refreshFailure: failure });
    const refreshing = await partnerWith("stale-refreshing", { dataVersion: newerData, refreshedDataVersion: resultsVersion });
    for (const key of [covered, refreshing]) {
      for (const body of [await summaryOf(key), await listOf(key)]) {
        expect(body).toMatchObject({ status: "ready", stale: false });
        expect(body).not.toHaveProperty("refreshFailure");
      }
    }
  });

  it("never shows another partner's refresh failure", async () => {
    await partnerWith("stale-other-failing", { dataVersion: newerData, refreshFailure: { ...failure, reference: "inv-other-partner" } });
    const key = await partnerWith("stale-neighbour", { dataVersion: newerData, refreshedDataVersion: resultsVersion });
    for (const body of [await summaryOf(key), await listOf(key)]) {
      expect(body.stale).toBe(false);
      expect(JSON.stringify(body)).not.toContain("inv-other-partner");
    }
  });

  it("tells a partner whose first refresh fails that no results exist yet and why", async () => {
    await env.clients.containers.partners.items.upsert(
      partnerDocSchema.parse({ id: "partner", partnerId: "stale-first", type: "partner", dataVersion: newerData, refreshFailure: failure }),
    );
    const key = (await env.deps.api.auth.issue({ partnerId: "stale-first", role: "reportViewer", name: "first" })).key;
    for (const body of [await summaryOf(key), await listOf(key)]) {
      expect(body).toMatchObject({ status: "notRefreshedYet", stale: true, refreshFailure: { reference: failure.reference } });
    }
  });

  it("answers the results without the stale fields when the partner doc cannot be read", async () => {
    const key = await partnerWith("stale-unreadable", { dataVersion: newerData, refreshFailure: { count: "many" } });
    for (const res of [
      await call(summaryRoute, request("GET", "cloud-endpoints/summary", { key })),
      await call(list, request("GET", "cloud-endpoints", { key })),
    ]) {
      expect(res.status).toBe(200);
      expect(res.jsonBody).toMatchObject({ status: "ready", resultSetId: "rs-stale-unreadable" });
      expect(res.jsonBody).not.toHaveProperty("stale");
      expect(res.jsonBody).not.toHaveProperty("refreshFailure");
    }
  });
});

// ---- ingestions, keys, refresh, health, OpenAPI; authentication and isolation on every route ----------

function ingestion(partnerId: string, n: number) {
  return ingestionDocSchema.parse({
    id: `${partnerId === "iso-alpha" ? "a" : "b"}${String(n).padStart(31, "0")}`,
    partnerId,
    type: "ingestion",
    blobPath: `drops/${partnerId}/tenants/file-${n}.csv`,
    etag: `"0x${n}"`,
    dataset: "tenants",
    fileName: `file-${n}.csv`,
    status: n % 2 ? "loaded" : "failed",
    receivedAt: new Date(Date.UTC(2026, 10, 1, 0, n)).toISOString(),
    sizeBytes: 100 * n,
    counts: { rows: n, loaded: n, rejected: 0, documents: n },
    errors: n % 2 ? [] : [{ line: 2, column: "tenantId", reason: "must be a GUID" }],
    warnings: [],
  });
}

describe("management routes and isolation on every route", () => {
  const partnerA = "iso-alpha";
  const partnerB = "iso-bravo";
  let deps: ApiDeps;
  const keys: Record<string, { key: string; keyId: string }> = {};
  const handlers: Record<string, HttpHandler> = {};

  beforeAll(async () => {
    deps = env.deps.api;
    Object.assign(handlers, {
      list: routeHandler(routes.listCloudEndpoints, deps, listCloudEndpoints(deps)),
      summary: routeHandler(routes.cloudEndpointsSummary, deps, cloudEndpointsSummary(deps)),
      export: routeHandler(routes.exportCloudEndpoints, deps, exportCloudEndpoints(deps)),
      row: routeHandler(routes.getCloudEndpoint, deps, getCloudEndpoint(deps)),
      ingestions: routeHandler(routes.listIngestions, deps, listIngestions(deps)),
      ingestion: routeHandler(routes.getIngestion, deps, getIngestion(deps)),
      refresh: routeHandler(routes.refresh, deps, requestRefresh(deps)),
      keys: routeHandler(routes.listKeys, deps, listKeys(deps)),
      createKey: routeHandler(routes.createKey, deps, createKey(deps)),
      revokeKey: routeHandler(routes.revokeKey, deps, revokeKey(deps)),
    });
    for (const [name, partnerId, role] of [
      ["adminA", partnerA, "administrator"],
      ["viewerA", partnerA, "reportViewer"],
      ["execA", partnerA, "executiveReportViewer"],
      ["adminB", partnerB, "administrator"],
      ["viewerB", partnerB, "reportViewer"],
      ["revokedA", partnerA, "administrator"],
    ] as const) {
      keys[name] = await env.deps.api.auth.issue({ partnerId, role, name });
    }
    await env.deps.api.auth.revoke(partnerA, keys.revokedA.keyId);
    await seedResultSet(partnerA, "rs-iso-a", [row("a", 1), row("a", 2)]);
    await seedResultSet(partnerB, "rs-iso-b", [row("b", 1), row("b", 2)]);
    for (let n = 1; n <= 7; n++) await env.clients.containers.ingestions.items.create(ingestion(partnerA, n));
    for (let n = 1; n <= 3; n++) await env.clients.containers.ingestions.items.create(ingestion(partnerB, n));
  });

  // Every authenticated route, with a request that would succeed for the right caller.
  const routeCalls = () => [
    { route: "list", req: (key?: string) => request("GET", "cloud-endpoints", { key }), admin: false },
    { route: "summary", req: (key?: string) => request("GET", "cloud-endpoints/summary", { key }), admin: false },
    { route: "export", req: (key?: string) => request("GET", "cloud-endpoints/export", { key }), admin: false },
    { route: "row", req: (key?: string) => request("GET", "x", { key, params: { tenantId: guid(1, "a") } }), admin: false },
    { route: "ingestions", req: (key?: string) => request("GET", "ingestions", { key }), admin: false },
    { route: "ingestion", req: (key?: string) => request("GET", "x", { key, params: { id: ingestion(partnerA, 1).id } }), admin: false },
    { route: "refresh", req: (key?: string) => request("POST", "refresh", { key }), admin: true },
    { route: "keys", req: (key?: string) => request("GET", "keys", { key }), admin: true },
    { route: "createKey", req: (key?: string) => request("POST", "keys", { key, body: { name: "n", role: "reportViewer" } }), admin: true },
    { route: "revokeKey", req: (key?: string) => request("DELETE", "x", { key, params: { keyId: "k_doesnotexist" } }), admin: true },
  ];

  it("authenticates every route: missing, malformed and revoked keys get 401, a viewer on an admin route 403", async () => {
    expect(routeCalls().map((r) => r.route).sort()).toEqual(Object.keys(handlers).sort());
    for (const { route, req, admin } of routeCalls()) {
      const handler = handlers[route];
      for (const key of [undefined, "poi_iso-alpha_short", "Basic abc", keys.revokedA.key]) {
        const res = await call(handler, req(key));
        expect(res.status, `${route} with ${key}`).toBe(401);
        expect(res.jsonBody).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
      }
      for (const viewer of [keys.viewerA.key, keys.execA.key]) {
        const res = await call(handler, req(viewer));
        expect(res.status, route).toBe(admin ? 403 : 200);
      }
      const res = await call(handler, req(keys.adminA.key));
      expect(res.status, route).toBeLessThan(route === "revokeKey" ? 405 : 300);
    }
  });

  it("never gives partner A anything of partner B on any route", async () => {
    const a = keys.adminA.key;
    const bIngestion = ingestion(partnerB, 1).id;
    const checks: [string, HttpRequest, number][] = [
      ["row", request("GET", "x", { key: a, params: { tenantId: guid(1, "b") } }), 404],
      ["ingestion", request("GET", "x", { key: a, params: { id: bIngestion } }), 404],
      ["revokeKey", request("DELETE", "x", { key: a, params: { keyId: keys.viewerB.keyId } }), 404],
      ["list", request("GET", "cloud-endpoints?pageSize=500", { key: a }), 200],
      ["summary", request("GET", "cloud-endpoints/summary", { key: a }), 200],
      ["export", request("GET", "cloud-endpoints/export?columns=all", { key: a }), 200],
      ["ingestions", request("GET", "ingestions?pageSize=100", { key: a }), 200],
      ["keys", request("GET", "keys", { key: a }), 200],
    ];
    for (const [route, req, status] of checks) {
      const res = await call(handlers[route], req);
      expect(res.status, route).toBe(status);
      const text = res.body ? await bodyText(res) : JSON.stringify(res.jsonBody);
      for (const secret of ["BRAVO", partnerB, "rs-iso-b", bIngestion, keys.viewerB.keyId, keys.adminB.keyId, guid(1, "b")]) {
        expect(text, `${route} leaks ${secret}`).not.toContain(secret);
      }
    }
    // B's key is still valid after A tried to revoke it.
    await expect(env.deps.api.auth.authenticate(keys.viewerB.key)).resolves.toMatchObject({ partnerId: partnerB });
    // A key created by A's administrator belongs to A, whatever the body says.
    const sneaky = await call(handlers.createKey, request("POST", "keys", { key: a, body: { name: "x", role: "reportViewer", partnerId: partnerB } }));
    expect(sneaky.status).toBe(400);
    expect(sneaky.jsonBody.error.field).toBe("partnerId");
  });

  it("lists the partner's ingestions newest first with paging, and shows one by id", async () => {
    const first = await call(handlers.ingestions, request("GET", "ingestions?pageSize=3", { key: keys.viewerA.key }));
    expect(first.status).toBe(200);
    expect(first.jsonBody.items).toHaveLength(3);
    expect(first.jsonBody.items.map((i: { fileName: string }) => i.fileName)).toEqual(["file-7.csv", "file-6.csv", "file-5.csv"]);
    const all = [...first.jsonBody.items];
    let token = first.jsonBody.continuationToken;
    while (token) {
      const next = await call(handlers.ingestions, request("GET", `ingestions?pageSize=3&continuationToken=${encodeURIComponent(token)}`, { key: keys.viewerA.key }));
      all.push(...next.jsonBody.items);
      token = next.jsonBody.continuationToken;
    }
    expect(all).toHaveLength(7);
    const id = ingestion(partnerA, 2).id;
    const one = await call(handlers.ingestion, request("GET", "x", { key: keys.viewerA.key, params: { id } }));
    expect(one.status).toBe(200);
    expect(one.jsonBody).toMatchObject({ id, status: "failed", errors: [{ line: 2, column: "tenantId" }] });
    expect(one.jsonBody).not.toHaveProperty("_etag");
    // B cannot continue A's listing.
    const bWithAToken = await call(handlers.ingestions, request("GET", `ingestions?continuationToken=${encodeURIComponent(first.jsonBody.continuationToken)}`, { key: keys.viewerB.key }));
    expect(bWithAToken.status).toBe(400);
    // A forged inner token is a 400 on continuationToken, not a 500.
    const tokens = await deps.tokens();
    for (const t of ["{}", "\u0100"]) {
      const forged = encodeURIComponent(tokens.seal({ v: 2, p: partnerA, f: "ingestions", ph: 0, t }));
      const res = await call(handlers.ingestions, request("GET", `ingestions?continuationToken=${forged}`, { key: keys.viewerA.key }));
      expect(res.status, JSON.stringify(t)).toBe(400);
      expect(res.jsonBody.error.field).toBe("continuationToken");
    }
    const invalid = await call(handlers.ingestions, request("GET", "ingestions?pageSize=101", { key: keys.viewerA.key }));
    expect(invalid.jsonBody.error.field).toBe("pageSize");
  });

  it("lets an administrator issue (shown once), list and revoke keys; a revoked key stops working", async () => {
    const createdRes = await call(handlers.createKey, request("POST", "keys", { key: keys.adminA.key, body: { name: "Power BI", role: "executiveReportViewer" } }));
    expect(createdRes.status).toBe(201);
    const { key, keyId } = createdRes.jsonBody;
    expect(key).toMatch(/^poi_iso-alpha_/);
    expect(createdRes.jsonBody).toMatchObject({ name: "Power BI", role: "executiveReportViewer", createdBy: keys.adminA.keyId });
    expect((await call(handlers.list, request("GET", "cloud-endpoints", { key }))).status).toBe(200);
    const listed = await call(handlers.keys, request("GET", "keys", { key: keys.adminA.key }));
    expect(listed.jsonBody.items.map((k: { keyId: string }) => k.keyId)).toContain(keyId);
    expect(JSON.stringify(listed.jsonBody)).not.toContain(key.slice(-43));
    const revoked = await call(handlers.revokeKey, request("DELETE", "x", { key: keys.adminA.key, params: { keyId } }));
    expect(revoked.status).toBe(204);
    expect((await call(handlers.list, request("GET", "cloud-endpoints", { key }))).status).toBe(401);
    const again = await call(handlers.keys, request("GET", "keys", { key: keys.adminA.key }));
    expect(again.jsonBody.items.find((k: { keyId: string }) => k.keyId === keyId).revokedAt).toEqual(expect.any(String));
  });

  it("answers 400 naming the field for invalid key bodies", async () => {
    const cases: [unknown, string][] = [
      ["not json", "body"],
      [{ role: "reportViewer" }, "name"],
      [{ name: "x", role: "owner" }, "role"],
      [{ name: "", role: "reportViewer" }, "name"],
      [{ name: "x".repeat(101), role: "reportViewer" }, "name"],
    ];
    for (const [body, field] of cases) {
      const res = await call(handlers.createKey, request("POST", "keys", { key: keys.adminA.key, body }));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.jsonBody.error.field).toBe(field);
    }
  });

  it("answers 415 for a body not sent as JSON, 413 for one over 64 KB (streamed or declared), 400 on body for bytes that are not a JSON object", async () => {
    const post = (body: { string: string } | { bytes: Uint8Array } | undefined, headers: Record<string, string>) =>
      call(handlers.createKey, new HttpRequest({
        method: "POST",
        url: "http://localhost/api/keys",
        headers: { "x-api-key": keys.adminA.key, ...headers },
        ...(body ? { body } : {}),
      }));
    const valid = JSON.stringify({ name: "n", role: "reportViewer" });
    const cases: [Awaited<ReturnType<typeof post>>, number, string][] = [
      [await post({ string: valid }, { "content-type": "text/plain" }), 415, "content-type"],
      [await post({ string: valid }, {}), 415, "content-type"],
      [await post({ string: valid }, { "content-type": "application/x-www-form-urlencoded" }), 415, "content-type"],
      [await post({ string: JSON.stringify({ name: "x".repeat(70_000), role: "reportViewer" }) }, { "content-type": "application/json" }), 413, "body"],
      [await post({ string: valid }, { "content-type": "application/json", "content-length": "10000000" }), 413, "body"],
      [await post(undefined, { "content-type": "application/json" }), 400, "body"],
      [await post({ string: "[1,2]" }, { "content-type": "application/json" }), 400, "body"],
      [await post({ string: '{"name": "x", ' }, { "content-type": "application/json" }), 400, "body"],
      [await post({ bytes: Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, { "content-type": "application/json" }), 400, "body"],
    ];
    for (const [res, status, field] of cases) {
      expect(res.status).toBe(status);
      expect(res.jsonBody.error.field).toBe(field);
      expect(res.headers).toMatchObject({ "content-type": "application/json; charset=utf-8" });
    }
    // The charset parameter is fine.
    const ok = await post({ string: valid }, { "content-type": "application/json; charset=utf-8" });
    expect(ok.status).toBe(201);
  });

  it("queues a refresh of the caller's own partner", async () => {
    const queue = env.clients.queues.getQueueClient(names.queues.refresh);
    await queue.clearMessages();
    const res = await call(handlers.refresh, request("POST", "refresh", { key: keys.adminB.key }));
    expect(res.status).toBe(202);
    expect(res.jsonBody).toMatchObject({ status: "queued", partnerId: partnerB });
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 10 });
    const jobs = receivedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, "base64").toString("utf8")));
    expect(jobs).toEqual([{ partnerId: partnerB, reason: "manual", requestedAt: res.jsonBody.requestedAt }]);
  });

  it("reports health without a key: 200 when Cosmos DB and Storage answer, 503 when one does not", async () => {
    const healthy = await call(routeHandler(routes.health, deps, health(deps)), request("GET", "health"));
    expect(healthy.status).toBe(200);
    expect(healthy.jsonBody).toEqual({ status: "ok", checks: { cosmos: "ok", storage: "ok" } });
    const down = () => Promise.reject(new Error("connect ECONNREFUSED COSMOS_ENDPOINT"));
    const brokenDeps = { ...deps, health: { cosmos: down, storage: deps.health.storage } };
    const broken = await call(routeHandler(routes.health, brokenDeps, health(brokenDeps)), request("GET", "health"));
    expect(broken.status).toBe(503);
    expect(JSON.stringify(broken.jsonBody)).not.toContain("COSMOS_ENDPOINT");
  });

  it("answers 400 naming the parameter for an unknown query parameter on health and the OpenAPI document, as on every route", async () => {
    for (const [handler, path] of [[routeHandler(routes.health, deps, health(deps)), "health?verbose=1"], [routeHandler(routes.openApi, deps, openApi()), "openapi.json?format=yaml"]] as const) {
      const res = await call(handler, request("GET", path));
      expect(res.status, path).toBe(400);
      expect(res.jsonBody.error).toMatchObject({ code: "invalid_request", field: path.includes("verbose") ? "verbose" : "format" });
    }
    // And on an authenticated route, repeated scalars and unknown names alike.
    for (const [path, field] of [["ingestions?pageSize=1&pageSize=2", "pageSize"], ["ingestions?page=2", "page"], ["keys?x=1", "x"]] as const) {
      const res = await call(path.startsWith("keys") ? handlers.keys : handlers.ingestions, request("GET", path, { key: keys.adminA.key }));
      expect(res.status, path).toBe(400);
      expect(res.jsonBody.error.field).toBe(field);
    }
  });

  it("refuses a key whose partner prefix was changed to another partner's, and keys with odd characters, with 401", async () => {
    const forged = keys.adminA.key.replace(`poi_${partnerA}_`, `poi_${partnerB}_`);
    for (const key of [forged, `${keys.adminA.key} `.repeat(2), `${keys.adminA.key}\u00e9`, "poi_iso-alpha_" + "é".repeat(43), "poi_../_x", "x".repeat(8000)]) {
      const res = await call(handlers.keys, request("GET", "keys", { key }));
      expect(res.status, key.slice(0, 40)).toBe(401);
      expect(JSON.stringify(res.jsonBody)).not.toContain(partnerB);
    }
    await expect(env.deps.api.auth.authenticate(forged)).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("lets a revoked key through another instance's cache for at most the documented 30 s", async () => {
    const { key, keyId } = await env.deps.api.auth.issue({ partnerId: partnerA, role: "reportViewer", name: "cached" });
    // A second set of clients is a second instance with its own cache.
    const other = createApiKeyAuth(createApiKeyStore(createClients(env.config).containers.partners));
    const t0 = Date.now();
    await expect(other.authenticate(key, t0)).resolves.toMatchObject({ keyId });
    await env.deps.api.auth.revoke(partnerA, keyId);
    // This instance forgets at once; the other may still serve its cached answer until the TTL passes.
    await expect(env.deps.api.auth.authenticate(key)).rejects.toMatchObject({ reason: "revoked" });
    await expect(other.authenticate(key, t0 + authCacheTtlMs - 1)).resolves.toMatchObject({ keyId });
    await expect(other.authenticate(key, t0 + authCacheTtlMs)).rejects.toMatchObject({ reason: "revoked" });
  });

  it("serves the OpenAPI document without a key", async () => {
    const res = await call(routeHandler(routes.openApi, deps, openApi()), request("GET", "openapi.json"));
    expect(res.status).toBe(200);
    expect(res.jsonBody.openapi).toBe("3.1.0");
    expect(Object.keys(res.jsonBody.paths)).toContain(`/${routes.listCloudEndpoints.route}`);
  });
});
