import { BulkOperationType, type Container, type OperationInput, type SqlParameter } from "@azure/cosmos";

// The benchmark's floors: what the emulator itself costs for the same documents and queries,
// measured with the SDK directly (no host, no HTTP), so each figure can be read against its floor.

export type Doc = Record<string, unknown> & { id: string; partnerId: string };

const systemProperties = ["_rid", "_self", "_etag", "_attachments", "_ts", "_lsn"];

/** Every document of one partner in a container, read in large pages (few round trips). */
export async function readPartnerDocuments(
  container: Container,
  partnerId: string,
  filter: { where: string; parameters: SqlParameter[] } = { where: "true", parameters: [] },
): Promise<Doc[]> {
  const docs: Doc[] = [];
  const iterator = container.items.query<Doc>(
    {
      query: `SELECT * FROM c WHERE c.partnerId = @partnerId AND ${filter.where}`,
      parameters: [{ name: "@partnerId", value: partnerId }, ...filter.parameters],
    },
    { partitionKey: partnerId, maxItemCount: 2000 },
  );
  while (iterator.hasMoreResults()) {
    const { resources } = await iterator.fetchNext();
    for (const doc of resources) {
      for (const p of systemProperties) delete (doc as Record<string, unknown>)[p];
      docs.push(doc);
    }
  }
  return docs;
}

export interface BulkFloor {
  documents: number;
  ms: number;
  documentsPerSecond: number;
}

/**
 * Upserts the documents, re-homed to `floorPartnerId`, with items.bulk (100 operations per call, `inFlight`
 * calls at once): the raw write cost of the same documents the pipeline wrote.
 */
export async function bulkUpsertFloor(container: Container, docs: readonly Doc[], floorPartnerId: string, inFlight = 2): Promise<BulkFloor> {
  const rehomed = docs.map((d) => ({ ...d, partnerId: floorPartnerId }));
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < rehomed.length) {
        const batch = rehomed.slice(next, next + 100);
        next += 100;
        const operations: OperationInput[] = batch.map((resourceBody) => ({
          operationType: BulkOperationType.Upsert,
          partitionKey: floorPartnerId,
          resourceBody,
        }));
        const results = await container.items.bulk(operations);
        const failed = results.find((r) => r.statusCode >= 300);
        if (failed) throw new Error(`bulk upsert floor: status ${failed.statusCode}`);
      }
    }),
  );
  const ms = performance.now() - start;
  return { documents: rehomed.length, ms: Math.round(ms), documentsPerSecond: Math.round(rehomed.length / (ms / 1000)) };
}
