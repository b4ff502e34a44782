import { BulkOperationType, type Container, type JSONObject, type OperationInput, type SqlParameter } from "@azure/cosmos";
import type { DocumentCondition, PartnerDataReader } from "../../ports/partnerData.js";
import type { IngestionStore, StagingStore } from "../../ports/ingest.js";
import { bulkWithRetry, hasStatus, inChunks, withCosmosRetry } from "./retry.js";

// partnerData container: the staged rows of every ingestion, one document per ingestion and tenant. Ingest
// writes them in bulk chunks with ETag conditions; a refresh reads those of the live ingestions only.

const bulkChunk = 100;
const chunksInFlight = 4;
const readsInFlight = 16;
const written = new Set([200, 201]);
// 409 on create, 412 on a changed ETag, 404 on replacing a deleted document: someone else wrote it.
const lostRace = new Set([404, 409, 412]);
const gone = new Set([200, 204, 404]);

/** Point reads, 16 in flight: on Cosmos DB a point read is the cheapest operation there is. */
async function pointReads<T>(container: Container, partnerId: string, ids: readonly string[]): Promise<Array<T & { _etag: string }>> {
  const out: Array<T & { _etag: string }> = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        const { resource } = await withCosmosRetry(`reading ${id.split(":")[0]} documents`, () =>
          container.item(id, partnerId).read<T & { _etag: string; partnerId: string }>(),
        );
        // partnerId checked as well: the local emulator does not scope reads by partition key.
        if (resource && resource.partnerId === partnerId) out.push(resource);
      } catch (err) {
        if (!hasStatus(err, 404)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(readsInFlight, ids.length) }, worker));
  return out;
}

export function createStagingStore(container: Container): StagingStore {
  return {
    readDocs: (partnerId, ids) => pointReads(container, partnerId, ids),

    async writeDocs(partnerId, writes) {
      const lost: string[] = [];
      await inChunks(writes, bulkChunk, chunksInFlight, async (chunk) => {
        const operations: OperationInput[] = chunk.map(({ doc, etag }) =>
          etag
            ? { operationType: BulkOperationType.Replace, id: doc.id, partitionKey: partnerId, ifMatch: etag, resourceBody: doc as JSONObject }
            : { operationType: BulkOperationType.Create, partitionKey: partnerId, resourceBody: doc as JSONObject },
        );
        const outcome = await bulkWithRetry(container, operations, `staging rows of partner ${partnerId}`, { ok: written, lostRace });
        for (const i of outcome.lost) lost.push(chunk[i].doc.id);
      });
      return lost;
    },

    async deleteIngestion(partnerId, ingestionId) {
      const iterator = container.items.query<{ id: string }>(
        {
          query: "SELECT c.id FROM c WHERE c.partnerId = @partnerId AND c.ingestionId = @ingestionId",
          parameters: [
            { name: "@partnerId", value: partnerId },
            { name: "@ingestionId", value: ingestionId },
          ],
        },
        { partitionKey: partnerId, maxItemCount: 1000 },
      );
      let deleted = 0;
      while (iterator.hasMoreResults()) {
        const { resources } = await withCosmosRetry(`listing staged rows of ingestion ${ingestionId}`, () => iterator.fetchNext());
        const operations: OperationInput[] = resources.map((d) => ({ operationType: BulkOperationType.Delete, id: d.id, partitionKey: partnerId }));
        await inChunks(operations, bulkChunk, chunksInFlight, async (chunk) => {
          await bulkWithRetry(container, chunk, `removing staged rows of ingestion ${ingestionId}`, { ok: gone });
        });
        deleted += resources.length;
      }
      return deleted;
    },
  };
}

function checkField(field: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(field)) throw new Error(`not a document field: ${field}`);
  return field;
}

/** Conditions as parameterised SQL (field names are plain identifiers, values parameters). */
function whereClause(where: readonly DocumentCondition[]): { sql: string; parameters: SqlParameter[] } {
  let sql = "";
  const parameters: SqlParameter[] = [];
  where.forEach((condition, i) => {
    const field = `c.${checkField(condition.field)}`;
    const name = `@w${i}`;
    if ("values" in condition) {
      sql += condition.op === "in" ? ` AND ARRAY_CONTAINS(${name}, ${field})` : ` AND NOT ARRAY_CONTAINS(${name}, ${field})`;
      parameters.push({ name, value: [...condition.values] });
    } else {
      sql += ` AND ${field} ${condition.op === "gte" ? ">=" : "<="} ${name}`;
      parameters.push({ name, value: condition.value });
    }
  });
  return { sql, parameters };
}

export interface PartnerDataReaderOptions {
  /** Documents per query page (each page is capped at 4 MB by Cosmos DB). */
  pageSize?: number;
  /** Called when documents are skipped because they do not match their schema. */
  onInvalid?: (type: string, count: number) => void;
}

export function createPartnerDataReader(
  container: Container,
  ingestions: Pick<IngestionStore, "listLoaded">,
  options: PartnerDataReaderOptions = {},
): PartnerDataReader {
  const pageSize = options.pageSize ?? 2000;
  return {
    loadedIngestions: (partnerId) => ingestions.listLoaded(partnerId),

    async *documents(partnerId, type, ingestionIds, schema, fields, where = [], size = pageSize) {
      if (ingestionIds.length === 0) return;
      for (const field of fields ?? []) checkField(field);
      const select = fields ? fields.map((f) => `c.${f}`).join(", ") : "*";
      const conditions = whereClause(where);
      const iterator = container.items.query(
        {
          query: `SELECT ${select} FROM c WHERE c.partnerId = @partnerId AND c.type = @type AND ARRAY_CONTAINS(@ingestions, c.ingestionId)${conditions.sql}`,
          parameters: [
            { name: "@partnerId", value: partnerId },
            { name: "@type", value: type },
            { name: "@ingestions", value: [...ingestionIds] },
            ...conditions.parameters,
          ],
        },
        { partitionKey: partnerId, maxItemCount: size },
      );
      while (iterator.hasMoreResults()) {
        const { resources } = await withCosmosRetry(`reading ${type} documents of partner ${partnerId}`, () => iterator.fetchNext());
        const page = [];
        let invalid = 0;
        for (const doc of resources) {
          const parsed = schema.safeParse(doc);
          if (parsed.success) page.push(parsed.data);
          else invalid += 1;
        }
        if (invalid > 0) options.onInvalid?.(type, invalid);
        if (page.length > 0) yield page;
      }
    },

    async count(partnerId, type, ingestionIds, where = []) {
      if (ingestionIds.length === 0) return 0;
      const conditions = whereClause(where);
      const { resources } = await withCosmosRetry(`counting ${type} documents of partner ${partnerId}`, () =>
        container.items
          .query<number>(
            {
              query: `SELECT VALUE COUNT(1) FROM c WHERE c.partnerId = @partnerId AND c.type = @type AND ARRAY_CONTAINS(@ingestions, c.ingestionId)${conditions.sql}`,
              parameters: [
                { name: "@partnerId", value: partnerId },
                { name: "@type", value: type },
                { name: "@ingestions", value: [...ingestionIds] },
                ...conditions.parameters,
              ],
            },
            { partitionKey: partnerId },
          )
          .fetchAll(),
      );
      return resources.reduce((n, x) => n + x, 0);
    },

    async documentsById(partnerId, ids, schema) {
      const docs = await pointReads<unknown>(container, partnerId, ids);
      return docs.flatMap((d) => {
        const parsed = schema.safeParse(d);
        return parsed.success ? [parsed.data] : [];
      });
    },
  };
}
