import type { ClusterMappingDoc, FitModelRecordDoc } from "../domain/propensity/partnerDocs.js";

// Propensity's partner-owned state (partners container): the cell → cluster mapping an administrator sets, and
// the record of the stored fit model. Adapter: shared/adapters/cosmos/propensity.ts.

export interface ClusterMappingStore {
  /** The partner's saved mapping, undefined while it uses the default. */
  read(partnerId: string): Promise<ClusterMappingDoc | undefined>;
  write(doc: ClusterMappingDoc): Promise<void>;
}

export interface FitModelRecords {
  read(partnerId: string): Promise<FitModelRecordDoc | undefined>;
  write(doc: FitModelRecordDoc): Promise<void>;
}
