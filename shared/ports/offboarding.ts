// What off-boarding needs of the stores (issue 8): mark a partner off-boarded, delete everything it owns in
// every Cosmos DB container and blob container (a page at a time, always by its partition or its prefix), and
// keep a small record of the deletion that outlives the partner. Adapters: shared/adapters/cosmos/partnerDocuments.ts,
// shared/adapters/storage/partnerBlobs.ts.

/** Every Cosmos DB container (all partitioned by partner) and blob container (all prefixed by partner). */
export type PartnerContainer = "partners" | "partnerData" | "ingestions" | "results";
export type PartnerBlobContainer = "drops" | "processed" | "rejected" | "models";

/** What is left of a partner once its data is deleted: who, when, how much. */
export interface PartnerDeletionRecord {
  partnerId: string;
  offboardedAt: string;
  deletedAt: string;
  /** Documents deleted per Cosmos DB container. */
  documents: Partial<Record<PartnerContainer, number>>;
  /** Blobs deleted per blob container. */
  blobs: Partial<Record<PartnerBlobContainer, number>>;
}

export interface PartnerDocuments {
  /** Sets offboardedAt on the partner's document (an earlier mark stands); undefined when there is no such partner. */
  markOffboarded(partnerId: string, at: string): Promise<{ offboardedAt: string } | undefined>;
  /** Deletes every document of the partner in one container, except the ids in `keep`; returns how many went. */
  deleteAll(container: PartnerContainer, partnerId: string, keep?: readonly string[]): Promise<number>;
  /** Keeps the record of a deletion (the first record of one off-boarding stands). */
  recordDeletion(record: PartnerDeletionRecord): Promise<void>;
  listDeletions(): Promise<PartnerDeletionRecord[]>;
}

export interface PartnerBlobs {
  /** Deletes every blob under "{partnerId}/" in one container; returns how many went. */
  deleteAll(container: PartnerBlobContainer, partnerId: string): Promise<number>;
}
