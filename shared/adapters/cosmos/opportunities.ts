import { randomBytes } from "node:crypto";
import type { Container } from "@azure/cosmos";
import type { FeedbackRecord } from "../../domain/opportunities/index.js";
import { fromFeedbackDoc, opportunityFeedbackDocSchema, opportunityModelsDocSchema, toFeedbackDoc } from "../../domain/opportunities/stored.js";
import type { OpportunityFeedbackStore, OpportunityModelRegistry } from "../../ports/opportunities.js";
import { hasStatus, requestBudget, statusOf, withCosmosRetry } from "./retry.js";

// partners container: the Opportunities tab's model registry (id "opportunityModels") and feedback answers (type
// "opportunityFeedback", id "opportunityFeedback:{tenantId}:{type}:{time}-{random}"), in the partner's partition.

const registryId = "opportunityModels";
const feedbackFields = Object.keys(opportunityFeedbackDocSchema.shape);

export function createOpportunityModelRegistry(container: Container): OpportunityModelRegistry {
  return {
    async read(partnerId) {
      try {
        const { resource, etag } = await withCosmosRetry("reading the opportunity model registry", () => container.item(registryId, partnerId).read());
        if (!resource || resource.partnerId !== partnerId) return undefined;
        const parsed = opportunityModelsDocSchema.safeParse(resource);
        // A registry this code cannot read is treated as none: the next training writes a fresh one.
        return parsed.success ? { doc: parsed.data, etag } : undefined;
      } catch (err) {
        if (hasStatus(err, 404)) return undefined;
        throw err;
      }
    },

    async write(doc, expectedEtag) {
      if (doc.id !== registryId) throw new Error(`not the opportunity model registry: ${doc.id}`);
      const body = opportunityModelsDocSchema.parse(doc);
      try {
        await withCosmosRetry("writing the opportunity model registry", () =>
          expectedEtag === undefined
            ? container.items.create(body)
            : container.item(registryId, doc.partnerId).replace(body, { accessCondition: { type: "IfMatch", condition: expectedEtag } }),
        );
        return true;
      } catch (err) {
        const status = statusOf(err);
        // 409: another refresh created it first; 412: another refresh replaced it since we read it; 404: it went.
        if (status === 409 || status === 412 || status === 404) return false;
        throw err;
      }
    },
  };
}

export function createOpportunityFeedbackStore(container: Container): OpportunityFeedbackStore {
  return {
    async add(partnerId, record) {
      const stamp = record.givenAt.replace(/[^0-9]/g, "");
      const doc = opportunityFeedbackDocSchema.parse(toFeedbackDoc(partnerId, `opportunityFeedback:${record.opportunityId}:${stamp}-${randomBytes(4).toString("hex")}`, record));
      await withCosmosRetry("storing opportunity feedback", () => container.items.create(doc), requestBudget);
    },

    async list(partnerId, options = {}) {
      const { since } = options;
      const iterator = container.items.query(
        {
          // partnerId in the filter too: the query must never leave the caller's partition.
          query: `SELECT ${feedbackFields.map((f) => `c.${f}`).join(", ")} FROM c WHERE c.partnerId = @partnerId AND c.type = 'opportunityFeedback'${since ? " AND c.givenAt >= @since" : ""}`,
          parameters: [{ name: "@partnerId", value: partnerId }, ...(since ? [{ name: "@since", value: since }] : [])],
        },
        { partitionKey: partnerId, maxItemCount: 5000 },
      );
      const out: FeedbackRecord[] = [];
      while (iterator.hasMoreResults()) {
        const { resources } = await withCosmosRetry("reading opportunity feedback", () => iterator.fetchNext(), requestBudget);
        for (const r of resources) {
          if (r.partnerId !== partnerId) continue;
          const record = fromFeedbackDoc(r);
          if (record) out.push(record);
        }
      }
      return out.sort((a, b) => (a.givenAt < b.givenAt ? -1 : a.givenAt > b.givenAt ? 1 : 0));
    },
  };
}
