import { z } from "zod";
import type { IngestionDoc } from "../domain/documents.js";

// What the ingest use case and the drop sweep need from storage; adapters in shared/adapters implement these.

/** A committed drop, as the live set (shared/ingest/liveSet.ts) needs it. */
export interface LoadedIngestion {
  id: string;
  dataset: string;
  /** Snapshot date YYYY-MM-DD. */
  asOf: string;
  /** drops/{partnerId}/{dataset}/{fileName} */
  blobPath: string;
  /** Blob Last-Modified (ISO); absent on records written before it was kept. */
  writtenAt?: string;
  receivedAt: string;
  /** When a delivery first saw it (ms): breaks ties between versions written within the same second. */
  firstSeenAt?: string;
  /** Usage: the months the file carries. */
  months?: string[];
  /** Set once its staged rows were removed (it was replaced). */
  purgedAt?: string;
}

/** The ingestion record plus who is working on it (claim fields are not part of the public record). */
export type IngestionRecord = IngestionDoc & {
  /** Token of the delivery working on it; cleared when it gives the work back or finishes. */
  claimedBy?: string;
  /** Last sign of life of that delivery (ISO time); its lease runs out `leaseSeconds` later. */
  heartbeatAt?: string;
  /** Set once the staged rows of a failed or superseded drop are removed. */
  purgedAt?: string;
};

export interface StoredIngestion {
  record: IngestionRecord;
  etag: string;
}

export interface IngestionStore {
  read(partnerId: string, id: string): Promise<StoredIngestion | undefined>;
  /** Conditional create: "exists" when another delivery created it first. */
  create(record: IngestionRecord): Promise<StoredIngestion | "exists">;
  /** ETag-conditional replace: "conflict" when someone else wrote it since. */
  replace(record: IngestionRecord, etag: string): Promise<StoredIngestion | "conflict">;
  /** The partner's committed (loaded) ingestions: what the live set is computed from. */
  listLoaded(partnerId: string): Promise<LoadedIngestion[]>;
  /** Failed ingestions of the partner whose staged rows are not removed yet. */
  listUnpurgedFailures(partnerId: string): Promise<string[]>;
  /** Records still received/validating whose last heartbeat is older than `before`, across partners (the sweep). */
  listStalled(before: string, max: number): Promise<IngestionRecord[]>;
  /** Notes that the ingestion's staged rows are gone (so they are not looked for again). */
  markPurged(partnerId: string, id: string, at: string): Promise<void>;
}

/** The HTTP side: one partner's records, newest first. */
export interface IngestionReader {
  get(partnerId: string, id: string): Promise<IngestionDoc | undefined>;
  page(partnerId: string, pageSize: number, storeToken?: string): Promise<{ items: IngestionDoc[]; storeToken?: string }>;
}

/** Staged rows (partnerData container): one document per ingestion and tenant. */
export interface StagingStore {
  /** Documents by id that exist, each with its ETag. */
  readDocs<T>(partnerId: string, ids: string[]): Promise<Array<T & { _etag: string }>>;
  /**
   * Writes in bulk chunks, each conditional: a document read with an ETag is replaced only if unchanged, one
   * read as missing is created only if still missing. Returns the ids whose write lost a race (the caller
   * re-reads and merges again). Transient failures are retried; others reject.
   */
  writeDocs(partnerId: string, writes: Array<{ doc: { id: string }; etag?: string }>): Promise<string[]>;
  /** Removes every staged document of one ingestion; returns how many went. */
  deleteIngestion(partnerId: string, ingestionId: string): Promise<number>;
}

export type ArchiveTarget = "processed" | "rejected";

export interface DropBlob {
  /** Path inside the drops container. */
  name: string;
  etag: string;
  lastModified: Date;
  sizeBytes: number;
}

/** The drops container and the archive of every dropped blob (processed/ or rejected/). */
export interface DropStore {
  /**
   * Stores a copy under `name` in the target container with metadata; returns "{container}/{name}". From the
   * bytes that were ingested when given, else a server-side copy of drops/{copyOf} if it still has `etag`.
   */
  archive(
    target: ArchiveTarget,
    name: string,
    source: { content: Uint8Array } | { copyOf: string; etag: string },
    metadata: Record<string, string>,
  ): Promise<string>;
  /** Deletes drops/{name} if it is still the version with this ETag (a newer upload is left for its own ingestion). */
  removeDrop(name: string, etag: string): Promise<void>;
  /** The current version of drops/{name}; undefined when it is gone. */
  dropVersion(name: string): Promise<DropBlob | undefined>;
  /** The bytes of drops/{name} if it still has `etag`; undefined when that version is gone. */
  download(name: string, etag: string): Promise<Uint8Array | undefined>;
  /** Every blob in drops/ (or only those whose name starts with `prefix`), a page at a time. */
  listDrops(prefix?: string): AsyncIterable<DropBlob[]>;
}

/** Drops to ingest again (found by the sweep): one message per blob version, handled by a queue trigger. */
export const ingestJobSchema = z.object({ blobPath: z.string().min(1), etag: z.string().min(1) });
export type IngestJob = z.infer<typeof ingestJobSchema>;

export interface IngestQueue {
  enqueue(job: IngestJob): Promise<void>;
}
