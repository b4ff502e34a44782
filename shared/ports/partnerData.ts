import type { z } from "zod";
import type { StagedDocType } from "../domain/documents.js";
import type { LoadedIngestion } from "./ingest.js";

// What a refresh reads of the partner's data: the committed ingestions (to compute the live set) and their
// staged documents, a page at a time, always in the partner's partition. Documents that do not match their
// schema are skipped and counted, never fatal.

/**
 * A condition on a top-level field of a staged document, so only the documents a reader needs travel (the
 * store's cost is per document returned). A document lacking the field fails in, gte and lte, passes notIn.
 */
export type DocumentCondition =
  | { field: string; op: "in" | "notIn"; values: readonly (string | number)[] }
  | { field: string; op: "gte" | "lte"; value: string | number };

export interface PartnerDataReader {
  loadedIngestions(partnerId: string): Promise<LoadedIngestion[]>;
  /**
   * Staged documents of one type from these ingestions; `fields` limits what travels (the schema must fit it),
   * `where` which documents do, `pageSize` how many a page may carry (a reader of a few scalar fields asks for
   * larger pages: fewer round trips; the store still caps a page's bytes).
   */
  documents<T>(
    partnerId: string,
    type: StagedDocType,
    ingestionIds: readonly string[],
    schema: z.ZodType<T>,
    fields?: readonly string[],
    where?: readonly DocumentCondition[],
    pageSize?: number,
  ): AsyncIterable<T[]>;
  /** How many staged documents of one type from these ingestions meet every condition. */
  count(partnerId: string, type: StagedDocType, ingestionIds: readonly string[], where?: readonly DocumentCondition[]): Promise<number>;
  /** Documents by id (point reads), those that exist and parse. */
  documentsById<T>(partnerId: string, ids: readonly string[], schema: z.ZodType<T>): Promise<T[]>;
}
