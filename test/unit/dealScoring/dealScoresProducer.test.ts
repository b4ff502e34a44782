import { beforeAll, describe, expect, it } from "vitest";
import { generateCrmHistory } from "../../../local/demoData/deals.js";
import { artifactVersion } from "../../../shared/dealScoring/artifacts.js";
import {
  completeTraining,
  createModel,
  orThrow,
  parseModelConfig,
  publish,
  recordSnapshot,
  startTraining,
  trainDealModel,
  trainingSummary,
  type DealHistory,
  type DealScoringModel,
  type TrainedDealModel,
} from "../../../shared/domain/dealScoring/index.js";
import type { DealDoc, PartnerDoc } from "../../../shared/domain/documents.js";
import type { LiveSet } from "../../../shared/ingest/liveSet.js";
import type { DealScoreHistory, ScoreHistoryStore } from "../../../shared/ports/dealScoring.js";
import type { DocumentCondition, PartnerDataReader } from "../../../shared/ports/partnerData.js";
import type { RowInput } from "../../../shared/refresh/publisher.js";
import { closedForEveryModel, dealScoresProducer } from "../../../shared/refresh/producers/dealScores.js";

// The deal scores producer with in-memory stores: which deals it reads, the rows it writes, and the score
// histories it keeps (a point per day, only changed ones written, stale ones removed).

const now = new Date("2026-05-01T06:00:00Z");
const partner: PartnerDoc = { id: "partner", partnerId: "p1", type: "partner", datasets: {} };
const live: LiveSet = { snapshots: { deals: [{ ingestionId: "ing-new", asOf: "2026-05-01" }] }, usageMonths: new Map(), usageDrops: [], superseded: [] };

let trained: TrainedDealModel;
let newest: DealHistory[];
let published: DealScoringModel;

beforeAll(() => {
  const crm = generateCrmHistory({ seed: 9, now, closedDeals: 500, openDeals: 80, snapshots: 0 });
  newest = orThrow(recordSnapshot([], crm.snapshots[0])).histories;
  trained = orThrow(trainDealModel({ histories: newest, config: orThrow(parseModelConfig({ name: "All" }, now)), now }));
  let model = createModel({ modelId: "dm-1", config: trained.model.artifact.config, now });
  model = orThrow(startTraining(model, { now, trigger: "manual" })).model;
  model = orThrow(completeTraining(model, 1, trainingSummary(trained), now));
  published = orThrow(publish(model, 1, { now, force: true }));
});

function stores(histories: DealScoreHistory[] = []) {
  const docs: DealDoc[] = newest.map((h) => ({ ...h.deal, id: `deal:ing-new:${h.dealId}`, partnerId: "p1", type: "deal", ingestionId: "ing-new", asOf: "2026-05-01" }));
  const reads: (readonly DocumentCondition[])[] = [];
  const data: PartnerDataReader = {
    loadedIngestions: async () => [],
    async *documents(_p, _type, ids, schema, _fields, where = []) {
      reads.push(where);
      yield docs
        .filter((d) => ids.includes(d.ingestionId) && where.every((c) => ("values" in c && c.op === "notIn" ? !c.values.includes(d[c.field as "status"]) : true)))
        .map((d) => schema.parse(d));
    },
    count: async () => 0,
    documentsById: async () => [],
  };
  const written: DealScoreHistory[] = [];
  const staleCalls: { lastBefore: string; models: readonly string[] }[] = [];
  const listed: { since?: string }[] = [];
  const scoreHistory: ScoreHistoryStore = {
    async *list(_p, options = {}) {
      listed.push(options);
      yield histories;
    },
    get: async () => undefined,
    write: async (_p, h) => void written.push(...h),
    removeModel: async () => 0,
    removeStale: async (_p, options) => (staleCalls.push(options), 0),
  };
  const rows: RowInput[] = [];
  const producer = dealScoresProducer({
    data,
    models: { list: async () => [{ model: published, etag: "e" }] },
    artifacts: { load: async (_p, kind, version) => (kind === "deals" && version === artifactVersion("dm-1", 1) ? JSON.parse(JSON.stringify(trained.model.artifact)) : undefined) },
    scoreHistory,
  });
  const sink = { write: async (page: readonly RowInput[]) => void rows.push(...page) };
  return { producer, sink, rows, written, staleCalls, listed, reads };
}

describe("the deal scores producer", () => {
  it("reads only the deals the published models could score, and writes one row per open deal", async () => {
    const s = stores();
    const produced = await s.producer.produce({ partner, live, now }, s.sink, "rs-1");
    expect(s.reads[0]).toEqual([{ field: "status", op: "notIn", values: ["Won", "Lost"] }]);
    const open = newest.filter((h) => h.deal.status === "Open");
    expect(s.rows.map((r) => r.key).sort()).toEqual(open.map((h) => h.dealId).sort());
    expect(produced.rows).toBe(open.length);
    expect(produced.summary).toMatchObject({ scored: open.length, deals: open.length });
    expect(s.rows[0].searchText).toBe(s.rows[0].searchText.toLowerCase());
  });

  it("adds today's point to each scored deal's history, writes only the changed ones, and removes stale ones", async () => {
    const first = stores();
    await first.producer.produce({ partner, live, now }, first.sink, "rs-1");
    expect(first.written).toHaveLength(first.rows.length);
    expect(first.written[0].points).toEqual([{ at: now.toISOString(), score: (first.rows.find((r) => r.key === first.written[0].dealId)!.row as { score: number }).score }]);
    // The same day: only deals whose score moved (an hour can add a day to a deal's age) are written, their
    // point of the day replaced.
    const again = stores(first.written);
    const later = new Date(now.getTime() + 3_600_000);
    await again.producer.produce({ partner, live, now: later }, again.sink, "rs-2");
    const scoreOf = (rows: RowInput[], id: string) => (rows.find((r) => r.key === id)!.row as { score: number }).score;
    const moved = again.rows.filter((r) => scoreOf(again.rows, r.key) !== scoreOf(first.rows, r.key)).map((r) => r.key);
    expect(again.written.map((h) => h.dealId).sort()).toEqual(moved.sort());
    expect(moved.length).toBeLessThan(again.rows.length);
    for (const h of again.written) expect(h.points).toEqual([{ at: later.toISOString(), score: scoreOf(again.rows, h.dealId) }]);
    expect(again.listed).toEqual([{ since: new Date(later.getTime() - 35 * 86_400_000).toISOString() }]);
    expect(again.staleCalls).toEqual([{ lastBefore: new Date(later.getTime() - 400 * 86_400_000).toISOString(), models: ["dm-1"] }]);
  });

  it("reads every deal when a model takes its status from another column, and no deal without a published model", async () => {
    const base = { modelId: "m", name: "m", version: 1, publishedAt: "", forcedPublish: false, readiness: "Ready" as const, gradeBands: published.gradeBands };
    const withStatus = (statusColumn: string, won: string[], lost: string[]) => ({
      ...base,
      model: { ...trained.model, artifact: { ...trained.model.artifact, config: { ...trained.model.artifact.config, statusColumn, wonValues: won, lostValues: lost } } },
    });
    expect(closedForEveryModel([withStatus("status", ["Won"], ["Lost"]), withStatus("Status", ["Won", "Signed"], ["Lost"])])).toEqual(["Won", "Lost"]);
    expect(closedForEveryModel([withStatus("status", ["Won"], ["Lost"]), withStatus("outcome", ["Won"], ["Lost"])])).toBeUndefined();
    const none = stores();
    const produced = await dealScoresProducer({
      data: {
        loadedIngestions: async () => [],
        documents: async function* () {
          throw new Error("must not read deals");
        },
        count: async () => 0,
        documentsById: async () => [],
      },
      models: { list: async () => [] },
      artifacts: { load: async () => undefined },
      scoreHistory: {
        list: async function* () {
          throw new Error("must not read histories");
        },
        write: async () => undefined,
        removeStale: async () => 0,
        removeModel: async () => 0,
        get: async () => undefined,
      },
    }).produce({ partner, live, now }, none.sink, "rs-3");
    expect(produced).toMatchObject({ rows: 0, summary: { scored: 0, models: [] } });
  });
});
