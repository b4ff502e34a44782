import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { propensityCsvColumns } from "../../shared/api/propensity.js";
import type { CloudEndpointsRow } from "../../shared/domain/cloudEndpoints/index.js";
import { cloudEndpointsCsvColumns, csvFile, exportFileName, formatCell, keepAsText } from "../../shared/export/csv.js";
import { dealScoresCsvColumns } from "../../shared/export/dealScoresCsv.js";
import { exportFormatSchema } from "../../shared/export/format.js";
import { exportFileResponse } from "../../shared/export/response.js";
import { PassThrough } from "node:stream";
import { xlsxCellValue, xlsxFile, xlsxInternals } from "../../shared/export/xlsx.js";

// Exports that open right: CSV text Excel would change stays text, and format=xlsx writes typed cells, checked by
// reading the workbook back with the library's own reader.

const row: Partial<CloudEndpointsRow> = {
  tenantName: "=HYPERLINK(\"http://evil\")",
  tenantId: "aaaaaaaa-0000-4000-8000-000000000001",
  tpid: "000123456789012345678",
  eaRenewal: "2026-07",
  largestSeatCspRenewal: "2027-01",
  w365EligibleSeats: 420,
  w365Whitespace: 380,
  salesMotion: "Expand W365",
  w365Utilization: 0.853,
  intuneUtilization: 0.2,
  entraIdUtilization: 1,
  mciEligibility: ["Windows365", "Intune"],
  intuneCporEligibility: true,
  w365CporEligibility: false,
  potentialEarnings: 12_500.5,
  partnerCenterId: "0012345",
};

async function* pagesOf<T>(...pages: T[][]) {
  for (const page of pages) yield page;
}

async function bytes(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

async function readBack(buffer: Buffer): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook.worksheets[0];
}

/** The cell under a header in the first data row. */
function cellUnder(sheet: ExcelJS.Worksheet, header: string, rowNumber = 2): ExcelJS.Cell {
  const headers = (sheet.getRow(1).values as unknown[]).slice(1);
  const index = headers.indexOf(header);
  expect(index, `column ${header}`).toBeGreaterThanOrEqual(0);
  return sheet.getRow(rowNumber).getCell(index + 1);
}

const textOf = (cell: ExcelJS.Cell) => cell.text;
const isText = (cell: ExcelJS.Cell) => cell.type === ExcelJS.ValueType.String || cell.type === ExcelJS.ValueType.RichText;

describe("CSV text stays text in Excel", () => {
  it("writes months, TPIDs and numeric ids as text formulas Excel shows as written", () => {
    expect(formatCell("2026-07", "eaRenewal")).toBe('"=""2026-07"""');
    expect(formatCell("000123456789012345678", "tpid")).toBe('"=""000123456789012345678"""');
    expect(formatCell("0012345", "partnerCenterId")).toBe('"=""0012345"""');
    for (const text of ["1-2", "12:30", "5%", "1e5", "$1,234.50", "Jul-26", "1 July 2026", "TRUE"]) expect(keepAsText(text), text).toBe(`="${text}"`);
  });

  it("leaves text Excel keeps as it is alone: names, GUIDs, SKUs, whole days, timestamps", () => {
    for (const text of ["Contoso Ltd", "aaaaaaaa-0000-4000-8000-000000000001", "SPE_E5", "Windows Server 2012 R2", "OPP-0001", "2026-06-30", "2026-05-01T02:00:00.000Z", "Mayfair"]) {
      expect(keepAsText(text), text).toBe(text);
    }
  });

  it("still neutralises formulas and writes computed numbers as numbers", () => {
    expect(formatCell("=1+1", "tenantName")).toBe("'=1+1");
    expect(formatCell(-5, "w365Whitespace")).toBe("-5");
    expect(formatCell(0.853, "w365Utilization")).toBe("85.3%");
  });

  it("applies to every export's lines", async () => {
    let csv = "";
    for await (const chunk of csvFile(pagesOf([row]), cloudEndpointsCsvColumns("default"))) csv += chunk;
    const line = csv.split("\r\n")[1];
    expect(line).toContain(',"=""2026-07""",');
    expect(line).toContain(',"=""000123456789012345678""",');
    expect(line).toContain(",aaaaaaaa-0000-4000-8000-000000000001,");
  });
});

describe("xlsx export", () => {
  it("reads back with typed cells: numbers, percentages, months and ids as text, Yes/No, joined lists", async () => {
    const sheet = await readBack(await bytes(xlsxFile(pagesOf([row]), cloudEndpointsCsvColumns("all"), { sheetName: "Cloud Endpoints" })));
    expect(sheet.name).toBe("Cloud Endpoints");
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(cloudEndpointsCsvColumns("all").map((c) => c.header));
    const seats = cellUnder(sheet, "W365 Eligible Seats");
    expect([seats.type, seats.value]).toEqual([ExcelJS.ValueType.Number, 420]);
    expect(cellUnder(sheet, "Potential Earnings").value).toBe(12_500.5);
    const utilisation = cellUnder(sheet, "W365 Utilization");
    expect([utilisation.type, utilisation.value, utilisation.numFmt]).toEqual([ExcelJS.ValueType.Number, 0.853, "0.0%"]);
    expect(cellUnder(sheet, "Entra ID Utilization").value).toBe(1);
    for (const [header, text] of [
      ["EA Renewal", "2026-07"],
      ["Largest Seat CSP Renewal", "2027-01"],
      ["TPID", "000123456789012345678"],
      ["Partner Center ID (MPN)", "0012345"],
      ["Tenant ID", "aaaaaaaa-0000-4000-8000-000000000001"],
      ["MCI Eligibility", "Windows365|Intune"],
      ["Intune CPOR Eligibility", "Yes"],
      ["W365 CPOR Eligibility", "No"],
    ]) {
      const cell = cellUnder(sheet, header);
      expect(isText(cell), header).toBe(true);
      expect(textOf(cell), header).toBe(text);
      expect(cell.numFmt, header).toBe("@");
    }
    expect(cellUnder(sheet, "Customer Name").value).toBeNull();
  });

  it("writes formula-looking text as text, never as a formula, and without an apostrophe", async () => {
    const sheet = await readBack(await bytes(xlsxFile(pagesOf([row]), cloudEndpointsCsvColumns("default"), { sheetName: "Cloud Endpoints" })));
    const name = cellUnder(sheet, "Tenant Name");
    expect(name.type).not.toBe(ExcelJS.ValueType.Formula);
    expect(name.text).toBe('=HYPERLINK("http://evil")');
  });

  it("keeps whole days as dates and timestamps as text (deal scores)", async () => {
    const deal = { dealId: "0042", score: 71, grade: "B", trend: "Improving", createdOn: "2026-03-02", estimatedCloseDate: "2026-06-30", modelName: "M", modelVersion: 2, topPositive: ["a", "b"], topNegative: [], scoredAt: "2026-05-01T02:00:00.000Z" };
    const sheet = await readBack(await bytes(xlsxFile(pagesOf([deal]), dealScoresCsvColumns, { sheetName: "Deal scores" })));
    const created = cellUnder(sheet, "Created On");
    expect(created.type).toBe(ExcelJS.ValueType.Date);
    expect((created.value as Date).toISOString()).toBe("2026-03-02T00:00:00.000Z");
    expect(created.numFmt).toBe("yyyy-mm-dd");
    expect(textOf(cellUnder(sheet, "Deal ID"))).toBe("0042");
    expect(isText(cellUnder(sheet, "Scored At"))).toBe(true);
    expect(cellUnder(sheet, "Score").value).toBe(71);
    expect(textOf(cellUnder(sheet, "Top Positive Factors"))).toBe("a|b");
  });

  it("writes every page's rows in order, the header frozen and filterable", async () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({ tenantId: `t-${i}`, tenantName: `Tenant ${i}`, fit: i }));
    const sheet = await readBack(await bytes(xlsxFile(pagesOf(rows.slice(0, 10), rows.slice(10, 20), rows.slice(20)), propensityCsvColumns, { sheetName: "Propensity" })));
    expect(sheet.rowCount).toBe(26);
    expect(textOf(cellUnder(sheet, "Name", 26))).toBe("Tenant 24");
    expect(cellUnder(sheet, "Fit", 26).value).toBe(24);
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.autoFilter).toBeDefined();
  });

  it("is the header row alone before the first refresh", async () => {
    const sheet = await readBack(await bytes(xlsxFile(pagesOf<Partial<CloudEndpointsRow>>(), cloudEndpointsCsvColumns("default"), { sheetName: "Cloud Endpoints" })));
    expect(sheet.rowCount).toBe(1);
  });

  it("stops reading pages when the client cancels the download", async () => {
    let pagesRead = 0;
    let closed = false;
    async function* pages() {
      try {
        for (let n = 0; n < 10_000; n++) {
          pagesRead++;
          yield Array.from({ length: 200 }, (_, i) => ({ tenantName: `Tenant ${n}-${i} ${"x".repeat(200)}`, w365EligibleSeats: i }));
        }
      } finally {
        closed = true;
      }
    }
    const reader = xlsxFile(pages(), cloudEndpointsCsvColumns("default"), { sheetName: "Cloud Endpoints" }).getReader();
    await reader.read();
    await reader.cancel();
    await expect.poll(() => closed, { timeout: 5_000 }).toBe(true);
    expect(pagesRead).toBeLessThan(10_000);
  });

  it("reports a failure while writing, and the download ends in error", async () => {
    async function* failing() {
      yield [row];
      throw new Error("store went away");
    }
    const errors: unknown[] = [];
    const stream = xlsxFile(failing(), cloudEndpointsCsvColumns("default"), { sheetName: "Cloud Endpoints", onError: (e) => errors.push(e) });
    await expect(bytes(stream)).rejects.toThrow();
    expect(errors).toHaveLength(1);
  });

  it("finds the queue of XML waiting for compression in the installed ExcelJS, so rows wait for it", async () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: new PassThrough().resume(), useStyles: true });
    const sheet = workbook.addWorksheet("x");
    sheet.addRow(["a", 1]).commit();
    const queue = xlsxInternals.compressionQueue(sheet);
    expect(queue?._writableState.length).toEqual(expect.any(Number));
    sheet.commit();
    await workbook.commit();
  });

  it("answers the cell values a workbook can hold", () => {
    expect(xlsxCellValue(Number.NaN)).toBeNull();
    expect(xlsxCellValue("x".repeat(40_000))).toEqual({ richText: [{ text: "x".repeat(32_767) }] });
    expect(xlsxCellValue("2026-02-30")).toEqual({ richText: [{ text: "2026-02-30" }] });
  });
});

describe("the export answer", () => {
  it("is CSV by default and an xlsx attachment with format=xlsx", () => {
    expect(exportFormatSchema.parse(undefined)).toBe("csv");
    expect(exportFormatSchema.safeParse("pdf").success).toBe(false);
    const common = { tab: "propensity" as const, sheetName: "Propensity", partnerId: "contoso", pages: pagesOf([]), columns: propensityCsvColumns, onError: () => {}, now: new Date("2026-05-01T10:00:00Z") };
    const xlsx = exportFileResponse({ ...common, format: "xlsx" });
    expect(xlsx.headers).toMatchObject({
      "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "content-disposition": 'attachment; filename="propensity-contoso-2026-05-01.xlsx"',
    });
    const csv = exportFileResponse({ ...common, format: "csv" });
    expect(csv.headers).toMatchObject({ "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="propensity-contoso-2026-05-01.csv"' });
    expect(exportFileName("contoso", new Date("2026-05-01T10:00:00Z"), "deal-scores", "xlsx")).toBe("deal-scores-contoso-2026-05-01.xlsx");
  });
});
