import type { z } from "zod";
import {
  datasetRowSchemas,
  requiredColumns,
  workloads,
  type DatasetName,
  type IncentiveRow,
  type SubscriptionRow,
  type TenantRow,
  type UsageRow,
} from "../domain/datasets.js";
import type { RowError } from "../domain/documents.js";
import { isoDay } from "../domain/propensity/dates.js";
import { propensityRowSchemas, signalTenantColumns, type InstallBaseRow, type SignalRow } from "../domain/propensity/rows.js";
import { licenceClassOf } from "../domain/opportunities/products.js";
import { detached, type CsvRecord } from "./csv.js";
import { rowNotices } from "./rowNotices.js";

// Header matching and row validation for one dataset file: pure, one row at a time.

export interface RowsByDataset {
  tenants: TenantRow;
  subscriptions: SubscriptionRow;
  usage: UsageRow;
  incentives: IncentiveRow;
  /** Signals carry their line: they are staged by position in the file (documents.ts). */
  signals: SignalRow & { line: number };
  installbase: InstallBaseRow;
}
export type DatasetRow = RowsByDataset[keyof RowsByDataset];

const rowSchemas = { ...datasetRowSchemas, ...propensityRowSchemas };

export interface DatasetHeader {
  dataset: keyof RowsByDataset;
  /** Column names as spelled in the file. */
  columns: string[];
  /** Schema field → column index in the file (fields the file lacks are absent). */
  fieldIndex: Map<string, number>;
  warnings: string[];
}

export type HeaderOutcome = { ok: true; header: DatasetHeader } | { ok: false; reason: string };

/** Matches a header row to the dataset's columns, case-insensitively. */
export function matchHeader(dataset: keyof RowsByDataset, fields: string[]): HeaderOutcome {
  const schemaFields = Object.keys(rowSchemas[dataset].shape);
  const byLower = new Map(schemaFields.map((f) => [f.toLowerCase(), f]));
  const columns = fields.map((f) => f.trim());
  const fieldIndex = new Map<string, number>();
  const seen = new Map<string, number>();
  const unknown: string[] = [];
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i];
    if (name === "") {
      unknown.push(`#${i + 1} (no name)`);
      continue;
    }
    const lower = name.toLowerCase();
    const first = seen.get(lower);
    if (first !== undefined) {
      return { ok: false, reason: `duplicate column "${name}" in the header (columns ${first + 1} and ${i + 1})` };
    }
    seen.set(lower, i);
    const field = byLower.get(lower);
    if (field) fieldIndex.set(field, i);
    else unknown.push(name);
  }
  const missing = requiredColumns[dataset].filter((c) => !fieldIndex.has(c));
  if (missing.length > 0) {
    return {
      ok: false,
      reason:
        `missing required column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} for dataset ${dataset}` +
        ` (header has: ${columns.join(", ") || "nothing"})`,
    };
  }
  // A signal names its tenant by tenantId or by domain: the file needs at least one of the two.
  if (dataset === "signals" && !signalTenantColumns.some((c) => fieldIndex.has(c))) {
    return {
      ok: false,
      reason: `missing column ${signalTenantColumns.join(" or ")} for dataset signals: a signal names its tenant by either (header has: ${columns.join(", ")})`,
    };
  }
  const warnings = unknown.length > 0 ? [unknownColumnsWarning(unknown, schemaFields)] : [];
  return { ok: true, header: { dataset, columns, fieldIndex, warnings } };
}

const maxNamesListed = 10;
const maxNameChars = 40;

/** The warning for ignored columns, bounded in size however wide the header (a few hundred characters at most). */
export function unknownColumnsWarning(unknown: readonly string[], known: readonly string[]): string {
  const shown = unknown.slice(0, maxNamesListed).map((n) => (n.length > maxNameChars ? `${n.slice(0, maxNameChars)}…` : n));
  const more = unknown.length - shown.length;
  return (
    `unknown column${unknown.length > 1 ? "s" : ""} ignored: ${shown.join(", ")}` +
    (more > 0 ? ` and ${more} more` : "") +
    ` (known: ${known.join(", ")})`
  );
}

// NUL, other control characters and bidirectional formatting characters have no place in a name: they hide or
// reorder text a reader sees (a name that displays differently from what it is). They are removed from every
// cell before validation, and the ingestion record says how many cells were cleaned.
const invisible = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** The record's fields without control and bidirectional characters; `cleaned` counts the cells changed. */
export function withoutInvisibleCharacters(record: CsvRecord): { record: CsvRecord; cleaned: number } {
  let cleaned = 0;
  let fields = record.fields;
  for (let i = 0; i < fields.length; i++) {
    const value = fields[i];
    invisible.lastIndex = 0;
    if (!invisible.test(value)) continue;
    if (fields === record.fields) fields = [...fields];
    fields[i] = value.replace(invisible, "");
    cleaned++;
  }
  return cleaned === 0 ? { record, cleaned } : { record: { ...record, fields }, cleaned };
}

export type RowOutcome<R> = { ok: true; line: number; row: R } | { ok: false; line: number; errors: RowError[] };

export interface RowValidatorOptions {
  /** Current time; usage months later than its UTC month are rejected. */
  now: Date;
}

/** Returns a stateful validator for the data rows of one file (it remembers tenants seen, for duplicates). */
export function createRowValidator<D extends keyof RowsByDataset>(
  header: DatasetHeader & { dataset: D },
  options: RowValidatorOptions,
): (record: CsvRecord) => RowOutcome<RowsByDataset[D]> {
  const dataset = header.dataset;
  const schema = rowSchemas[dataset] as unknown as z.ZodType<RowsByDataset[D]>;
  const entries = [...header.fieldIndex.entries()];
  const width = header.columns.length;
  const currentMonth = options.now.toISOString().slice(0, 7);
  const today = options.now.toISOString().slice(0, 10);
  const tenantLines = new Map<string, number>();
  const usageFastPath = dataset === "usage" ? makeUsageFastPath(header.fieldIndex) : undefined;
  const unknownSkus = dataset === "subscriptions" ? unknownSkuCounter(header.warnings) : undefined;
  // Valid rows with values no tab will use are counted into the file's warnings (rowNotices.ts).
  const notice = rowNotices(dataset, header.warnings);
  const columnOf = (field: PropertyKey | undefined): string | undefined => {
    if (typeof field !== "string") return undefined;
    const index = header.fieldIndex.get(field);
    return index === undefined ? field : header.columns[index];
  };

  return (record) => {
    const line = record.line;
    if (record.fields.length !== width) {
      return {
        ok: false,
        line,
        errors: [{ line, reason: `expected ${width} columns as in the header, found ${record.fields.length}` }],
      };
    }
    if (record.problem) return { ok: false, line, errors: [{ line, reason: record.problem }] };
    const fast = usageFastPath ? usageFastPath(record.fields) : undefined;
    if (fast) {
      const problem = businessCheck(dataset, fast, line, { currentMonth, today }, tenantLines);
      if (problem) return { ok: false, line, errors: [{ ...problem, column: columnOf(problem.column) }] };
      notice?.(fast);
      fast.workload = canonicalWorkload(fast.workload);
      return { ok: true, line, row: fast as RowsByDataset[D] };
    }
    const raw: Record<string, string> = {};
    for (const [field, index] of entries) raw[field] = record.fields[index];
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => {
        const field = issue.path[0];
        const value = typeof field === "string" ? raw[field] : undefined;
        return { line, column: columnOf(field), reason: withValue(issue.message, value) };
      });
      return { ok: false, line, errors };
    }
    const row = parsed.data;
    const problem = businessCheck(dataset, row as DatasetRow, line, { currentMonth, today }, tenantLines);
    if (problem) return { ok: false, line, errors: [{ ...problem, column: columnOf(problem.column) }] };
    if (dataset === "usage") (row as UsageRow).workload = canonicalWorkload((row as UsageRow).workload);
    if (dataset === "signals") (row as SignalRow & { line: number }).line = line;
    unknownSkus?.(row as SubscriptionRow);
    notice?.(row as DatasetRow);
    return { ok: true, line, row };
  };
}

function businessCheck(
  dataset: keyof RowsByDataset,
  row: DatasetRow,
  line: number,
  { currentMonth, today }: { currentMonth: string; today: string },
  tenantLines: Map<string, number>,
): RowError | undefined {
  if (dataset === "usage") {
    const month = (row as UsageRow).month;
    if (month > currentMonth) {
      return { line, column: "month", reason: `month ${month} is in the future (latest allowed: ${currentMonth})` };
    }
  }
  if (dataset === "signals") {
    // A signal not yet observed cannot say anything: refused, like a usage month in the future (days in UTC).
    const observedOn = (row as SignalRow).observedOn;
    if ((isoDay(observedOn) ?? observedOn) > today) return { line, column: "observedOn", reason: `observedOn ${observedOn} is in the future (latest allowed: ${today})` };
  }
  if (dataset === "tenants") {
    const tenantId = (row as TenantRow).tenantId;
    const first = tenantLines.get(tenantId);
    if (first !== undefined) {
      return { line, column: "tenantId", reason: `duplicate tenantId ${tenantId}: already on line ${first}` };
    }
    tenantLines.set(detached(tenantId), line);
  }
  return undefined;
}

/**
 * Subscription lines whose SKU no catalogue knows are loaded (their seats count as paid licences) and counted in ONE
 * warning line of the file's warnings (the ingestion record's), updated in place as the file is read.
 */
function unknownSkuCounter(warnings: string[]): (row: SubscriptionRow) => void {
  const seen = new Set<string>();
  const listed: string[] = [];
  let lines = 0;
  let at = -1;
  return (row) => {
    if (licenceClassOf(row.sku) !== "unknown") return;
    lines++;
    // Bounded memory however many distinct part numbers a file invents.
    if (!seen.has(row.sku) && seen.size < 10_000) {
      seen.add(detached(row.sku));
      if (listed.length < 10) listed.push(detached(row.sku));
    }
    if (at < 0) at = warnings.push("") - 1;
    warnings[at] =
      `${lines} subscription line${lines > 1 ? "s have" : " has"} a SKU not in the catalogue ` +
      `(${seen.size} part number${seen.size > 1 ? "s" : ""}: ${listed.join(", ")}${seen.size > listed.length ? ", …" : ""}); ` +
      "their seats count as paid licences but in no product family";
  };
}

const workloadByLower = new Map<string, string>(workloads.map((w) => [w.toLowerCase(), w]));

/** Known workloads in their canonical spelling; others kept as given. */
export function canonicalWorkload(name: string): string {
  return workloadByLower.get(name.toLowerCase()) ?? name;
}

function withValue(message: string, value: string | undefined): string {
  if (value === undefined) return message;
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return `${message} (got "${shown}")`;
}

// Usage files carry millions of rows: a hand-written check accepts the common well-formed row at a
// fraction of zod's cost. It accepts only what usageRowSchema accepts and yields the same value;
// anything else goes through the schema, which also words the errors (a unit test compares both).
function makeUsageFastPath(fieldIndex: Map<string, number>): (fields: string[]) => UsageRow | undefined {
  const iTenant = fieldIndex.get("tenantId")!;
  const iMonth = fieldIndex.get("month")!;
  const iWorkload = fieldIndex.get("workload")!;
  const iAssigned = fieldIndex.get("assignedUsers")!;
  const iActive = fieldIndex.get("activeUsers")!;
  return (fields) => {
    const tenantId = fields[iTenant];
    const month = fields[iMonth];
    const workload = fields[iWorkload].trim();
    const assigned = fields[iAssigned];
    const active = fields[iActive];
    if (!isGuid(tenantId) || !isYearMonth(month) || workload === "" || !isDigits(assigned) || !isDigits(active)) return undefined;
    return { tenantId: tenantId.toLowerCase(), month, workload, assignedUsers: Number(assigned), activeUsers: Number(active) };
  };
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isGuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!isHex(c)) return false;
  }
  return true;
}

function isYearMonth(s: string): boolean {
  if (s.length !== 7 || s.charCodeAt(4) !== 45) return false;
  for (const i of [0, 1, 2, 3, 5, 6]) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const mm = (s.charCodeAt(5) - 48) * 10 + (s.charCodeAt(6) - 48);
  return mm >= 1 && mm <= 12;
}

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
