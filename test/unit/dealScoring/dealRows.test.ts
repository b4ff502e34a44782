import { describe, expect, it } from "vitest";
import {
  columnText,
  createDealRowValidator,
  dealColumns,
  matchDealHeader,
  typeAttribute,
  type DealHeader,
  type DealRow,
} from "../../../shared/domain/dealScoring/index.js";

function header(columns: string[]): DealHeader {
  const matched = matchDealHeader(columns);
  if (!matched.ok) throw new Error(matched.reason);
  return matched.header;
}
const rec = (line: number, ...fields: string[]) => ({ line, fields });
const columns = ["DealID", "status", "createdOn", "stage", "closedOn", "estimatedValue", "Industry", "Employees", "LastMeeting"];

describe("deals header", () => {
  it("matches the known columns case-insensitively and keeps every other column as an attribute", () => {
    const h = header(columns);
    expect(h.standardIndex.get("dealId")).toBe(0);
    expect(h.standardIndex.get("estimatedValue")).toBe(5);
    expect(h.attributes.map((a) => a.name)).toEqual(["Industry", "Employees", "LastMeeting"]);
  });

  it("rejects a header without dealId, status or createdOn and names what is missing", () => {
    const matched = matchDealHeader(["dealId", "stage"]);
    expect(matched.ok).toBe(false);
    if (!matched.ok) expect(matched.reason).toContain("missing required columns status, createdOn for dataset deals");
  });

  it("rejects duplicate columns and columns named like a derived duration", () => {
    expect(matchDealHeader(["dealId", "status", "createdOn", "Region", "REGION"])).toEqual({ ok: false, reason: 'duplicate column "REGION" in the header (columns 4 and 5)' });
    const reserved = matchDealHeader(["dealId", "status", "createdOn", "ageInDays"]);
    expect(reserved.ok).toBe(false);
  });
});

describe("deal rows", () => {
  it("types attributes automatically: numbers, dates and text; an empty cell has no value", () => {
    const validate = createDealRowValidator(header(columns));
    const out = validate(rec(2, "D-1", "Open", "2026-01-05", "Develop", "", "12000.50", "Retail", "250", "2026-02-01T09:30:00"));
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.row).toEqual({
      dealId: "D-1",
      status: "Open",
      createdOn: "2026-01-05T00:00:00.000Z",
      stage: "Develop",
      estimatedValue: 12000.5,
      attributes: {
        Industry: { type: "text", value: "Retail" },
        Employees: { type: "number", value: 250 },
        // A date-time without a zone is read as UTC, whatever the machine's zone.
        LastMeeting: { type: "date", value: "2026-02-01T09:30:00.000Z" },
      },
    });
    expect(typeAttribute("  ")).toBeUndefined();
    expect(typeAttribute("0x1F")).toEqual({ type: "text", value: "0x1F" });
    expect(typeAttribute("2024-02-30")).toEqual({ type: "text", value: "2024-02-30" });
  });

  it("refuses closedOn before createdOn, naming the column", () => {
    const validate = createDealRowValidator(header(columns));
    const out = validate(rec(3, "D-2", "Won", "2026-03-01", "Close", "2026-02-01", "", "", "", ""));
    expect(out).toEqual({ ok: false, line: 3, errors: [{ line: 3, column: "closedOn", reason: "closedOn 2026-02-01 is before createdOn 2026-03-01" }] });
  });

  it("refuses a closed deal without closedOn, for the default and the partner's own closed values", () => {
    const validate = createDealRowValidator(header(columns), { closedStatuses: ["Won", "Lost", "Closed - Lost"] });
    const won = validate(rec(4, "D-3", "won", "2026-03-01", "Close", "", "", "", "", ""));
    expect(won.ok).toBe(false);
    if (!won.ok) expect(won.errors[0]).toMatchObject({ column: "closedOn", reason: 'a deal with status "won" is closed and needs closedOn' });
    expect(validate(rec(5, "D-4", "Closed - Lost", "2026-03-01", "", "", "", "", "", "")).ok).toBe(false);
    expect(validate(rec(6, "D-5", "Open", "2026-03-01", "", "", "", "", "", "")).ok).toBe(true);
  });

  it("refuses a second row with the same dealId in one file and says where the first one was", () => {
    const validate = createDealRowValidator(header(columns));
    expect(validate(rec(2, "D-9", "Open", "2026-03-01", "", "", "", "", "", "")).ok).toBe(true);
    expect(validate(rec(7, "D-9", "Open", "2026-03-02", "", "", "", "", "", ""))).toEqual({
      ok: false,
      line: 7,
      errors: [{ line: 7, column: "DealID", reason: "duplicate dealId D-9: already on line 2" }],
    });
  });

  it("reports bad values with the file's column name and the value", () => {
    const validate = createDealRowValidator(header(columns));
    const out = validate(rec(8, "D-10", "Open", "yesterday", "", "", "-5", "", "", ""));
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.errors.map((e) => e.column)).toEqual(["createdOn", "estimatedValue"]);
    expect(out.errors[0].reason).toContain('(got "yesterday")');
  });

  it("reads any column of a deal by name, standard or attribute, ignoring case", () => {
    const deal: DealRow = { dealId: "D-1", status: "Won", createdOn: "2026-01-01T00:00:00.000Z", attributes: { Region: { type: "text", value: "West" } } };
    expect(columnText(deal, "STATUS")).toBe("Won");
    expect(columnText(deal, "region")).toBe("West");
    expect(columnText(deal, "owner")).toBeUndefined();
    expect(dealColumns([deal])).toContain("Region");
  });
});
