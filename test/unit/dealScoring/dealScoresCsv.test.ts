import { describe, expect, it } from "vitest";
import { toListItem } from "../../../shared/api/dealScoring.js";
import type { DealFactor, DealScoreRow } from "../../../shared/domain/dealScoring/index.js";
import { csvFile, exportFileName, utf8Bom } from "../../../shared/export/csv.js";
import { dealScoresCsvColumns, toExportRow } from "../../../shared/export/dealScoresCsv.js";

// The scored deals export: the same Excel-safe CSV as every export, one line per deal with its top factors.

const factor = (key: string, contribution: number, text: string, counted = true): DealFactor => ({
  key,
  label: key,
  value: "x",
  contribution,
  direction: contribution >= 0 ? "raises" : "lowers",
  text,
  counted,
});

const row: DealScoreRow = {
  dealId: "D-1",
  name: "=HYPERLINK(\"http://evil\")",
  owner: "Smith, Ana",
  stage: "Develop",
  product: "Windows 365",
  estimatedValue: 12500,
  estimatedCloseDate: "2026-06-30T00:00:00.000Z",
  createdOn: "2026-03-02T09:30:00.000Z",
  score: 71,
  probability: 0.71,
  grade: "B",
  trend: "Improving",
  previousScore: 60,
  factors: [
    factor("competitor", 0.8, "competitor is No (raises the score)"),
    factor("estimatedValue", -0.5, "Estimated value is 12,500 (lowers the score)"),
    factor("employees", 0.3, "employees is empty (ignored: scored as a typical value) (raises the score)", false),
    factor("owner", 0.2, "Owner is Smith, Ana (raises the score)"),
  ],
  scoredAt: "2026-05-01T02:00:00.000Z",
  modelId: "dm-1",
  modelName: "OpportunityScoring_202604010000",
  modelVersion: 2,
};

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = "";
  for await (const c of chunks) out += c;
  return out;
}

async function* pages<T>(...list: T[][]) {
  for (const p of list) yield p;
}

describe("scored deals CSV export", () => {
  it("writes the header and one line per deal: score, grade, trend, dates as days, top factors joined, formulas neutralised", async () => {
    const item = toListItem({ ...row, id: "dealScores:rs:D-1", partnerId: "p1", type: "row", searchText: "d-1" });
    expect(item.topPositive.map((f) => f.key)).toEqual(["competitor", "owner"]);
    const csv = await text(csvFile(pages([toExportRow(item)]), dealScoresCsvColumns));
    const [header, line] = csv.slice(utf8Bom.length).split("\r\n");
    expect(csv.startsWith(utf8Bom)).toBe(true);
    expect(header).toBe(
      "Deal ID,Name,Score,Grade,Trend,Score a week earlier,Stage,Owner,Product,Tenant ID,Estimated Value,Estimated Close Date,Created On,Model,Model Version,Top Positive Factors,Top Negative Factors,Scored At",
    );
    expect(line).toBe(
      [
        "D-1",
        `"'=HYPERLINK(""http://evil"")"`,
        "71",
        "B",
        "Improving",
        "60",
        "Develop",
        '"Smith, Ana"',
        "Windows 365",
        "",
        "12500",
        "2026-06-30",
        "2026-03-02",
        "OpportunityScoring_202604010000",
        "2",
        '"competitor is No (raises the score)|Owner is Smith, Ana (raises the score)"',
        '"Estimated value is 12,500 (lowers the score)"',
        "2026-05-01T02:00:00.000Z",
      ].join(","),
    );
  });

  it("names the file after the tab, the partner and the day", () => {
    expect(exportFileName("contoso", new Date("2026-05-01T10:00:00Z"), "deal-scores")).toBe("deal-scores-contoso-2026-05-01.csv");
  });
});
