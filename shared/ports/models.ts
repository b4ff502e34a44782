// Trained models are data: versioned JSON artifacts (a 300-tree model is about 1.6 MB, over Cosmos DB's item
// limit) kept in Blob Storage under the partner's own prefix; their metadata (metrics, training window, state)
// lives beside the partner's other documents in Cosmos DB.

export interface ModelStore {
  /** Stores one version's artifact; returns where it lives ("models/{partnerId}/{kind}/{version}.json"). */
  save(partnerId: string, kind: string, version: string, artifact: unknown): Promise<string>;
  /** The artifact of one version, undefined when there is none. */
  load(partnerId: string, kind: string, version: string): Promise<unknown | undefined>;
  /** Removes one version, or every version of a kind when `version` is omitted. */
  remove(partnerId: string, kind: string, version?: string): Promise<number>;
}
