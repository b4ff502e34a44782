import { describe, expect, it } from "vitest";
import { dealDocSchema } from "../../../shared/domain/documents.js";
import { ingestOf, type IngestHeader } from "../../../shared/ingest/datasets.js";
import { dealKey, stagedDealId } from "../../../shared/ingest/deals.js";
import { resolveLiveSet, thinHistory, type LoadedIngestion } from "../../../shared/ingest/liveSet.js";

// The deals dataset in the ingest registry (header, rows, grouping key, staged document) and the snapshots of
// it that stay visible (the deals' history).

const deals = ingestOf("deals");
const now = new Date("2026-06-15T10:00:00Z");
const ctx = { partnerId: "p1", ingestionId: "ing-1", asOf: "2026-06-01" };

function headerOf(...columns: string[]): IngestHeader {
  const matched = deals.matchHeader(columns);
  if (!matched.ok) throw new Error(matched.reason);
  return matched.header;
}

describe("deals in the ingest registry", () => {
  it("needs dealId, status and createdOn, and names what is missing", () => {
    const missing = deals.matchHeader(["dealId", "name"]);
    expect(missing).toMatchObject({ ok: false });
    expect(!missing.ok && missing.reason).toContain("missing required columns status, createdOn for dataset deals");
  });

  it("keeps every unknown column as a typed attribute of the deal", () => {
    const validate = deals.validator(headerOf("DealId", "Status", "CreatedOn", "Industry", "Employees"), { now });
    const outcome = validate({ line: 2, fields: ["D-1", "Open", "2026-05-01", "Retail", "250"] });
    expect(outcome).toMatchObject({
      ok: true,
      row: { dealId: "D-1", status: "Open", createdOn: "2026-05-01T00:00:00.000Z", attributes: { Industry: { type: "text", value: "Retail" }, Employees: { type: "number", value: 250 } } },
    });
  });

  it("refuses a dealId already on an earlier line, a close before the creation, and a closed deal without closedOn", () => {
    const validate = deals.validator(headerOf("dealId", "status", "createdOn", "closedOn"), { now });
    expect(validate({ line: 2, fields: ["D-1", "Open", "2026-05-01", ""] }).ok).toBe(true);
    expect(validate({ line: 3, fields: ["D-1", "Open", "2026-05-01", ""] })).toMatchObject({ ok: false, errors: [{ line: 3, column: "dealId", reason: expect.stringContaining("already on line 2") }] });
    expect(validate({ line: 4, fields: ["D-2", "Won", "2026-05-01", "2026-04-01"] })).toMatchObject({ ok: false, errors: [{ column: "closedOn" }] });
    expect(validate({ line: 5, fields: ["D-3", "Lost", "2026-05-01", ""] })).toMatchObject({ ok: false, errors: [{ column: "closedOn", reason: expect.stringContaining("needs closedOn") }] });
  });

  it("stages one document per deal and drop, with the row's fields at the top level", () => {
    const validate = deals.validator(headerOf("dealId", "status", "createdOn", "stage"), { now });
    const outcome = validate({ line: 2, fields: ["D-7", "Open", "2026-05-01", "Develop"] });
    if (!outcome.ok) throw new Error("row refused");
    const row = outcome.row as { dealId: string };
    const key = deals.keyOf(row as never);
    const doc = deals.merge(ctx, key, undefined, [row as never]);
    expect(dealDocSchema.parse(doc)).toMatchObject({ id: "deal:ing-1:D-7", partnerId: "p1", type: "deal", ingestionId: "ing-1", asOf: "2026-06-01", dealId: "D-7", stage: "Develop" });
    expect(doc.id).toBe(stagedDealId("ing-1", "D-7"));
  });

  it("keys a dealId that cannot be part of a document id by a hash, the same every time and distinct per id", () => {
    expect(dealKey("OPP-2026.001")).toBe("OPP-2026.001");
    for (const unsafe of ["a/b", "a?b", "a#b", "a\\b", "..", "ü-1", "x".repeat(101)]) {
      expect(dealKey(unsafe)).toMatch(/^~h[0-9a-f]{40}$/);
      expect(dealKey(unsafe)).toBe(dealKey(unsafe));
    }
    expect(dealKey("a/b")).not.toBe(dealKey("a/c"));
  });
});

describe("the deals history the live set keeps", () => {
  const loaded = (id: string, asOf: string): LoadedIngestion => ({
    id,
    dataset: "deals",
    asOf,
    blobPath: `drops/p1/deals/${id}.csv`,
    writtenAt: `${asOf}T10:00:00Z`,
    receivedAt: `${asOf}T10:00:00Z`,
  });
  const day = (offset: number) => new Date(Date.UTC(2026, 5, 30) - offset * 86_400_000).toISOString().slice(0, 10);

  it("keeps every snapshot of the last 31 days and the newest of each earlier month, back two years", () => {
    // Daily drops for three years.
    const drops = Array.from({ length: 3 * 365 }, (_, i) => loaded(`d${i}`, day(i)));
    const live = resolveLiveSet(drops);
    const kept = live.snapshots.deals!.map((s) => s.asOf);
    expect(kept[0]).toBe("2026-06-30");
    expect(kept.filter((d) => d >= "2026-05-30")).toHaveLength(32);
    const older = kept.filter((d) => d < "2026-05-30");
    // One per month from May 2026 back to June 2024 (the 30th of each month, or its last day).
    expect(older).toContain("2026-05-29");
    expect(older).toContain("2024-07-31");
    expect(older.every((d) => d >= "2024-06-30")).toBe(true);
    expect(new Set(older.map((d) => d.slice(0, 7))).size).toBe(older.length);
    expect(kept.length).toBeLessThanOrEqual(57);
    // Everything else is no longer read (its staged rows can go).
    expect(live.superseded).toHaveLength(drops.length - kept.length);
  });

  it("keeps monthly drops for two years whole", () => {
    const monthly = Array.from({ length: 30 }, (_, i) => ({ asOf: new Date(Date.UTC(2026, 5 - i, 1)).toISOString().slice(0, 10) }));
    const kept = thinHistory(monthly, { months: 24, recentDays: 31 });
    expect(kept.map((s) => s.asOf)).toEqual(monthly.slice(0, 25).map((s) => s.asOf));
  });

  it("replaces a snapshot whole by a later file of the same date", () => {
    const live = resolveLiveSet([loaded("first", "2026-06-01"), { ...loaded("again", "2026-06-01"), blobPath: "drops/p1/deals/again.csv", writtenAt: "2026-06-01T11:00:00Z" }]);
    expect(live.snapshots.deals).toEqual([{ ingestionId: "again", asOf: "2026-06-01" }]);
    expect(live.superseded).toEqual(["first"]);
  });
});
