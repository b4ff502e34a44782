import { describe, expect, it } from "vitest";
import type { CsvRecord } from "../../shared/ingest/csv.js";
import { maxValuesListed, valueNoticeCounter } from "../../shared/ingest/rowNotices.js";
import { createRowValidator, matchHeader, type DatasetHeader, type RowsByDataset } from "../../shared/ingest/rows.js";

// The ingestion record warns about valid rows whose values no tab will use: how many rows, which values (the
// first few), what happens to them; one bounded line per kind.

const t1 = "0f8fad5b-d9cb-469f-a165-70867728950e";
const now = new Date("2026-06-15T10:00:00Z");

function validatorFor<D extends keyof RowsByDataset>(dataset: D, columns: string[]) {
  const matched = matchHeader(dataset, columns);
  if (!matched.ok) throw new Error(matched.reason);
  const header = matched.header as DatasetHeader & { dataset: D };
  return { header, validate: createRowValidator(header, { now }) };
}
const rec = (line: number, ...fields: string[]): CsvRecord => ({ line, fields });

describe("ingest warnings for values no tab will use", () => {
  it("counts usage rows with an unknown workload, names them, and still loads them", () => {
    const { header, validate } = validatorFor("usage", ["tenantId", "month", "workload", "assignedUsers", "activeUsers"]);
    const outcomes = [
      validate(rec(2, t1, "2026-05", "Exchange", "10", "8")),
      validate(rec(3, t1, "2026-05", "teams", "10", "8")),
      validate(rec(4, t1, "2026-05", "Yammer", "10", "8")),
      validate(rec(5, t1, "2026-04", "Yammer", "10", "8")),
      validate(rec(6, t1, "2026-05", "Viva Insights", "10", "8")),
    ];
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(header.warnings).toHaveLength(1);
    expect(header.warnings[0]).toMatch(/^3 usage rows name a workload no tab reads \(2 distinct: Yammer, Viva Insights\); kept as given/);
    expect(header.warnings[0]).toContain("known: Exchange, SharePoint");
  });

  it("says nothing when every workload is known, whatever its case", () => {
    const { header, validate } = validatorFor("usage", ["tenantId", "month", "workload", "assignedUsers", "activeUsers"]);
    for (const w of ["exchange", "ENTRAID", "Windows365", "mfa"]) validate(rec(2, t1, "2026-05", w, "1", "1"));
    expect(header.warnings).toEqual([]);
  });

  it("counts install-base products no catalogue knows", () => {
    const { header, validate } = validatorFor("installbase", ["tenantId", "product", "version", "quantity"]);
    validate(rec(2, t1, "Windows Server", "2012 R2", "4"));
    validate(rec(3, t1, "Lotus Notes", "9", "12"));
    validate(rec(4, t1, "SQL Server", "2014", "1"));
    expect(header.warnings).toEqual([expect.stringMatching(/^1 install-base row names a product no catalogue knows \(1 distinct: Lotus Notes 9\); kept, used for no end-of-service/)]);
  });

  it("counts signals of a type without a default weight (case and punctuation ignored for known types)", () => {
    const { header, validate } = validatorFor("signals", ["tenantId", "signalType", "observedOn", "strength"]);
    validate(rec(2, t1, "demo-request", "2026-06-01", "0.8"));
    validate(rec(3, t1, "Podcast mention", "2026-06-01", "0.8"));
    expect(header.warnings).toEqual([expect.stringMatching(/^1 signal names a type without a default weight \(1 distinct: Podcast mention\); kept with weight 0/)]);
  });

  it("adds its line after the header's own warnings, leaving them as they were", () => {
    const { header, validate } = validatorFor("usage", ["tenantId", "month", "workload", "assignedUsers", "activeUsers", "colour"]);
    validate(rec(2, t1, "2026-05", "Yammer", "10", "8", "blue"));
    expect(header.warnings).toHaveLength(2);
    expect(header.warnings[0]).toContain("unknown column ignored: colour");
    expect(header.warnings[1]).toContain("Yammer");
  });

  it("stays one short line however many rows and distinct values a file has", () => {
    const warnings: string[] = [];
    const count = valueNoticeCounter(warnings, { noun: "row", what: "a thing", consequence: "ignored" });
    for (let i = 0; i < 50_000; i++) count(`value-${i % 20_000}-${"x".repeat(i % 3 === 0 ? 100 : 1)}`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^50000 rows name a thing \(10000\+ distinct: /);
    expect(warnings[0].split(", ").length).toBeLessThanOrEqual(maxValuesListed + 1);
    expect(warnings[0].length).toBeLessThan(800);
  });
});
