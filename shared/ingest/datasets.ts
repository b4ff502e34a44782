import type { DatasetName } from "../domain/datasets.js";
import type { RowError, StagedDocType } from "../domain/documents.js";
import type { CsvRecord } from "./csv.js";
import { dealsIngest } from "./deals.js";
import { datasetWriters, docTypeOf, signalBlockKey, type DocByDataset, type IngestionContext } from "./documents.js";
import { createRowValidator, matchHeader, type RowOutcome, type RowsByDataset } from "./rows.js";

// What ingest needs to know of each dataset, in one table: how its header is read, how a row is validated,
// which key groups rows into staged documents, and how rows of one drop merge into one staged document.
//
// Adding a dataset: its name in domain/datasets.ts, its staged document schema in domain/documents.ts (and
// StagedDocType), an entry here, and its visibility policy in liveSet.ts (newest snapshot, history, monthly).

/** A header as read: the columns as spelled, warnings for the ingestion record, whatever the validator needs. */
export interface IngestHeader {
  columns: string[];
  warnings: string[];
}

export type HeaderMatch = { ok: true; header: IngestHeader } | { ok: false; reason: string };

/** A staged document: one drop's rows of one key (a tenant, a deal). */
export interface StagedDoc {
  id: string;
  partnerId: string;
  type: StagedDocType;
  ingestionId: string;
  asOf: string;
}

export interface DatasetIngest<Row = unknown, Doc extends StagedDoc = StagedDoc> {
  docType: StagedDocType;
  matchHeader(fields: string[]): HeaderMatch;
  /** A stateful validator for the data rows of one file (it may remember keys seen, for duplicates). */
  validator(header: IngestHeader, options: { now: Date }): (record: CsvRecord) => RowOutcome<Row>;
  /** Rows with the same key go into one staged document. */
  keyOf(row: Row): string;
  /** Monthly datasets: the month a row belongs to (the ingestion record lists them). */
  monthOf?(row: Row): string | undefined;
  merge(ctx: IngestionContext, key: string, existing: Doc | undefined, rows: Row[]): Doc;
}

function fromSchema<D extends keyof RowsByDataset>(
  dataset: D,
  options: { monthOf?: (row: RowsByDataset[D]) => string; keyOf?: (row: RowsByDataset[D]) => string } = {},
): DatasetIngest<RowsByDataset[D], DocByDataset[D]> {
  const { monthOf } = options;
  return {
    docType: docTypeOf[dataset],
    matchHeader: (fields) => matchHeader(dataset, fields),
    validator: (header, options) => createRowValidator({ ...(header as Parameters<typeof createRowValidator<D>>[0]), dataset }, options),
    keyOf: options.keyOf ?? ((row) => (row as { tenantId: string }).tenantId),
    ...(monthOf ? { monthOf } : {}),
    merge: datasetWriters[dataset].merge,
  };
}

export const datasetIngest: { [D in DatasetName]: DatasetIngest<never, never> } = {
  tenants: fromSchema("tenants") as DatasetIngest<never, never>,
  subscriptions: fromSchema("subscriptions") as DatasetIngest<never, never>,
  usage: fromSchema("usage", { monthOf: (row) => row.month }) as DatasetIngest<never, never>,
  incentives: fromSchema("incentives") as DatasetIngest<never, never>,
  deals: dealsIngest as unknown as DatasetIngest<never, never>,
  signals: fromSchema("signals", { keyOf: signalBlockKey }) as DatasetIngest<never, never>,
  installbase: fromSchema("installbase") as DatasetIngest<never, never>,
};

/** The dataset's entry, typed for generic use by the ingest use case. */
export function ingestOf(dataset: DatasetName): DatasetIngest<unknown, StagedDoc> {
  return datasetIngest[dataset] as unknown as DatasetIngest<unknown, StagedDoc>;
}

export function stagedDocId(docType: StagedDocType, ingestionId: string, key: string): string {
  return `${docType}:${ingestionId}:${key}`;
}

export type { RowError };
