import type { Container } from "@azure/cosmos";
import { identityMappingDocSchema, type IdentityMappingDoc } from "../../domain/identityMappings.js";
import type { IdentityMappingStore } from "../../ports/identities.js";
import { hasStatus, requestBudget, withCosmosRetry } from "./retry.js";

// Sign-in mappings in the partners container, each in its partner's partition (type "identityMapping").

function parsed(resources: unknown[]): IdentityMappingDoc[] {
  const docs: IdentityMappingDoc[] = [];
  for (const r of resources) {
    const doc = identityMappingDocSchema.safeParse(r);
    if (doc.success) docs.push(doc.data);
  }
  return docs;
}

export function createIdentityMappingStore(container: Container): IdentityMappingStore {
  return {
    async listForPartner(partnerId) {
      const { resources } = await withCosmosRetry(
        "reading sign-in mappings",
        () =>
          container.items
            .query(
              {
                // partnerId in the filter too: the query must never leave the caller's partition.
                query: "SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = 'identityMapping'",
                parameters: [{ name: "@partnerId", value: partnerId }],
              },
              { partitionKey: partnerId },
            )
            .fetchAll(),
        requestBudget,
      );
      return parsed(resources).filter((d) => d.partnerId === partnerId);
    },

    async findByObjectIds(objectIds) {
      if (objectIds.length === 0) return [];
      // Across partners by design: a token names a tenant or groups, not a partner. The partners container holds
      // a few small documents per partner, the filter is on indexed fields, and callers cache the answer.
      const { resources } = await withCosmosRetry(
        "looking up sign-in mappings",
        () =>
          container.items
            .query({
              query: "SELECT * FROM c WHERE c.type = 'identityMapping' AND ARRAY_CONTAINS(@objectIds, c.objectId)",
              parameters: [{ name: "@objectIds", value: [...objectIds] }],
            })
            .fetchAll(),
        requestBudget,
      );
      return parsed(resources);
    },

    async create(doc) {
      try {
        await withCosmosRetry("storing a sign-in mapping", () => container.items.create(identityMappingDocSchema.parse(doc)));
        return true;
      } catch (err) {
        if (hasStatus(err, 409)) return false;
        throw err;
      }
    },

    async remove(partnerId, docId) {
      try {
        await withCosmosRetry("removing a sign-in mapping", () => container.item(docId, partnerId).delete());
        return true;
      } catch (err) {
        if (hasStatus(err, 404)) return false;
        throw err;
      }
    },
  };
}
