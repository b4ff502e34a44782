import { ReadableStream } from "node:stream/web";
import { cloudEndpointsColumns, type CloudEndpointsRow } from "../domain/cloudEndpoints/index.js";

// CSV that opens cleanly in Excel, for every tab's export: UTF-8 BOM, RFC 4180 quoting, CRLF line ends, and
// text cells neutralised against formula injection. Decisions:
// - Neutralising applies to text cells only (a leading = + - @ tab or CR gets a ' in front). The trigger is
//   also looked for after leading whitespace (LibreOffice can trim spaces on import, and some Excel locales
//   read the full-width ＝ ＋ － ＠ as formula signs), at the cost of an apostrophe on the odd " - n/a".
//   Numbers we computed (e.g. a negative whitespace) are written as numbers, since they cannot carry a formula.
// - Booleans are Yes/No; lists are joined with "|"; utilisations are percentages ("85.3%"), which Excel reads as numbers.
// - Text stays text: Excel turns "2026-07" into a date, "00123" into 123, a long TPID into 1.23E+17 and "1-2" into
//   2 January. A text value Excel would read as a number, date, time, percentage or boolean is written as the
//   string formula ="2026-07", which every spreadsheet shows as the text 2026-07. Only such values are wrapped
//   (digits and separators, month names with numbers, TRUE/FALSE), so the formula never holds anything else.
//   A whole day (2026-06-30) is left for Excel to read as that date: it loses nothing and date filters work.

export const utf8Bom = "\uFEFF";
const lineEnd = "\r\n";

interface ColumnBase {
  header: string;
  hidden?: boolean;
  /** percent: a share (0–1) written as a percentage ("85.3%"). */
  format?: "percent";
}

/** A column that writes one field of the row. */
export type FieldColumn<Row = CloudEndpointsRow> = ColumnBase & { key: keyof Row & string; value?: undefined };

/** One column of an export: its header, the row field it writes (or how its cell is computed), how a number is written. */
export type CsvColumn<Row = CloudEndpointsRow> = FieldColumn<Row> | (ColumnBase & { key?: undefined; value: (row: Row) => unknown });

const percentageKeys = new Set<string>(["w365Utilization", "intuneUtilization", "entraIdUtilization"]);

export function cloudEndpointsCsvColumns(selection: "default" | "all"): FieldColumn[] {
  return cloudEndpointsColumns
    .filter((c) => selection === "all" || !c.hidden)
    .map((c) => (percentageKeys.has(c.key) ? { ...c, format: "percent" as const } : c));
}

// Whitespace, control, zero-width and bidirectional formatting characters are invisible to a reader but a
// spreadsheet may skip them: a formula sign after any of them is still a formula sign.
const formulaStart = /^(?:[\t\r]|[\s\u0000-\u001F\u007F\u00A0\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\u3000\uFEFF]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

/** A text cell that a spreadsheet would run as a formula gets a leading apostrophe. */
export function neutraliseFormula(text: string): string {
  return formulaStart.test(text) ? `'${text}` : text;
}

const month = "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?";
// What Excel converts on opening a CSV: numbers in any notation ($1,234.50, (5), 1e5, 5%, 00123), dates and times
// (2026-07, 7/26, 1-2, 12:30; not ISO timestamps with T and Z), month names with a day or year (Jul-26, 1 July 2026) and booleans.
const spreadsheetWouldConvert = new RegExp(
  [
    "^[\\s$€£¥(+\\-]*\\d[\\d\\s.,:/\\-+()%eE]*$",
    `^\\d{1,4}[\\s\\-/]+${month}(?:[\\s\\-/,]+\\d{1,4})?$`,
    `^${month}[\\s\\-/,]+\\d{1,4}(?:[\\s\\-/,]+\\d{1,4})?$`,
    "^(?:true|false)$",
  ].join("|"),
  "i",
);

export const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/** A text value a spreadsheet would turn into a number, date or boolean becomes ="value" (shown as that text). */
export function keepAsText(text: string): string {
  return spreadsheetWouldConvert.test(text) && !isoDay.test(text) ? `="${text}"` : text;
}

/** RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled. */
export function quoteField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function formatNumber(value: number, percent: boolean): string {
  if (!Number.isFinite(value)) return "";
  if (percent) return `${Math.round(value * 1000) / 10}%`;
  return String(value);
}

/** One cell, ready to write (escaped); `column` is the column, or a Cloud Endpoints field name. */
export function formatCell(value: unknown, column: string | { format?: "percent" }): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "number") return formatNumber(value, typeof column === "string" ? percentageKeys.has(column) : column.format === "percent");
  const text = Array.isArray(value) ? value.map(String).join("|") : String(value);
  const neutralised = neutraliseFormula(text);
  return quoteField(neutralised === text ? keepAsText(text) : neutralised);
}

export function csvHeaderLine(columns: readonly Pick<CsvColumn<unknown>, "header">[]): string {
  return columns.map((c) => quoteField(c.header)).join(",") + lineEnd;
}

/** The value a column writes for a row: its field, or what it computes. */
export function columnValue<Row>(row: Partial<Row>, column: CsvColumn<Row>): unknown {
  return column.value ? column.value(row as Row) : row[column.key];
}

export function csvRowLine<Row>(row: Partial<Row>, columns: readonly CsvColumn<Row>[]): string {
  return columns.map((c) => formatCell(columnValue(row, c), { format: c.format })).join(",") + lineEnd;
}

/** The CSV as text chunks: BOM and header first, then one chunk per page of rows. */
export async function* csvFile<Row>(pages: AsyncIterable<readonly Partial<Row>[]>, columns: readonly CsvColumn<Row>[]): AsyncGenerator<string> {
  yield utf8Bom + csvHeaderLine(columns);
  for await (const rows of pages) {
    let chunk = "";
    for (const row of rows) chunk += csvRowLine(row, columns);
    if (chunk) yield chunk;
  }
}

/** The Cloud Endpoints export (csvFile with its row type). */
export function cloudEndpointsCsv(pages: AsyncIterable<readonly Partial<CloudEndpointsRow>[]>, columns: readonly CsvColumn[]): AsyncGenerator<string> {
  return csvFile(pages, columns);
}

/**
 * A byte stream for an HTTP response body, pulled on demand, so only one page is in memory at a time.
 * A failure mid-way errors the stream (the client sees a truncated download) and is reported to onError.
 */
export function toByteStream(chunks: AsyncIterable<string>, onError: (err: unknown) => void = () => {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        onError(err);
        controller.error(err);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** Goes into Content-Disposition: only [a-z0-9-] of the partner id survive, so no quote, CR or LF can reach the header. */
export function exportFileName(
  partnerId: string,
  now: Date = new Date(),
  tab: ExportTab = "cloud-endpoints",
  extension: "csv" | "xlsx" = "csv",
): string {
  const safe = partnerId.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 63);
  return `${tab}-${safe}-${now.toISOString().slice(0, 10)}.${extension}`;
}

/** The tabs with an export, as they appear in file names. */
export type ExportTab = "cloud-endpoints" | "deal-scores" | "propensity" | "opportunities";
