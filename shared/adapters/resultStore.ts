import { BulkOperationType, type Container, type JSONObject, type OperationInput } from "@azure/cosmos";
import { resultPointerDocSchema } from "../domain/results.js";
import type { PointerState, ResultStore } from "../ports/results.js";

// Writes refresh result sets into the results container and switches the partner's pointer
// (id "current"). Every operation carries the partner's partition key; every query also filters on
// partnerId, because the local emulator does not scope queries by partition key.
// The reading side for HTTP is shared/adapters/resultQueries.ts.

const bulkChunk = 100;
const chunksInFlight = 4;
const maxAttempts = 8;
const pageSize = 1000;
// Throttled, timed out, write-conflict retry or briefly unavailable: worth another try after a pause.
const retryable = new Set([408, 429, 449, 503]);

export class ResultWriteError extends Error {
  readonly code = "result_write_failed";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ResultWriteError";
  }
}

export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "number" ? code : undefined;
}

export function isRetryable(err: unknown): boolean {
  const code = statusOf(err);
  return code !== undefined && retryable.has(code);
}

export function backoff(attempt: number): Promise<void> {
  const ms = Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs one Cosmos call, retrying throttling / timeouts / unavailability with backoff. */
export async function withRetry<T>(what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (isRetryable(err) && attempt < maxAttempts) {
        await backoff(attempt);
        continue;
      }
      throw new ResultWriteError(`${what} failed`, { cause: err });
    }
  }
}

export function createResultStore(container: Container): ResultStore {
  async function bulk(partnerId: string, operations: OperationInput[], what: string, okStatuses: Set<number>): Promise<void> {
    let pending = operations;
    for (let attempt = 1; ; attempt++) {
      let statuses: number[];
      try {
        const responses = await container.items.bulk(pending, { continueOnError: true });
        statuses = responses.map((r) => r.statusCode);
      } catch (err) {
        if (isRetryable(err) && attempt < maxAttempts) {
          await backoff(attempt);
          continue;
        }
        throw new ResultWriteError(`${what} for partner ${partnerId} failed`, { cause: err });
      }
      const failed = statuses.filter((s) => !okStatuses.has(s) && !retryable.has(s));
      if (failed.length > 0) {
        throw new ResultWriteError(`${what} for partner ${partnerId}: ${failed.length} operation(s) failed with status ${failed[0]}`);
      }
      const again = pending.filter((_, i) => retryable.has(statuses[i]));
      if (again.length === 0) return;
      if (attempt >= maxAttempts) {
        throw new ResultWriteError(`${what} for partner ${partnerId}: ${again.length} operation(s) still throttled after ${attempt} attempts`);
      }
      pending = again;
      await backoff(attempt);
    }
  }

  async function inChunks(partnerId: string, operations: OperationInput[], what: string, okStatuses: Set<number>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < operations.length) {
        const start = next;
        next += bulkChunk;
        await bulk(partnerId, operations.slice(start, start + bulkChunk), what, okStatuses);
      }
    };
    await Promise.all(Array.from({ length: Math.min(chunksInFlight, Math.ceil(operations.length / bulkChunk)) }, worker));
  }

  async function queryAll<T>(partnerId: string, query: string, parameters: { name: string; value: string }[]): Promise<T[]> {
    const out: T[] = [];
    const iterator = container.items.query<T & { partnerId?: string }>(
      { query, parameters: [{ name: "@partnerId", value: partnerId }, ...parameters] },
      { partitionKey: partnerId, maxItemCount: pageSize },
    );
    while (iterator.hasMoreResults()) {
      const page = await withRetry("querying results", () => iterator.fetchNext());
      out.push(...page.resources);
    }
    return out;
  }

  return {
    async readPointer(partnerId): Promise<PointerState> {
      try {
        const { resource, etag } = await withRetry("reading the result pointer", () =>
          container.item("current", partnerId).read(),
        );
        if (!resource || resource.partnerId !== partnerId) return {};
        return { pointer: resultPointerDocSchema.parse(resource), etag };
      } catch (err) {
        if (statusOf((err as { cause?: unknown }).cause ?? err) === 404) return {};
        throw err;
      }
    },

    async writeDocuments(partnerId, docs) {
      for (const doc of docs) {
        if (doc.partnerId !== partnerId) throw new ResultWriteError(`document ${doc.id} does not belong to partner ${partnerId}`);
      }
      const operations: OperationInput[] = docs.map((doc) => ({
        operationType: BulkOperationType.Upsert,
        partitionKey: partnerId,
        resourceBody: doc as unknown as JSONObject,
      }));
      await inChunks(partnerId, operations, "writing the result set", new Set([200, 201]));
    },

    async switchPointer(partnerId, pointer, expectedEtag) {
      if (pointer.partnerId !== partnerId) throw new ResultWriteError(`pointer does not belong to partner ${partnerId}`);
      try {
        await withRetry("switching the result pointer", () =>
          expectedEtag === undefined
            ? container.items.create(pointer)
            : container.item("current", partnerId).replace(pointer, { accessCondition: { type: "IfMatch", condition: expectedEtag } }),
        );
        return true;
      } catch (err) {
        const status = statusOf((err as { cause?: unknown }).cause);
        // 409: another refresh created the first pointer; 412: another refresh switched since we read it;
        // 404: the pointer we read is gone (a reset) - in every case our set is not the one to show.
        if (status === 409 || status === 412 || status === 404) return false;
        throw err;
      }
    },

    async listResultSetIds(partnerId) {
      const docs = await queryAll<{ resultSetId: string }>(
        partnerId,
        "SELECT c.resultSetId FROM c WHERE c.partnerId = @partnerId AND c.type = 'ceSummary'",
        [],
      );
      return [...new Set(docs.map((d) => d.resultSetId))].sort();
    },

    async deleteResultSet(partnerId, resultSetId) {
      const docs = await queryAll<{ id: string; type: string }>(
        partnerId,
        "SELECT c.id, c.type FROM c WHERE c.partnerId = @partnerId AND c.resultSetId = @resultSetId",
        [{ name: "@resultSetId", value: resultSetId }],
      );
      // The summary marks the set as existing: it goes last, so an interrupted delete is found and finished later.
      const rows = docs.filter((d) => d.type !== "ceSummary");
      const markers = docs.filter((d) => d.type === "ceSummary");
      const toDelete = (list: { id: string }[]): OperationInput[] =>
        list.map((d) => ({ operationType: BulkOperationType.Delete, id: d.id, partitionKey: partnerId }));
      const gone = new Set([200, 204, 404]);
      await inChunks(partnerId, toDelete(rows), `deleting result set ${resultSetId}`, gone);
      await inChunks(partnerId, toDelete(markers), `deleting result set ${resultSetId}`, gone);
      return docs.length;
    },
  };
}

