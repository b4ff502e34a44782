import { BulkOperationType, type Container, type JSONObject, type OperationInput } from "@azure/cosmos";
import type { PartnerDataStore } from "../ports/ingest.js";

// partnerData container: per-tenant documents read in one query per batch and upserted in bulk chunks.

const bulkChunk = 100;
const parallelChunks = 4;
const maxAttempts = 8;
// Throttled, timed out or briefly unavailable: worth another try after a pause.
const retryable = new Set([408, 429, 449, 503]);

export class PartnerDataError extends Error {}

export function createPartnerDataStore(container: Container): PartnerDataStore {
  return {
    async readTenantDocs<T>(partnerId: string, type: string, tenantIds: string[]): Promise<T[]> {
      if (tenantIds.length === 0) return [];
      try {
        const { resources } = await container.items
          .query<T>(
            {
              // partnerId in the filter as well as the partition key: the local emulator ignores the latter.
              query: "SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type AND ARRAY_CONTAINS(@ids, c.tenantId)",
              parameters: [
                { name: "@partnerId", value: partnerId },
                { name: "@type", value: type },
                { name: "@ids", value: tenantIds },
              ],
            },
            { partitionKey: partnerId },
          )
          .fetchAll();
        return resources;
      } catch (err) {
        throw new PartnerDataError(`reading ${type} documents of partner ${partnerId} failed`, { cause: err });
      }
    },

    async upsertDocs(partnerId: string, docs: object[]): Promise<void> {
      const chunks: object[][] = [];
      for (let i = 0; i < docs.length; i += bulkChunk) chunks.push(docs.slice(i, i + bulkChunk));
      let next = 0;
      const worker = async () => {
        while (next < chunks.length) await upsertChunk(container, partnerId, chunks[next++]);
      };
      await Promise.all(Array.from({ length: Math.min(parallelChunks, chunks.length) }, worker));
    },
  };
}

async function upsertChunk(container: Container, partnerId: string, docs: object[]): Promise<void> {
  let pending = docs;
  for (let attempt = 1; ; attempt++) {
    const operations: OperationInput[] = pending.map((doc) => ({
      operationType: BulkOperationType.Upsert,
      partitionKey: partnerId,
      resourceBody: doc as JSONObject,
    }));
    let statuses: number[];
    try {
      const responses = await container.items.bulk(operations, { continueOnError: true });
      statuses = responses.map((r) => r.statusCode);
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== undefined && retryable.has(code) && attempt < maxAttempts) {
        await backoff(attempt);
        continue;
      }
      throw new PartnerDataError(`bulk upsert for partner ${partnerId} failed`, { cause: err });
    }
    const again = pending.filter((_, i) => retryable.has(statuses[i]));
    const failed = statuses.filter((s) => s >= 300 && !retryable.has(s));
    if (failed.length > 0) {
      throw new PartnerDataError(`bulk upsert for partner ${partnerId}: ${failed.length} operation(s) failed with status ${failed[0]}`);
    }
    if (again.length === 0) return;
    if (attempt >= maxAttempts) {
      throw new PartnerDataError(`bulk upsert for partner ${partnerId}: ${again.length} operation(s) still throttled after ${attempt} attempts`);
    }
    pending = again;
    await backoff(attempt);
  }
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(5_000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
