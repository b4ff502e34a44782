import { describe, expect, it } from "vitest";
import type { CsvRecord } from "../../../shared/ingest/csv.js";
import { ingestOf } from "../../../shared/ingest/datasets.js";
import { mergeInstallBase, mergeSignals, signalBlockKey, signalLinesPerBlock, type SignalLine } from "../../../shared/ingest/documents.js";
import { resolveLiveSet, type LoadedIngestion } from "../../../shared/ingest/liveSet.js";
import { createRowValidator, matchHeader, type DatasetHeader } from "../../../shared/ingest/rows.js";

// The signals and installbase datasets through the same header matching, row validation, grouping and merge as
// every other dataset, and how signals drops accumulate.

const t1 = "0f8fad5b-d9cb-469f-a165-70867728950e";
const t2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const now = new Date("2026-06-15T10:00:00Z");
const ctx = { partnerId: "p1", ingestionId: "ing-1", asOf: "2026-06-15" };
const rec = (line: number, ...fields: string[]): CsvRecord => ({ line, fields });

function validator<D extends "signals" | "installbase">(dataset: D, columns: string[]) {
  const matched = matchHeader(dataset, columns);
  if (!matched.ok) throw new Error(matched.reason);
  return createRowValidator({ ...(matched.header as DatasetHeader & { dataset: D }) }, { now });
}

describe("signals files", () => {
  it("needs signalType and observedOn, and tenantId or domain (either will do)", () => {
    expect(matchHeader("signals", ["tenantId", "signalType"])).toEqual({ ok: false, reason: expect.stringContaining("missing required column observedOn") });
    expect(matchHeader("signals", ["signalType", "observedOn", "strength"])).toEqual({
      ok: false,
      reason: expect.stringContaining("missing column tenantId or domain for dataset signals"),
    });
    expect(matchHeader("signals", ["DOMAIN", "signalType", "observedOn"]).ok).toBe(true);
    expect(matchHeader("signals", ["tenantId", "signalType", "observedOn"]).ok).toBe(true);
  });

  it("accepts a signal by tenantId or by domain, strength optional, and remembers its line", () => {
    const validate = validator("signals", ["tenantId", "domain", "signalType", "observedOn", "strength"]);
    expect(validate(rec(2, t1, "", "Demo request", "2026-06-01", "0.8"))).toEqual({
      ok: true,
      line: 2,
      row: { tenantId: t1, signalType: "Demo request", observedOn: "2026-06-01", strength: 0.8, line: 2 },
    });
    expect(validate(rec(3, "", "https://www.Contoso.com/pricing", "Pricing research", "2026-06-02T09:30:00Z", ""))).toMatchObject({
      ok: true,
      row: { domain: "contoso.com", signalType: "Pricing research", line: 3 },
    });
  });

  it("reports a row with neither tenantId nor domain, a strength outside 0–1 and a signal in the future, with line and column", () => {
    const validate = validator("signals", ["tenantId", "domain", "signalType", "observedOn", "strength"]);
    expect(validate(rec(4, "", "", "Funding", "2026-06-01", ""))).toEqual({
      ok: false,
      line: 4,
      errors: [{ line: 4, column: "tenantId", reason: expect.stringContaining("tenantId or domain is required") }],
    });
    expect(validate(rec(5, t1, "", "Funding", "2026-06-01", "1.5"))).toMatchObject({ ok: false, errors: [{ line: 5, column: "strength", reason: expect.stringContaining("from 0 to 1") }] });
    expect(validate(rec(6, t1, "", "Funding", "2026-06-01", "-0.2"))).toMatchObject({ ok: false, errors: [{ column: "strength" }] });
    expect(validate(rec(7, t1, "", "Funding", "2026-06-16", ""))).toEqual({
      ok: false,
      line: 7,
      errors: [{ line: 7, column: "observedOn", reason: "observedOn 2026-06-16 is in the future (latest allowed: 2026-06-15)" }],
    });
    // Today itself is fine.
    expect(validate(rec(8, t1, "", "Funding", "2026-06-15", "")).ok).toBe(true);
  });

  it("stages signals by block of lines, each block written once whatever the tenants' order", () => {
    const spec = ingestOf("signals");
    const row = (line: number) => ({ tenantId: line % 2 ? t1 : t2, signalType: "Funding", observedOn: "2026-06-01", line });
    expect(spec.keyOf(row(2) as never)).toBe(spec.keyOf(row(signalLinesPerBlock - 1) as never));
    expect(spec.keyOf(row(signalLinesPerBlock) as never)).not.toBe(spec.keyOf(row(2) as never));
    expect(signalBlockKey({ line: 2 * signalLinesPerBlock + 5 })).toBe("2");
  });

  it("merges a block idempotently: the same rows merged again (a redelivery) change nothing", () => {
    const rows: SignalLine[] = [
      { tenantId: t1, signalType: "Funding", observedOn: "2026-06-01", line: 2 },
      { domain: "contoso.com", signalType: "Website visit", observedOn: "2026-06-02", strength: 0.3, line: 3 },
    ];
    const first = mergeSignals(ctx, "0", undefined, rows);
    expect(first).toMatchObject({ id: "signals:ing-1:0", type: "signals", block: 0, asOf: "2026-06-15" });
    expect(first.signals).toEqual([
      { tenantId: t1, signalType: "Funding", observedOn: "2026-06-01", line: 2 },
      { domain: "contoso.com", signalType: "Website visit", observedOn: "2026-06-02", strength: 0.3, line: 3 },
    ]);
    expect(mergeSignals(ctx, "0", first, rows)).toEqual(first);
    const more = mergeSignals(ctx, "0", first, [{ tenantId: t2, signalType: "Expansion", observedOn: "2026-06-03", line: 4 }]);
    expect(more.signals.map((s) => s.line)).toEqual([2, 3, 4]);
  });
});

describe("install base files", () => {
  it("needs tenantId, product and version; quantity is an optional whole number", () => {
    expect(matchHeader("installbase", ["tenantId", "product"])).toEqual({ ok: false, reason: expect.stringContaining("missing required column version") });
    const validate = validator("installbase", ["tenantId", "product", "version", "quantity"]);
    expect(validate(rec(2, t1, "Windows Server", "2012 R2", "14"))).toEqual({ ok: true, line: 2, row: { tenantId: t1, product: "Windows Server", version: "2012 R2", quantity: 14 } });
    expect(validate(rec(3, t1, "Windows Server", "2016", ""))).toMatchObject({ ok: true, row: { quantity: undefined } });
    expect(validate(rec(4, t1, "Windows Server", "", "3"))).toMatchObject({ ok: false, errors: [{ line: 4, column: "version" }] });
    expect(validate(rec(5, t1, "SQL Server", "2014", "many"))).toMatchObject({ ok: false, errors: [{ line: 5, column: "quantity" }] });
  });

  it("keeps one line per product and version of a tenant, the later row winning, and merges idempotently", () => {
    const rows = [
      { tenantId: t1, product: "Windows Server", version: "2012 R2", quantity: 4 },
      { tenantId: t1, product: "SQL Server", version: "2014" },
      { tenantId: t1, product: "windows server", version: "2012 r2", quantity: 6 },
    ];
    const doc = mergeInstallBase(ctx, t1, undefined, rows);
    expect(doc).toMatchObject({ id: `installbase:ing-1:${t1}`, tenantId: t1, type: "installbase" });
    expect(doc.products).toEqual([
      { product: "windows server", version: "2012 r2", quantity: 6 },
      { product: "SQL Server", version: "2014" },
    ]);
    expect(mergeInstallBase(ctx, t1, doc, rows)).toEqual(doc);
  });
});

describe("which signals and install-base drops are live", () => {
  const loaded = (id: string, dataset: string, asOf: string, writtenAt: string): LoadedIngestion => ({
    id,
    dataset,
    asOf,
    blobPath: `drops/p1/${dataset}/${id}.csv`,
    writtenAt,
    receivedAt: writtenAt,
  });

  it("accumulates signals drops within a year of the newest, a later file of the same date replacing that snapshot", () => {
    const live = resolveLiveSet([
      loaded("s-2025-05", "signals", "2025-05-31", "2025-06-01T00:00:00Z"),
      loaded("s-2025-07", "signals", "2025-07-01", "2025-07-01T00:00:00Z"),
      loaded("s-2026-03", "signals", "2026-03-01", "2026-03-01T00:00:00Z"),
      loaded("s-2026-06", "signals", "2026-06-01", "2026-06-01T00:00:00Z"),
      loaded("s-2026-06-fix", "signals", "2026-06-01", "2026-06-02T00:00:00Z"),
    ]);
    expect(live.snapshots.signals).toEqual([
      { ingestionId: "s-2026-06-fix", asOf: "2026-06-01" },
      { ingestionId: "s-2026-03", asOf: "2026-03-01" },
      { ingestionId: "s-2025-07", asOf: "2025-07-01" },
    ]);
    // More than a year before the newest, or replaced: its staged rows are no longer read.
    expect(live.superseded.sort()).toEqual(["s-2025-05", "s-2026-06"]);
  });

  it("keeps only the newest install-base snapshot", () => {
    const live = resolveLiveSet([loaded("ib-1", "installbase", "2026-05-01", "2026-05-01T00:00:00Z"), loaded("ib-2", "installbase", "2026-06-01", "2026-06-01T00:00:00Z")]);
    expect(live.snapshots.installbase).toEqual([{ ingestionId: "ib-2", asOf: "2026-06-01" }]);
    expect(live.superseded).toEqual(["ib-1"]);
  });
});
