import { BulkOperationType, type Container, type JSONObject, type OperationInput } from "@azure/cosmos";
import { z } from "zod";
import { scorePointSchema } from "../../domain/dealScoring/index.js";
import { dealKey } from "../../ingest/deals.js";
import type { DealScoreHistory, ScoreHistoryStore } from "../../ports/dealScoring.js";
import { bulkWithRetry, hasStatus, inChunks, requestBudget, withCosmosRetry } from "./retry.js";

// partners container, type "dealScoreHistory", id "dealScoreHistory:{modelId}:{dealKey}": a deal's scores under
// one model, appended at every refresh that scores it (one point per UTC day, the last 400 days). `lastAt` (the
// newest point's time) lets a refresh read only the histories of deals scored lately, and find stale ones.

const historyDocSchema = z.object({
  id: z.string(),
  partnerId: z.string(),
  type: z.literal("dealScoreHistory"),
  modelId: z.string(),
  dealId: z.string(),
  points: z.array(scorePointSchema),
  lastAt: z.string().optional(),
});

const idOf = (modelId: string, dealId: string) => `dealScoreHistory:${modelId}:${dealKey(dealId)}`;
const bulkChunk = 100;
const chunksInFlight = 4;
const upserted = new Set([200, 201]);
const gone = new Set([200, 204, 404]);

function history(resource: unknown): DealScoreHistory | undefined {
  const parsed = historyDocSchema.safeParse(resource);
  return parsed.success ? { modelId: parsed.data.modelId, dealId: parsed.data.dealId, points: parsed.data.points } : undefined;
}

export function createScoreHistoryStore(container: Container): ScoreHistoryStore {
  const bulk = async (partnerId: string, operations: OperationInput[], what: string, ok: ReadonlySet<number>) =>
    inChunks(operations, bulkChunk, chunksInFlight, async (chunk) => {
      await bulkWithRetry(container, chunk, `${what} for partner ${partnerId}`, { ok });
    });

  /** Ids of the partner's histories meeting `condition` (SQL over c, with its parameters). */
  async function ids(partnerId: string, condition: string, parameters: { name: string; value: string | string[] }[]): Promise<string[]> {
    const iterator = container.items.query<{ id: string; partnerId: string }>(
      {
        query: `SELECT c.id, c.partnerId FROM c WHERE c.partnerId = @partnerId AND c.type = 'dealScoreHistory' AND (${condition})`,
        parameters: [{ name: "@partnerId", value: partnerId }, ...parameters],
      },
      { partitionKey: partnerId, maxItemCount: 1000 },
    );
    const out: string[] = [];
    while (iterator.hasMoreResults()) {
      const { resources } = await withCosmosRetry(`listing score histories of ${partnerId}`, () => iterator.fetchNext());
      for (const r of resources) if (r.partnerId === partnerId) out.push(r.id);
    }
    return out;
  }

  async function removeIds(partnerId: string, found: string[], what: string): Promise<number> {
    await bulk(partnerId, found.map((id) => ({ operationType: BulkOperationType.Delete, id, partitionKey: partnerId })), what, gone);
    return found.length;
  }

  return {
    async *list(partnerId, options = {}) {
      const iterator = container.items.query(
        {
          query: `SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = 'dealScoreHistory'${options.since ? " AND c.lastAt >= @since" : ""}`,
          parameters: [{ name: "@partnerId", value: partnerId }, ...(options.since ? [{ name: "@since", value: options.since }] : [])],
        },
        { partitionKey: partnerId, maxItemCount: 2000 },
      );
      while (iterator.hasMoreResults()) {
        const { resources } = await withCosmosRetry(`reading score histories of ${partnerId}`, () => iterator.fetchNext());
        const page: DealScoreHistory[] = [];
        for (const r of resources) {
          const h = r.partnerId === partnerId ? history(r) : undefined;
          if (h) page.push(h);
        }
        if (page.length > 0) yield page;
      }
    },

    async get(partnerId, modelId, dealId) {
      try {
        const { resource } = await withCosmosRetry("reading a deal's score history", () => container.item(idOf(modelId, dealId), partnerId).read(), requestBudget);
        return resource && resource.partnerId === partnerId ? history(resource) : undefined;
      } catch (err) {
        if (hasStatus(err, 404)) return undefined;
        throw err;
      }
    },

    async write(partnerId, histories) {
      const operations: OperationInput[] = histories.map((h) => ({
        operationType: BulkOperationType.Upsert,
        partitionKey: partnerId,
        resourceBody: {
          id: idOf(h.modelId, h.dealId),
          partnerId,
          type: "dealScoreHistory",
          modelId: h.modelId,
          dealId: h.dealId,
          points: h.points,
          ...(h.points.length > 0 ? { lastAt: h.points[h.points.length - 1].at } : {}),
        } as unknown as JSONObject,
      }));
      await bulk(partnerId, operations, "writing score histories", upserted);
    },

    async removeModel(partnerId, modelId) {
      const found = await ids(partnerId, "c.modelId = @modelId", [{ name: "@modelId", value: modelId }]);
      return removeIds(partnerId, found, `removing score histories of model ${modelId}`);
    },

    async removeStale(partnerId, { lastBefore, models }) {
      const found = await ids(partnerId, "NOT IS_DEFINED(c.lastAt) OR c.lastAt < @before OR NOT ARRAY_CONTAINS(@models, c.modelId)", [
        { name: "@before", value: lastBefore },
        { name: "@models", value: [...models] },
      ]);
      return removeIds(partnerId, found, "removing stale score histories");
    },
  };
}
