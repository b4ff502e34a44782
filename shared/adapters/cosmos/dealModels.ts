import type { Container } from "@azure/cosmos";
import { z } from "zod";
import { dealScoringModelSchema, type DealScoringModel } from "../../domain/dealScoring/index.js";
import type { DealModelStore, StoredDealModel } from "../../ports/dealScoring.js";
import { hasStatus, requestBudget, statusOf, withCosmosRetry } from "./retry.js";

// partners container, type "dealModel", id "dealModel:{modelId}": one document per deal scoring model (its
// configuration, grade bands and versions with their metrics). Writes are ETag-conditional replaces.

const dealModelDocSchema = dealScoringModelSchema.extend({ id: z.string(), partnerId: z.string(), type: z.literal("dealModel") });

const idOf = (modelId: string) => `dealModel:${modelId}`;

function stored(resource: unknown, etag: string | undefined): StoredDealModel {
  // Parsed, not cast: storage fields (_rid, _etag, ...) and the document's own keys are dropped.
  const { id: _id, partnerId: _p, type: _t, ...model } = dealModelDocSchema.parse(resource);
  return { model, etag: etag ?? "" };
}

function toDoc(partnerId: string, model: DealScoringModel) {
  return { ...model, id: idOf(model.modelId), partnerId, type: "dealModel" as const };
}

export function createDealModelStore(container: Container): DealModelStore {
  return {
    async list(partnerId) {
      const iterator = container.items.query(
        {
          // partnerId in the filter too: the local emulator does not scope queries by partition key.
          query: "SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = 'dealModel'",
          parameters: [{ name: "@partnerId", value: partnerId }],
        },
        { partitionKey: partnerId, maxItemCount: 100 },
      );
      const out: StoredDealModel[] = [];
      while (iterator.hasMoreResults()) {
        const { resources } = await withCosmosRetry(`listing deal scoring models of ${partnerId}`, () => iterator.fetchNext(), requestBudget);
        for (const r of resources) if (r.partnerId === partnerId) out.push(stored(r, r._etag));
      }
      return out.sort((a, b) => (a.model.createdAt < b.model.createdAt ? -1 : a.model.createdAt > b.model.createdAt ? 1 : 0));
    },

    async get(partnerId, modelId) {
      try {
        const { resource, etag } = await withCosmosRetry(`reading deal scoring model ${modelId}`, () => container.item(idOf(modelId), partnerId).read(), requestBudget);
        if (!resource || resource.partnerId !== partnerId) return undefined;
        return stored(resource, etag);
      } catch (err) {
        if (hasStatus(err, 404)) return undefined;
        throw err;
      }
    },

    async create(partnerId, model) {
      try {
        await withCosmosRetry(`creating deal scoring model ${model.modelId}`, () => container.items.create(toDoc(partnerId, model)));
        return "created";
      } catch (err) {
        if (hasStatus(err, 409)) return "exists";
        throw err;
      }
    },

    async replace(partnerId, model, etag) {
      try {
        const { resource, etag: next } = await withCosmosRetry(`updating deal scoring model ${model.modelId}`, () =>
          container.item(idOf(model.modelId), partnerId).replace(toDoc(partnerId, model), { accessCondition: { type: "IfMatch", condition: etag } }),
        );
        return stored(resource, next);
      } catch (err) {
        if (statusOf(err) === 412 || statusOf(err) === 404) return "conflict";
        throw err;
      }
    },

    async remove(partnerId, modelId) {
      try {
        await withCosmosRetry(`deleting deal scoring model ${modelId}`, () => container.item(idOf(modelId), partnerId).delete());
      } catch (err) {
        if (!hasStatus(err, 404)) throw err;
      }
    },

    async *listAll() {
      // The retraining timer must see every partner's models: one small query over the partners container.
      const iterator = container.items.query({ query: "SELECT * FROM c WHERE c.type = 'dealModel'" }, { maxItemCount: 100 });
      while (iterator.hasMoreResults()) {
        const { resources } = await withCosmosRetry("listing every deal scoring model", () => iterator.fetchNext());
        const page = resources.map((r) => ({ partnerId: String(r.partnerId), stored: stored(r, r._etag) }));
        if (page.length > 0) yield page;
      }
    },
  };
}
