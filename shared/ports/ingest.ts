import type { DatasetName } from "../domain/datasets.js";
import type { IngestionDoc } from "../domain/documents.js";
import type { DocType } from "../ingest/documents.js";

// What the ingest use case needs from storage; adapters in shared/adapters implement these.

/** Per-tenant documents of the partnerData container. */
export interface PartnerDataStore {
  /** Whether the partner has any document of this type (a first load can skip reading). */
  hasDocs(partnerId: string, type: DocType): Promise<boolean>;
  /** The stored documents of one type for these tenants (read by id), each with its ETag. */
  readTenantDocs<T>(partnerId: string, type: DocType, tenantIds: string[]): Promise<Array<T & { _etag: string }>>;
  /**
   * Writes in bulk chunks, each conditional: a document read with an ETag is replaced only if unchanged,
   * one read as missing is created only if still missing. Returns the ids whose write lost a race
   * (the caller re-reads and merges again); throttled operations are retried; any other failure rejects.
   */
  writeDocs(partnerId: string, writes: Array<{ doc: { id: string }; etag?: string }>): Promise<string[]>;
}

/** The ingestion record plus who is working on it (claim fields are not part of the public record). */
export type IngestionRecord = IngestionDoc & {
  /** Token of the invocation working on it; cleared when it gives the work back. */
  claimedBy?: string;
  /** Last sign of life of that invocation (ISO time); an old one lets another delivery take over. */
  heartbeatAt?: string;
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
}

export type ArchiveTarget = "processed" | "rejected";

/** Keeps every dropped blob: copies it to processed/ or rejected/, then removes it from drops/. */
export interface DropArchive {
  /** Stores the content under `name` in the target container with metadata; returns "{container}/{name}". */
  archive(target: ArchiveTarget, name: string, content: Uint8Array, metadata: Record<string, string>): Promise<string>;
  /** Deletes drops/{name} if it is still the version with this ETag (a newer upload is left for its own ingestion). */
  removeDrop(name: string, etag: string): Promise<void>;
  /** The current version of drops/{name} (for triggers that pass no ETag); undefined when it is gone. */
  dropVersion(name: string): Promise<{ etag: string; lastModified?: Date } | undefined>;
}

export interface DatasetLoad {
  asOf: string;
  ingestionId: string;
  loadedAt: string;
}

/** The partner document (partners container, id "partner"). */
export interface PartnerStore {
  /** Records a loaded drop and bumps dataVersion; safe when two drops finish at once. */
  recordDatasetLoad(partnerId: string, dataset: DatasetName, load: DatasetLoad): Promise<void>;
}
