import type { DatasetName } from "../domain/datasets.js";
import type { PartnerDoc, RefreshFailure } from "../domain/documents.js";

// The partner registry (partners container, id "partner"): which snapshot of each dataset is loaded, when
// data last changed, whether refreshes keep failing. Read by the API (stale flag), written by ingest and refresh.

export type PartnerRegistryEntry = Pick<PartnerDoc, "partnerId" | "dataVersion" | "refreshedDataVersion" | "offboardedAt" | "refreshFailure">;

export interface DatasetLoad {
  asOf: string;
  ingestionId: string;
  loadedAt: string;
}

export interface PartnerReader {
  /** The partner's document, or undefined when it has none yet. */
  read(partnerId: string): Promise<PartnerDoc | undefined>;
}

export interface PartnerRegistry extends PartnerReader {
  /** Creates the partner's document with its display name, if it has none yet (onboarding, demo). */
  register(partnerId: string, name: string): Promise<void>;
  /** Every partner's schedule fields (the one cross-partition read of the service). */
  listForSchedule(): Promise<PartnerRegistryEntry[]>;
  /** Records a committed drop and moves dataVersion forward; safe when two drops finish at once. */
  recordDatasetLoad(partnerId: string, dataset: DatasetName, load: DatasetLoad): Promise<void>;
  /** The results reflect `dataVersion` (never moves backwards); a success also ends a run of failures. */
  recordRefreshed(partnerId: string, dataVersion: string): Promise<void>;
  /** One more failed refresh; `reference` is the invocation id, never the error text. */
  recordRefreshFailure(partnerId: string, failure: Omit<RefreshFailure, "count">): Promise<void>;
}
