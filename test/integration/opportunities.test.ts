import { HttpRequest, InvocationContext, type HttpHandler, type HttpResponseInit } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exportOpportunities,
  getOpportunityCustomer,
  giveOpportunityFeedback,
  listOpportunities,
  listOpportunityModels,
  opportunitiesSummary,
} from "../../functions/httpOpportunities.js";
import { routeHandler } from "../../shared/api/register.js";
import { routes } from "../../shared/api/routes.js";
import { names } from "../../shared/config.js";
import { opportunitySettingsSchema, type Opportunity } from "../../shared/domain/opportunities/index.js";
import { opportunitiesSummaryDocSchema, opportunityRowSchema } from "../../shared/domain/opportunities/stored.js";
import { resultIds } from "../../shared/domain/results.js";
import { ingestDrop } from "../../shared/ingest/ingestDrop.js";
import { parseCsv } from "../../shared/ingest/csv.js";
import { refreshPartner } from "../../shared/refresh/refreshPartner.js";
import { auc } from "../../shared/scoring/index.js";
import { wire, type ApiDeps, type AppDeps } from "../../shared/wiring.js";
import {
  dateOfMonth,
  generateOpportunityHistories,
  subscriptionsCsv,
  tenantsCsv,
  usageCsv,
  type GeneratedTenant,
} from "../../bench/opportunityHistories.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// The Opportunities tab end to end on the real emulators: generated partner histories dropped as CSV files through
// the real ingest, refreshed by the real refresh (models trained, stored and reused), and read over the routes as
// the Functions host calls them. The generated customers have planted causes and a log of what happened to each
// (bench/opportunityHistories.ts), so what the tab lists can be checked against months no model saw.

let env: TestEnvironment;
const clock = new Date();
const today = clock.toISOString().slice(0, 10);
const dayAfter = (days: number) => new Date(clock.getTime() + days * 86_400_000);

beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.stop();
});

// ---- helpers ---------------------------------------------------------------------------------------------

async function drop(partnerId: string, dataset: string, fileName: string, text: string) {
  const path = `${partnerId}/${dataset}/${fileName}`;
  const content = Buffer.from(text, "utf8");
  const up = await env.clients.blobs.getContainerClient(names.blobContainers.drops).getBlockBlobClient(path).uploadData(content);
  const outcome = await ingestDrop({ ...env.deps.ingest, clock: () => clock }, { blobPath: `drops/${path}`, content, etag: up.etag!, writtenAt: up.lastModified! });
  expect(outcome.status, `${path}: ${JSON.stringify(outcome)}`).toBe("loaded");
  return outcome;
}

async function refresh(partnerId: string, at: Date = clock, deps: AppDeps = env.deps) {
  const outcome = await refreshPartner(deps.refresh, partnerId, { now: () => at });
  if (outcome.status !== "refreshed") throw new Error(`refresh ${outcome.status}`);
  const tab = outcome.tabs.opportunities!;
  if (tab.status !== "published") throw new Error(`opportunities ${tab.status}`);
  return tab;
}

type Handlers = Record<"list" | "summary" | "export" | "customer" | "feedback" | "models", HttpHandler>;
function handlersOf(deps: ApiDeps): Handlers {
  return {
    list: routeHandler(routes.listOpportunities, deps, listOpportunities(deps)),
    summary: routeHandler(routes.opportunitiesSummary, deps, opportunitiesSummary(deps)),
    export: routeHandler(routes.exportOpportunities, deps, exportOpportunities(deps)),
    customer: routeHandler(routes.getOpportunityCustomer, deps, getOpportunityCustomer(deps)),
    feedback: routeHandler(routes.giveOpportunityFeedback, deps, giveOpportunityFeedback(deps)),
    models: routeHandler(routes.listOpportunityModels, deps, listOpportunityModels(deps)),
  };
}

// Unexpected errors are printed (a 500 then says why); the rest of the log is quiet.
const context = () => new InvocationContext({ functionName: "test", logHandler: (level, ...args) => (level === "error" ? console.error(...args) : undefined) });

async function call(handler: HttpHandler, key: string, path: string, init: { method?: string; params?: Record<string, string>; body?: unknown } = {}) {
  const req = new HttpRequest({
    method: init.method ?? "GET",
    url: `http://localhost/api/${path}`,
    headers: { "x-api-key": key, ...(init.body !== undefined ? { "content-type": "application/json" } : {}) },
    params: init.params ?? {},
    ...(init.body !== undefined ? { body: { string: JSON.stringify(init.body) } } : {}),
  });
  const res = (await handler(req, context())) as HttpResponseInit;
  return { status: res.status ?? 200, body: res.jsonBody as any, raw: res };
}

/** Every listed opportunity matching a query string, following continuation tokens. */
async function listAll(h: Handlers, key: string, query = ""): Promise<Opportunity[]> {
  const out: Opportunity[] = [];
  let token: string | undefined;
  do {
    const qs = new URLSearchParams(query);
    qs.set("pageSize", "200");
    if (token) qs.set("continuationToken", token);
    const res = await call(h.list, key, `opportunities?${qs}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.items);
    token = res.body.continuationToken;
  } while (token);
  return out;
}

async function csvRows(res: HttpResponseInit): Promise<string[][]> {
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(res.body as ReadableStream).arrayBuffer());
  expect(text.startsWith("\uFEFF")).toBe(true);
  const rows: string[][] = [];
  for await (const record of parseCsv((async function* () { yield text.slice(1); })())) rows.push(record.fields);
  return rows;
}

/** A partner's history as files: tenants, one subscriptions snapshot per month (a date in each name), usage. */
async function dropHistory(partnerId: string, generated: GeneratedTenant[], months: number[], options: { usageTo?: number } = {}) {
  await drop(partnerId, "tenants", `tenants-${dateOfMonth(months[months.length - 1])}.csv`, tenantsCsv(generated));
  await drop(partnerId, "usage", `usage-${dateOfMonth(months[months.length - 1])}.csv`, usageCsv(generated, 0, options.usageTo ?? months[months.length - 1]));
  for (const m of months) await drop(partnerId, "subscriptions", `subscriptions-${dateOfMonth(m)}.csv`, subscriptionsCsv(generated, m));
}

// ---- a partner with a year of history --------------------------------------------------------------------

describe("a partner with twelve monthly snapshots of history", () => {
  const partnerId = "opp-history";
  const cut = 11;
  let generated: GeneratedTenant[];
  let h: Handlers;
  let key: string;
  let firstSetId: string;
  let first: Opportunity[];
  /** Opportunities answered "not helpful": hidden, but still part of each refresh's result. */
  const dismissed = new Set<string>();

  beforeAll(async () => {
    generated = generateOpportunityHistories({ tenants: 1500, months: 15, seed: 21 });
    key = (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "seller" })).key;
    h = handlersOf(env.deps.api);
    // Snapshots dropped out of order, one of them twice (the later file of a date replaces the earlier one whole).
    const months = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    await drop(partnerId, "tenants", "tenants-2023-12-01.csv", tenantsCsv(generated));
    await drop(partnerId, "usage", "usage-2023-12-01.csv", usageCsv(generated, 0, cut));
    for (const m of [...months].sort((a, b) => ((a * 7) % 12) - ((b * 7) % 12))) {
      await drop(partnerId, "subscriptions", `subscriptions-${dateOfMonth(m)}.csv`, subscriptionsCsv(generated, m));
    }
    await drop(partnerId, "subscriptions", `subscriptions-${dateOfMonth(5)}-again.csv`, subscriptionsCsv(generated, 5));
    firstSetId = (await refresh(partnerId)).resultSetId;
    first = await listAll(h, key);
  }, 300_000);

  /** Ranking of every customer by the probability the tab lists for one model (0 when not listed). */
  function rankingAuc(modelId: string, happened: (g: GeneratedTenant) => boolean, eligible: (g: GeneratedTenant) => boolean) {
    const listed = new Map(first.filter((o) => o.modelId === modelId).map((o) => [o.tenantId, o.probability]));
    const pool = generated.filter(eligible);
    const labels = pool.map((g) => (happened(g) ? 1 : 0));
    return {
      auc: auc(pool.map((g) => listed.get(g.history.tenant.tenantId) ?? 0), labels),
      positives: labels.reduce((a: number, b) => a + b, 0),
    };
  }
  const snapshotAt = (g: GeneratedTenant, m: number) => g.history.snapshots.find((s) => s.asOf === dateOfMonth(m));
  const within = (at: number | undefined) => at !== undefined && at > cut && at <= cut + 3;

  it("lists the customers that churned in the three months after the data (which no model saw) well above chance", () => {
    const churn = rankingAuc("churnRisk", (g) => within(g.events.churn), (g) => (snapshotAt(g, cut)?.items.length ?? 0) > 0 && !(g.events.churn! <= cut));
    expect(churn.positives).toBeGreaterThanOrEqual(20);
    // Customers the tab does not list count as 0, so the bar is a little below the domain test's (which ranks all).
    expect(churn.auc).toBeGreaterThan(0.7);
  });

  it("lists the customers that moved up a Business plan in the next three months well above chance", () => {
    const onBusinessPlan = (g: GeneratedTenant) =>
      (snapshotAt(g, cut)?.items ?? []).some((i) => ["O365_BUSINESS", "O365_BUSINESS_ESSENTIALS", "O365_BUSINESS_PREMIUM"].includes(i.sku));
    const upgrade = rankingAuc("bSkuUpsell", (g) => within(g.events.businessUpgrade), onBusinessPlan);
    expect(upgrade.positives).toBeGreaterThanOrEqual(10);
    expect(upgrade.auc).toBeGreaterThan(0.7);
  });

  it("lists at most one opportunity per customer and type, each with its recommendation, probability, status and insights", () => {
    expect(first.length).toBeGreaterThan(300);
    const ids = first.map((o) => `${o.tenantId}:${o.type}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(first.every((o) => o.id === `${o.tenantId}:${o.type}`)).toBe(true);
    for (const o of first) {
      expect(o.recommendation.length).toBeGreaterThan(10);
      expect(o.status).toBe(o.probability >= 0.6 ? "High" : o.probability >= 0.3 ? "Medium" : "Low");
      expect(o.insights.length, o.id).toBeGreaterThan(0);
      expect(o.actions.length).toBeGreaterThan(0);
      expect(o.resources.every((r) => r.url.startsWith("https://"))).toBe(true);
      expect(o.dateAdded).toBe(today);
      if (o.category === "retention") expect(o.product).toBeUndefined();
    }
    expect(new Set(first.map((o) => o.basis))).toEqual(new Set(["ml", "tree", "rule"]));
  });

  it("shows every model's basis, training, validation AUC, band hit rates and learner", async () => {
    const res = await call(h.models, key, "opportunity-models");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("trained");
    expect(res.body.history).toMatchObject({ snapshots: 12, from: dateOfMonth(0), to: dateOfMonth(cut) });
    const byId = Object.fromEntries(res.body.models.map((m: any) => [m.modelId, m]));
    expect(Object.keys(byId).sort()).toEqual(["bSkuUpsell", "churnRisk", "eSkuUpsell", "mdbGrowth", "mdoGrowth", "mfaEngagement", "smbEngagement", "trials"]);
    for (const id of ["bSkuUpsell", "churnRisk"]) {
      const m = byId[id];
      expect(m.basis).toBe("ml");
      expect(m.labels.positives).toBeGreaterThanOrEqual(40);
      expect(m.labels.negatives).toBeGreaterThanOrEqual(40);
      expect(m.validation.method).toBe("time");
      expect(m.validation.auc).toBeGreaterThan(0.7);
      expect(m.learner).toMatch(/gbdt|logistic|ensemble/);
      expect(m.trainingWindow.from).toBe(dateOfMonth(0));
      expect(m.bandHitRates.map((b: any) => b.status)).toEqual(["High", "Medium", "Low"]);
      expect(m.feedback).toEqual({ helpful: 0, notHelpful: 0, reasons: { alreadyPurchased: 0, notRelevant: 0, wrongTiming: 0, other: 0 } });
    }
    for (const id of ["mdoGrowth", "mfaEngagement", "mdbGrowth"]) expect(byId[id].basis).toBe("tree");
    for (const id of ["smbEngagement", "trials"]) expect(byId[id].basis).toBe("rule");
  });

  it("stores the versioned model set in Blob Storage and names it in the registry", async () => {
    const registry = await env.deps.api.opportunities.models.read(partnerId);
    expect(registry?.doc.version).toMatch(/^set\.\d{8}T\d{9}Z$/);
    const blob = env.clients.blobs.getContainerClient(names.blobContainers.models).getBlobClient(`${partnerId}/opportunities/${registry!.doc.version}.json`);
    const set = JSON.parse((await blob.downloadToBuffer()).toString("utf8"));
    expect(set.models).toHaveLength(8);
    expect(set.models.find((m: any) => m.modelId === "churnRisk").engine.formatVersion).toBeDefined();
  });

  it("summarises the overview and prioritised tiles from the same opportunities the list shows", async () => {
    const res = await call(h.summary, key, "opportunities/summary");
    expect(res.status).toBe(200);
    const { overview, prioritised } = res.body;
    expect(overview.opportunities).toBe(first.length);
    expect(overview.customersWithOpportunities).toBe(new Set(first.map((o) => o.tenantId)).size);
    expect(overview.totalTenants).toBe(generated.length);
    for (const c of overview.byCategory) expect(c.count).toBe(first.filter((o) => o.category === c.category).length);
    for (const p of prioritised) {
      expect(p.high).toBe(first.filter((o) => o.category === p.category && o.status === "High").length);
      expect(p.medium).toBe(first.filter((o) => o.category === p.category && o.status === "Medium").length);
    }
    expect(res.body.warnings.join("\n")).toContain("missing from a later subscriptions drop");
  });

  it("filters by category tab, type, status and product, searches tenant name, domain and id, and sorts", async () => {
    const retention = await listAll(h, key, "category=retention");
    expect(retention.length).toBe(first.filter((o) => o.category === "retention").length);
    expect(retention.every((o) => o.type === "Engagement" || o.type === "Retention")).toBe(true);
    const high = await listAll(h, key, "status=High,Medium&type=Upsell");
    expect(high.length).toBe(first.filter((o) => o.type === "Upsell" && o.status !== "Low").length);
    const premium = await listAll(h, key, "product=Microsoft 365 Business Premium");
    expect(premium.length).toBeGreaterThan(0);
    expect(premium.every((o) => o.product === "Microsoft 365 Business Premium")).toBe(true);
    const target = first[Math.floor(first.length / 2)];
    for (const keyword of [target.domain!.toUpperCase(), target.tenantId, target.tenantName]) {
      const found = await listAll(h, key, `search=${encodeURIComponent(keyword)}`);
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((o) => o.tenantId === target.tenantId), keyword).toBe(true);
    }
    const byProbability = await listAll(h, key, "sort=probability&order=asc");
    expect(byProbability.map((o) => o.probability)).toEqual([...byProbability.map((o) => o.probability)].sort((a, b) => a - b));
    // Newest first by default; on one day, the most probable first.
    const page = await call(h.list, key, "opportunities?pageSize=25");
    expect(page.body.items.map((o: Opportunity) => o.probability)).toEqual(first.slice(0, 25).map((o) => o.probability));
    expect(first.map((o) => o.probability)).toEqual([...first.map((o) => o.probability)].sort((a, b) => b - a));
    const bad = await call(h.list, key, "opportunities?status=Certain");
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("status");
  });

  it("shows a customer's opportunities, licences with product names, and usage per workload with 12 months of active users and the trend", async () => {
    // A customer of the whole year, so its usage covers the twelve months.
    const target = first.find((o) => o.type === "Retention" && Object.keys(generated.find((g) => g.history.tenant.tenantId === o.tenantId)!.history.usage).length >= 12)!;
    const res = await call(h.customer, key, `opportunities/customers/${target.tenantId}`, { params: { tenantId: target.tenantId.toUpperCase() } });
    expect(res.status).toBe(200);
    expect(res.body.tenantName).toBe(target.tenantName);
    expect(res.body.opportunities.map((o: Opportunity) => o.id)).toContain(target.id);
    expect(res.body.opportunities.every((o: Opportunity) => o.tenantId === target.tenantId)).toBe(true);
    const g = generated.find((x) => x.history.tenant.tenantId === target.tenantId)!;
    expect(res.body.subscriptions.asOf).toBe(dateOfMonth(cut));
    expect(res.body.subscriptions.items.map((i: any) => i.sku).sort()).toEqual(snapshotAt(g, cut)!.items.map((i) => i.sku).sort());
    expect(res.body.subscriptions.items.every((i: any) => i.product && i.product !== i.sku)).toBe(true);
    expect(res.body.usage.month).toBe(dateOfMonth(cut).slice(0, 7));
    const teams = res.body.usage.workloads.find((w: any) => w.workload === "Teams");
    const teamsMonths = Object.entries(g.history.usage).filter(([month, w]) => month <= dateOfMonth(cut).slice(0, 7) && w.Teams).length;
    expect(teams.activeUsersByMonth).toHaveLength(Math.min(12, teamsMonths));
    expect(["Positive", "Negative", "No change"]).toContain(teams.trend);
    expect(teams.assignedUsers).toBe(g.history.usage[dateOfMonth(cut).slice(0, 7)].Teams.assignedUsers);
    const none = await call(h.customer, key, "x", { params: { tenantId: "00000000-0000-4000-8000-00000000dead" } });
    expect(none.status).toBe(404);
  });

  it("exports the current view as Excel-safe CSV with the Lighthouse columns", async () => {
    const res = await call(h.export, key, "opportunities/export?category=growth");
    expect(res.status).toBe(200);
    expect(String(res.raw.headers && (res.raw.headers as Record<string, string>)["content-disposition"])).toMatch(/opportunities-opp-history-\d{4}-\d{2}-\d{2}\.csv/);
    const rows = await csvRows(res.raw);
    expect(rows[0].slice(0, 12)).toEqual([
      "Customer ID", "TPID", "Name", "Opportunity Type", "Customer Insight", "Suggested Actions", "Related Resources",
      "Probability", "Recommended Product", "Seats", "Date added", "Link",
    ]);
    const growth = first.filter((o) => o.category === "growth");
    expect(rows.length - 1).toBe(growth.length);
    const byId = new Map(growth.map((o) => [`${o.tenantId}:${o.type}`, o]));
    for (const row of rows.slice(1)) {
      const o = byId.get(`${row[0]}:${row[3]}`)!;
      expect(o, row.join(",")).toBeDefined();
      expect(row[7]).toBe(o.status);
      expect(row[9]).toBe(String(o.seats));
      expect(row[11]).toBe(`http://localhost/#/opportunities/customers/${o.tenantId}`);
      expect(row[4]).toBe(o.insights.join("; "));
    }
  });

  it("keeps every stored model and every date added when nothing changed, and retrains nothing", async () => {
    const before = await env.deps.api.opportunities.models.read(partnerId);
    const again = await refresh(partnerId, dayAfter(1));
    const summary = await call(h.summary, key, "opportunities/summary");
    expect(summary.body.resultSetId).toBe(again.resultSetId);
    expect((await env.deps.api.opportunities.models.read(partnerId))?.doc.version).toBe(before?.doc.version);
    const listed = await listAll(h, key);
    expect(listed.map((o) => `${o.id} ${o.probability} ${o.dateAdded}`).sort()).toEqual(first.map((o) => `${o.id} ${o.probability} ${o.dateAdded}`).sort());
  });

  it("hides a dismissed opportunity from the next list at once, keeps it hidden with its date added, and counts the answer per model", async () => {
    const target = first.find((o) => o.type === "Retention" && o.status === "High")!;
    const res = await call(h.feedback, key, "x", { method: "POST", params: { opportunityId: target.id }, body: { helpful: false, reason: "wrongTiming" } });
    expect(res.status).toBe(201);
    dismissed.add(target.id);
    expect(res.body).toMatchObject({ opportunityId: target.id, helpful: false, reason: "wrongTiming", status: "High", modelId: "churnRisk", hidden: true });
    expect((await listAll(h, key)).map((o) => o.id)).not.toContain(target.id);
    expect((await listAll(h, key, `search=${target.tenantId}`)).map((o) => o.id)).not.toContain(target.id);
    const customer = await call(h.customer, key, "x", { params: { tenantId: target.tenantId } });
    expect(customer.body.opportunities.map((o: Opportunity) => o.id)).not.toContain(target.id);

    const next = await refresh(partnerId, dayAfter(2));
    expect((await listAll(h, key)).map((o) => o.id)).not.toContain(target.id);
    const hiddenRow = await env.deps.api.results.document(partnerId, resultIds.row("opportunities", next.resultSetId, `hidden:${target.id}`));
    expect(opportunityRowSchema.parse(hiddenRow)).toMatchObject({ hidden: true, dateAdded: target.dateAdded, status: "High" });
    expect((await call(h.summary, key, "opportunities/summary")).body.hiddenByFeedback).toBe(1);

    const helpful = first.find((o) => o.type === "Upsell")!;
    expect((await call(h.feedback, key, "x", { method: "POST", params: { opportunityId: helpful.id }, body: { helpful: true } })).status).toBe(201);
    const models = await call(h.models, key, "opportunity-models");
    const churn = models.body.models.find((m: any) => m.modelId === "churnRisk");
    expect(churn.feedback).toMatchObject({ helpful: 0, notHelpful: 1, reasons: { wrongTiming: 1 } });
    expect(models.body.models.find((m: any) => m.modelId === helpful.modelId).feedback.helpful).toBe(1);
  });

  it("hides an opportunity dismissed just before the refresh read the answers, though that refresh did not see it", async () => {
    // An answer stored a minute before the refresh read the feedback, but not seen by it (another instance's clock,
    // a write not yet visible): the list, which reads only the answers given since, still applies it.
    const pointer = (await env.deps.api.results.pointer(partnerId, "opportunities"))!;
    const { feedbackAsOf } = opportunitiesSummaryDocSchema.parse(await env.deps.api.results.document(partnerId, resultIds.summary("opportunities", pointer.resultSetId)));
    const listed = await listAll(h, key);
    const target = listed.find((o) => o.type === "Engagement" && !dismissed.has(o.id))!;
    await env.deps.api.opportunities.feedback.add(partnerId, {
      opportunityId: target.id,
      tenantId: target.tenantId,
      type: target.type,
      modelId: target.modelId,
      ...(target.product ? { product: target.product } : {}),
      status: target.status,
      helpful: false,
      reason: "notRelevant",
      givenAt: new Date(Date.parse(feedbackAsOf) - 60_000).toISOString(),
    });
    dismissed.add(target.id);
    expect((await listAll(h, key)).map((o) => o.id)).not.toContain(target.id);
    const customer = await call(h.customer, key, "x", { params: { tenantId: target.tenantId } });
    expect(customer.body.opportunities.map((o: Opportunity) => o.id)).not.toContain(target.id);
  });

  it("reads the answers given since a moment, and only the partner's own", async () => {
    const store = env.deps.api.opportunities.feedback;
    const answer = (partner: string, givenAt: string) =>
      store.add(partner, { opportunityId: `${partner}-t:Trial`, tenantId: `${partner}-t`, type: "Trial", modelId: "trials", status: "Medium", helpful: true, givenAt });
    await answer("opp-feedback-a", "2026-01-01T00:00:00.000Z");
    await answer("opp-feedback-a", "2026-03-01T00:00:00.000Z");
    await answer("opp-feedback-b", "2026-03-01T00:00:00.000Z");
    expect((await store.list("opp-feedback-a")).map((r) => r.givenAt)).toEqual(["2026-01-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"]);
    expect((await store.list("opp-feedback-a", { since: "2026-02-01T00:00:00.000Z" })).map((r) => r.givenAt)).toEqual(["2026-03-01T00:00:00.000Z"]);
    expect(await store.list("opp-feedback-a", { since: "2026-04-01T00:00:00.000Z" })).toEqual([]);
  });

  it("turns an 'already purchased' answer into a label and retrains only that model", async () => {
    const target = first.find((o) => o.modelId === "bSkuUpsell")!;
    const res = await call(h.feedback, key, "x", { method: "POST", params: { opportunityId: target.id }, body: { helpful: false, reason: "alreadyPurchased" } });
    expect(res.status).toBe(201);
    dismissed.add(target.id);
    await refresh(partnerId, dayAfter(3));
    const summary = await call(h.summary, key, "opportunities/summary");
    expect(summary.status).toBe(200);
    const registry = (await env.deps.api.opportunities.models.read(partnerId))!.doc;
    expect(registry.models.find((m) => m.modelId === "bSkuUpsell")!.labels.fromFeedback).toBe(1);
    const trainedAt = new Set(registry.models.map((m) => `${m.modelId}:${m.trainedAt.slice(0, 10)}`));
    expect(trainedAt).toContain(`bSkuUpsell:${dayAfter(3).toISOString().slice(0, 10)}`);
    expect(trainedAt).toContain(`churnRisk:${today}`);
  });

  it("answers 404 for feedback on an opportunity that is gone or not the caller's, and 400 naming the field for a bad answer", async () => {
    const absent = first.find((o) => o.type === "Retention" && !first.some((x) => x.tenantId === o.tenantId && x.type === "Trial"))!.tenantId;
    const gone = await call(h.feedback, key, "x", { method: "POST", params: { opportunityId: `${absent}:Trial` }, body: { helpful: true } });
    expect(gone.status).toBe(404);
    const target = first.find((o) => o.type === "Upsell" && o.id !== first.find((x) => x.modelId === "bSkuUpsell")!.id)!;
    const other = (await env.deps.api.auth.issue({ partnerId: "opp-other", role: "administrator", name: "other" })).key;
    expect((await call(h.feedback, other, "x", { method: "POST", params: { opportunityId: target.id }, body: { helpful: true } })).status).toBe(404);
    expect((await call(h.customer, other, "x", { params: { tenantId: target.tenantId } })).status).toBe(404);
    expect((await call(h.list, other, "opportunities")).body.items).toEqual([]);
    const bad = [
      [{ helpful: false, reason: "tooExpensive" }, "reason"],
      [{ helpful: false }, "reason"],
      [{ helpful: false, reason: "other" }, "comment"],
      [{ helpful: "yes" }, "helpful"],
    ] as const;
    for (const [body, field] of bad) {
      const res = await call(h.feedback, key, "x", { method: "POST", params: { opportunityId: target.id }, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.field).toBe(field);
    }
    expect((await call(h.feedback, key, "x", { method: "POST", params: { opportunityId: "not-an-id" }, body: { helpful: true } })).body.error.field).toBe("opportunityId");
  });

  it("retrains all eight models on a new snapshot, keeps date added for what persisted and dates what is new", async () => {
    const before = new Map((await listAll(h, key)).map((o) => [`${o.tenantId}|${o.type}|${o.product ?? ""}`, o.dateAdded]));
    await drop(partnerId, "usage", `usage-${dateOfMonth(cut + 1)}.csv`, usageCsv(generated, cut + 1, cut + 1));
    await drop(partnerId, "subscriptions", `subscriptions-${dateOfMonth(cut + 1)}.csv`, subscriptionsCsv(generated, cut + 1));
    const published = await refresh(partnerId, dayAfter(4));
    expect(published.counts?.retrained).toBe(8);
    const after = await listAll(h, key);
    let kept = 0;
    let added = 0;
    for (const o of after) {
      // A dismissed opportunity stayed in every result, hidden: listed again (its band changed), it keeps its date.
      const hiddenSince = dismissed.has(o.id) ? first.find((x) => x.id === o.id && x.product === o.product)?.dateAdded : undefined;
      const was = before.get(`${o.tenantId}|${o.type}|${o.product ?? ""}`) ?? hiddenSince;
      if (was !== undefined) {
        expect(o.dateAdded).toBe(was);
        kept++;
      } else {
        expect(o.dateAdded).toBe(dayAfter(4).toISOString().slice(0, 10));
        added++;
      }
    }
    expect(kept).toBeGreaterThan(100);
    expect(added).toBeGreaterThan(0);
    // An opportunity of the first refresh that this data no longer supports is gone: feedback on it is a 404.
    const ids = new Set(after.map((o) => o.id));
    const vanished = first.find((o) => !ids.has(o.id))!;
    expect((await call(h.feedback, key, "x", { method: "POST", params: { opportunityId: vanished.id }, body: { helpful: true } })).status).toBe(404);
    expect(firstSetId).not.toBe(published.resultSetId);
  });

  it("applies the probability bands of the settings to every status, and a band change shows a dismissed opportunity again", async () => {
    const target = (await listAll(h, key)).find((o) => o.probability >= 0.6 && o.probability < 0.8)!;
    expect(target).toBeDefined();
    const bands = { high: 0.8, medium: 0.5 };
    const deps = wire({ config: { ...env.config, opportunitySettings: opportunitySettingsSchema.parse({ bands }) }, clients: env.clients });
    const banded = handlersOf(deps.api);
    const res = await call(banded.feedback, key, "x", { method: "POST", params: { opportunityId: target.id }, body: { helpful: false, reason: "notRelevant" } });
    expect(res.body.status).toBe("High");
    expect((await listAll(banded, key)).map((o) => o.id)).not.toContain(target.id);
    await refresh(partnerId, dayAfter(5), deps);
    const listed = await listAll(banded, key);
    expect(listed.length).toBeGreaterThan(0);
    for (const o of listed) expect(o.status, `${o.id} ${o.probability}`).toBe(o.probability >= 0.8 ? "High" : o.probability >= 0.5 ? "Medium" : "Low");
    const models = await call(banded.models, key, "opportunity-models");
    expect(models.body.bands).toEqual(bands);
    // Dismissed while High; under these bands it is Medium, so it is listed again.
    expect(listed.find((o) => o.id === target.id)?.status).toBe("Medium");
  });
});

// ---- bad input -------------------------------------------------------------------------------------------

describe("bad input", () => {
  it("a partner with one snapshot gets opportunities from every model's prior, each saying how much more data it needs", async () => {
    const partnerId = "opp-one-snapshot";
    const key = (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "seller" })).key;
    const h = handlersOf(env.deps.api);
    const generated = generateOpportunityHistories({ tenants: 300, months: 12, seed: 5 });
    await drop(partnerId, "tenants", "tenants.csv", tenantsCsv(generated));
    await drop(partnerId, "usage", "usage.csv", usageCsv(generated, 0, 11));
    await drop(partnerId, "subscriptions", `subscriptions-${dateOfMonth(11)}.csv`, subscriptionsCsv(generated, 11));
    await refresh(partnerId);
    const models = (await call(h.models, key, "opportunity-models")).body;
    for (const m of models.models.filter((x: any) => x.modelId !== "smbEngagement" && x.modelId !== "trials")) {
      expect(m.basis, m.modelId).toBe("prior");
      expect(m.learner).toBe("prior scorecard");
      expect(m.dataNeeded.message).toMatch(/needs 40 more .* and 40 more/);
    }
    const listed = await listAll(h, key);
    expect(listed.length).toBeGreaterThan(0);
    for (const o of listed) {
      expect(["prior", "rule"]).toContain(o.basis);
      if (o.basis === "prior") expect(o.dataNeeded?.message).toContain("needs");
      expect(o.insights.length).toBeGreaterThan(0);
    }
    const summary = (await call(h.summary, key, "opportunities/summary")).body;
    expect(summary.warnings.join("\n")).toContain("too little labelled history, using its prior");
  });

  it("copes with duplicated and out-of-order snapshots, a tenant in one snapshot only, unknown SKUs and usage gaps", async () => {
    const partnerId = "opp-messy";
    const key = (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "seller" })).key;
    const h = handlersOf(env.deps.api);
    const generated = generateOpportunityHistories({ tenants: 300, months: 8, seed: 9 });
    const once = "0badcafe-0000-4000-8000-000000000001";
    await drop(partnerId, "tenants", "tenants.csv", tenantsCsv(generated) + `${once},Gone After One Month,gone.example.com,,,SMB,Retail,20,United Kingdom\n`);
    // Usage lacks months 3 and 4 for everyone.
    const usage = usageCsv(generated, 0, 7)
      .split("\n")
      .filter((line) => !/,2023-0[45],/.test(line))
      .join("\n");
    await drop(partnerId, "usage", "usage.csv", usage);
    for (const m of [7, 2, 5, 0, 3, 6, 1, 4]) {
      let text = subscriptionsCsv(generated, m);
      if (m === 0) text += `${once},SPB,20,Active,Partner\n`;
      if (m === 7) text += `${generated[0].history.tenant.tenantId},CONTOSO_SPECIAL,12,Active,Partner\n${generated[1].history.tenant.tenantId},CONTOSO_SPECIAL,3,Active,Partner\n`;
      const outcome = await drop(partnerId, "subscriptions", `subscriptions-${dateOfMonth(m)}.csv`, text);
      if (m === 7) {
        const record = await env.deps.api.ingestions.get(partnerId, outcome.ingestionId!);
        expect(record?.warnings.join("\n")).toContain("2 subscription lines have a SKU not in the catalogue (1 part number: CONTOSO_SPECIAL)");
      }
    }
    // The same date dropped twice: the later file replaces that snapshot whole.
    await drop(partnerId, "subscriptions", `subscriptions-${dateOfMonth(3)}-corrected.csv`, subscriptionsCsv(generated, 3));
    await refresh(partnerId);
    const summary = (await call(h.summary, key, "opportunities/summary")).body;
    const warnings = summary.warnings.join("\n");
    expect(warnings).toContain("CONTOSO_SPECIAL");
    expect(warnings).toContain("missing from a later subscriptions drop");
    const models = (await call(h.models, key, "opportunity-models")).body;
    expect(models.history.snapshots).toBe(8);
    const listed = await listAll(h, key);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.some((o) => o.tenantId === once)).toBe(false);
    // The tenant that left is still a customer one can look up: no licences now, its usage as it was.
    const gone = await call(h.customer, key, "x", { params: { tenantId: once } });
    expect(gone.status).toBe(200);
    expect(gone.body.subscriptions.items).toEqual([]);
  });

  it("a model whose history has only one outcome (no churn at all, or every MFA rollout succeeding) falls back to its prior and says what is missing", async () => {
    const partnerId = "opp-steady";
    const key = (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "seller" })).key;
    const h = handlersOf(env.deps.api);
    const tenants = Array.from({ length: 60 }, (_, i) => `5eadbeef-0000-4000-8000-${String(i + 1).padStart(12, "0")}`);
    await drop(partnerId, "tenants", "tenants.csv", "tenantId,tenantName,segment\n" + tenants.map((t, i) => `${t},Steady ${i},SMB\n`).join(""));
    let usage = "tenantId,month,workload,assignedUsers,activeUsers\n";
    const mfa = [5, 30, 55, 80, 90, 95];
    for (const t of tenants) {
      for (let m = 0; m < 6; m++) {
        const month = dateOfMonth(m).slice(0, 7);
        usage += `${t},${month},EntraID,100,95\n${t},${month},MFA,100,${mfa[m]}\n${t},${month},Teams,100,70\n${t},${month},Exchange,100,90\n`;
      }
    }
    await drop(partnerId, "usage", "usage.csv", usage);
    for (let m = 0; m < 6; m++) {
      await drop(partnerId, "subscriptions", `subscriptions-${dateOfMonth(m)}.csv`, "tenantId,sku,quantity,status\n" + tenants.map((t) => `${t},SPB,100,Active\n`).join(""));
    }
    await refresh(partnerId);
    const models = Object.fromEntries((await call(h.models, key, "opportunity-models")).body.models.map((m: any) => [m.modelId, m]));
    expect(models.churnRisk).toMatchObject({ basis: "prior", labels: { positives: 0 } });
    expect(models.churnRisk.labels.negatives).toBeGreaterThanOrEqual(40);
    expect(models.churnRisk.dataNeeded).toMatchObject({ positives: 40, negatives: 0 });
    expect(models.churnRisk.dataNeeded.message).toContain("none of one outcome so far");
    expect(models.mfaEngagement).toMatchObject({ basis: "prior", labels: { negatives: 0 } });
    expect(models.mfaEngagement.labels.positives).toBeGreaterThanOrEqual(40);
    expect(models.mfaEngagement.dataNeeded).toMatchObject({ positives: 0, negatives: 40 });
  });
});
