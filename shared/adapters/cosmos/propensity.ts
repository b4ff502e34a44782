import type { Container } from "@azure/cosmos";
import type { z } from "zod";
import {
  clusterMappingDocId,
  clusterMappingDocSchema,
  fitModelRecordDocId,
  fitModelRecordDocSchema,
} from "../../domain/propensity/partnerDocs.js";
import type { ClusterMappingStore, FitModelRecords } from "../../ports/propensity.js";
import { hasStatus, requestBudget, withCosmosRetry } from "./retry.js";

// Propensity's documents in the partners container, one of each per partner (fixed ids in the partner's
// partition): point reads and upserts, parsed with their schema when read back.

function singleDoc<T extends { id: string; partnerId: string }>(container: Container, id: string, schema: z.ZodType<T>, what: string) {
  return {
    async read(partnerId: string): Promise<T | undefined> {
      try {
        const { resource } = await withCosmosRetry(`reading the ${what}`, () => container.item(id, partnerId).read(), requestBudget);
        // partnerId checked too: the local emulator does not scope reads by partition key.
        if (!resource || resource.partnerId !== partnerId) return undefined;
        return schema.parse(resource);
      } catch (err) {
        if (hasStatus(err, 404)) return undefined;
        throw err;
      }
    },
    async write(doc: T): Promise<void> {
      await withCosmosRetry(`saving the ${what}`, () => container.items.upsert(schema.parse(doc)));
    },
  };
}

export function createClusterMappingStore(container: Container): ClusterMappingStore {
  return singleDoc(container, clusterMappingDocId, clusterMappingDocSchema, "propensity cluster mapping");
}

export function createFitModelRecords(container: Container): FitModelRecords {
  return singleDoc(container, fitModelRecordDocId, fitModelRecordDocSchema, "propensity fit model record");
}
