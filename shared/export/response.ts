import type { HttpResponseInit } from "@azure/functions";
import { csvFile, exportFileName, toByteStream, type CsvColumn, type ExportTab } from "./csv.js";
import { exportContentTypes, type ExportFormat } from "./format.js";
import { xlsxFile } from "./xlsx.js";

// The answer of every export route: the current filtered view, streamed as CSV or as an Excel workbook, as an
// attachment named after the tab, the partner and the day.

export interface ExportInput<Row> {
  format: ExportFormat;
  tab: ExportTab;
  /** The worksheet's name in a workbook. */
  sheetName: string;
  partnerId: string;
  /** The rows, a page at a time (read only as the client downloads). */
  pages: AsyncIterable<readonly Partial<Row>[]>;
  columns: readonly CsvColumn<Row>[];
  /** The result set read (absent before the first refresh: the file is the header row alone). */
  resultSetId?: string;
  /** A failure after the response started (the client sees a truncated download). */
  onError: (err: unknown) => void;
  now?: Date;
}

export function exportFileResponse<Row>(input: ExportInput<Row>): HttpResponseInit {
  const body =
    input.format === "xlsx"
      ? xlsxFile(input.pages, input.columns, { sheetName: input.sheetName, onError: input.onError })
      : toByteStream(csvFile(input.pages, input.columns), input.onError);
  return {
    status: 200,
    headers: {
      "content-type": exportContentTypes[input.format],
      "content-disposition": `attachment; filename="${exportFileName(input.partnerId, input.now ?? new Date(), input.tab, input.format)}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...(input.resultSetId ? { "x-result-set-id": input.resultSetId } : {}),
    },
    body,
  };
}
