import { describe, expect, it } from "vitest";
import {
  applyPreparation,
  detectSeparator,
  fitPreparation,
  parseCsv,
  PrepareError,
  prepareFromCsv,
  prepareFromRecords,
  type RawRecord,
} from "../../../shared/scoring/prepare.js";

describe("CSV parsing", () => {
  it("detects ';' and ',' separators from the header line, ignoring separators inside quotes", () => {
    expect(detectSeparator('a;b;"c,d,e"\n1;2;3')).toBe(";");
    expect(detectSeparator('a,b,"c;d;e"\n1,2,3')).toBe(",");
  });

  it("parses RFC 4180 quoting, doubled quotes, embedded newlines, CRLF and a BOM", () => {
    const text = '\uFEFFname,note\r\n"Smith, J","said ""hi"""\r\n"multi\nline",x\r\n';
    const { header, rows } = parseCsv(text);
    expect(header).toEqual(["name", "note"]);
    expect(rows).toEqual([
      ["Smith, J", 'said "hi"'],
      ["multi\nline", "x"],
    ]);
  });
});

function records(n: number, f: (i: number) => RawRecord): RawRecord[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

describe("preparation", () => {
  it("infers numeric, categorical and date columns; missing markers become NaN", () => {
    const rows = records(40, (i) => ({
      amount: i % 10 === 0 ? "NA" : String(i * 1.5),
      segment: ["SMB", "Enterprise", "Mid"][i % 3],
      closed: `2024-0${(i % 9) + 1}-1${i % 10}`,
      won: i % 2 ? "yes" : "no",
    }));
    const { preparation, data } = prepareFromRecords(rows, { label: "won", positive: "yes" });
    const kinds = Object.fromEntries(preparation.columns.map((c) => [c.name, c.kind]));
    expect(kinds).toEqual({ amount: "numeric", segment: "categorical", closed: "date" });
    expect(data.features.map((f) => f.name)).toEqual([
      "amount",
      "segment",
      "closed (days since 1970)",
      "closed (month)",
      "closed (day of week)",
    ]);
    expect(Number.isNaN(data.columns[0][0])).toBe(true);
    expect(data.columns[0][1]).toBe(1.5);
    // 2024-02-11 is a Sunday (day 0), month 2, 19764 days after 1970-01-01.
    expect([data.columns[2][1], data.columns[3][1], data.columns[4][1]]).toEqual([19764, 2, 0]);
    expect(Array.from(data.label.slice(0, 4))).toEqual([0, 1, 0, 1]);
  });

  it("drops id-like columns, constant and all-empty columns with a note", () => {
    const rows = records(50, (i) => ({
      customerID: `C-${1000 + i}`,
      ticket: `T${i}x`,
      region: "EU",
      empty: "",
      score: String(i % 7),
      churn: i % 3 === 0 ? "Yes" : "No",
    }));
    const { preparation } = prepareFromRecords(rows, { label: "churn", positive: "Yes" });
    const dropped = Object.fromEntries(preparation.dropped.map((d) => [d.column, d.reason]));
    expect(dropped.customerID).toMatch(/identifier/);
    expect(dropped.ticket).toMatch(/identifier/);
    expect(dropped.region).toMatch(/same value/);
    expect(dropped.empty).toMatch(/empty/);
    expect(preparation.features.map((f) => f.name)).toEqual(["score"]);
    expect(preparation.notes.join("\n")).toMatch(/customerID/);
  });

  it("honours --drop and names a missing label column with the columns available", () => {
    const csv = "a;b;y\n1;x;1\n2;y;0\n3;x;1\n";
    const { preparation } = prepareFromCsv(csv, { label: "y", positive: "1", drop: ["b"] });
    expect(preparation.features.map((f) => f.name)).toEqual(["a"]);
    expect(preparation.dropped).toEqual([{ column: "b", reason: "dropped on request" }]);
    expect(() => prepareFromCsv(csv, { label: "target", positive: "1" })).toThrow(PrepareError);
    expect(() => prepareFromCsv(csv, { label: "target", positive: "1" })).toThrow(/"target" not found.*a, b, y/);
    expect(() => prepareFromCsv(csv, { label: "y", positive: "yes" })).toThrow(/positive value "yes" never occurs in label column "y"; values seen: "1" \(2\), "0" \(1\)/);
  });

  it("maps unseen categories at scoring time to missing and counts them", () => {
    const rows = records(30, (i) => ({ plan: ["basic", "pro"][i % 2], y: i % 2 ? "1" : "0" }));
    const { preparation } = prepareFromRecords(rows, { label: "y", positive: "1" });
    const applied = applyPreparation(preparation, [{ plan: "pro" }, { plan: "enterprise" }, { plan: "enterprise" }, {}]);
    const col = applied.data.columns[0];
    expect(col[0]).toBe(preparation.features[0].categories!.indexOf("pro"));
    expect(Number.isNaN(col[1]) && Number.isNaN(col[2]) && Number.isNaN(col[3])).toBe(true);
    expect(applied.unseen).toEqual({ plan: 2 });
  });

  it("marks ignore-empty numeric features so the linear model adds no missing indicator", () => {
    const rows = records(30, (i) => ({ seats: i % 4 === 0 ? "" : String(i), y: i % 2 ? "1" : "0" }));
    const plain = fitPreparation(rows, { label: "y", positive: "1" });
    const ignoring = fitPreparation(rows, { label: "y", positive: "1", ignoreEmpty: ["seats"] });
    expect(plain.preparation.features[0].ignoreEmpty).toBeUndefined();
    expect(ignoring.preparation.features[0].ignoreEmpty).toBe(true);
  });

  it("treats the few non-numeric values of a numeric column as missing, with a note", () => {
    const rows = records(100, (i) => ({ seats: i === 7 ? "unknown" : String(i), y: i % 2 ? "1" : "0" }));
    const { preparation, data } = fitPreparation(rows, { label: "y", positive: "1" });
    expect(preparation.columns[0].kind).toBe("numeric");
    expect(Number.isNaN(data.columns[0][7])).toBe(true);
    expect(preparation.notes).toContain('column "seats": 1 values that are not numbers are treated as empty');
  });

  it("reads the time column into per-row times for a time-ordered split and keeps only its seasonal features", () => {
    const rows = records(30, (i) => ({ when: `2023-01-${String((i % 28) + 1).padStart(2, "0")}`, v: String(i), y: i % 2 ? "1" : "0" }));
    const { time, preparation } = fitPreparation(rows, { label: "y", positive: "1", time: "when" });
    expect(time![0]).toBe(Date.UTC(2023, 0, 1));
    expect(time![5]).toBe(Date.UTC(2023, 0, 6));
    // The time column contributes its seasonal parts only; its absolute date would extrapolate on newer rows.
    expect(preparation.features.map((f) => f.name)).toEqual(["when (month)", "when (day of week)", "v"]);
  });
});
