import type { Container } from "@azure/cosmos";
import { z } from "zod";
import { ingestionDocSchema, type IngestionDoc } from "../../domain/documents.js";
import type { LoadedIngestion } from "../../ingest/liveSet.js";
import type { IngestionReader, IngestionRecord, IngestionStore, StoredIngestion } from "../../ports/ingest.js";
import { ForeignTokenError } from "../../errors.js";
import { hasStatus, requestBudget, statusOf, withCosmosRetry } from "./retry.js";

// ingestions container: one record per dropped blob version, partitioned by partner.

const claimFields = {
  claimedBy: z.string().optional(),
  heartbeatAt: z.string().optional(),
  purgedAt: z.string().optional(),
};
const ingestionRecordSchema = ingestionDocSchema.extend(claimFields);

const loadedIngestionSchema = z.object({
  id: z.string(),
  dataset: z.string(),
  asOf: z.string(),
  blobPath: z.string(),
  writtenAt: z.string().optional(),
  firstSeenAt: z.string().optional(),
  receivedAt: z.string(),
  months: z.array(z.string()).optional(),
  purgedAt: z.string().optional(),
});

function stored(resource: unknown, etag: string): StoredIngestion {
  // Parsed, not cast: system properties (_rid, _etag, ...) are dropped so the record can be written back as it was.
  return { record: ingestionRecordSchema.parse(resource) as IngestionRecord, etag };
}

export function createIngestionStore(container: Container): IngestionStore {
  async function queryAll<T>(what: string, query: string, parameters: { name: string; value: string | number }[], partnerId?: string): Promise<T[]> {
    const iterator = container.items.query<T>({ query, parameters }, { ...(partnerId ? { partitionKey: partnerId } : {}), maxItemCount: 1000 });
    const out: T[] = [];
    while (iterator.hasMoreResults()) {
      const { resources } = await withCosmosRetry(what, () => iterator.fetchNext());
      out.push(...resources);
    }
    return out;
  }

  return {
    async read(partnerId, id) {
      try {
        const { resource, etag } = await withCosmosRetry(`reading ingestion ${id}`, () => container.item(id, partnerId).read());
        if (!resource || resource.partnerId !== partnerId) return undefined;
        return stored(resource, etag);
      } catch (err) {
        if (hasStatus(err, 404)) return undefined;
        throw err;
      }
    },

    async create(record) {
      try {
        const { resource, etag } = await withCosmosRetry(`creating ingestion ${record.id}`, () => container.items.create(record));
        return stored(resource, etag);
      } catch (err) {
        if (hasStatus(err, 409)) return "exists";
        throw err;
      }
    },

    async replace(record, etag) {
      try {
        const { resource, etag: next } = await withCosmosRetry(`updating ingestion ${record.id}`, () =>
          container.item(record.id, record.partnerId).replace(record, { accessCondition: { type: "IfMatch", condition: etag } }),
        );
        return stored(resource, next);
      } catch (err) {
        // 412: someone else wrote it since; 404: it is gone. Either way the caller's claim is over.
        if (statusOf(err) === 412 || statusOf(err) === 404) return "conflict";
        throw err;
      }
    },

    async listLoaded(partnerId): Promise<LoadedIngestion[]> {
      const rows = await queryAll<unknown>(
        `listing loaded ingestions of partner ${partnerId}`,
        "SELECT c.id, c.dataset, c.asOf, c.blobPath, c.writtenAt, c.firstSeenAt, c.receivedAt, c.months, c.purgedAt FROM c " +
          "WHERE c.partnerId = @partnerId AND c.type = 'ingestion' AND c.status = 'loaded'",
        [{ name: "@partnerId", value: partnerId }],
        partnerId,
      );
      return rows.flatMap((r) => {
        const parsed = loadedIngestionSchema.safeParse(r);
        return parsed.success ? [parsed.data] : [];
      });
    },

    async listUnpurgedFailures(partnerId) {
      const rows = await queryAll<{ id: string }>(
        `listing failed ingestions of partner ${partnerId}`,
        "SELECT c.id FROM c WHERE c.partnerId = @partnerId AND c.type = 'ingestion' AND c.status = 'failed' AND NOT IS_DEFINED(c.purgedAt)",
        [{ name: "@partnerId", value: partnerId }],
        partnerId,
      );
      return rows.map((r) => r.id);
    },

    async listStalled(before, max) {
      // Across partners: the sweep looks after every partner's drops. Few records match (only unfinished ones).
      const rows = await queryAll<unknown>(
        "listing stalled ingestions",
        `SELECT TOP ${Math.max(1, Math.floor(max))} * FROM c WHERE c.type = 'ingestion' AND (c.status = 'received' OR c.status = 'validating') ` +
          "AND (NOT IS_DEFINED(c.heartbeatAt) OR c.heartbeatAt < @before)",
        [{ name: "@before", value: before }],
      );
      return rows.flatMap((r) => {
        const parsed = ingestionRecordSchema.safeParse(r);
        return parsed.success ? [parsed.data as IngestionRecord] : [];
      });
    },

    async markPurged(partnerId, id, at) {
      try {
        await withCosmosRetry(`marking ingestion ${id} purged`, () => container.item(id, partnerId).patch([{ op: "set", path: "/purgedAt", value: at }]));
      } catch (err) {
        if (!hasStatus(err, 404)) throw err;
      }
    },
  };
}

export function createIngestionReader(container: Container): IngestionReader {
  return {
    async get(partnerId, id): Promise<IngestionDoc | undefined> {
      try {
        const { resource } = await withCosmosRetry(`reading ingestion ${id}`, () => container.item(id, partnerId).read(), requestBudget);
        if (!resource || resource.partnerId !== partnerId || resource.type !== "ingestion") return undefined;
        return ingestionDocSchema.parse(resource);
      } catch (err) {
        if (hasStatus(err, 404)) return undefined;
        throw err;
      }
    },

    async page(partnerId, pageSize, storeToken) {
      const response = await withCosmosRetry(
        `listing ingestions of partner ${partnerId}`,
        () =>
          container.items
            .query(
              {
                // partnerId in the filter as well as the partition key: the local emulator ignores the latter.
                query: "SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = 'ingestion' ORDER BY c.receivedAt DESC",
                parameters: [{ name: "@partnerId", value: partnerId }],
              },
              { partitionKey: partnerId, maxItemCount: pageSize, continuationToken: storeToken },
            )
            .fetchNext(),
        requestBudget,
      ).catch((err: unknown) => {
        // A store token the database cannot read is the caller's mistake, not an outage.
        throw storeToken !== undefined && hasStatus(err, 400) ? new ForeignTokenError({ cause: err }) : err;
      });
      return {
        items: response.resources.filter((r) => r.partnerId === partnerId).map((r) => ingestionDocSchema.parse(r)),
        ...(response.continuationToken ? { storeToken: response.continuationToken } : {}),
      };
    },
  };
}
