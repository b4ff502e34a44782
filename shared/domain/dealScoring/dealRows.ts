import { z } from "zod";
import type { RowError } from "../documents.js";

// One row of the `deals` dataset (a CRM opportunity). The known columns are typed; every other column is
// kept as an attribute, typed automatically per cell (number, date or text). Column names match
// case-insensitively; attribute names keep the header's spelling.

export const requiredDealColumns = ["dealId", "status", "createdOn"] as const;
export const optionalDealColumns = ["name", "stage", "closedOn", "estimatedValue", "estimatedCloseDate", "tenantId", "product", "owner"] as const;
export const standardDealColumns = [...requiredDealColumns, ...optionalDealColumns] as const;
export type StandardDealColumn = (typeof standardDealColumns)[number];

/** Names of the derived durations (features.ts): an attribute column may not take them. */
export const reservedDealColumns = ["ageInDays", "daysToEstimatedClose", "daysSinceStageChange"] as const;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Milliseconds (UTC) of an ISO 8601 date or date-time, NaN otherwise; a date-time without a zone is read as UTC. */
export function parseIsoDate(text: string): number {
  const t = text.trim();
  if (!ISO_DATE.test(t)) return NaN;
  // Date.parse rolls 2024-02-30 over to March: the calendar date itself must exist.
  const y = Number(t.slice(0, 4));
  const m = Number(t.slice(5, 7));
  const d = Number(t.slice(8, 10));
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return NaN;
  const withT = t.replace(" ", "T");
  const zoned = t.length <= 10 || /(Z|[+-]\d{2}:?\d{2})$/.test(t);
  const ms = Date.parse(zoned ? withT : `${withT}Z`);
  return Number.isFinite(ms) ? ms : NaN;
}

const isoInstant = z.iso.datetime({ offset: false, message: "must be an ISO 8601 UTC instant" });

/** A typed attribute value: what a cell looked like decides its type. */
export const attributeValueSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("number"), value: z.number() }),
  z.object({ type: z.literal("date"), value: isoInstant }),
  z.object({ type: z.literal("text"), value: z.string().min(1) }),
]);
export type AttributeValue = z.infer<typeof attributeValueSchema>;

/** Types one attribute cell: a decimal number, else an ISO date, else text; an empty cell has no value. */
export function typeAttribute(cell: string): AttributeValue | undefined {
  const t = cell.trim();
  if (t === "") return undefined;
  if (DECIMAL.test(t)) {
    const n = Number(t);
    if (Number.isFinite(n)) return { type: "number", value: n };
  }
  if (t.charCodeAt(0) >= 48 && t.charCodeAt(0) <= 57) {
    const ms = parseIsoDate(t);
    if (Number.isFinite(ms)) return { type: "date", value: new Date(ms).toISOString() };
  }
  return { type: "text", value: t };
}

/** A deal as stored: dates as ISO UTC instants, attributes typed. */
export const dealRowSchema = z.object({
  dealId: z.string().min(1),
  status: z.string().min(1),
  createdOn: isoInstant,
  name: z.string().optional(),
  stage: z.string().optional(),
  closedOn: isoInstant.optional(),
  estimatedValue: z.number().optional(),
  estimatedCloseDate: isoInstant.optional(),
  tenantId: z.string().optional(),
  product: z.string().optional(),
  owner: z.string().optional(),
  attributes: z.record(z.string(), attributeValueSchema),
});
export type DealRow = z.infer<typeof dealRowSchema>;

// ---- CSV cells → typed fields (the edge schema; its output is DealRow without attributes)

function blankable<T extends z.ZodType<unknown, string>>(inner: T) {
  return z
    .string()
    .trim()
    .transform((s) => (s === "" ? undefined : s))
    .pipe(inner.optional())
    .optional();
}
const requiredText = z.string().trim().min(1, "is required");
const dateCell = z
  .string()
  .trim()
  .refine((s) => Number.isFinite(parseIsoDate(s)), "must be an ISO 8601 date")
  .transform((s) => new Date(parseIsoDate(s)).toISOString());
const moneyCell = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, "must be a number ≥ 0")
  .transform(Number);
const guidCell = z
  .string()
  .trim()
  .regex(GUID, "must be a GUID")
  .transform((s) => s.toLowerCase());

export const dealCsvFieldsSchema = z.object({
  dealId: requiredText,
  status: requiredText,
  createdOn: z.string().trim().min(1, "is required").pipe(dateCell),
  name: blankable(z.string()),
  stage: blankable(z.string()),
  closedOn: blankable(dateCell),
  estimatedValue: blankable(moneyCell),
  estimatedCloseDate: blankable(dateCell),
  tenantId: blankable(guidCell),
  product: blankable(z.string()),
  owner: blankable(z.string()),
}) satisfies z.ZodType<Omit<DealRow, "attributes">, Record<string, string>>;

// ---- header

export interface DealHeader {
  /** Column names as spelled in the file. */
  columns: string[];
  /** Standard column → its index in the file (absent when the file lacks it). */
  standardIndex: Map<StandardDealColumn, number>;
  /** Every other named column, kept as an attribute. */
  attributes: { name: string; index: number }[];
  warnings: string[];
}

export type DealHeaderOutcome = { ok: true; header: DealHeader } | { ok: false; reason: string };

/** Matches a deals header: the three required columns must be there; other columns become attributes. */
export function matchDealHeader(fields: readonly string[]): DealHeaderOutcome {
  const byLower = new Map<string, StandardDealColumn>(standardDealColumns.map((c) => [c.toLowerCase(), c]));
  const reserved = new Set<string>(reservedDealColumns.map((c) => c.toLowerCase()));
  const columns = fields.map((f) => f.trim());
  const standardIndex = new Map<StandardDealColumn, number>();
  const attributes: { name: string; index: number }[] = [];
  const seen = new Map<string, number>();
  const unnamed: number[] = [];
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i];
    if (name === "") {
      unnamed.push(i + 1);
      continue;
    }
    const lower = name.toLowerCase();
    const first = seen.get(lower);
    if (first !== undefined) return { ok: false, reason: `duplicate column "${name}" in the header (columns ${first + 1} and ${i + 1})` };
    seen.set(lower, i);
    if (reserved.has(lower)) return { ok: false, reason: `column "${name}" is reserved for a duration the service derives; rename it` };
    const standard = byLower.get(lower);
    if (standard) standardIndex.set(standard, i);
    else attributes.push({ name, index: i });
  }
  const missing = requiredDealColumns.filter((c) => !standardIndex.has(c));
  if (missing.length > 0) {
    return {
      ok: false,
      reason: `missing required column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} for dataset deals (header has: ${columns.join(", ") || "nothing"})`,
    };
  }
  const warnings = unnamed.length > 0 ? [`column${unnamed.length > 1 ? "s" : ""} #${unnamed.join(", #")} without a name ignored`] : [];
  return { ok: true, header: { columns, standardIndex, attributes, warnings } };
}

// ---- rows

export type DealRowOutcome = { ok: true; line: number; row: DealRow } | { ok: false; line: number; errors: RowError[] };

export interface DealRowValidatorOptions {
  /**
   * Status values that mean a deal is closed, so it must carry closedOn (case-insensitive). Defaults to
   * Won and Lost; pass the won and lost values of the partner's models as well.
   */
  closedStatuses?: readonly string[];
}

/** Status values read as closed when the partner's models name none. */
export const defaultClosedStatuses = ["Won", "Lost"] as const;

/** A stateful validator for the data rows of one deals file (it remembers dealIds, for duplicates). */
export function createDealRowValidator(
  header: DealHeader,
  options: DealRowValidatorOptions = {},
): (record: { line: number; fields: readonly string[]; problem?: string }) => DealRowOutcome {
  const width = header.columns.length;
  const entries = [...header.standardIndex.entries()];
  const closed = new Set((options.closedStatuses ?? defaultClosedStatuses).map((s) => s.trim().toLowerCase()));
  const dealLines = new Map<string, number>();
  const columnOf = (field: PropertyKey | undefined): string | undefined => {
    if (typeof field !== "string") return undefined;
    const index = header.standardIndex.get(field as StandardDealColumn);
    return index === undefined ? field : header.columns[index];
  };

  return (record) => {
    const line = record.line;
    if (record.fields.length !== width) {
      return { ok: false, line, errors: [{ line, reason: `expected ${width} columns as in the header, found ${record.fields.length}` }] };
    }
    if (record.problem) return { ok: false, line, errors: [{ line, reason: record.problem }] };
    const raw: Record<string, string> = {};
    for (const [field, index] of entries) raw[field] = record.fields[index];
    const parsed = dealCsvFieldsSchema.safeParse(raw);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => {
        const field = issue.path[0];
        const value = typeof field === "string" ? raw[field] : undefined;
        return { line, column: columnOf(field), reason: withValue(issue.message, value) };
      });
      return { ok: false, line, errors };
    }
    const fields = parsed.data;
    const error = (field: StandardDealColumn, reason: string): DealRowOutcome => ({
      ok: false,
      line,
      errors: [{ line, column: columnOf(field), reason }],
    });
    const first = dealLines.get(fields.dealId);
    if (first !== undefined) return error("dealId", `duplicate dealId ${fields.dealId}: already on line ${first}`);
    if (fields.closedOn !== undefined && fields.closedOn < fields.createdOn) {
      return error("closedOn", `closedOn ${fields.closedOn.slice(0, 10)} is before createdOn ${fields.createdOn.slice(0, 10)}`);
    }
    if (fields.closedOn === undefined && closed.has(fields.status.toLowerCase())) {
      return error("closedOn", `a deal with status "${fields.status}" is closed and needs closedOn`);
    }
    const attributes: Record<string, AttributeValue> = {};
    for (const a of header.attributes) {
      const value = typeAttribute(record.fields[a.index]);
      if (value) attributes[a.name] = value;
    }
    // Sliced CSV fields pin the whole record text in memory; a copy keeps only the id.
    dealLines.set((" " + fields.dealId).slice(1), line);
    return { ok: true, line, row: { ...stripUndefined(fields), attributes } };
  };
}

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

function withValue(message: string, value: string | undefined): string {
  if (value === undefined) return message;
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return `${message} (got "${shown}")`;
}

// ---- reading a column of a deal by name (model configuration refers to columns by name)

/** The text of a deal's column, standard or attribute, matched case-insensitively; undefined when empty. */
export function columnText(deal: DealRow, column: string): string | undefined {
  const standard = standardColumnNamed(column);
  if (standard) {
    const v = deal[standard];
    return v === undefined ? undefined : String(v);
  }
  const a = attributeNamed(deal, column);
  return a === undefined ? undefined : String(a.value);
}

/** The standard column with this name (case-insensitive), if any. */
export function standardColumnNamed(column: string): StandardDealColumn | undefined {
  const lower = column.trim().toLowerCase();
  return standardDealColumns.find((c) => c.toLowerCase() === lower);
}

/** A deal's attribute by name: exact spelling first, then case-insensitive. */
export function attributeNamed(deal: DealRow, name: string): AttributeValue | undefined {
  const exact = deal.attributes[name];
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(deal.attributes)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Column names present in a set of deals: the standard ones and every attribute seen. */
export function dealColumns(deals: Iterable<DealRow>): string[] {
  const attributes = new Set<string>();
  for (const d of deals) for (const k of Object.keys(d.attributes)) attributes.add(k);
  return [...standardDealColumns, ...[...attributes].sort()];
}
