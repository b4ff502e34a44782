import type { IncentivesDoc, PartnerDoc, SubscriptionsDoc, TenantDoc, UsageDoc } from "../domain/documents.js";
import type { CloudEndpointsRowDoc, CloudEndpointsSummaryDoc, ResultPointerDoc } from "../domain/results.js";

// What a refresh reads (the partner's registry entry and ingested data) and writes (result sets and
// the current-result pointer). Adapters: shared/refresh/cosmosRefreshSource.ts, shared/adapters/resultStore.ts.

export type ResultDoc = CloudEndpointsRowDoc | CloudEndpointsSummaryDoc;

export interface PointerState {
  pointer?: ResultPointerDoc;
  /** ETag of the pointer as read; undefined when the partner has no pointer yet. */
  etag?: string;
}

export interface ResultStore {
  readPointer(partnerId: string): Promise<PointerState>;
  /** Upserts documents of one result set in chunks, retrying throttled and timed-out operations. */
  writeDocuments(partnerId: string, docs: readonly ResultDoc[]): Promise<void>;
  /**
   * Points the partner at a new result set in ONE conditional write: replace if the pointer still has
   * `expectedEtag`, or create it when there was none. Returns false when another refresh switched first.
   */
  switchPointer(partnerId: string, pointer: ResultPointerDoc, expectedEtag: string | undefined): Promise<boolean>;
  /** Ids of every result set that has documents in the partner's partition (its summary is the marker). */
  listResultSetIds(partnerId: string): Promise<string[]>;
  /** Deletes one result set (rows first, marker last); returns how many documents went. */
  deleteResultSet(partnerId: string, resultSetId: string): Promise<number>;
}

/** The newest subscription snapshot of one tenant (the refresh needs no history). */
export interface LatestSubscriptions {
  tenantId: string;
  latest?: SubscriptionsDoc["snapshots"][number];
}

export type UsageMonths = Pick<UsageDoc, "tenantId" | "months">;
export type TenantIncentives = Pick<IncentivesDoc, "tenantId" | "asOf" | "engagements">;

export interface RefreshSource {
  readPartner(partnerId: string): Promise<PartnerDoc | undefined>;
  /**
   * Records that the partner's results reflect `dataVersion` (never moves it backwards) and removes any
   * recorded refresh failure.
   */
  recordRefreshed(partnerId: string, dataVersion: string): Promise<void>;
  /** Counts one more failed refresh on the partner doc; `reference` is the invocation id, never the error. */
  recordRefreshFailure(partnerId: string, failure: { failedAt: string; reference: string }): Promise<void>;
  /** The partner's documents of each dataset, a page at a time, read with the partner's partition key. */
  tenants(partnerId: string): AsyncIterable<TenantDoc[]>;
  latestSubscriptions(partnerId: string): AsyncIterable<LatestSubscriptions[]>;
  usage(partnerId: string): AsyncIterable<UsageMonths[]>;
  incentives(partnerId: string): AsyncIterable<TenantIncentives[]>;
}
