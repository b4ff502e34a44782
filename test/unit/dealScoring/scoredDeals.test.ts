import { beforeAll, describe, expect, it } from "vitest";
import { generateCrmHistory } from "../../../local/demoData/deals.js";
import {
  currentDeals,
  DEFAULT_GRADE_BANDS,
  mergeModelScorings,
  historiesFromObservations,
  orThrow,
  parseModelConfig,
  recordSnapshot,
  scoreDealsWithPublishedModels,
  scoringPrecedence,
  snapshotTime,
  stateRow,
  summarizeDealScores,
  trainDealModel,
  type DealHistory,
  type DealModel,
  type DealObservation,
  type DealScoreRow,
  type ModelScoring,
  type PublishedDealModel,
} from "../../../shared/domain/dealScoring/index.js";

// The deal scores tab's pure parts: histories rebuilt from the live snapshots, which published model scores
// which deal, and the summary.

const now = new Date("2026-05-01T00:00:00Z");

describe("histories rebuilt from the live snapshots", () => {
  const crm = generateCrmHistory({ seed: 31, now, closedDeals: 200, openDeals: 60, snapshots: 3 });
  let reference: DealHistory[] = [];
  for (const s of crm.snapshots) reference = orThrow(recordSnapshot(reference, s)).histories;

  it("equal recording the snapshots one by one, though older snapshots give only each deal's state and sights come in any order", () => {
    const sights = new Map<string, DealObservation[]>();
    const newest = crm.snapshots.length - 1;
    // Newest snapshot first, as the reader reads them.
    [...crm.snapshots].reverse().forEach((s, i) => {
      for (const row of s.rows) {
        const list = sights.get(row.dealId) ?? [];
        list.push({ takenAt: s.takenAt, row: i === 0 ? row : stateRow(row) });
        sights.set(row.dealId, list);
      }
    });
    const rebuilt = historiesFromObservations(crm.snapshots.map((s) => s.takenAt), sights.values());
    const byId = new Map(reference.map((h) => [h.dealId, h]));
    const current = new Set(crm.snapshots[newest].rows.map((r) => r.dealId));
    for (const h of rebuilt) {
      const ref = byId.get(h.dealId)!;
      expect(h.runs).toEqual(ref.runs);
      if (current.has(h.dealId)) expect(h.deal).toEqual(ref.deal);
    }
    expect(rebuilt).toHaveLength(reference.length);
  });

  it("dates a snapshot at the start of its UTC day", () => {
    expect(snapshotTime("2026-04-30")).toBe("2026-04-30T00:00:00.000Z");
  });
});

describe("which published model scores a deal", () => {
  let histories: DealHistory[];
  let everything: DealModel;
  let retail: DealModel;
  const published = (modelId: string, model: DealModel, publishedAt: string): PublishedDealModel => ({
    modelId,
    name: modelId,
    version: 1,
    publishedAt,
    forcedPublish: false,
    readiness: "Ready",
    gradeBands: DEFAULT_GRADE_BANDS,
    model,
  });

  beforeAll(() => {
    const crm = generateCrmHistory({ seed: 41, now, closedDeals: 1200, openDeals: 200, snapshots: 1 });
    histories = [];
    for (const s of crm.snapshots) histories = orThrow(recordSnapshot(histories, s)).histories;
    everything = orThrow(trainDealModel({ histories, config: orThrow(parseModelConfig({ name: "Everything" }, now)), now })).model;
    retail = orThrow(
      trainDealModel({ histories, config: orThrow(parseModelConfig({ name: "Retail", filter: { column: "industry", values: ["Retail", "Healthcare"] } }, now)), now }),
    ).model;
  });

  it("puts a model with a filter before one without, then the most recently published", () => {
    const order = scoringPrecedence([
      published("all-old", everything, "2026-01-01T00:00:00Z"),
      published("all-new", everything, "2026-03-01T00:00:00Z"),
      published("retail", retail, "2025-12-01T00:00:00Z"),
    ]);
    expect(order.map((m) => m.modelId)).toEqual(["retail", "all-new", "all-old"]);
  });

  it("scores each open deal once: the filtered model takes the deals it selects, the catch-all the rest", () => {
    const { rows, models, deals } = scoreDealsWithPublishedModels({
      models: [published("all", everything, "2026-04-01T00:00:00Z"), published("retail", retail, "2026-02-01T00:00:00Z")],
      histories,
      now,
    });
    const ids = rows.map((r) => r.dealId);
    expect(new Set(ids).size).toBe(ids.length);
    const industry = (id: string) => histories.find((h) => h.dealId === id)!.deal.attributes.industry?.value;
    for (const row of rows) {
      const selected = ["Retail", "Healthcare"].includes(String(industry(row.dealId)));
      expect(row.modelId, row.dealId).toBe(selected ? "retail" : "all");
    }
    expect(models.map((m) => m.model.modelId)).toEqual(["retail", "all"]);
    expect(models[0].report.scored + models[1].report.scored).toBe(rows.length);
    const open = histories.filter((h) => h.deal.status === "Open" && h.lastSeenAt === now.toISOString()).length;
    expect(rows).toHaveLength(open);
    expect(deals).toBe(histories.filter((h) => h.lastSeenAt === now.toISOString()).length);
  });

  it("feeds each model's own score history to the trend", () => {
    const earlier = new Date(now.getTime() - 8 * 86_400_000).toISOString();
    const { rows } = scoreDealsWithPublishedModels({
      models: [published("all", everything, "2026-04-01T00:00:00Z")],
      histories,
      now,
      scoreHistory: (modelId, dealId) => (modelId === "all" && dealId.endsWith("1") ? [{ at: earlier, score: 0 }] : undefined),
    });
    for (const row of rows) {
      if (!row.dealId.endsWith("1")) expect(row.trend).toBe("Not enough info");
      else expect(row.trend).toBe(row.score >= 5 ? "Improving" : "Steady");
    }
  });

  it("scores the same rows with the same summary a slice of deals at a time as all at once", () => {
    const models = [published("all", everything, "2026-04-01T00:00:00Z"), published("retail", retail, "2026-02-01T00:00:00Z")];
    const whole = scoreDealsWithPublishedModels({ models, histories, now });
    const current = currentDeals(histories);
    const merged: ModelScoring[] = [];
    const rows: DealScoreRow[] = [];
    for (let i = 0; i < current.length; i += 300) {
      const part = scoreDealsWithPublishedModels({ models, histories: current.slice(i, i + 300), now });
      mergeModelScorings(merged, part.models);
      rows.push(...part.rows);
    }
    const byId = (a: DealScoreRow, b: DealScoreRow) => (a.dealId < b.dealId ? -1 : 1);
    expect(rows.sort(byId)).toEqual([...whole.rows].sort(byId));
    expect(summarizeDealScores({ deals: current.length, rows, models: merged })).toEqual(summarizeDealScores(whole));
  });

  it("summarises counts per grade, trend and model; the empty tab is the summary of no rows", () => {
    const scoring = scoreDealsWithPublishedModels({ models: [published("all", everything, "2026-04-01T00:00:00Z")], histories, now });
    const summary = summarizeDealScores(scoring);
    expect(summary.scored).toBe(scoring.rows.length);
    expect(summary.grades.A + summary.grades.B + summary.grades.C + summary.grades.D).toBe(summary.scored);
    expect(summary.trends["Not enough info"]).toBe(summary.scored);
    expect(summary.models[0]).toMatchObject({ modelId: "all", scored: summary.scored, grades: summary.grades, readiness: "Ready" });
    expect(summarizeDealScores({ deals: 0, rows: [], models: [] })).toEqual({
      deals: 0,
      scored: 0,
      grades: { A: 0, B: 0, C: 0, D: 0 },
      trends: { Improving: 0, Steady: 0, Declining: 0, "Not enough info": 0 },
      models: [],
    });
  });
});
