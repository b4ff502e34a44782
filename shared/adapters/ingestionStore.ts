import type { Container } from "@azure/cosmos";
import { ingestionDocSchema, type IngestionDoc } from "../domain/documents.js";
import type { IngestionRecord, IngestionStore, StoredIngestion } from "../ports/ingest.js";
import type { Clients } from "./clients.js";

// ingestions container: one record per dropped blob version, partitioned by partner.

// The code maps to 503 at the HTTP edge: the store being unreachable is not the caller's fault.
export class IngestionStoreError extends Error {
  readonly code = "unavailable";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IngestionStoreError";
  }
}

export function createIngestionStore(container: Container): IngestionStore {
  return {
    async read(partnerId, id) {
      try {
        const { resource, etag } = await container.item(id, partnerId).read<IngestionRecord>();
        return resource ? { record: strip(resource), etag } : undefined;
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw new IngestionStoreError(`reading ingestion ${id} failed`, { cause: err });
      }
    },
    async create(record) {
      try {
        const { resource, etag } = await container.items.create<IngestionRecord>(record);
        return stored(resource, etag);
      } catch (err) {
        if ((err as { code?: number }).code === 409) return "exists";
        throw new IngestionStoreError(`creating ingestion ${record.id} failed`, { cause: err });
      }
    },
    async replace(record, etag) {
      try {
        const { resource, etag: next } = await container
          .item(record.id, record.partnerId)
          .replace<IngestionRecord>(record, { accessCondition: { type: "IfMatch", condition: etag } });
        return stored(resource, next);
      } catch (err) {
        if ((err as { code?: number }).code === 412) return "conflict";
        throw new IngestionStoreError(`updating ingestion ${record.id} failed`, { cause: err });
      }
    },
  };
}

function stored(resource: IngestionRecord | undefined, etag: string): StoredIngestion {
  if (!resource) throw new IngestionStoreError("the database returned no ingestion record");
  return { record: strip(resource), etag };
}

/** Drops Cosmos system properties so a record can be written back as it was. */
function strip(resource: IngestionRecord): IngestionRecord {
  const record: Record<string, unknown> = { ...resource };
  for (const key of ["_rid", "_self", "_etag", "_attachments", "_ts"]) delete record[key];
  return record as IngestionRecord;
}

// ---- read side for the HTTP API -------------------------------------------------------

/** One ingestion record of this partner, or undefined (also when it belongs to another partner). */
export async function getIngestion(
  containers: Clients["containers"],
  partnerId: string,
  id: string,
): Promise<IngestionDoc | undefined> {
  try {
    const { resource } = await containers.ingestions.item(id, partnerId).read();
    if (!resource || resource.partnerId !== partnerId || resource.type !== "ingestion") return undefined;
    return ingestionDocSchema.parse(resource);
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw new IngestionStoreError(`reading ingestion ${id} failed`, { cause: err });
  }
}

export interface IngestionPage {
  items: IngestionDoc[];
  /** Pass back to get the next page; absent on the last page. */
  continuationToken?: string;
}

/** This partner's ingestion records, newest first, one page at a time. */
export async function listIngestions(
  containers: Clients["containers"],
  partnerId: string,
  options: { pageSize: number; continuationToken?: string },
): Promise<IngestionPage> {
  try {
    const response = await containers.ingestions.items
      .query(
        {
          // partnerId in the filter as well as the partition key: the local emulator ignores the latter.
          query: 'SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = "ingestion" ORDER BY c.receivedAt DESC',
          parameters: [{ name: "@partnerId", value: partnerId }],
        },
        { partitionKey: partnerId, maxItemCount: options.pageSize, continuationToken: options.continuationToken },
      )
      .fetchNext();
    return {
      items: response.resources.map((r) => ingestionDocSchema.parse(r)),
      continuationToken: response.continuationToken ?? undefined,
    };
  } catch (err) {
    throw new IngestionStoreError(`listing ingestions of partner ${partnerId} failed`, { cause: err });
  }
}
