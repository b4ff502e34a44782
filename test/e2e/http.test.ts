import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHost, type LocalHost } from "../../local/host/index.js";
import { routes, type RouteSpec } from "../../shared/api/routes.js";
import { guid, row, seedResultSet } from "../support/cloudEndpointsSeed.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// The real functions over HTTP through the local host, against the emulators.

let env: TestEnvironment;
let host: LocalHost;
let api: string;
const keys: Record<string, string> = {};
// Every line the host and the functions log, checked for secrets at the end.
const logLines: string[] = [];

beforeAll(async () => {
  env = await startTestEnvironment();
  const results = env.clients.containers.results;
  await seedResultSet(results, "e2e-alpha", "rs-e2e-a", [
    ...Array.from({ length: 12 }, (_, i) => row("a", i + 1)),
    row("a", 20, { tenantName: "=cmd|' /C calc'!A0", salesMotion: "Land W365" }),
  ]);
  await seedResultSet(results, "e2e-bravo", "rs-e2e-b", [row("b", 1), row("b", 2)]);
  keys.viewerA = (await env.deps.api.auth.issue({ partnerId: "e2e-alpha", role: "reportViewer", name: "viewer" })).key;
  keys.adminA = (await env.deps.api.auth.issue({ partnerId: "e2e-alpha", role: "administrator", name: "admin" })).key;
  host = await startLocalHost({ settings: env.emulators.settings, port: 0, log: (line) => logLines.push(line) });
  api = `${host.baseUrl}/api`;
});

afterAll(async () => {
  await host?.stop();
  await env?.stop();
});

describe("HTTP API through the local host", () => {
  it("answers 404 for an unknown route", async () => {
    const res = await fetch(`${api}/no-such-route`, { headers: { "x-api-key": keys.viewerA } });
    expect(res.status).toBe(404);
  });

  it("serves health and the OpenAPI document without a key", async () => {
    const health = await fetch(`${api}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const doc = (await (await fetch(`${api}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/cloud-endpoints", "/cloud-endpoints/export", "/keys/{keyId}"]));
  });

  it("requires a key: 401 without one, 403 for a viewer on an administrator route", async () => {
    const missing = await fetch(`${api}/cloud-endpoints`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: "unauthorized" } });
    const viewerOnKeys = await fetch(`${api}/keys`, { headers: { "x-api-key": keys.viewerA } });
    expect(viewerOnKeys.status).toBe(403);
  });

  it("lists, filters with a repeated parameter, and pages the caller's rows", async () => {
    const res = await fetch(`${api}/cloud-endpoints?pageSize=5&sort=w365Whitespace`, { headers: { authorization: `Bearer ${keys.viewerA}` } });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { tenantName: string }[]; continuationToken?: string; resultSetId: string };
    expect(page.items).toHaveLength(5);
    expect(page.resultSetId).toBe("rs-e2e-a");
    const next = await fetch(`${api}/cloud-endpoints?pageSize=5&sort=w365Whitespace&continuationToken=${encodeURIComponent(page.continuationToken!)}`, {
      headers: { "x-api-key": keys.viewerA },
    });
    expect(((await next.json()) as { items: unknown[] }).items).toHaveLength(5);
    const filtered = await fetch(`${api}/cloud-endpoints?salesMotion=Land%20W365&salesMotion=Nurture%20Intune&pageSize=500`, { headers: { "x-api-key": keys.viewerA } });
    const items = ((await filtered.json()) as { items: { salesMotion: string }[] }).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => ["Land W365", "Nurture Intune"].includes(i.salesMotion))).toBe(true);
    const tooBig = await fetch(`${api}/cloud-endpoints?pageSize=501`, { headers: { "x-api-key": keys.viewerA } });
    expect(tooBig.status).toBe(400);
    expect(await tooBig.json()).toMatchObject({ error: { field: "pageSize" } });
  });

  it("routes summary and export by name, never as a tenant id, and 404s another partner's tenant", async () => {
    const summary = await fetch(`${api}/cloud-endpoints/summary`, { headers: { "x-api-key": keys.viewerA } });
    expect(await summary.json()).toMatchObject({ status: "ready", resultSetId: "rs-e2e-a" });
    const own = await fetch(`${api}/cloud-endpoints/${guid(3, "a")}`, { headers: { "x-api-key": keys.viewerA } });
    expect(own.status).toBe(200);
    const other = await fetch(`${api}/cloud-endpoints/${guid(1, "b")}`, { headers: { "x-api-key": keys.viewerA } });
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain("BRAVO");
  });

  it("streams the CSV export as an Excel-safe attachment", async () => {
    const res = await fetch(`${api}/cloud-endpoints/export?salesMotion=Land%20W365`, { headers: { "x-api-key": keys.viewerA } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="cloud-endpoints-e2e-alpha-/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Array.from(bytes.slice(0, 3))).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    const lines = text.split("\r\n").filter(Boolean);
    expect(lines[0]).toContain("Tenant Name,Tenant ID");
    expect(lines.slice(1).every((l) => l.includes(",Land W365,"))).toBe(true);
    expect(text).toContain(`'=cmd|' /C calc'!A0`);
    expect(text).not.toContain("BRAVO");
  });

  it("lets an administrator issue and revoke a key over HTTP; the revoked key then gets 401", async () => {
    const created = await fetch(`${api}/keys`, {
      method: "POST",
      headers: { "x-api-key": keys.adminA, "content-type": "application/json" },
      body: JSON.stringify({ name: "script", role: "reportViewer" }),
    });
    expect(created.status).toBe(201);
    const { key, keyId } = (await created.json()) as { key: string; keyId: string };
    expect((await fetch(`${api}/cloud-endpoints`, { headers: { "x-api-key": key } })).status).toBe(200);
    const revoked = await fetch(`${api}/keys/${keyId}`, { method: "DELETE", headers: { "x-api-key": keys.adminA } });
    expect(revoked.status).toBe(204);
    expect((await fetch(`${api}/cloud-endpoints`, { headers: { "x-api-key": key } })).status).toBe(401);
  });

  // Every route of the route table with sample path parameters.
  const everyRoute = (Object.values(routes) as RouteSpec[]).map((spec) => ({
    spec,
    path: spec.route
      .replace("{tenantId}", guid(3, "a"))
      .replace("{id}", "no-such-ingestion")
      .replace("{keyId}", "k_nosuchkey")
      .replace("{modelId}", "dm-nosuchmodel")
      .replace("{dealId}", "no-such-deal"),
  }));

  it("answers 405 with Allow for a wrong method and 401 without a key, on every route", async () => {
    for (const { spec, path } of everyRoute) {
      // A method no route on this path registers (some paths take GET and PUT, or GET and PATCH).
      const taken = new Set(everyRoute.filter((r) => r.spec.route === spec.route).map((r) => r.spec.method));
      const method = ["PUT", "PATCH", "DELETE", "POST"].find((m) => !taken.has(m as typeof spec.method))!;
      const wrong = await fetch(`${api}/${path}`, { method, headers: { "x-api-key": keys.adminA } });
      expect(wrong.status, `${method} ${path}`).toBe(405);
      expect(wrong.headers.get("allow"), path).toContain(spec.method);
      if (!spec.roles) continue;
      const anonymous = await fetch(`${api}/${path}`, { method: spec.method });
      expect(anonymous.status, `${spec.method} ${path}`).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    expect((await fetch(`${api}/cloud-endpoints/summary/extra`, { headers: { "x-api-key": keys.adminA } })).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/cloud-endpoints`, { headers: { "x-api-key": keys.adminA } })).status).toBe(404);
  });

  it("marks every JSON answer as JSON and uncacheable, sends no X-Powered-By and allows no browser origin (no CORS)", async () => {
    for (const { spec, path } of everyRoute) {
      if (spec.method !== "GET") continue;
      const res = await fetch(`${api}/${path}`, { headers: { "x-api-key": keys.adminA, origin: "https://tools.partner.example" } });
      expect(res.headers.get("content-type"), path).toMatch(spec.route.endsWith("export") ? /^text\/csv/ : /^application\/json/);
      if (spec.name !== "openApi") expect(res.headers.get("cache-control"), path).toBe("no-store");
      expect(res.headers.get("x-powered-by")).toBeNull();
      expect(res.headers.get("access-control-allow-origin"), path).toBeNull();
      await res.arrayBuffer();
    }
    const preflight = await fetch(`${api}/cloud-endpoints`, {
      method: "OPTIONS",
      headers: { origin: "https://tools.partner.example", "access-control-request-method": "GET", "access-control-request-headers": "x-api-key" },
    });
    expect(preflight.status).toBe(405);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers 401 for odd or oversized keys and 431 for headers over Node's limit, never 500", async () => {
    for (const key of ["x".repeat(8_000), `${keys.viewerA}\u00e9`, "poi_e2e-alpha_" + "\u00ff".repeat(43), "poi___", "poi_e2e-alpha_<script>"]) {
      const res = await fetch(`${api}/cloud-endpoints`, { headers: { "x-api-key": key } });
      expect(res.status, key.slice(0, 30)).toBe(401);
      // The answer never echoes what was sent.
      expect(await res.text()).not.toContain(key.slice(0, 14));
    }
    const bearerOnly = await fetch(`${api}/cloud-endpoints`, { headers: { authorization: "Bearer " } });
    expect(bearerOnly.status).toBe(401);
    const huge = await fetch(`${api}/cloud-endpoints`, { headers: { "x-api-key": "x".repeat(64 * 1024) } }).catch(() => undefined);
    // Node refuses the request line itself (431) or closes the connection; either way no function runs and no 500.
    if (huge) expect(huge.status).toBe(431);
  });

  it("answers 400 naming the field for a path traversal attempt in an id", async () => {
    const traversal = await fetch(`${api}/ingestions/..%2F..%2Fpartner`, { headers: { "x-api-key": keys.viewerA } });
    expect(traversal.status).toBe(400);
    expect(await traversal.json()).toMatchObject({ error: { field: "id" } });
    // URL parsing folds an encoded ".." into the path before any route sees it: /api/ is no route.
    const dots = await fetch(`${api}/ingestions/%2E%2E`, { headers: { "x-api-key": keys.viewerA } });
    expect(dots.status).toBe(404);
    const tenant = await fetch(`${api}/cloud-endpoints/current`, { headers: { "x-api-key": keys.viewerA } });
    expect(tenant.status).toBe(400);
    expect(await tenant.json()).toMatchObject({ error: { field: "tenantId" } });
  });

  it("refuses a request body over 1 MB with 413 before any function runs", async () => {
    // Declared length over the cap: answered without reading the body.
    const declared = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${api}/keys`, {
        method: "POST",
        headers: { "x-api-key": keys.adminA, "content-type": "application/json", "content-length": String(2 * 1024 * 1024) },
      });
      req.on("response", (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(declared).toBe(413);
    // Chunked upload (no length) that grows past the cap.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${api}/keys`, { method: "POST", headers: { "x-api-key": keys.adminA, "content-type": "application/json" } });
      req.on("response", (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on("error", reject);
      req.write(Buffer.alloc(1024 * 1024 + 10, 0x20));
    });
    expect(chunked).toBe(413);
    // The API's own 64 KB cap for JSON bodies answers in the API's error shape.
    const over64k = await fetch(`${api}/keys`, {
      method: "POST",
      headers: { "x-api-key": keys.adminA, "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(100_000), role: "reportViewer" }),
    });
    expect(over64k.status).toBe(413);
    expect(await over64k.json()).toMatchObject({ error: { code: "payload_too_large", field: "body" } });
  });

  it("never writes an API key to the log, even one pasted into the query string", async () => {
    const res = await fetch(`${api}/cloud-endpoints?apiKey=${keys.viewerA}`, { headers: { "x-api-key": keys.viewerA } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).not.toContain(keys.viewerA);
    const log = logLines.join("\n");
    expect(log).toContain("/api/cloud-endpoints");
    for (const key of Object.values(keys)) expect(log).not.toContain(key.slice(-43));
  });
});
