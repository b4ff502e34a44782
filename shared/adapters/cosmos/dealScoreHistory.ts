import { BulkOperationType, type Container, type JSONObject, type OperationInput } from "@azure/cosmos";
import { z } from "zod";
import { scorePointSchema } from "../../domain/dealScoring/index.js";
import { dealKey } from "../../ingest/deals.js";
import type { DealScoreHistory, ScoreHistoryStore } from "../../ports/dealScoring.js";
import { bulkWithRetry, hasStatus, inChunks, requestBudget, withCosmosRetry } from "./retry.js";

// partners container, type "dealScoreHistory", id "dealScoreHistory:{modelId}:{dealKey}": a deal's scores under
// one model, appended at every refresh that scores it (one point per UTC day, the last 400 days).

const historyDocSchema = z.object({
  id: z.string(),
  partnerId: z.string(),
  type: z.literal("dealScoreHistory"),
  modelId: z.string(),
  dealId: z.string(),
  points: z.array(scorePointSchema),
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

  async function ids(partnerId: string, modelId: string): Promise<string[]> {
    const iterator = container.items.query<{ id: string; partnerId: string }>(
      {
        query: "SELECT c.id, c.partnerId FROM c WHERE c.partnerId = @partnerId AND c.type = 'dealScoreHistory' AND c.modelId = @modelId",
        parameters: [
          { name: "@partnerId", value: partnerId },
          { name: "@modelId", value: modelId },
        ],
      },
      { partitionKey: partnerId, maxItemCount: 1000 },
    );
    const out: string[] = [];
    while (iterator.hasMoreResults()) {
      const { resources } = await withCosmosRetry(`listing score histories of model ${modelId}`, () => iterator.fetchNext());
      for (const r of resources) if (r.partnerId === partnerId) out.push(r.id);
    }
    return out;
  }

  return {
    async *list(partnerId) {
      const iterator = container.items.query(
        {
          query: "SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = 'dealScoreHistory'",
          parameters: [{ name: "@partnerId", value: partnerId }],
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
        resourceBody: { id: idOf(h.modelId, h.dealId), partnerId, type: "dealScoreHistory", modelId: h.modelId, dealId: h.dealId, points: h.points } as unknown as JSONObject,
      }));
      await bulk(partnerId, operations, "writing score histories", upserted);
    },

    async remove(partnerId, histories) {
      const operations: OperationInput[] = histories.map((h) => ({ operationType: BulkOperationType.Delete, id: idOf(h.modelId, h.dealId), partitionKey: partnerId }));
      await bulk(partnerId, operations, "removing score histories", gone);
    },

    async removeModel(partnerId, modelId) {
      const found = await ids(partnerId, modelId);
      await bulk(partnerId, found.map((id) => ({ operationType: BulkOperationType.Delete, id, partitionKey: partnerId })), `removing score histories of model ${modelId}`, gone);
      return found.length;
    },
  };
}
