import { InvocationContext, type Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRetrainDealModelsHandler, makeTrainDealModelHandler } from "../../functions/dealScoring.js";
import { dealsSnapshotCsv, generateCrmHistory } from "../../local/demoData/deals.js";
import { names } from "../../shared/config.js";
import { dealScoringModelSchema } from "../../shared/domain/dealScoring/index.js";
import { resultIds } from "../../shared/domain/results.js";
import type { IngestDeps } from "../../shared/ingest/ingestDrop.js";
import { refreshPartner } from "../../shared/refresh/refreshPartner.js";
import { dealApi, drainQueue, dropDeals, type DealApi } from "../support/dealScoringHttp.js";
import { startTestEnvironment, type TestEnvironment } from "../support/emulators.js";

// Deal scoring end to end on the real emulators: deals drops through ingest, models over their HTTP handlers,
// training through the queue function, scores through the refresh, readers through the scored-deals routes.

const now = new Date();
const DAY_MS = 86_400_000;
const later = (days: number) => new Date(now.getTime() + days * DAY_MS);

let env: TestEnvironment;
let ingest: IngestDeps;
let api: DealApi;
const keys: Record<string, { admin: string; reader: string }> = {};

async function partner(partnerId: string, crm: ReturnType<typeof generateCrmHistory>): Promise<void> {
  await env.deps.partners.register(partnerId, partnerId);
  keys[partnerId] = {
    admin: (await env.deps.api.auth.issue({ partnerId, role: "administrator", name: "admin" })).key,
    reader: (await env.deps.api.auth.issue({ partnerId, role: "reportViewer", name: "viewer" })).key,
  };
  for (const snapshot of crm.snapshots) {
    const outcome = await dropDeals(env, ingest, partnerId, `deals-${snapshot.takenAt.slice(0, 10)}.csv`, dealsSnapshotCsv(snapshot));
    expect(outcome.status).toBe("loaded");
  }
}

const quiet = () => new InvocationContext({ functionName: "test", logHandler: () => {} });

/** Runs every queued training job through the queue function. */
async function runTrainingJobs(): Promise<number> {
  const jobs = await drainQueue(env, names.queues.dealTraining);
  for (const job of jobs) await makeTrainDealModelHandler(env.deps.dealTraining)(job, quiet());
  return jobs.length;
}

async function rescore(partnerId: string, at = now) {
  await drainQueue(env, names.queues.refresh);
  return refreshPartner(env.deps.refresh, partnerId, { now: () => at });
}

const admin = (partnerId: string) => keys[partnerId].admin;
const reader = (partnerId: string) => keys[partnerId].reader;

beforeAll(async () => {
  env = await startTestEnvironment();
  ingest = { ...env.deps.ingest, clock: () => now };
  api = dealApi(env.deps.api);
  await partner("deals-a", generateCrmHistory({ seed: 3, now, closedDeals: 700, openDeals: 120, snapshots: 2 }));
  await partner("deals-other", generateCrmHistory({ seed: 4, now, closedDeals: 300, openDeals: 40, snapshots: 0 }));
  await partner("deals-few", generateCrmHistory({ seed: 5, now, closedDeals: 45, openDeals: 8, snapshots: 0 }));
  await partner("deals-noise", generateCrmHistory({ seed: 6, now, closedDeals: 260, openDeals: 30, snapshots: 0, signal: 0 }));
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

describe("deals drops", () => {
  it("keep each drop as a snapshot, so a deal's stage changes across drops are its history", async () => {
    const histories = await env.deps.api.dealScoring.deals.histories("deals-a", "current");
    expect(histories.length).toBeGreaterThan(100);
    const moved = histories.filter((h) => new Set(h.runs.map((r) => r.stage)).size > 1);
    expect(moved.length).toBeGreaterThan(0);
    expect(histories.every((h) => h.lastSeenAt.startsWith(now.toISOString().slice(0, 10)))).toBe(true);
  });

  it("report a duplicate dealId, a close before the creation and a closed deal without closedOn, each on its line and column", async () => {
    const csv = [
      "dealId,status,createdOn,closedOn,industry",
      "X-1,Open,2026-01-05,,Retail",
      "X-1,Open,2026-01-06,,Retail",
      "X-2,Won,2026-01-05,2025-12-01,Retail",
      "X-3,Lost,2026-01-05,,Retail",
      "X-4,Pending review,2026-01-05,,Retail",
    ].join("\n");
    const outcome = await dropDeals(env, ingest, "deals-bad", "deals-2026-01-10.csv", csv);
    expect(outcome.status).toBe("loaded");
    const record = outcome.status === "loaded" ? outcome.record : undefined;
    expect(record?.counts).toMatchObject({ rows: 5, loaded: 2, rejected: 3 });
    expect(record?.errors.map((e) => [e.line, e.column])).toEqual([
      [3, "dealId"],
      [4, "closedOn"],
      [5, "closedOn"],
    ]);
  });
});

describe("scoring models (administrators)", () => {
  let modelId: string;

  it("refuses bad configurations with a 400 naming the field, and creates nothing", async () => {
    const cases: [unknown, string][] = [
      [{ name: "My model" }, "name"],
      [{ trainingWindowMonths: 2 }, "trainingWindowMonths"],
      [{ trainingWindowMonths: 25 }, "trainingWindowMonths"],
      [{ filter: { column: "segmentation", values: ["SMB"] } }, "filter.column"],
      [{ wonValues: ["Won"], lostValues: ["won"] }, "lostValues"],
    ];
    for (const [body, field] of cases) {
      const res = await api.call("createDealModel", { key: admin("deals-a"), body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.field, JSON.stringify(body)).toBe(field);
    }
    expect((await api.call("listDealModels", { key: admin("deals-a") })).body.items).toEqual([]);
  });

  it("creates a model with the default name and configuration", async () => {
    const res = await api.call("createDealModel", { key: admin("deals-a"), body: {} });
    expect(res.status).toBe(201);
    expect(res.body.config).toMatchObject({ statusColumn: "status", wonValues: ["Won"], lostValues: ["Lost"], trainingWindowMonths: 24, perStage: false });
    expect(res.body.config.name).toMatch(/^OpportunityScoring_\d{12}$/);
    expect(res.body.state).toBe("new");
    modelId = res.body.modelId;
  });

  it("warns of a filter overlapping another model's with a 409 and creates the model only when confirmed", async () => {
    const body = { name: "Retail_deals", filter: { column: "industry", values: ["Retail"] } };
    const refused = await api.call("createDealModel", { key: admin("deals-a"), body });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ field: "filter", details: { problem: "filter_overlap_unconfirmed", overlaps: [{ reason: "no_filter" }] } });
    expect((await api.call("listDealModels", { key: admin("deals-a") })).body.items).toHaveLength(1);
    const confirmed = await api.call("createDealModel", { key: admin("deals-a"), body: { ...body, confirmOverlap: true } });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.warning.overlaps[0]).toMatchObject({ reason: "no_filter" });
  });

  it("refuses an 11th model", async () => {
    for (let i = 3; i <= 10; i++) {
      const res = await api.call("createDealModel", { key: admin("deals-a"), body: { name: `Extra_${i}`, confirmOverlap: true } });
      expect(res.status).toBe(201);
    }
    const eleventh = await api.call("createDealModel", { key: admin("deals-a"), body: { name: "Eleventh", confirmOverlap: true } });
    expect(eleventh.status).toBe(409);
    expect(eleventh.body.error.details).toMatchObject({ problem: "model_limit_reached", models: 10, limit: 10 });
    // Back to two models for what follows.
    for (const m of (await api.call("listDealModels", { key: admin("deals-a") })).body.items) {
      if (m.config.name.startsWith("Extra_")) expect((await api.call("deleteDealModel", { key: admin("deals-a"), params: { modelId: m.modelId } })).status).toBe(204);
    }
  });

  it("holds the limit and unique names when administrators create models at the same moment", async () => {
    const key = admin("deals-other");
    const before = (await api.call("listDealModels", { key })).body.items.length;
    // Twelve creates at once, two of them with one name: whichever order the store sees them in, at most ten models
    // exist after, no two share a name, every 201 is a model that exists and every refusal is a 409 saying why.
    const bodies = Array.from({ length: 12 }, (_, i) => ({ name: i < 2 ? "Same_name" : `Racing_${i}`, confirmOverlap: true }));
    const answers = await Promise.all(bodies.map((body) => api.call("createDealModel", { key, body })));
    const items: { modelId: string; config: { name: string } }[] = (await api.call("listDealModels", { key })).body.items;
    expect(items.length).toBeLessThanOrEqual(10);
    expect(new Set(items.map((m) => m.config.name)).size).toBe(items.length);
    const createdIds = answers.filter((a) => a.status === 201).map((a) => a.body.modelId as string);
    expect(createdIds.length).toBe(items.length - before);
    expect(items.map((m) => m.modelId)).toEqual(expect.arrayContaining(createdIds));
    for (const refused of answers.filter((a) => a.status !== 201)) {
      expect(refused.status).toBe(409);
      expect(["model_limit_reached", "duplicate_model_name"]).toContain(refused.body.error.details.problem);
    }
    for (const id of createdIds) expect((await api.call("deleteDealModel", { key, params: { modelId: id } })).status).toBe(204);
  });

  it("answers 202 to train at once and trains the version in the queue job: performance, readiness, insights", async () => {
    const res = await api.call("trainDealModel", { key: admin("deals-a"), params: { modelId } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: "queued", modelId, version: 1 });
    expect((await api.call("getDealModel", { key: admin("deals-a"), params: { modelId } })).body.state).toBe("training");
    expect(await runTrainingJobs()).toBe(1);
    const model = (await api.call("getDealModel", { key: admin("deals-a"), params: { modelId } })).body;
    expect(model.state).toBe("trained");
    const v1 = model.versions[0];
    expect(v1.readiness.readiness).toBe("Ready");
    expect(v1.performance.auc).toBeGreaterThan(0.7);
    expect(v1.performance.confusion.truePositive).toBeGreaterThan(0);
    expect(v1.performance.train.deals + v1.performance.test.deals).toBeGreaterThan(500);
    expect(v1.insights.inputs.length).toBeGreaterThan(0);
    expect(v1.insights.overallWinRate).toBeGreaterThan(0);
    // The artifact is stored as versioned JSON in the model store.
    const artifact = await env.deps.models.load("deals-a", "deals", `${modelId}.v1`);
    expect(artifact).toMatchObject({ formatVersion: 1, config: { name: model.config.name } });
  });

  it("refuses publishing a model that is still training, and reverting with no previous version", async () => {
    await api.call("trainDealModel", { key: admin("deals-a"), params: { modelId } });
    const publishing = await api.call("publishDealModel", { key: admin("deals-a"), params: { modelId } });
    expect(publishing.status).toBe(409);
    expect(publishing.body.error).toMatchObject({ field: "version", details: { problem: "model_still_training" } });
    const again = await api.call("trainDealModel", { key: admin("deals-a"), params: { modelId } });
    expect(again.status).toBe(409);
    await runTrainingJobs();
    const reverting = await api.call("revertDealModel", { key: admin("deals-a"), params: { modelId } });
    expect(reverting.status).toBe(409);
    expect(reverting.body.error).toMatchObject({ field: "version", details: { problem: "no_previous_version" } });
  });

  it("publishes version 1, then version 2, and reverts to version 1; each queues a rescoring", async () => {
    const first = await api.call("publishDealModel", { key: admin("deals-a"), params: { modelId }, query: "version=1" });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ state: "published", activeVersion: 1 });
    const second = await api.call("publishDealModel", { key: admin("deals-a"), params: { modelId } });
    expect(second.body.activeVersion).toBe(2);
    const reverted = await api.call("revertDealModel", { key: admin("deals-a"), params: { modelId } });
    expect(reverted.status).toBe(200);
    expect(reverted.body.activeVersion).toBe(1);
    const jobs = (await drainQueue(env, names.queues.refresh)).map((j) => JSON.parse(j));
    expect(jobs.filter((j) => j.partnerId === "deals-a" && j.reason === "manual")).toHaveLength(3);
  });

  it("moves one grade band's edge and its neighbour's with it; refuses a band that would be empty", async () => {
    const moved = await api.call("setDealModelGradeBands", { key: admin("deals-a"), params: { modelId }, body: { grade: "A", edge: "min", value: 75 } });
    expect(moved.status).toBe(200);
    expect(moved.body.gradeBands).toMatchObject({ A: { min: 75, max: 100 }, B: { min: 60, max: 74 } });
    const empty = await api.call("setDealModelGradeBands", { key: admin("deals-a"), params: { modelId }, body: { grade: "B", edge: "min", value: 80 } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe("B.min");
    const incomplete = await api.call("setDealModelGradeBands", { key: admin("deals-a"), params: { modelId }, body: { grade: "B", value: 50 } });
    expect(incomplete.body.error.field).toBe("edge");
    const back = await api.call("setDealModelGradeBands", {
      key: admin("deals-a"),
      params: { modelId },
      body: { A: { min: 80, max: 100 }, B: { min: 60, max: 79 }, C: { min: 40, max: 59 }, D: { min: 0, max: 39 } },
    });
    expect(back.body.gradeBands.A.min).toBe(80);
  });

  it("refuses training below the data floor with the counts it has and needs", async () => {
    const created = await api.call("createDealModel", { key: admin("deals-few"), body: { name: "Too_few" } });
    const res = await api.call("trainDealModel", { key: admin("deals-few"), params: { modelId: created.body.modelId } });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("trainingWindowMonths");
    expect(res.body.error.details).toMatchObject({ problem: "not_enough_deals", won: { need: 40 }, lost: { need: 40 } });
    const { won, lost } = res.body.error.details;
    expect(won.have < 40 || lost.have < 40).toBe(true);
    expect(res.body.error.message).toMatch(/more needed/);
    expect((await api.call("getDealModel", { key: admin("deals-few"), params: { modelId: created.body.modelId } })).body.versions).toEqual([]);
  });

  it("publishes a Not ready version only by force, and records it as forced", async () => {
    const created = await api.call("createDealModel", { key: admin("deals-noise"), body: { name: "Coin_flips" } });
    const id = created.body.modelId;
    expect((await api.call("trainDealModel", { key: admin("deals-noise"), params: { modelId: id } })).status).toBe(202);
    await runTrainingJobs();
    const trained = (await api.call("getDealModel", { key: admin("deals-noise"), params: { modelId: id } })).body;
    expect(trained.versions[0].readiness.readiness).toBe("Not ready");
    const refused = await api.call("publishDealModel", { key: admin("deals-noise"), params: { modelId: id } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ field: "force", details: { problem: "not_ready_to_publish" } });
    const forced = await api.call("publishDealModel", { key: admin("deals-noise"), params: { modelId: id }, query: "force=true" });
    expect(forced.status).toBe(200);
    expect(forced.body.versions[0]).toMatchObject({ state: "active", forcedPublish: true });
  });

  it("answers 404 for another partner's model id, and 403 to a viewer", async () => {
    expect((await api.call("getDealModel", { key: admin("deals-other"), params: { modelId } })).status).toBe(404);
    expect((await api.call("publishDealModel", { key: admin("deals-other"), params: { modelId } })).status).toBe(404);
    expect((await api.call("deleteDealModel", { key: admin("deals-other"), params: { modelId } })).status).toBe(404);
    expect((await api.call("listDealModels", { key: reader("deals-a") })).status).toBe(403);
    expect((await api.call("getDealModel", { key: admin("deals-a"), params: { modelId } })).status).toBe(200);
  });
});

describe("scored deals (readers)", () => {
  it("scores every open deal of the newest snapshot after a refresh: score, grade, trend, top factors in words", async () => {
    const outcome = await rescore("deals-a");
    expect(outcome.status).toBe("refreshed");
    const page = await api.call("listDealScores", { key: reader("deals-a"), query: "pageSize=500" });
    expect(page.status).toBe(200);
    expect(page.body.status).toBe("ready");
    const items = page.body.items as any[];
    expect(items.length).toBeGreaterThan(50);
    for (const item of items) {
      expect(item.score).toBeGreaterThanOrEqual(0);
      expect(item.score).toBeLessThanOrEqual(100);
      expect(item.grade).toBe(item.score >= 80 ? "A" : item.score >= 60 ? "B" : item.score >= 40 ? "C" : "D");
      expect(item.trend).toBe("Not enough info");
      expect(item.topPositive.length + item.topNegative.length).toBeGreaterThan(0);
      expect(item.topPositive.length).toBeLessThanOrEqual(5);
      expect(item.factors).toBeUndefined();
    }
    expect(items[0].topPositive[0].text).toMatch(/\(raises the score\)$/);
    // Sorted by score, highest first.
    expect(items.map((i) => i.score)).toEqual([...items.map((i) => i.score)].sort((a, b) => b - a));
    // The retail-only model (published never) scores nothing; every row is the published model's.
    expect(new Set(items.map((i) => i.modelVersion))).toEqual(new Set([1]));
  });

  it("filters by grade, owner, stage and product, and sorts ascending on request", async () => {
    const all = (await api.call("listDealScores", { key: reader("deals-a"), query: "pageSize=500" })).body.items as any[];
    const owner = all[0].owner;
    const byOwner = (await api.call("listDealScores", { key: reader("deals-a"), query: `owner=${owner}&pageSize=500` })).body.items as any[];
    expect(byOwner.length).toBe(all.filter((i) => i.owner === owner).length);
    const grades = (await api.call("listDealScores", { key: reader("deals-a"), query: "grade=A,B&pageSize=500" })).body.items as any[];
    expect(grades.length).toBe(all.filter((i) => i.grade === "A" || i.grade === "B").length);
    const stage = (await api.call("listDealScores", { key: reader("deals-a"), query: `stage=${encodeURIComponent(all[0].stage)}&product=${encodeURIComponent(all[0].product)}&pageSize=500` })).body.items as any[];
    expect(stage.length).toBe(all.filter((i) => i.stage === all[0].stage && i.product === all[0].product).length);
    const ascending = (await api.call("listDealScores", { key: reader("deals-a"), query: "order=asc&pageSize=5" })).body.items as any[];
    expect(ascending[0].score).toBe(Math.min(...all.map((i) => i.score)));
    const bad = await api.call("listDealScores", { key: reader("deals-a"), query: "grade=E" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("grade");
  });

  it("shows one deal with every factor and its score history; another partner's deal is 404", async () => {
    const first = (await api.call("listDealScores", { key: reader("deals-a"), query: "pageSize=1" })).body.items[0];
    const res = await api.call("getDealScore", { key: reader("deals-a"), params: { dealId: first.dealId } });
    expect(res.status).toBe(200);
    expect(res.body.factors.length).toBeGreaterThan(res.body.topPositive.length);
    expect(res.body.history).toEqual([{ at: now.toISOString(), score: first.score }]);
    expect((await api.call("getDealScore", { key: reader("deals-other"), params: { dealId: first.dealId } })).status).toBe(404);
  });

  it("counts the scored deals per grade and per model", async () => {
    const res = await api.call("dealScoresSummary", { key: reader("deals-a") });
    expect(res.body.status).toBe("ready");
    const { grades, scored, models } = res.body;
    expect(grades.A + grades.B + grades.C + grades.D).toBe(scored);
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ version: 1, readiness: "Ready", forcedPublish: false, scored });
    // Deals every published model counts closed are not read: what is left are the deals that could be scored.
    expect(res.body.deals).toBeGreaterThanOrEqual(scored);
  });

  it("exports the filtered view as Excel-safe CSV", async () => {
    const res = await api.call("exportDealScores", { key: reader("deals-a"), query: "grade=A" });
    expect(res.status).toBe(200);
    expect(res.headers["content-disposition"]).toMatch(/attachment; filename="deal-scores-deals-a-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(res.text.startsWith("\uFEFFDeal ID,Name,Score,Grade,Trend,")).toBe(true);
    const lines = res.text.trim().split("\r\n").slice(1);
    const summary = (await api.call("dealScoresSummary", { key: reader("deals-a") })).body;
    expect(lines).toHaveLength(summary.grades.A);
    for (const line of lines) expect(line).toMatch(/,A,/);
  });

  it("keeps a point per day in each deal's history and gives a trend against the score a week earlier", async () => {
    await rescore("deals-a", later(8));
    const items = (await api.call("listDealScores", { key: reader("deals-a"), query: "pageSize=500" })).body.items as any[];
    expect(items.every((i) => i.trend !== "Not enough info")).toBe(true);
    for (const item of items.slice(0, 20)) {
      const change = item.score - item.previousScore;
      expect(item.trend).toBe(change >= 5 ? "Improving" : change <= -5 ? "Declining" : "Steady");
      const detail = await api.call("getDealScore", { key: reader("deals-a"), params: { dealId: item.dealId } });
      expect(detail.body.history.map((p: { at: string }) => p.at.slice(0, 10))).toEqual([now.toISOString().slice(0, 10), later(8).toISOString().slice(0, 10)]);
    }
  });
});

describe("automatic retraining", () => {
  it("starts a retraining of a published model 15 days after its last training and applies the replacement rule", async () => {
    const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
    const [model] = (await api.call("listDealModels", { key: admin("deals-a") })).body.items.filter((m: any) => m.state === "published");
    await makeRetrainDealModelsHandler({ ...env.deps.retrainSchedule, now: () => later(10) })(timer, quiet());
    expect(await drainQueue(env, names.queues.dealTraining)).toEqual([]);
    await makeRetrainDealModelsHandler({ ...env.deps.retrainSchedule, now: () => later(16) })(timer, quiet());
    await runTrainingJobs();
    const after = dealScoringModelSchema.parse((await api.call("getDealModel", { key: admin("deals-a"), params: { modelId: model.modelId } })).body);
    const automatic = after.versions.find((v) => v.trigger === "automatic")!;
    expect(automatic.decision).toBeDefined();
    // Trained on the same deals, it keeps the accuracy, so it replaces the active version.
    expect(automatic.decision).toMatchObject({ replace: true, rule: "accuracy" });
    expect(automatic.state).toBe("active");
  });
});

describe("deleting a model", () => {
  it("removes its versions' artifacts, its scores at the next refresh and its deals' score histories", async () => {
    const [model] = (await api.call("listDealModels", { key: admin("deals-a") })).body.items.filter((m: any) => m.state === "published");
    const res = await api.call("deleteDealModel", { key: admin("deals-a"), params: { modelId: model.modelId } });
    expect(res.status).toBe(204);
    expect(await env.deps.models.load("deals-a", "deals", `${model.modelId}.v1`)).toBeUndefined();
    await rescore("deals-a", later(16));
    expect((await api.call("listDealScores", { key: reader("deals-a") })).body.items).toEqual([]);
    const histories = await env.clients.containers.partners.items
      .query({ query: "SELECT c.id FROM c WHERE c.partnerId = 'deals-a' AND c.type = 'dealScoreHistory'" }, { partitionKey: "deals-a" })
      .fetchAll();
    expect(histories.resources).toEqual([]);
    const pointer = await env.deps.api.results.pointer("deals-a", "dealScores");
    expect(await env.deps.api.results.document("deals-a", resultIds.summary("dealScores", pointer!.resultSetId))).toMatchObject({ scored: 0 });
  });
});
