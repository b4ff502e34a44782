import {
  appendScorePoint,
  currentDeals,
  mergeModelScorings,
  publishedVersion,
  SCORE_HISTORY_DAYS,
  scoreDealsWithPublishedModels,
  dealSearchText,
  summarizeDealScores,
  type DealModel,
  type DealScoreRow,
  type ModelScoring,
  type PublishedDealModel,
} from "../../domain/dealScoring/index.js";
import { loadDealArtifact } from "../../dealScoring/artifacts.js";
import { readDealHistories } from "../../dealScoring/readDeals.js";
import { dealKey } from "../../ingest/deals.js";
import type { DealModelStore, DealScoreHistory, ScoreHistoryStore } from "../../ports/dealScoring.js";
import type { ModelStore } from "../../ports/models.js";
import type { PartnerDataReader } from "../../ports/partnerData.js";
import type { RowInput } from "../publisher.js";
import type { TabProducer } from "./producer.js";

// The deal scores tab as a producer of the result-set publisher (runs after every drop, on the daily refresh and
// when a model is published, reverted or re-banded): every open deal of the newest deals snapshot, created in
// the past two years, that a published model's filter selects gets its score, grade, trend and factors, one row
// per deal (scored by one model: scoredDeals.ts says which). Each scored deal's score history (for the trend and
// the chart) gains today's point; histories with nothing left to chart, or of deleted models, are removed.
// Reads are shaped for a store that costs per document returned: deals every published model counts closed
// and histories of deals not scored lately are never read.

export interface DealScoresProducerDeps {
  data: PartnerDataReader;
  models: Pick<DealModelStore, "list">;
  artifacts: Pick<ModelStore, "load">;
  scoreHistory: ScoreHistoryStore;
  log?: { warn(message: string): void };
}

/** Deals scored at once (TreeSHAP for all their factors), then written while the next slice is scored. */
const scoringSlice = 2_000;
/** Restored models kept in memory (artifacts never change once written). */
const cachedModels = 16;
const DAY_MS = 86_400_000;
/**
 * Histories read for the trend: those with a point in the last 35 days. A scored deal gains a point at every
 * refresh (at least daily), so only a deal not scored for 35 days (closed, unpublished model) starts afresh.
 */
const HISTORY_READ_DAYS = 35;

/**
 * Status values every published model counts closed (exact, as configured): deals with one of them can never be
 * scored, so they are not read. None when a model reads its status from another column.
 */
export function closedForEveryModel(models: readonly PublishedDealModel[]): string[] | undefined {
  const configs = models.map((m) => m.model.artifact.config);
  if (configs.length === 0 || configs.some((c) => c.statusColumn.trim().toLowerCase() !== "status")) return undefined;
  const sets = configs.map((c) => new Set([...c.wonValues, ...c.lostValues]));
  return [...sets[0]].filter((v) => sets.every((s) => s.has(v)));
}

export function dealScoresProducer(deps: DealScoresProducerDeps): TabProducer {
  const cache = new Map<string, DealModel>();
  const restore = async (partnerId: string, modelId: string, version: number): Promise<DealModel | undefined> => {
    const key = `${partnerId}/${modelId}/${version}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const loaded = await loadDealArtifact(deps.artifacts, partnerId, modelId, version);
    if (!loaded.ok) {
      deps.log?.warn(`refresh ${partnerId} dealScores: model ${modelId} is not scored: ${loaded.reason}`);
      return undefined;
    }
    cache.set(key, loaded.model);
    while (cache.size > cachedModels) cache.delete(cache.keys().next().value!);
    return loaded.model;
  };

  return {
    tab: "dealScores",
    async produce({ partner, live, now }, sink) {
      const partnerId = partner.partnerId;
      const stored = await deps.models.list(partnerId);
      const published: PublishedDealModel[] = [];
      for (const { model } of stored) {
        const version = publishedVersion(model);
        const restored = version ? await restore(partnerId, model.modelId, version.version) : undefined;
        if (!version || !restored) continue;
        published.push({
          modelId: model.modelId,
          name: model.config.name,
          version: version.version,
          publishedAt: version.publishedAt ?? version.trainedAt ?? model.createdAt,
          forcedPublish: version.forcedPublish ?? false,
          readiness: version.readiness!.readiness,
          gradeBands: model.gradeBands,
          model: restored,
        });
      }
      // Only the histories of deals scored lately are read (every scored deal gains a point at least daily).
      const histories = new Map<string, DealScoreHistory>();
      const keyOf = (modelId: string, dealId: string) => `${modelId}\n${dealId}`;
      const since = new Date(now.getTime() - HISTORY_READ_DAYS * DAY_MS).toISOString();
      const readHistories = async () => {
        for await (const page of deps.scoreHistory.list(partnerId, { since })) for (const h of page) histories.set(keyOf(h.modelId, h.dealId), h);
      };
      const ms = { read: 0, scoreAndWrite: 0 };
      let t = performance.now();
      const current =
        published.length > 0
          ? currentDeals((await Promise.all([readDealHistories(deps.data, partnerId, live, "current", { closedStatuses: closedForEveryModel(published) }), readHistories()]))[0])
          : [];
      ms.read = Math.round(performance.now() - t);
      t = performance.now();

      // Scored a slice at a time: a slice's rows and histories are written while the next slice is scored.
      const at = now.toISOString();
      const counted: Pick<DealScoreRow, "grade" | "trend" | "modelId">[] = [];
      const models: ModelScoring[] = [];
      const historyWrites: Promise<void>[] = [];
      let historiesWritten = 0;
      // Published models with no deal to score still get their (empty) report: at least one slice.
      const slices = published.length > 0 ? Math.max(1, Math.ceil(current.length / scoringSlice)) : 0;
      for (let slice = 0; slice < slices; slice++) {
        const part = scoreDealsWithPublishedModels({
          models: published,
          histories: current.slice(slice * scoringSlice, (slice + 1) * scoringSlice),
          now,
          scoreHistory: (modelId, dealId) => histories.get(keyOf(modelId, dealId))?.points,
        });
        mergeModelScorings(models, part.models);
        const changed: DealScoreHistory[] = [];
        for (const row of part.rows) {
          counted.push({ grade: row.grade, trend: row.trend, modelId: row.modelId });
          // Today's point on the deal's history; only changed histories are written.
          const before = histories.get(keyOf(row.modelId, row.dealId))?.points ?? [];
          const points = appendScorePoint(before, { at, score: row.score });
          const last = before[before.length - 1];
          const same = points.length === before.length && last !== undefined && last.at.slice(0, 10) === at.slice(0, 10) && last.score === row.score;
          if (!same) changed.push({ modelId: row.modelId, dealId: row.dealId, points });
        }
        if (changed.length > 0) {
          historiesWritten += changed.length;
          const writing = deps.scoreHistory.write(partnerId, changed);
          // Awaited below; until then a failure must not count as unhandled.
          writing.catch(() => undefined);
          historyWrites.push(writing);
        }
        // One write per slice: it is in flight while the next slice is scored.
        await sink.write(part.rows.map((row): RowInput => ({ key: dealKey(row.dealId), row, searchText: dealSearchText(row) })));
      }
      await Promise.all(historyWrites);
      // Nothing left to chart (no point in 400 days), or the model is gone.
      const removed = await deps.scoreHistory.removeStale(partnerId, {
        lastBefore: new Date(now.getTime() - SCORE_HISTORY_DAYS * DAY_MS).toISOString(),
        models: stored.map((s) => s.model.modelId),
      });
      ms.scoreAndWrite = Math.round(performance.now() - t);
      const scoring = { rows: counted, models, deals: current.length };
      const summary = summarizeDealScores(scoring);
      return {
        summary,
        rows: scoring.rows.length,
        counts: { deals: scoring.deals, publishedModels: published.length, historiesWritten, historiesRemoved: removed },
        detail:
          published.length === 0
            ? "no published deal scoring model"
            : `${scoring.rows.length} of ${scoring.deals} deals scored by ${published.length} published model(s) (reading ${ms.read} ms, scoring and writing ${ms.scoreAndWrite} ms)`,
      };
    },
  };
}
