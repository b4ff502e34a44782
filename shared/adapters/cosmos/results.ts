import { BulkOperationType, type Container, type JSONObject, type OperationInput, type SqlParameter, type SqlQuerySpec } from "@azure/cosmos";
import { ForeignTokenError } from "../../errors.js";
import { resultIds, resultPointerDocSchema, type ResultPointerDoc, type TabName } from "../../domain/results.js";
import type { PointerState, ResultReader, ResultSetStore, RowCursor, RowQuery } from "../../ports/results.js";
import { bulkWithRetry, hasStatus, inChunks, requestBudget, statusOf, withCosmosRetry } from "./retry.js";

// The results container: result sets written by the publisher and read by the HTTP API. Every operation
// carries the partner's partition key, and every query also filters on partnerId, because the local emulator
// does not scope queries by partition key (the filter costs nothing on Cosmos DB).
//
// Sorting: one ORDER BY field (multi-field ORDER BY needs a composite index per combination on Cosmos DB and
// is refused by the emulator); ties come back in storage order, which is stable. Rows lacking an optional
// sort field are read in a second phase, so they come last either way and the same rows appear on the
// emulator (which drops them from ORDER BY) and on Cosmos DB.

const bulkChunk = 100;
const chunksInFlight = 4;
const queryPageSize = 1000;
const upserted = new Set([200, 201]);
const gone = new Set([200, 204, 404]);

export function createResultSetStore(container: Container): ResultSetStore {
  async function queryAll<T>(partnerId: string, query: string, parameters: SqlParameter[]): Promise<T[]> {
    const out: T[] = [];
    const iterator = container.items.query<T & { partnerId?: string }>(
      { query, parameters: [{ name: "@partnerId", value: partnerId }, ...parameters] },
      { partitionKey: partnerId, maxItemCount: queryPageSize },
    );
    while (iterator.hasMoreResults()) {
      const page = await withCosmosRetry("querying results", () => iterator.fetchNext());
      out.push(...page.resources.filter((r) => r.partnerId === undefined || r.partnerId === partnerId));
    }
    return out;
  }

  const bulk = (partnerId: string, operations: OperationInput[], what: string, ok: ReadonlySet<number>) =>
    inChunks(operations, bulkChunk, chunksInFlight, async (chunk) => {
      await bulkWithRetry(container, chunk, `${what} for partner ${partnerId}`, { ok });
    });

  return {
    async readPointer(partnerId, tab): Promise<PointerState> {
      try {
        const { resource, etag } = await withCosmosRetry("reading the result pointer", () =>
          container.item(resultIds.pointer(tab), partnerId).read(),
        );
        if (!resource || resource.partnerId !== partnerId) return {};
        return { pointer: resultPointerDocSchema.parse(resource), etag };
      } catch (err) {
        if (hasStatus(err, 404)) return {};
        throw err;
      }
    },

    async writeDocuments(partnerId, docs) {
      for (const doc of docs) {
        if (doc.partnerId !== partnerId) throw new Error(`result document ${doc.id} does not belong to partner ${partnerId}`);
      }
      const operations: OperationInput[] = docs.map((doc) => ({
        operationType: BulkOperationType.Upsert,
        partitionKey: partnerId,
        resourceBody: doc as unknown as JSONObject,
      }));
      await bulk(partnerId, operations, "writing the result set", upserted);
    },

    async switchPointer(partnerId, pointer, expectedEtag) {
      if (pointer.partnerId !== partnerId) throw new Error(`pointer does not belong to partner ${partnerId}`);
      try {
        await withCosmosRetry("switching the result pointer", () =>
          expectedEtag === undefined
            ? container.items.create(pointer)
            : container.item(pointer.id, partnerId).replace(pointer, { accessCondition: { type: "IfMatch", condition: expectedEtag } }),
        );
        return true;
      } catch (err) {
        const status = statusOf(err);
        // 409: another refresh created the first pointer; 412: another refresh switched since we read it;
        // 404: the pointer we read is gone (a reset) - in every case our set is not the one to show.
        if (status === 409 || status === 412 || status === 404) return false;
        throw err;
      }
    },

    async listResultSetIds(partnerId, tab) {
      const docs = await queryAll<{ resultSetId: string }>(
        partnerId,
        "SELECT c.resultSetId FROM c WHERE c.partnerId = @partnerId AND c.type = 'resultSet' AND c.tab = @tab",
        [{ name: "@tab", value: tab }],
      );
      return [...new Set(docs.map((d) => d.resultSetId))].sort();
    },

    async deleteResultSet(partnerId, tab, resultSetId) {
      const docs = await queryAll<{ id: string; type: string }>(
        partnerId,
        "SELECT c.id, c.type FROM c WHERE c.partnerId = @partnerId AND c.resultSetId = @resultSetId AND c.tab = @tab",
        [
          { name: "@resultSetId", value: resultSetId },
          { name: "@tab", value: tab },
        ],
      );
      // The marker goes last, so an interrupted delete is found and finished later.
      const toDelete = (list: { id: string }[]): OperationInput[] =>
        list.map((d) => ({ operationType: BulkOperationType.Delete, id: d.id, partitionKey: partnerId }));
      await bulk(partnerId, toDelete(docs.filter((d) => d.type !== "resultSet")), `deleting result set ${resultSetId}`, gone);
      await bulk(partnerId, toDelete(docs.filter((d) => d.type === "resultSet")), `deleting result set ${resultSetId}`, gone);
      return docs.length;
    },
  };
}

/** The parameterised query for one phase of a filtered, sorted read of a result set's rows. */
export function buildRowsQuery(partnerId: string, resultSetId: string, query: RowQuery, phase: 0 | 1): SqlQuerySpec {
  const where = ["c.partnerId = @partnerId", "c.type = 'row'", "c.tab = @tab", "c.resultSetId = @resultSetId"];
  const parameters: SqlParameter[] = [
    { name: "@partnerId", value: partnerId },
    { name: "@tab", value: query.tab },
    { name: "@resultSetId", value: resultSetId },
  ];
  query.filters.forEach((filter, i) => {
    // Field names come from each tab's whitelist (zod enums), never from caller text; values are parameters.
    const name = `@f${i}`;
    const field = `c.${safeField(filter.field)}`;
    if (filter.op === "in") {
      where.push(`ARRAY_CONTAINS(${name}, ${field})`);
      parameters.push({ name, value: [...filter.values] });
    } else if (filter.op === "hasAny") {
      const names = filter.values.map((_, j) => `${name}_${j}`);
      where.push(names.length === 0 ? "false" : `(${names.map((n) => `ARRAY_CONTAINS(${field}, ${n})`).join(" OR ")})`);
      filter.values.forEach((value, j) => parameters.push({ name: names[j], value }));
    } else if (filter.op === "contains") {
      where.push(`CONTAINS(${field}, ${name})`);
      parameters.push({ name, value: filter.value });
    } else {
      where.push(`${field} ${filter.op === "eq" ? "=" : filter.op === "gte" ? ">=" : "<="} ${name}`);
      parameters.push({ name, value: filter.value });
    }
  });
  const sort = safeField(query.sort.field);
  let orderBy = `ORDER BY c.${sort} ${query.sort.order.toUpperCase()}`;
  if (query.sort.optional) {
    if (phase === 0) {
      where.push(`IS_DEFINED(c.${sort})`);
    } else {
      where.push(`NOT IS_DEFINED(c.${sort})`);
      orderBy = `ORDER BY c.${safeField(query.sort.tieBreaker ?? "id")} ASC`;
    }
  }
  return { query: `SELECT * FROM c WHERE ${where.join(" AND ")} ${orderBy}`, parameters };
}

/** Defence in depth: a field name that reaches the SQL text must be a plain identifier. */
function safeField(field: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(field)) throw new Error(`not a row field: ${field}`);
  return field;
}

/** True when the database refused a caller-supplied store token (it answers 400 for a token it cannot read). */
function isRejectedToken(err: unknown): boolean {
  return statusOf(err) === 400;
}

export function createResultReader(container: Container): ResultReader {
  async function pointRead(partnerId: string, id: string): Promise<unknown | undefined> {
    try {
      const { resource } = await withCosmosRetry(`reading ${id.split(":")[0]}`, () => container.item(id, partnerId).read(), requestBudget);
      if (!resource || resource.partnerId !== partnerId) return undefined;
      return resource;
    } catch (err) {
      if (hasStatus(err, 404)) return undefined;
      throw err;
    }
  }

  async function fetchPage(partnerId: string, spec: SqlQuerySpec, maxItemCount: number, storeToken: string | undefined) {
    try {
      const response = await withCosmosRetry(
        "querying result rows",
        () => container.items.query(spec, { partitionKey: partnerId, maxItemCount, continuationToken: storeToken }).fetchNext(),
        requestBudget,
      );
      const docs = response.resources.filter((r: { partnerId?: unknown }) => r.partnerId === partnerId);
      return { docs, storeToken: response.continuationToken || undefined };
    } catch (err) {
      // A tampered token the database cannot read is the caller's mistake, not an outage.
      if (storeToken !== undefined && isRejectedToken(err)) throw new ForeignTokenError({ cause: err });
      throw err;
    }
  }

  return {
    async pointer(partnerId, tab: TabName): Promise<ResultPointerDoc | undefined> {
      const doc = await pointRead(partnerId, resultIds.pointer(tab));
      return doc === undefined ? undefined : resultPointerDocSchema.parse(doc);
    },

    document: pointRead,

    async rows(partnerId, resultSetId, query, pageSize, from?: RowCursor) {
      const phases: (0 | 1)[] = query.sort.optional ? [0, 1] : [0];
      let phase: 0 | 1 = from?.phase ?? 0;
      if (!phases.includes(phase)) throw new ForeignTokenError();
      let storeToken = from?.storeToken;
      const docs: unknown[] = [];
      for (;;) {
        const page = await fetchPage(partnerId, buildRowsQuery(partnerId, resultSetId, query, phase), pageSize - docs.length, storeToken);
        docs.push(...page.docs);
        storeToken = page.storeToken;
        if (!storeToken) {
          const next = phases.find((p) => p > phase);
          if (next === undefined) return { docs };
          // Next phase from its start (no store token yet).
          phase = next;
        }
        if (docs.length >= pageSize) return { docs, next: { phase, ...(storeToken ? { storeToken } : {}) } };
      }
    },
  };
}
