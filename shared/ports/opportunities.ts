import type { FeedbackRecord } from "../domain/opportunities/index.js";
import type { OpportunityModelsDoc } from "../domain/opportunities/stored.js";

// The Opportunities tab's partner-owned state (partners container, the partner's partition): which trained model
// set is current, with each model's metadata, and the feedback users gave. Adapter: adapters/cosmos/opportunities.ts.

export interface OpportunityModelRegistry {
  /** The partner's registry document and its ETag, or undefined before the first training. */
  read(partnerId: string): Promise<{ doc: OpportunityModelsDoc; etag: string } | undefined>;
  /**
   * Writes the registry in ONE conditional write: replaces the document if it still has `expectedEtag`, or creates
   * it when there was none. Returns false when another refresh wrote first.
   */
  write(doc: OpportunityModelsDoc, expectedEtag: string | undefined): Promise<boolean>;
}

export interface OpportunityFeedbackStore {
  /** Stores one answer (each answer is its own document; answers are never overwritten). */
  add(partnerId: string, record: FeedbackRecord): Promise<void>;
  /** The answers the partner's users gave, oldest first: every one, or those given at or after `since`. */
  list(partnerId: string, options?: { since?: string }): Promise<FeedbackRecord[]>;
}
