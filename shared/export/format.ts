import { z } from "zod";

// The two file formats every export route writes: CSV (the default) and an Excel workbook with typed cells.

export const exportFormats = ["csv", "xlsx"] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const exportContentTypes = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
} as const satisfies Record<ExportFormat, string>;

/** The `format` query parameter of an export route. */
export const exportFormatSchema = z
  .enum(exportFormats, { error: `must be one of: ${exportFormats.join(", ")}` })
  .default("csv")
  .meta({
    description:
      "csv (default): UTF-8 CSV that opens cleanly in Excel (text that Excel would turn into a date or number is kept as text). " +
      "xlsx: an Excel workbook with typed cells (numbers, percentages, text); the better choice for Excel and for Power BI.",
  });

/** The 200 answer of an export route in the route table: CSV or, with format=xlsx, a workbook. */
export function exportResponse(what: string): { description: string; contentType: readonly string[] } {
  return { description: `${what}: a CSV file, or with format=xlsx an Excel workbook (attachment).`, contentType: ["text/csv", exportContentTypes.xlsx] };
}
