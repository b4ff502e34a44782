import { HttpRequest, InvocationContext, type HttpHandler, type HttpResponseInit } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exportPropensity,
  getPropensityClusterMapping,
  getPropensityCustomer,
  listPropensity,
  propensitySummary,
  setPropensityClusterMapping,
} from "../../functions/httpPropensity.js";
import { generateDemoPartner } from "../../local/demoData/index.js";
import { routeHandler } from "../../shared/api/register.js";
import { routes } from "../../shared/api/routes.js";
import { names } from "../../shared/config.js";
import { defaultClusterMapping, fitModelKind } from "../../shared/domain/propensity/index.js";
import { ingestDrop, type IngestOutcome } from "../../shared/ingest/ingestDrop.js";
import { refreshPartner } from "../../shared/refresh/refreshPartner.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";
import { apiRequest as request } from "../support/apiRequest.js";

// The Propensity tab end to end on the real emulators: CSV drops ingested by the ingest use case, refreshed by
// the refresh use case with every producer, read through the route pipeline as the Functions host calls it.

let env: TestEnvironment;
const today = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  env = await startTestEnvironment();
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

// ---- helpers ----------------------------------------------------------------------------------------

async function drop(partnerId: string, dataset: string, fileName: string, text: string): Promise<IngestOutcome> {
  const path = `${partnerId}/${dataset}/${fileName}`;
  const content = Buffer.from(text, "utf8");
  const res = await env.clients.blobs.getContainerClient(names.blobContainers.drops).getBlockBlobClient(path).uploadData(content);
  return ingestDrop(env.deps.ingest, { blobPath: `drops/${path}`, content, etag: res.etag!, writtenAt: res.lastModified! });
}

const refresh = (partnerId: string, now?: Date) => refreshPartner(env.deps.refresh, partnerId, now ? { now: () => now } : {});


async function call(handler: HttpHandler, req: HttpRequest): Promise<HttpResponseInit & { jsonBody: any }> {
  return (await handler(req, new InvocationContext({ functionName: "test", logHandler: () => {} }))) as HttpResponseInit & { jsonBody: any };
}

async function bodyText(res: HttpResponseInit): Promise<string> {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(res.body as ReadableStream).arrayBuffer());
}

const handlers = () => {
  const deps = env.deps.api;
  return {
    list: routeHandler(routes.listPropensity, deps, listPropensity(deps)),
    summary: routeHandler(routes.propensitySummary, deps, propensitySummary(deps)),
    export: routeHandler(routes.exportPropensity, deps, exportPropensity(deps)),
    getMapping: routeHandler(routes.getPropensityClusterMapping, deps, getPropensityClusterMapping(deps)),
    setMapping: routeHandler(routes.setPropensityClusterMapping, deps, setPropensityClusterMapping(deps)),
    customer: routeHandler(routes.getPropensityCustomer, deps, getPropensityCustomer(deps)),
  };
};

async function allRows(h: ReturnType<typeof handlers>, key: string, qs: string): Promise<any[]> {
  const items: any[] = [];
  let token: string | undefined;
  do {
    const res = await call(h.list, request("GET", `propensity?${qs}&pageSize=37${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`, { key }));
    expect(res.status).toBe(200);
    items.push(...res.jsonBody.items);
    token = res.jsonBody.continuationToken;
  } while (token);
  return items;
}

async function refreshJobs(partnerId: string): Promise<{ partnerId: string; reason: string }[]> {
  const { peekedMessageItems } = await env.clients.queues.getQueueClient(names.queues.refresh).peekMessages({ numberOfMessages: 32 });
  return peekedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, "base64").toString("utf8"))).filter((j) => j.partnerId === partnerId);
}

// ---- a partner whose drops carry bad input beside the good ------------------------------------------

describe("a partner's drops to its Propensity tab", () => {
  const partnerId = "prop-acme";
  const files = generateDemoPartner({ tenants: 400, seed: 7 });
  const firstTenant = files.tenants.split("\n")[1].split(",");
  const [knownTenant, , knownDomain] = firstTenant;
  let h: ReturnType<typeof handlers>;
  let admin: string;
  let viewer: string;
  const outcomes: Record<string, IngestOutcome> = {};

  beforeAll(async () => {
    h = handlers();
    admin = (await env.deps.api.auth.issue({ partnerId, role: "administrator", name: "admin" })).key;
    viewer = (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "viewer" })).key;
    await env.deps.partners.register(partnerId, "Acme Cloud");
    const badSignals =
      `${knownTenant},,Demo request,${daysAgo(-3)},0.9\n` + // in the future
      `${knownTenant},,Demo request,${daysAgo(2)},1.5\n` + // strength outside 0-1
      `,,Funding,${daysAgo(2)},0.5\n` + // no tenant
      `${knownTenant},,Podcast mention,${daysAgo(1)},0.8\n` + // unknown type: kept with weight 0
      `,nobody.example.org,Funding,${daysAgo(1)},0.8\n`; // domain no tenant has
    const withBad = { ...files, signals: files.signals + badSignals, installbase: files.installbase + `${knownTenant},Lotus Notes,9,12\n` };
    for (const dataset of ["tenants", "subscriptions", "usage", "signals", "installbase"] as const) {
      outcomes[dataset] = await drop(partnerId, dataset, `${dataset}_${daysAgo(1)}.csv`, withBad[dataset]);
    }
    await refresh(partnerId);
  }, 120_000);

  it("ingests signals and install base like any dataset: bad rows reported with line and column, good ones loaded", () => {
    const signals = outcomes.signals;
    expect(signals.status).toBe("loaded");
    if (signals.status === "skipped") throw new Error("skipped");
    const lines = files.signals.trimEnd().split("\n").length;
    expect(signals.record.counts).toMatchObject({ rows: lines - 1 + 5, rejected: 3 });
    expect(signals.record.errors).toEqual([
      { line: lines + 1, column: "observedOn", reason: expect.stringContaining("is in the future") },
      { line: lines + 2, column: "strength", reason: expect.stringContaining("from 0 to 1") },
      { line: lines + 3, column: "tenantId", reason: expect.stringContaining("tenantId or domain is required") },
    ]);
    expect(outcomes.installbase.status).toBe("loaded");
  });

  it("lists every customer and prospect, with every cluster populated, and says what it could not use", async () => {
    const res = await call(h.summary, request("GET", "propensity/summary", { key: viewer }));
    expect(res.status).toBe(200);
    const s = res.jsonBody;
    expect(s.status).toBe("ready");
    expect(s.report.fit).toMatchObject({ basis: "model", reused: false });
    for (const c of s.clusters) expect(c.count, c.cluster).toBeGreaterThan(0);
    for (const f of s.families) expect(f.propensities, f.family).toBeGreaterThan(0);
    expect(s.cells).toHaveLength(16);
    expect(s.smbCustomers.prospects).toBeGreaterThan(0);
    expect(s.agreements.fiscalYear.label).toMatch(/^FY\d\d$/);
    expect(s.clusterMapping).toMatchObject({ isDefault: true, mapping: defaultClusterMapping });
    expect(s.report.intent).toMatchObject({ unmatchedDomain: 1, unmatchedDomains: [{ domain: "nobody.example.org", count: 1 }] });
    expect(s.report.intent.unknownSignalTypes).toEqual([{ signalType: "Podcast mention", count: 1 }]);
    expect(s.report.installBase.unknownProducts).toEqual([{ product: "Lotus Notes", version: "9", count: 1 }]);
    expect(s.report.messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining("nobody.example.org (1)"),
        expect.stringContaining("Podcast mention (1)"),
        expect.stringContaining("Lotus Notes 9 (1)"),
        expect.stringMatching(/^Fit learned from \d+ best customers/),
      ]),
    );
  });

  it("filters by cluster, family, product and firmographics, searches, sorts and pages without losing or repeating a row", async () => {
    const all = await allRows(h, viewer, "");
    const summary = (await call(h.summary, request("GET", "propensity/summary", { key: viewer }))).jsonBody;
    expect(all).toHaveLength(summary.report.tenants.listed);
    expect(new Set(all.map((r) => r.tenantId)).size).toBe(all.length);
    // The default order is the matrix order.
    expect(all.map((r) => r.priority)).toEqual([...all.map((r) => r.priority)].sort((a, b) => b - a));
    expect(all[0].cell).toBe("A1");

    const actNow = await allRows(h, viewer, "cluster=Act%20now");
    expect(actNow.length).toBe(summary.clusters.find((c: any) => c.cluster === "Act now").count);
    expect(actNow.every((r) => r.cluster === "Act now")).toBe(true);

    const endOfService = await allRows(h, viewer, "family=End%20of%20service");
    expect(endOfService.length).toBe(summary.families.find((f: any) => f.family === "End of service").customers);
    expect(endOfService.every((r) => r.products.length > 0 && r.products.every((p: any) => p.family === "End of service"))).toBe(true);

    const spb = await allRows(h, viewer, "product=spb&customerType=Prospect");
    expect(spb.length).toBeGreaterThan(0);
    expect(spb.every((r) => r.customerType === "Prospect" && r.products.every((p: any) => p.sku === "SPB"))).toBe(true);

    const retail = await allRows(h, viewer, "industry=RETAIL&country=united%20states,germany");
    expect(retail.length).toBeGreaterThan(0);
    expect(retail.every((r) => r.industry === "Retail" && ["United States", "Germany"].includes(r.countryRegion))).toBe(true);

    const found = await allRows(h, viewer, `search=${encodeURIComponent(knownDomain.toUpperCase())}`);
    expect(found.map((r) => r.tenantId)).toContain(knownTenant);

    const byIntent = (await call(h.list, request("GET", "propensity?sort=intent&pageSize=100", { key: viewer }))).jsonBody.items;
    expect(byIntent.map((r: any) => r.intent)).toEqual([...byIntent.map((r: any) => r.intent)].sort((a, b) => b - a));
  });

  it("explains one customer's propensities: fit's top factors, intent's strongest recent signals", async () => {
    const res = await call(h.customer, request("GET", "x", { key: viewer, params: { tenantId: knownTenant } }));
    expect(res.status).toBe(200);
    const c = res.jsonBody;
    expect(c.tenantId).toBe(knownTenant);
    expect(c.explanation.fit).toMatchObject({ basis: "model", message: expect.stringMatching(/^Fit learned from/) });
    expect(c.explanation.fit.factors.length).toBeGreaterThan(0);
    expect(c.explanation.intent.halfLifeDays).toBe(30);
    // The unknown type counted with weight 0, so it is never a strongest signal.
    expect(c.explanation.intent.strongestSignals.every((s: any) => s.signalType !== "Podcast mention")).toBe(true);
    expect(c.explanation.cluster).toMatchObject({ cluster: c.cluster, purpose: expect.any(String) });
    const missing = await call(h.customer, request("GET", "x", { key: viewer, params: { tenantId: "00000000-0000-4000-8000-000000000999" } }));
    expect(missing.status).toBe(404);
  });

  it("exports the filtered view as CSV, one line per customer and propensity", async () => {
    const res = await call(h.export, request("GET", "propensity/export?family=Whitespace&cluster=Act%20now", { key: viewer }));
    expect(res.status).toBe(200);
    expect((res.headers as Record<string, string>)["content-disposition"]).toMatch(/^attachment; filename="propensity-prop-acme-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await bodyText(res);
    expect(text.startsWith("\uFEFFCustomer ID,TPID,Name,")).toBe(true);
    const lines = text.trimEnd().split("\r\n").slice(1);
    const actNow = await allRows(h, viewer, "family=Whitespace&cluster=Act%20now");
    expect(lines.length).toBe(actNow.reduce((n, r) => n + r.products.length, 0));
    expect(lines.every((l) => l.includes(",Act now,Whitespace,"))).toBe(true);
  });

  it("lets an administrator change the cluster mapping: a cell left unmapped is a 400 naming it; a save queues the refresh that applies it", async () => {
    const current = await call(h.getMapping, request("GET", "propensity/cluster-mapping", { key: viewer }));
    expect(current.jsonBody).toMatchObject({ isDefault: true, mapping: defaultClusterMapping });
    expect(current.jsonBody.clusters[0]).toEqual({ cluster: "Act now", purpose: "Sales-ready customers", cells: ["A1", "A2", "A3", "A4"] });

    const mapping = { ...defaultClusterMapping, A4: "Evaluate", B1: "Act now" };
    expect((await call(h.setMapping, request("PUT", "propensity/cluster-mapping", { key: viewer, body: mapping }))).status).toBe(403);
    const { A2: _unmapped, ...partial } = mapping;
    const bad = await call(h.setMapping, request("PUT", "propensity/cluster-mapping", { key: admin, body: partial }));
    expect(bad.status).toBe(400);
    expect(bad.jsonBody.error).toMatchObject({ code: "invalid_request", field: "A2", message: expect.stringContaining("A2") });
    const unknown = await call(h.setMapping, request("PUT", "propensity/cluster-mapping", { key: admin, body: { ...mapping, D4: "Ignore" } }));
    expect(unknown.jsonBody.error).toMatchObject({ field: "D4" });

    const saved = await call(h.setMapping, request("PUT", "propensity/cluster-mapping", { key: admin, body: mapping }));
    expect(saved.status).toBe(200);
    expect(saved.jsonBody).toMatchObject({ isDefault: false, mapping, refresh: { status: "queued" } });
    expect(await refreshJobs(partnerId)).toEqual(expect.arrayContaining([expect.objectContaining({ partnerId, reason: "manual" })]));

    // The queued (manual) refresh applies it; the fit model, whose inputs did not change, is reused.
    await refresh(partnerId);
    const a4 = await allRows(h, viewer, "cell=A4,B1");
    expect(a4.length).toBeGreaterThan(0);
    expect(a4.every((r) => (r.cell === "A4" ? r.cluster === "Evaluate" : r.cluster === "Act now"))).toBe(true);
    const s = (await call(h.summary, request("GET", "propensity/summary", { key: viewer }))).jsonBody;
    expect(s.clusterMapping).toMatchObject({ isDefault: false, mapping });
    expect(s.report.fit.reused).toBe(true);
  });

  it("accumulates signals drops: a later drop adds its signals and a repeated one counts once", async () => {
    const before = (await call(h.summary, request("GET", "propensity/summary", { key: viewer }))).jsonBody.report.intent;
    const repeated = files.signals.split("\n")[1];
    await drop(partnerId, "signals", `signals_${today}.csv`, `tenantId,domain,signalType,observedOn,strength\n${repeated}\n${knownTenant},,Trial sign-up,${today},1\n`);
    await refresh(partnerId);
    const after = (await call(h.summary, request("GET", "propensity/summary", { key: viewer }))).jsonBody.report;
    expect(after.intent.staged).toBe(before.staged + 2);
    expect(after.intent.repeated).toBe(before.repeated + 1);
    expect(after.intent.read).toBe(before.read + 1);
    expect(after.fit.reused).toBe(true);
    const c = (await call(h.customer, request("GET", "x", { key: viewer, params: { tenantId: knownTenant } }))).jsonBody;
    expect(c.strongestSignals[0]).toMatchObject({ signalType: "Trial sign-up", ageDays: 0 });
  });

  it("learns fit again when the tenants drop changes or when it is due, and keeps the version before", async () => {
    const first = (await call(h.summary, request("GET", "propensity/summary", { key: viewer }))).jsonBody.report.fit;
    await drop(partnerId, "tenants", `tenants_${today}.csv`, files.tenants);
    await refresh(partnerId);
    const retrained = (await call(h.summary, request("GET", "propensity/summary", { key: viewer }))).jsonBody.report.fit;
    expect(retrained.reused).toBe(false);
    expect(retrained.version).not.toBe(first.version);
    expect(await env.deps.models.load(partnerId, fitModelKind, first.version)).toBeDefined();

    const later = new Date(Date.now() + 100 * 86_400_000);
    await refresh(partnerId, later);
    const due = (await call(h.summary, request("GET", "propensity/summary", { key: viewer }))).jsonBody.report.fit;
    expect(due).toMatchObject({ reused: false, trainedOn: later.toISOString().slice(0, 10) });
    // Two versions are kept: the current one and the one before.
    expect(await env.deps.models.load(partnerId, fitModelKind, first.version)).toBeUndefined();
    expect(await env.deps.models.load(partnerId, fitModelKind, retrained.version)).toBeDefined();
  });

  it("learns fit again, and says so, when the stored model has gone missing", async () => {
    const stored = (await call(h.summary, request("GET", "propensity/summary", { key: viewer }))).jsonBody.report.fit;
    await env.deps.models.remove(partnerId, fitModelKind, stored.version);
    await refresh(partnerId, new Date(Date.now() + 100 * 86_400_000));
    const report = (await call(h.summary, request("GET", "propensity/summary", { key: viewer }))).jsonBody.report;
    expect(report.fit.reused).toBe(false);
    expect(report.fit.version).not.toBe(stored.version);
    expect(report.messages).toContain(`The stored fit model ${stored.version} is missing from the model store; fit was learned again.`);
  });
});

// ---- a partner with no licensed customers ---------------------------------------------------------------

describe("a partner without licensed customers", () => {
  const partnerId = "prop-prospects";
  const t = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("says fit cannot be learned and scores intent only: no cell, no cluster, intent bands still there", async () => {
    const key = (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "viewer" })).key;
    await env.deps.partners.register(partnerId, "Prospects only");
    const tenants = Array.from({ length: 6 }, (_, i) => `${t(i + 1)},Prospect ${i + 1},p${i + 1}.example.com,SMB,${10 + i * 60},Retail`).join("\n");
    await drop(partnerId, "tenants", `tenants_${daysAgo(1)}.csv`, `tenantId,tenantName,domain,segment,employees,industry\n${tenants}\n`);
    await drop(partnerId, "signals", `signals_${daysAgo(1)}.csv`, `domain,signalType,observedOn\np1.example.com,Demo request,${daysAgo(1)}\np1.example.com,Trial sign-up,${daysAgo(2)}\n`);
    await refresh(partnerId);
    const h = handlers();
    const s = (await call(h.summary, request("GET", "propensity/summary", { key }))).jsonBody;
    expect(s.report.fit.basis).toBe("none");
    expect(s.report.messages[0]).toBe("Fit cannot be learned: no customer holds paid licences. Scores are intent only.");
    expect(s.notClustered).toBe(6);
    expect(s.clusters.every((c: any) => c.count === 0)).toBe(true);
    const rows = (await call(h.list, request("GET", "propensity", { key }))).jsonBody.items;
    expect(rows).toHaveLength(6);
    expect(rows.every((r: any) => r.fit === undefined && r.cell === undefined && r.fitBasis === "none")).toBe(true);
    // Without a cell, the default order is by intent.
    expect(rows[0]).toMatchObject({ tenantName: "Prospect 1", intentBand: "High" });
    expect(rows[0].products.some((p: any) => p.family === "Whitespace")).toBe(true);
  });
});

// ---- tenure from the subscription history -------------------------------------------------------------------

describe("a partner whose licences carry no start dates", () => {
  const partnerId = "prop-history";
  const t = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

  it("dates each customer from the oldest subscriptions snapshot it appears in, so fit learns from those of 6 months or more", async () => {
    const key = (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "viewer" })).key;
    await env.deps.partners.register(partnerId, "History");
    const tenants = Array.from({ length: 30 }, (_, i) => `${t(i + 1)},Customer ${i + 1},Yes,SMB,${20 + i},${i % 2 ? "Retail" : "Healthcare"}`);
    await drop(partnerId, "tenants", `tenants_${today}.csv`, `tenantId,tenantName,cspAssociation,segment,employees,industry\n${tenants.join("\n")}\n`);
    const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${t(from + i)},SPB,${10 + from + i}`).join("\n");
    // Tenants 1-10 since nine months ago, 11-20 since four months ago, 21-30 only now; no start dates anywhere.
    await drop(partnerId, "subscriptions", `subscriptions_${daysAgo(270)}.csv`, `tenantId,sku,quantity\n${lines(1, 10)}\n`);
    await drop(partnerId, "subscriptions", `subscriptions_${daysAgo(200)}.csv`, `tenantId,sku,quantity\n${lines(1, 10)}\n`);
    await drop(partnerId, "subscriptions", `subscriptions_${daysAgo(120)}.csv`, `tenantId,sku,quantity\n${lines(1, 20)}\n`);
    await drop(partnerId, "subscriptions", `subscriptions_${today}.csv`, `tenantId,sku,quantity\n${lines(1, 30)}\n`);
    await refresh(partnerId);
    const s = (await call(handlers().summary, request("GET", "propensity/summary", { key }))).jsonBody;
    expect(s.report.fit).toMatchObject({ licensedCustomers: 30, eligibleCustomers: 10, withoutStartDate: 0 });
  });
});

// ---- before the first refresh, and between partners ------------------------------------------------------

describe("Propensity routes for callers and partners", () => {
  it("answer an empty tab before the first refresh: the summary of no customers and the saved mapping", async () => {
    const key = (await env.deps.api.auth.issue({ partnerId: "prop-new", role: "reportViewer", name: "viewer" })).key;
    const h = handlers();
    const s = await call(h.summary, request("GET", "propensity/summary", { key }));
    expect(s.jsonBody).toMatchObject({ status: "notRefreshedYet", notClustered: 0, clusterMapping: { isDefault: true } });
    expect(s.jsonBody.cells.every((c: any) => c.count === 0)).toBe(true);
    const list = await call(h.list, request("GET", "propensity", { key }));
    expect(list.jsonBody).toMatchObject({ status: "notRefreshedYet", items: [] });
    const csv = await bodyText(await call(h.export, request("GET", "propensity/export", { key })));
    expect(csv.trimEnd().split("\r\n")).toHaveLength(1);
  });

  it("authenticate every route and never show one partner another's customers or mapping", async () => {
    const h = handlers();
    const other = (await env.deps.api.auth.issue({ partnerId: "prop-other", role: "administrator", name: "other" })).key;
    const acmeTenant = generateDemoPartner({ tenants: 400, seed: 7 }).tenants.split("\n")[1].split(",")[0];
    const calls: [HttpHandler, (key?: string) => HttpRequest][] = [
      [h.list, (key) => request("GET", "propensity?pageSize=500", { key })],
      [h.summary, (key) => request("GET", "propensity/summary", { key })],
      [h.export, (key) => request("GET", "propensity/export", { key })],
      [h.getMapping, (key) => request("GET", "propensity/cluster-mapping", { key })],
      [h.customer, (key) => request("GET", "x", { key, params: { tenantId: acmeTenant } })],
    ];
    for (const [handler, req] of calls) expect((await call(handler, req())).status).toBe(401);
    expect((await call(h.setMapping, request("PUT", "propensity/cluster-mapping", { body: defaultClusterMapping }))).status).toBe(401);

    expect((await call(h.customer, request("GET", "x", { key: other, params: { tenantId: acmeTenant } }))).status).toBe(404);
    for (const [handler, req] of calls.slice(0, 4)) {
      const res = await call(handler, req(other));
      const text = res.body ? await bodyText(res) : JSON.stringify(res.jsonBody);
      expect(text).not.toContain(acmeTenant);
      expect(text).not.toContain("prop-acme");
    }
    const mapping = (await call(h.getMapping, request("GET", "propensity/cluster-mapping", { key: other }))).jsonBody;
    expect(mapping.isDefault).toBe(true);
  });
});
