import { Readable, PassThrough } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import { columnValue, isoDay, type CsvColumn } from "./csv.js";

// The Excel export (format=xlsx) of every tab, written with ExcelJS's streaming workbook writer: each page of rows
// is written and committed as it arrives, so memory stays bounded whatever the row count (20,000 rows: about 2 s,
// 82 MB added to the process; `npm run bench:export`). Cells are typed, which a CSV cannot say:
// - numbers are numbers; shares (0–1) are numbers formatted as percentages ("0.0%"), so 0.853 shows 85.3 %;
// - text is text, formatted "@": months (2026-07), ids and TPIDs stay as written, and a leading = + - @ is never a
//   formula (a workbook cell is a formula only when written as one), so no apostrophe is needed;
// - whole days (2026-06-30) are dates, shown as yyyy-mm-dd, as Excel reads them from the CSV;
// - booleans are Yes/No and lists are joined with "|", as in the CSV.
// ExcelJS is loaded on the first workbook only: it is a large library that no other route needs.

/** Excel's limit on the characters of one cell; longer text would make Excel repair the file. */
const maxCellText = 32_767;

export interface XlsxOptions {
  /** The worksheet's name (at most 31 characters, none of []:*?/\). */
  sheetName: string;
  /** A failure after the response started: the client sees a truncated download. */
  onError?: (err: unknown) => void;
}

type CellValue = number | Date | { richText: { text: string }[] } | null;

/** One cell's value: numbers stay numbers, whole days are dates; anything else is text, written as an inline string. */
export function xlsxCellValue(value: unknown): CellValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && isoDay.test(value)) {
    const day = new Date(`${value}T00:00:00Z`);
    // Only a real calendar day (2026-02-30 is not one: Date would roll it into March).
    if (!Number.isNaN(day.getTime()) && day.toISOString().startsWith(value)) return day;
  }
  const text = typeof value === "boolean" ? (value ? "Yes" : "No") : Array.isArray(value) ? value.map(String).join("|") : String(value);
  // Rich text is the writer's way to an inline string (<is>), the form a workbook without a shared string table uses.
  return { richText: [{ text: text.slice(0, maxCellText) }] };
}

const columnWidth = (header: string) => Math.min(50, Math.max(10, header.length + 2));

/** How much of the sheet's XML may wait for compression before rows stop being added. */
const maxQueuedXmlBytes = 4 * 1024 * 1024;

interface QueuedInput {
  _writableState: { length: number };
  once(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
}

/**
 * ExcelJS hands the sheet's XML to the zip without waiting for it to be compressed, so a fast writer queues it all
 * in memory (about 3 MB per 5,000 rows). Its sheet stream pipes into the zip entry's input (a readable-stream
 * PassThrough, whose queue is its _writableState.length): rows wait for that to drain. Checked by the bench and
 * a test; should a later ExcelJS change the plumbing, rows are still written, only without this wait.
 */
function compressionQueue(sheet: unknown): QueuedInput | undefined {
  const input = (sheet as { stream?: { pipes?: unknown[] } }).stream?.pipes?.[0] as Partial<QueuedInput> | undefined;
  return typeof input?._writableState?.length === "number" && typeof input.once === "function" ? (input as QueuedInput) : undefined;
}

/** Exported for the test that pins the ExcelJS plumbing this relies on. */
export const xlsxInternals = { compressionQueue };

function drained(input: QueuedInput | undefined): Promise<void> {
  if (!input || input._writableState.length <= maxQueuedXmlBytes) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const done = () => {
      input.off("drain", done);
      input.off("close", done);
      resolve();
    };
    input.once("drain", done);
    input.once("close", done);
  });
}

/** Resolves when the client has read enough to take more (or is gone). */
function roomFor(out: PassThrough): Promise<void> {
  if (!out.writableNeedDrain || out.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off("drain", done).off("close", done);
      resolve();
    };
    out.once("drain", done).once("close", done);
  });
}

async function writeWorkbook<Row>(out: PassThrough, pages: AsyncIterable<readonly Partial<Row>[]>, columns: readonly CsvColumn<Row>[], sheetName: string): Promise<void> {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = "Partner opportunity insights";
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.header, width: columnWidth(c.header), style: c.format === "percent" ? { numFmt: "0.0%" } : {} }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  for await (const rows of pages) {
    if (out.destroyed) return;
    for (let i = 0; i < rows.length; i++) {
      const values = columns.map((c) => xlsxCellValue(columnValue(rows[i], c)));
      const row = sheet.addRow(values);
      values.forEach((v, column) => {
        if (v instanceof Date) row.getCell(column + 1).numFmt = "yyyy-mm-dd";
        else if (v !== null && typeof v !== "number") row.getCell(column + 1).numFmt = "@";
      });
      row.commit();
      // Every few hundred rows, let compression catch up (and the event loop serve other requests).
      if (i % 250 === 249) {
        await drained(compressionQueue(sheet));
        if (out.destroyed) return;
      }
    }
    // The client reads slower than we write: wait, so rows never pile up in memory.
    await roomFor(out);
  }
  if (out.destroyed) return;
  sheet.commit();
  await workbook.commit();
}

/** The workbook as a byte stream for an HTTP response body; cancelling it stops reading pages. */
export function xlsxFile<Row>(pages: AsyncIterable<readonly Partial<Row>[]>, columns: readonly CsvColumn<Row>[], options: XlsxOptions): ReadableStream<Uint8Array> {
  const out = new PassThrough();
  writeWorkbook(out, pages, columns, options.sheetName).catch((err: unknown) => {
    options.onError?.(err);
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return Readable.toWeb(out) as unknown as ReadableStream<Uint8Array>;
}
