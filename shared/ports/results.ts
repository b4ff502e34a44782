import type { ResultDoc, ResultPointerDoc, TabName } from "../domain/results.js";

// Result sets (results container): written whole by a refresh, then made current by switching the tab's
// pointer; read by the HTTP API. Adapter: shared/adapters/cosmos/results.ts.

export interface PointerState {
  pointer?: ResultPointerDoc;
  /** ETag of the pointer as read; undefined when the tab has no pointer yet. */
  etag?: string;
}

/** The writing side, used only by the result-set publisher (shared/refresh/publisher.ts). */
export interface ResultSetStore {
  readPointer(partnerId: string, tab: TabName): Promise<PointerState>;
  /** Upserts documents of one result set. */
  writeDocuments(partnerId: string, docs: readonly ResultDoc[]): Promise<void>;
  /**
   * Points the tab at a new result set in ONE conditional write: replace if the pointer still has
   * `expectedEtag`, or create it when there was none. Returns false when another refresh switched first.
   */
  switchPointer(partnerId: string, pointer: ResultPointerDoc, expectedEtag: string | undefined): Promise<boolean>;
  /** Ids of the tab's result sets that have documents in the partner's partition (by their markers). */
  listResultSetIds(partnerId: string, tab: TabName): Promise<string[]>;
  /** Deletes one result set (rows and summary first, marker last); returns how many documents went. */
  deleteResultSet(partnerId: string, tab: TabName, resultSetId: string): Promise<number>;
}

export type FilterValue = string | number | boolean;

/** A filter on a row field, in the tab's own terms; the adapter turns it into a parameterised query. */
export type RowFilter =
  | { field: string; op: "in"; values: readonly FilterValue[] }
  | { field: string; op: "eq" | "gte" | "lte"; value: FilterValue }
  /** The row's array field holds at least one of the values. */
  | { field: string; op: "hasAny"; values: readonly FilterValue[] }
  /** Substring of the row's lower-case searchText. */
  | { field: "searchText"; op: "contains"; value: string };

export interface RowQuery {
  tab: TabName;
  filters: readonly RowFilter[];
  /** One field (from the tab's whitelist); `optional`: rows may lack it, and those come last in either order. */
  sort: { field: string; order: "asc" | "desc"; optional: boolean; tieBreaker?: string };
}

/** Where a page stopped: the query phase (rows with a sort value, then rows without) and the store's own token. */
export interface RowCursor {
  phase: 0 | 1;
  storeToken?: string;
}

export interface RowPage<T> {
  docs: T[];
  /** Absent on the last page. */
  next?: RowCursor;
}

/** The reading side, used by the HTTP API. Every read is scoped to the partner. */
export interface ResultReader {
  pointer(partnerId: string, tab: TabName): Promise<ResultPointerDoc | undefined>;
  /** A point read of one document of a result set (summary or row), undefined when absent. */
  document(partnerId: string, id: string): Promise<unknown | undefined>;
  /**
   * One page of a result set's rows, filtered and sorted, filled across store pages and query phases.
   * A store token the database cannot read throws InvalidRequestError on continuationToken.
   */
  rows(partnerId: string, resultSetId: string, query: RowQuery, pageSize: number, from?: RowCursor): Promise<RowPage<unknown>>;
}
