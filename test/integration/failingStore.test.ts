import { HttpRequest, InvocationContext, type HttpResponseInit } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudEndpointsSummary, listCloudEndpoints } from "../../functions/httpCloudEndpoints.js";
import { listIngestions } from "../../functions/httpIngestions.js";
import { health } from "../../functions/httpSystem.js";
import { createClients } from "../../shared/adapters/clients.js";
import { routeHandler } from "../../shared/api/register.js";
import { routes } from "../../shared/api/routes.js";
import { loadConfig } from "../../shared/config.js";
import { cloudEndpointsSummaryDocSchema, resultIds, resultPointerDocSchema } from "../../shared/domain/results.js";
import { ingestDrop, type IngestDeps } from "../../shared/ingest/ingestDrop.js";
import { resolveLiveSet } from "../../shared/ingest/liveSet.js";
import { readUsageMonths } from "../../shared/refresh/partnerHistory.js";
import { refreshPartner } from "../../shared/refresh/refreshPartner.js";
import { wire, type AppDeps } from "../../shared/wiring.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";
import { startFaultProxy, type Fault, type FaultProxy } from "../support/faultProxy.js";
import { seedCommittedDrop } from "../support/partnerDataSeed.js";

// The service talks to Cosmos DB through a proxy that throttles, refuses, hangs, cuts connections and fails
// parts of bulk answers. An ingest completes with exactly the file's rows (or fails cleanly and is retried,
// never a duplicate or a lost row), a refresh completes or leaves the previous set in place, and HTTP answers
// 503 with Retry-After while the store is down, never a 500.

let env: TestEnvironment;
let proxy: FaultProxy;
let faulty: AppDeps;
/** The same proxy with the default request timeout: a slow but healthy store (CI under load) is waited for. */
let patient: AppDeps;

beforeAll(async () => {
  env = await startTestEnvironment();
  proxy = await startFaultProxy(env.emulators.cosmosEndpoint);
  const config = loadConfig({ ...env.emulators.settings, COSMOS_ENDPOINT: proxy.url, COSMOS_REQUEST_TIMEOUT_MS: "1500" });
  faulty = wire({ config, clients: createClients(config) });
  const patientConfig = loadConfig({ ...env.emulators.settings, COSMOS_ENDPOINT: proxy.url });
  patient = wire({ config: patientConfig, clients: createClients(patientConfig) });
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await env?.stop();
});

const t = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const months = ["2025-03", "2025-04", "2025-05"];

/** A storm: throttling, refusals, cut connections, timeouts and partial bulk failures, deterministic per request. */
function storm(req: { n: number; isBulk: boolean }): Fault {
  if (req.n % 5 === 0) return { kind: "throttle", retryAfterMs: 20 };
  if (req.n % 11 === 0) return { kind: "unavailable" };
  if (req.n % 13 === 0) return { kind: "drop" };
  if (req.n % 97 === 0) return { kind: "hang" };
  if (req.isBulk) return { kind: "partialBulk", share: 0.3 };
  return { kind: "pass" };
}

describe("a failing store", () => {
  it("lets an ingest under a storm end with exactly the file's rows, one record, no duplicate and no loss", async () => {
    const partnerId = "storm-ingest";
    const tenants = Array.from({ length: 300 }, (_, i) => i + 1);
    const lines = ["tenantId,month,workload,assignedUsers,activeUsers"];
    for (const n of tenants) for (const m of months) for (const w of ["Intune", "Teams"]) lines.push(`${t(n)},${m},${w},${n + 10},${n}`);
    const csv = lines.join("\n");
    const res = await env.clients.blobs.getContainerClient("drops").getBlockBlobClient(`${partnerId}/usage/u.csv`).upload(csv, csv.length);
    const blob = { blobPath: `drops/${partnerId}/usage/u.csv`, content: Buffer.from(csv), etag: res.etag!, writtenAt: res.lastModified! };

    proxy.setRule(storm);
    const deps: IngestDeps = { ...faulty.ingest, batching: { maxTenants: 40, maxRows: 240 } };
    let outcome;
    // A delivery that fails is retried by the platform: the same version again, as often as it takes.
    for (let attempt = 1; attempt <= 5 && outcome?.status !== "loaded"; attempt++) {
      outcome = await ingestDrop(deps, blob).catch((err: unknown) => ({ status: "error" as const, err }));
      if (outcome.status === "skipped") await new Promise((r) => setTimeout(r, 200));
    }
    proxy.setRule(() => ({ kind: "pass" }));
    expect(proxy.counts.throttle + proxy.counts.unavailable + proxy.counts.drop + proxy.counts.partialBulk).toBeGreaterThan(10);
    expect(outcome?.status, outcome?.status === "error" ? String((outcome as { err: Error }).err?.stack) : "").toBe("loaded");

    const page = await env.deps.api.ingestions.page(partnerId, 10);
    expect(page.items.map((r) => [r.status, r.counts.loaded])).toEqual([["loaded", tenants.length * months.length * 2]]);
    const live = resolveLiveSet(await env.deps.refresh.data.loadedIngestions(partnerId));
    const usage = await readUsageMonths(env.deps.refresh.data, partnerId, live);
    expect(usage.size).toBe(tenants.length);
    for (const n of tenants) {
      const expected = Object.fromEntries(months.map((m) => [m, { Intune: { assignedUsers: n + 10, activeUsers: n }, Teams: { assignedUsers: n + 10, activeUsers: n } }]));
      expect(usage.get(t(n)), t(n)).toEqual(expected);
    }
    const { resources } = await env.clients.containers.partnerData.items
      .query({ query: "SELECT VALUE COUNT(1) FROM c WHERE c.partnerId = @p", parameters: [{ name: "@p", value: partnerId }] })
      .fetchAll();
    expect(resources[0]).toBe(tenants.length);
  }, 180_000);

  it("lets a refresh under a storm either publish a complete set or leave the previous one in place", async () => {
    const partnerId = "storm-refresh";
    const ids = Array.from({ length: 120 }, (_, i) => i + 1);
    const asOf = "2025-06-01";
    await env.deps.partners.register(partnerId, partnerId);
    await env.clients.containers.partners.items.upsert({ ...(await env.deps.partners.read(partnerId)), dataVersion: "2025-06-01T10:00:00.000Z" });
    const docs = (type: string, extra: (n: number) => object) => ids.map((n) => ({ id: `${type}:x:${t(n)}`, type, tenantId: t(n), ...extra(n) }));
    await seedCommittedDrop(env, partnerId, { ingestionId: "st-t", dataset: "tenants", asOf, docs: docs("tenant", (n) => ({ tenantName: `T${n}`, segment: "Enterprise", cspAssociation: true })).map((d) => ({ ...d, id: d.id.replace(":x:", ":st-t:") })) });
    await seedCommittedDrop(env, partnerId, { ingestionId: "st-s", dataset: "subscriptions", asOf, docs: docs("subscriptions", () => ({ items: [{ sku: "SPE_E5", quantity: 700 }] })).map((d) => ({ ...d, id: d.id.replace(":x:", ":st-s:") })) });
    expect((await refreshPartner(env.deps.refresh, partnerId)).status).toBe("refreshed");

    const completeness = async () => {
      const { resource } = await env.clients.containers.results.item(resultIds.pointer("cloudEndpoints"), partnerId).read();
      const pointer = resultPointerDocSchema.parse(resource);
      const summary = cloudEndpointsSummaryDocSchema.parse(
        (await env.clients.containers.results.item(resultIds.summary("cloudEndpoints", pointer.resultSetId), partnerId).read()).resource,
      );
      const { resources } = await env.clients.containers.results.items
        .query({ query: "SELECT VALUE COUNT(1) FROM c WHERE c.partnerId = @p AND c.type = 'row' AND c.resultSetId = @rs", parameters: [{ name: "@p", value: partnerId }, { name: "@rs", value: pointer.resultSetId }] })
        .fetchAll();
      return { rows: resources[0] as number, tenants: summary.kpis.tenants };
    };

    proxy.setRule(storm);
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(await refreshPartner(faulty.refresh, partnerId).then((o) => o.status, () => "failed"));
      // Whatever happened, readers see one whole set.
      proxy.setRule(() => ({ kind: "pass" }));
      expect(await completeness()).toEqual({ rows: ids.length, tenants: ids.length });
      proxy.setRule(storm);
    }
    proxy.setRule(() => ({ kind: "pass" }));
    expect(outcomes.length).toBe(4);
    // Once the store is back, the queue's next delivery publishes: nothing the storm left behind stands in its way.
    // (Its 1.5 s timeout, there to end hung requests quickly, would also end a healthy scan of a loaded emulator.)
    expect((await refreshPartner(patient.refresh, partnerId)).status).toBe("refreshed");
    expect(await completeness()).toEqual({ rows: ids.length, tenants: ids.length });
  }, 240_000);

  it("answers 503 with Retry-After on every route while the store is down, never a 500, and recovers after", async () => {
    const partnerId = "storm-http";
    const key = (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "h" })).key;
    const api = faulty.api;
    const handlers = [
      routeHandler(routes.listCloudEndpoints, api, listCloudEndpoints(api)),
      routeHandler(routes.cloudEndpointsSummary, api, cloudEndpointsSummary(api)),
      routeHandler(routes.listIngestions, api, listIngestions(api)),
    ];
    const call = async (handler: (typeof handlers)[number], url: string) =>
      (await handler(new HttpRequest({ method: "GET", url: `http://localhost/api/${url}`, headers: { "x-api-key": key } }), new InvocationContext({ logHandler: () => {} }))) as HttpResponseInit;
    for (const fault of [{ kind: "drop" }, { kind: "unavailable" }, { kind: "throttle", retryAfterMs: 50 }, { kind: "hang" }] as Fault[]) {
      proxy.setRule(() => fault);
      api.auth.forget();
      // A hanging store is slow to give up on (each request waits for its timeout): one route shows it.
      const calls = [[handlers[0], "cloud-endpoints"], [handlers[1], "cloud-endpoints/summary"], [handlers[2], "ingestions"]] as const;
      for (const [handler, url] of fault.kind === "hang" ? calls.slice(2) : calls) {
        const res = await call(handler, url);
        expect(res.status, `${fault.kind} ${url}`).toBe(503);
        expect(res.headers).toMatchObject({ "retry-after": expect.stringMatching(/^\d+$/) });
        expect(JSON.stringify(res.jsonBody)).not.toMatch(/ECONN|127\.0\.0\.1|injected/);
      }
      const healthRes = (await routeHandler(routes.health, api, health(api))(new HttpRequest({ method: "GET", url: "http://localhost/api/health" }), new InvocationContext({ logHandler: () => {} }))) as HttpResponseInit;
      expect(healthRes.status, `${fault.kind} health`).toBe(503);
    }
    proxy.setRule(() => ({ kind: "pass" }));
    api.auth.forget();
    expect((await call(handlers[2], "ingestions")).status).toBe(200);
  }, 240_000);
});
