import { ReadableStream } from "node:stream/web";
import { cloudEndpointsColumns, type CloudEndpointsRow } from "../domain/cloudEndpoints/index.js";

// CSV that opens cleanly in Excel: UTF-8 BOM, RFC 4180 quoting, CRLF line ends, and text cells
// neutralised against formula injection. Decisions:
// - Neutralising applies to text cells only (a leading = + - @ tab or CR gets a ' in front). The trigger is
//   also looked for after leading whitespace (LibreOffice can trim spaces on import, and some Excel locales
//   read the full-width ＝ ＋ － ＠ as formula signs), at the cost of an apostrophe on the odd " - n/a".
//   Numbers we computed (e.g. a negative whitespace) are written as numbers, since they cannot carry a formula.
// - Booleans are Yes/No; lists are joined with "|"; utilisations are percentages ("85.3%"), which Excel reads as numbers.
// - Every tab's export is a list of fields (a header and how to read the cell from a row) through csvFile; the Cloud
//   Endpoints columns below are one such list.

export const utf8Bom = "\uFEFF";
const lineEnd = "\r\n";

export interface CsvColumn {
  key: keyof CloudEndpointsRow;
  header: string;
  hidden?: boolean;
}

const percentageKeys = new Set<keyof CloudEndpointsRow>(["w365Utilization", "intuneUtilization", "entraIdUtilization"]);

export function cloudEndpointsCsvColumns(selection: "default" | "all"): CsvColumn[] {
  return cloudEndpointsColumns.filter((c) => selection === "all" || !c.hidden);
}

const formulaStart = /^(?:[\t\r]|[\s\u00A0\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

/** A text cell that a spreadsheet would run as a formula gets a leading apostrophe. */
export function neutraliseFormula(text: string): string {
  return formulaStart.test(text) ? `'${text}` : text;
}

/** RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled. */
export function quoteField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One column of any tab's export: its header and how to read its cell from a row. */
export interface CsvField<R> {
  header: string;
  value(row: R): unknown;
  /** A share (0..1) written as a percentage. */
  percentage?: boolean;
}

/** One cell of any export, ready to write (escaped). */
export function formatValue(value: unknown, options: { percentage?: boolean } = {}): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "";
    return options.percentage ? `${Math.round(value * 1000) / 10}%` : String(value);
  }
  const text = Array.isArray(value) ? value.map(String).join("|") : String(value);
  return quoteField(neutraliseFormula(text));
}

/** One Cloud Endpoints cell, ready to write (escaped). */
export function formatCell(value: unknown, key: keyof CloudEndpointsRow): string {
  return formatValue(value, { percentage: percentageKeys.has(key) });
}

export function csvHeaderLine(columns: readonly Pick<CsvColumn, "header">[]): string {
  return columns.map((c) => quoteField(c.header)).join(",") + lineEnd;
}

export function csvRowLine(row: Partial<CloudEndpointsRow>, columns: readonly CsvColumn[]): string {
  return columns.map((c) => formatCell(row[c.key], c.key)).join(",") + lineEnd;
}

/** Any export as text chunks: BOM and header first, then one chunk per page of rows. */
export async function* csvFile<R>(pages: AsyncIterable<readonly R[]>, fields: readonly CsvField<R>[]): AsyncGenerator<string> {
  yield utf8Bom + csvHeaderLine(fields);
  for await (const rows of pages) {
    let chunk = "";
    for (const row of rows) chunk += fields.map((f) => formatValue(f.value(row), { percentage: f.percentage })).join(",") + lineEnd;
    if (chunk) yield chunk;
  }
}

/** The Cloud Endpoints CSV as text chunks: BOM and header first, then one chunk per page of rows. */
export function cloudEndpointsCsv(pages: AsyncIterable<readonly Partial<CloudEndpointsRow>[]>, columns: readonly CsvColumn[]): AsyncGenerator<string> {
  return csvFile(
    pages,
    columns.map((c) => ({ header: c.header, value: (row: Partial<CloudEndpointsRow>) => row[c.key], percentage: percentageKeys.has(c.key) })),
  );
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

/**
 * Goes into Content-Disposition: only [a-z0-9-] of the partner id survive, so no quote, CR or LF can reach the
 * header; `tab` is one of ours ("cloud-endpoints", "opportunities").
 */
export function exportFileName(partnerId: string, now: Date = new Date(), tab: "cloud-endpoints" | "opportunities" = "cloud-endpoints"): string {
  const safe = partnerId.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 63);
  return `${tab}-${safe}-${now.toISOString().slice(0, 10)}.csv`;
}
