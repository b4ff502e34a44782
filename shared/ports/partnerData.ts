import type { z } from "zod";
import type { StagedDocType } from "../domain/documents.js";
import type { LoadedIngestion } from "./ingest.js";

// What a refresh reads of the partner's data: the committed ingestions (to compute the live set) and their
// staged documents, a page at a time, always in the partner's partition. Documents that do not match their
// schema are skipped and counted, never fatal.

export interface PartnerDataReader {
  loadedIngestions(partnerId: string): Promise<LoadedIngestion[]>;
  /** Staged documents of one type from these ingestions; `fields` limits what travels (the schema must fit it). */
  documents<T>(
    partnerId: string,
    type: StagedDocType,
    ingestionIds: readonly string[],
    schema: z.ZodType<T>,
    fields?: readonly string[],
  ): AsyncIterable<T[]>;
  /** Documents by id (point reads), those that exist and parse. */
  documentsById<T>(partnerId: string, ids: readonly string[], schema: z.ZodType<T>): Promise<T[]>;
}
