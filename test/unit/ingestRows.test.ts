import { describe, expect, it } from "vitest";
import type { CsvRecord } from "../../shared/ingest/csv.js";
import { mergeIncentives, mergeSubscriptions, mergeTenant, mergeUsage } from "../../shared/ingest/documents.js";
import { resolveLiveSet, type LoadedIngestion } from "../../shared/ingest/liveSet.js";
import { checkDrop, ingestionIdFor, parseDropPath, snapshotDate } from "../../shared/ingest/dropFile.js";
import { createRowValidator, matchHeader, withoutInvisibleCharacters, type DatasetHeader, type RowsByDataset } from "../../shared/ingest/rows.js";
import { datasetNames } from "../../shared/domain/datasets.js";

const t1 = "0f8fad5b-d9cb-469f-a165-70867728950e";
const t2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const now = new Date("2026-06-15T10:00:00Z");

function header<D extends keyof RowsByDataset>(dataset: D, columns: string[]): DatasetHeader & { dataset: D } {
  const matched = matchHeader(dataset, columns);
  if (!matched.ok) throw new Error(matched.reason);
  return matched.header as DatasetHeader & { dataset: D };
}
const rec = (line: number, ...fields: string[]): CsvRecord => ({ line, fields });

describe("header matching", () => {
  it("matches column names case-insensitively and in any order", () => {
    const h = header("usage", ["ACTIVEUSERS", "tenantid", "Month", "workload", "assignedUsers"]);
    expect(h.fieldIndex.get("activeUsers")).toBe(0);
    expect(h.fieldIndex.get("tenantId")).toBe(1);
    expect(h.warnings).toEqual([]);
  });

  it("rejects a header missing required columns and names them", () => {
    const matched = matchHeader("usage", ["tenantId", "month", "workload"]);
    expect(matched).toEqual({
      ok: false,
      reason: expect.stringContaining("missing required columns assignedUsers, activeUsers for dataset usage"),
    });
  });

  it("ignores unknown columns with a warning that names them", () => {
    const h = header("tenants", ["tenantId", "tenantName", "favouriteColour", ""]);
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toContain("favouriteColour");
    expect(h.warnings[0]).toContain("#4 (no name)");
  });

  it("rejects duplicate column names, whatever their case", () => {
    expect(matchHeader("tenants", ["tenantId", "tenantName", "TENANTID"])).toEqual({
      ok: false,
      reason: 'duplicate column "TENANTID" in the header (columns 1 and 3)',
    });
  });
});

describe("row validation", () => {
  it("turns a good usage row into typed values with the canonical workload name", () => {
    const validate = createRowValidator(header("usage", ["tenantId", "month", "workload", "assignedUsers", "activeUsers"]), { now });
    expect(validate(rec(2, t1.toUpperCase(), "2026-05", "windows365", "10", "12"))).toEqual({
      ok: true,
      line: 2,
      row: { tenantId: t1, month: "2026-05", workload: "Windows365", assignedUsers: 10, activeUsers: 12 },
    });
  });

  it("reports each bad value with its line, the file's column name and a reason", () => {
    const validate = createRowValidator(header("usage", ["TenantId", "Month", "Workload", "AssignedUsers", "ActiveUsers"]), { now });
    const outcome = validate(rec(7, "not-a-guid", "2026-5", "Teams", "-3", "many"));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors).toEqual([
      { line: 7, column: "TenantId", reason: 'must be a GUID (got "not-a-guid")' },
      { line: 7, column: "Month", reason: 'must be a month YYYY-MM (got "2026-5")' },
      { line: 7, column: "AssignedUsers", reason: 'must be a whole number ≥ 0 (got "-3")' },
      { line: 7, column: "ActiveUsers", reason: 'must be a whole number ≥ 0 (got "many")' },
    ]);
  });

  it("rejects a usage month later than the current UTC month and accepts the current one", () => {
    const validate = createRowValidator(header("usage", ["tenantId", "month", "workload", "assignedUsers", "activeUsers"]), { now });
    expect(validate(rec(2, t1, "2026-06", "Teams", "1", "1")).ok).toBe(true);
    expect(validate(rec(3, t1, "2026-07", "Teams", "1", "1"))).toEqual({
      ok: false,
      line: 3,
      errors: [{ line: 3, column: "month", reason: "month 2026-07 is in the future (latest allowed: 2026-06)" }],
    });
  });

  it("allows more active users than assigned users (MAU can exceed PAU)", () => {
    const validate = createRowValidator(header("usage", ["tenantId", "month", "workload", "assignedUsers", "activeUsers"]), { now });
    expect(validate(rec(2, t1, "2026-01", "Defender", "0", "250")).ok).toBe(true);
  });

  it("rejects a row whose column count differs from the header", () => {
    const validate = createRowValidator(header("tenants", ["tenantId", "tenantName"]), { now });
    expect(validate(rec(4, t1, "Contoso", "extra"))).toEqual({
      ok: false,
      line: 4,
      errors: [{ line: 4, reason: "expected 2 columns as in the header, found 3" }],
    });
  });

  it("rejects the second row of a tenant in a tenants file, naming the line of the first", () => {
    const validate = createRowValidator(header("tenants", ["tenantId", "tenantName"]), { now });
    expect(validate(rec(2, t1, "Contoso")).ok).toBe(true);
    expect(validate(rec(3, t2, "Fabrikam")).ok).toBe(true);
    expect(validate(rec(9, t1.toUpperCase(), "Contoso again"))).toEqual({
      ok: false,
      line: 9,
      errors: [{ line: 9, column: "tenantId", reason: `duplicate tenantId ${t1}: already on line 2` }],
    });
  });

  it("loads subscription lines with unknown SKUs and counts them in one warning that lists the part numbers", () => {
    const h = header("subscriptions", ["tenantId", "sku", "quantity"]);
    const validate = createRowValidator(h, { now });
    expect(validate(rec(2, t1, "SPE_E3", "10")).ok).toBe(true);
    expect(h.warnings).toEqual([]);
    expect(validate(rec(3, t1, "contoso_special", "5")).ok).toBe(true);
    expect(validate(rec(4, t2, "CONTOSO_SPECIAL", "7")).ok).toBe(true);
    expect(validate(rec(5, t2, "MYSTERY_PLAN", "1")).ok).toBe(true);
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toMatch(/^3 subscription lines have a SKU not in the catalogue \(2 part numbers: CONTOSO_SPECIAL, MYSTERY_PLAN\)/);
  });

  it("reports a malformed quoted field found by the parser as a row error", () => {
    const validate = createRowValidator(header("tenants", ["tenantId", "tenantName"]), { now });
    expect(validate({ line: 5, fields: [t1, "x"], problem: "field 2 has text after its closing quote" })).toMatchObject({
      ok: false,
      errors: [{ line: 5, reason: "field 2 has text after its closing quote" }],
    });
  });
});

describe("cells a reader could be fooled by", () => {
  it("removes NUL, control and bidirectional characters from cells and counts the cells cleaned", () => {
    const record = { line: 4, fields: [t1, "Con\u0000toso\u202E", "\u2066Retail\u2069", "plain\ttext"] };
    const { record: clean, cleaned } = withoutInvisibleCharacters(record);
    expect(clean.fields).toEqual([t1, "Contoso", "Retail", "plain\ttext"]);
    expect(cleaned).toBe(2);
    expect(clean.line).toBe(4);
    // Nothing to clean: the same record comes back.
    expect(withoutInvisibleCharacters({ line: 2, fields: ["a"] }).record.fields).toEqual(["a"]);
  });

  it("bounds the warning for a header of thousands of unknown columns", () => {
    const fields = ["tenantId", "tenantName", ...Array.from({ length: 5000 }, (_, i) => `extra_column_${i}_${"x".repeat(100)}`)];
    const matched = matchHeader("tenants", fields);
    if (!matched.ok) throw new Error(matched.reason);
    expect(matched.header.warnings).toHaveLength(1);
    expect(matched.header.warnings[0].length).toBeLessThan(1500);
    expect(matched.header.warnings[0]).toContain("and 4990 more");
  });
});

describe("staging one drop's rows of a tenant", () => {
  const ctx = { partnerId: "p1", ingestionId: "ing-b", asOf: "2026-06-01" };

  it("merges rows of the same ingestion that arrive in a later batch, and a repeated batch changes nothing", () => {
    const row = (workload: string, n: number) => ({ tenantId: t1, month: "2026-05", workload, assignedUsers: n, activeUsers: n });
    const first = mergeUsage(ctx, t1, undefined, [row("Teams", 1)]);
    const second = mergeUsage(ctx, t1, first, [row("Intune", 2)]);
    expect(second.months["2026-05"]).toEqual({ Teams: { assignedUsers: 1, activeUsers: 1 }, Intune: { assignedUsers: 2, activeUsers: 2 } });
    expect(mergeUsage(ctx, t1, second, [row("Teams", 1)])).toEqual(second);
    // The staged document passed in is not modified.
    expect(first.months["2026-05"].Intune).toBeUndefined();
  });

  it("copies the latest month of the drop into latest", () => {
    const row = (month: string, workload: string, n: number) => ({ tenantId: t1, month, workload, assignedUsers: n, activeUsers: n - 1 });
    const first = mergeUsage(ctx, t1, undefined, [row("2026-04", "Teams", 5), row("2026-05", "Intune", 7), row("2026-05", "Teams", 8)]);
    expect(first.latest).toEqual({ month: "2026-05", workloads: { Intune: { assignedUsers: 7, activeUsers: 6 }, Teams: { assignedUsers: 8, activeUsers: 7 } } });
    expect(first.id).toBe(`usage:ing-b:${t1}`);
  });

  it("lets the later of two rows for the same month and workload win", () => {
    const rows = [1, 2].map((n) => ({ tenantId: t1, month: "2026-05", workload: "Teams", assignedUsers: n, activeUsers: n }));
    expect(mergeUsage(ctx, t1, undefined, rows).months["2026-05"].Teams).toEqual({ assignedUsers: 2, activeUsers: 2 });
  });

  it("keeps one snapshot per document: a SKU listed twice for a tenant is the later row", () => {
    const doc = mergeSubscriptions(ctx, t1, undefined, [
      { tenantId: t1, sku: "SPE_E5", quantity: 10 },
      { tenantId: t1, sku: "SPE_E5", quantity: 12 },
    ]);
    expect(doc).toMatchObject({ id: `subscriptions:ing-b:${t1}`, asOf: "2026-06-01", ingestionId: "ing-b", items: [{ sku: "SPE_E5", quantity: 12 }] });
  });

  it("merges a tenant's engagements of the same ingestion", () => {
    const a = mergeIncentives(ctx, t1, undefined, [{ tenantId: t1, engagement: "W365", workloads: ["Windows365"], potentialEarnings: 5 }]);
    const b = mergeIncentives(ctx, t1, a, [{ tenantId: t1, engagement: "MDB", workloads: ["DefenderForBusiness"], potentialEarnings: 3 }]);
    expect(b.engagements.map((e) => e.engagement)).toEqual(["W365", "MDB"]);
    expect(mergeTenant(ctx, t1, undefined, [{ tenantId: t1, tenantName: "Contoso" }])).toMatchObject({ id: `tenant:ing-b:${t1}`, tenantName: "Contoso" });
  });
});

describe("which committed drops are live", () => {
  const loaded = (id: string, dataset: string, asOf: string, writtenAt: string, extra: Partial<LoadedIngestion> = {}): LoadedIngestion => ({
    id,
    dataset,
    asOf,
    blobPath: `drops/p1/${dataset}/${id}.csv`,
    writtenAt,
    receivedAt: writtenAt,
    ...extra,
  });

  it("replaces the months a new usage drop carries and keeps the other months as history", () => {
    const live = resolveLiveSet([
      loaded("ing-a", "usage", "2026-05-01", "2026-05-02T00:00:00Z", { months: ["2026-04", "2026-05"] }),
      loaded("ing-b", "usage", "2026-06-01", "2026-06-02T00:00:00Z", { months: ["2026-05"] }),
    ]);
    expect(Object.fromEntries(live.usageMonths)).toEqual({ "2026-04": "ing-a", "2026-05": "ing-b" });
    expect(live.superseded).toEqual([]);
  });

  it("keeps at most 24 subscription snapshots, newest first, a later file of the same date replacing that snapshot whole", () => {
    const drops = Array.from({ length: 25 }, (_, i) =>
      loaded(`old-${i}`, "subscriptions", `2024-${String((i % 12) + 1).padStart(2, "0")}-${String(Math.floor(i / 12) + 1).padStart(2, "0")}`, `2025-01-01T00:00:${String(i).padStart(2, "0")}Z`),
    );
    const live = resolveLiveSet([...drops, loaded("fix", "subscriptions", "2024-12-02", "2025-02-01T00:00:00Z")]);
    const snapshots = live.snapshots.subscriptions!;
    expect(snapshots).toHaveLength(24);
    expect(snapshots.map((s) => s.asOf)).toEqual([...snapshots.map((s) => s.asOf)].sort().reverse());
    expect(snapshots.find((s) => s.asOf === "2024-12-02")?.ingestionId).toBe("fix");
    // The oldest date falls out of the 24; the replaced file of 2024-12-02 is no longer read.
    expect(live.superseded.sort()).toEqual(["old-0", "old-23"]);
  });

  it("never lets an older tenants snapshot replace a newer one, whenever it finished", () => {
    const live = resolveLiveSet([
      loaded("new", "tenants", "2026-07-01", "2026-07-01T10:00:00Z"),
      loaded("old", "tenants", "2026-06-01", "2026-07-02T10:00:00Z"),
    ]);
    expect(live.snapshots.tenants).toEqual([{ ingestionId: "new", asOf: "2026-07-01" }]);
  });

  it("applies versions of one blob in the order they were written, not the order they finished", () => {
    const first = loaded("v1", "incentives", "2026-06-01", "2026-06-01T10:00:00Z", { blobPath: "drops/p1/incentives/i.csv", receivedAt: "2026-06-01T10:00:09Z" });
    const second = loaded("v2", "incentives", "2026-06-01", "2026-06-01T10:00:03Z", { blobPath: "drops/p1/incentives/i.csv", receivedAt: "2026-06-01T10:00:04Z" });
    expect(resolveLiveSet([second, first]).snapshots.incentives).toEqual([{ ingestionId: "v2", asOf: "2026-06-01" }]);
    expect(resolveLiveSet([first, second]).superseded).toEqual(["v1"]);
  });
});

describe("drop file checks", () => {
  const base = { sizeBytes: 10, maxBytes: 100, head: Buffer.from("te"), receivedAt: new Date("2026-06-10T23:59:00Z"), now };
  const check = (path: string, extra: Partial<typeof base> = {}) => checkDrop({ ...base, path: parseDropPath(path)!, ...extra });

  it("reads partner, dataset and file name from the blob path", () => {
    expect(parseDropPath("drops/acme/usage/2026/u.csv")).toEqual({ name: "acme/usage/2026/u.csv", partnerId: "acme", dataset: "usage", fileName: "2026/u.csv" });
    expect(parseDropPath("drops/acme/u.csv")).toBeUndefined();
  });

  it("takes the snapshot date from the file name, else the UTC day the blob arrived", () => {
    expect(snapshotDate("usage_2026-05-31.csv.gz", base.receivedAt)).toEqual({ ok: true, asOf: "2026-05-31", fromFileName: true });
    expect(snapshotDate("usage.csv", base.receivedAt)).toEqual({ ok: true, asOf: "2026-06-10", fromFileName: false });
    expect(snapshotDate("usage_2026-02-30.csv", base.receivedAt)).toEqual({ ok: false, reason: "date 2026-02-30 in the file name is not a valid date" });
  });

  it("rejects an unknown dataset folder listing the known datasets", () => {
    expect(check("drops/acme/crm-export/d.csv")).toEqual({
      ok: false,
      reason: `unknown dataset folder "crm-export": known datasets are ${datasetNames.join(", ")}`,
    });
    expect(datasetNames).toEqual(expect.arrayContaining(["tenants", "subscriptions", "usage", "incentives", "signals", "installbase"]));
  });

  it("rejects file names other than .csv and .csv.gz, files over the limit and .gz files that are not gzip", () => {
    expect(check("drops/acme/usage/u.xlsx")).toMatchObject({ ok: false, reason: 'file name "u.xlsx" must end in .csv or .csv.gz' });
    expect(check("drops/acme/usage/u.csv", { sizeBytes: 101 })).toMatchObject({ ok: false, reason: "file is 101 bytes, over the limit of 100 bytes" });
    expect(check("drops/acme/usage/u.csv.gz")).toMatchObject({ ok: false, reason: expect.stringContaining("not gzip-compressed") });
    expect(check("drops/acme/usage/u.csv.gz", { head: Buffer.from([0x1f, 0x8b]) })).toMatchObject({ ok: true, compressed: "gzip" });
  });

  it("rejects an invalid partner folder and a snapshot date in the future", () => {
    expect(check("drops/Not_A_Partner/usage/u.csv")).toMatchObject({ ok: false, reason: expect.stringContaining("Not_A_Partner") });
    expect(check("drops/acme/usage/u_2026-07-01.csv")).toMatchObject({ ok: false, reason: expect.stringContaining("in the future") });
  });

  it("derives the same ingestion id for the same blob version only", () => {
    const a = ingestionIdFor("acme", "acme/usage/u.csv", '"0x8DC"');
    expect(ingestionIdFor("acme", "acme/usage/u.csv", "0x8DC")).toBe(a);
    expect(ingestionIdFor("acme", "acme/usage/u.csv", "0x8DD")).not.toBe(a);
  });
});

describe("usage fast path", () => {
  it("accepts and rejects exactly what the usage schema does, with the same values", async () => {
    const { usageRowSchema } = await import("../../shared/domain/datasets.js");
    const columns = ["tenantId", "month", "workload", "assignedUsers", "activeUsers"];
    const validate = createRowValidator(header("usage", columns), { now: new Date("2099-12-31T00:00:00Z") });
    const tenantIds = [t1, t1.toUpperCase(), ` ${t1} `, t1.slice(0, 35), `${t1}0`, t1.replace("-", "_"), "g" + t1.slice(1), ""];
    const months = ["2026-01", "2026-12", "2026-13", "2026-00", " 2026-05", "2026-5", "202605", "abcd-01", ""];
    const workloadsTried = ["Teams", " teams ", "", "  ", "Custom Workload"];
    const counts = ["0", "17", "007", " 5", "-1", "1.5", "1e3", "", "x", "123456789012345678"];
    let compared = 0;
    for (const tenantId of tenantIds)
      for (const month of months)
        for (const workload of workloadsTried)
          for (const assigned of counts) {
            const active = counts[(compared * 7) % counts.length];
            const fields = [tenantId, month, workload, assigned, active];
            const viaValidator = validate({ line: 2, fields });
            const viaSchema = usageRowSchema.safeParse(Object.fromEntries(columns.map((c, i) => [c, fields[i]])));
            expect(viaValidator.ok, JSON.stringify(fields)).toBe(viaSchema.success);
            if (viaValidator.ok && viaSchema.success) {
              expect(viaValidator.row).toEqual({ ...viaSchema.data, workload: viaValidator.row.workload });
              expect(viaValidator.row.workload.toLowerCase()).toBe(viaSchema.data.workload.toLowerCase());
            }
            compared++;
          }
    expect(compared).toBeGreaterThan(3000);
  });
});
