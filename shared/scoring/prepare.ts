// Data preparation: CSV text or records -> typed, serialisable Preparation -> Dataset.
// The same Preparation is applied at training and at scoring time, so features line up exactly.

import type { Dataset, FeatureInfo, LabelledDataset } from "./dataset.js";

export type RawValue = string | number | boolean | null | undefined;
export type RawRecord = Record<string, RawValue>;

/** Column-major raw table: one array of cells per column name. */
export interface RawTable {
  columns: string[];
  cells: RawValue[][];
  rows: number;
}

export type ColumnKind = "numeric" | "categorical" | "date";
export type Derivation = "value" | "category" | "days" | "month" | "dayOfWeek";

export interface PreparedFeature extends FeatureInfo {
  /** Original column this feature comes from (explanations group by it). */
  source: string;
  derive: Derivation;
  /** Numeric only: "ignore empty values" — the linear model imputes without a missing indicator. */
  ignoreEmpty?: boolean;
}

export interface DroppedColumn {
  column: string;
  reason: string;
}

export interface Preparation {
  version: 1;
  label?: { column: string; positive: string };
  /** Source columns used, with their inferred kind. */
  columns: { name: string; kind: ColumnKind; missing: number }[];
  features: PreparedFeature[];
  dropped: DroppedColumn[];
  time?: { column: string; kind: "numeric" | "date" };
  notes: string[];
}

export interface PrepareOptions {
  label: string;
  positive: string;
  drop?: string[];
  /** Columns whose empty values are "not applicable" rather than informative. */
  ignoreEmpty?: string[];
  /** Time column used for a time-ordered validation split; it is also prepared as a feature. */
  time?: string;
  /** Force kinds for columns the inference would get wrong. */
  kinds?: Record<string, ColumnKind>;
}

export interface PreparedTraining {
  preparation: Preparation;
  data: LabelledDataset;
  /** Per-row time (ms since epoch for dates, the value for numerics), when options.time is given. */
  time?: Float64Array;
}

export interface AppliedPreparation {
  data: Dataset;
  label?: Uint8Array;
  time?: Float64Array;
  /** Unseen categories per source column (scored as missing). */
  unseen: Record<string, number>;
}

export class PrepareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrepareError";
  }
}

// ---------------------------------------------------------------- CSV

/** Detects `,` or `;` from the header line (outside quotes). */
export function detectSeparator(text: string): "," | ";" {
  let commas = 0;
  let semis = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted) {
      if (c === "\n" || c === "\r") break;
      if (c === ",") commas++;
      else if (c === ";") semis++;
    }
  }
  return semis > commas ? ";" : ",";
}

/** RFC 4180 parser (quotes, doubled quotes, CRLF/LF, BOM). Returns header and data rows. */
export function parseCsv(text: string, separator?: "," | ";"): { header: string[]; rows: string[][]; separator: "," | ";" } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const sep = separator ?? detectSeparator(text);
  const sepCode = sep.charCodeAt(0);
  const records: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */ && field.length === 0) {
      // Quoted field: read to the closing quote, "" is an escaped quote.
      i++;
      let start = i;
      let buf = "";
      for (;;) {
        if (i >= n) throw new PrepareError("CSV: unterminated quoted field");
        if (text.charCodeAt(i) === 34) {
          if (text.charCodeAt(i + 1) === 34) {
            buf += text.slice(start, i + 1);
            i += 2;
            start = i;
            continue;
          }
          buf += text.slice(start, i);
          i++;
          break;
        }
        i++;
      }
      field = buf;
      // Anything between the closing quote and the separator is kept verbatim (lenient).
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === sepCode || d === 10 || d === 13) break;
        field += text[i];
        i++;
      }
      continue;
    }
    if (c === sepCode) {
      row.push(field);
      field = "";
      i++;
    } else if (c === 10 || c === 13) {
      row.push(field);
      field = "";
      records.push(row);
      row = [];
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === sepCode || d === 10 || d === 13) break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    records.push(row);
  }
  // Blank lines carry no record.
  const nonBlank = records.filter((r) => !(r.length === 1 && r[0].trim() === ""));
  if (nonBlank.length === 0) throw new PrepareError("CSV: no header line");
  const header = nonBlank[0].map((h) => h.trim());
  return { header, rows: nonBlank.slice(1), separator: sep };
}

export function tableFromCsv(text: string, separator?: "," | ";"): RawTable {
  const { header, rows } = parseCsv(text, separator);
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new PrepareError(`CSV: duplicate column name "${h}"`);
    seen.add(h);
  }
  const cells: RawValue[][] = header.map(() => new Array<RawValue>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < header.length; c++) cells[c][r] = c < row.length ? row[c] : "";
  }
  return { columns: header, cells, rows: rows.length };
}

export function tableFromRecords(records: readonly RawRecord[]): RawTable {
  const columns: string[] = [];
  const index = new Map<string, number>();
  for (const rec of records) {
    for (const k of Object.keys(rec)) {
      if (!index.has(k)) {
        index.set(k, columns.length);
        columns.push(k);
      }
    }
  }
  const cells: RawValue[][] = columns.map(() => new Array<RawValue>(records.length));
  for (let r = 0; r < records.length; r++) {
    const rec = records[r];
    for (let c = 0; c < columns.length; c++) cells[c][r] = rec[columns[c]];
  }
  return { columns, cells, rows: records.length };
}

export function toTable(input: string | readonly RawRecord[] | RawTable): RawTable {
  if (typeof input === "string") return tableFromCsv(input);
  if (Array.isArray(input)) return tableFromRecords(input as readonly RawRecord[]);
  return input as RawTable;
}

// ---------------------------------------------------------------- cell parsing

const MISSING = new Set(["", "na", "n/a", "nan", "null", "none", "undefined", "?"]);

/** Normalised text of a cell, or null when missing. */
export function cellText(v: RawValue): string | null {
  if (typeof v === "string") {
    let t = v;
    if (t.length === 0) return null;
    if (t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32) {
      t = t.trim();
      if (t.length === 0) return null;
    }
    // Every missing marker starts with n, u or ? and is short; skip the lookup for everything else.
    if (t.length <= 9) {
      const c = t.charCodeAt(0) | 32;
      if ((c === 110 || c === 117 || c === 63) && MISSING.has(t.toLowerCase())) return null;
    }
    return t;
  }
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : null;
  return v ? "true" : "false";
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function digitOrDot(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46;
}

/** Plain decimal notation only (no hex, binary, Infinity), so codes like "0x1F" stay text. */
function isDecimal(t: string): boolean {
  const c0 = t.charCodeAt(0);
  const cl = t.charCodeAt(t.length - 1);
  if (!(digitOrDot(c0) || c0 === 43 || c0 === 45) || !digitOrDot(cl)) return false;
  if (t.length > 1 && c0 === 48) {
    const c1 = t.charCodeAt(1) | 32;
    if (c1 === 120 || c1 === 98 || c1 === 111) return false;
  }
  return Number.isFinite(+t) || NUMBER_RE.test(t);
}

export function cellNumber(v: RawValue): number {
  if (typeof v === "number") return Number.isFinite(v) ? v : NaN;
  if (typeof v === "boolean") return v ? 1 : 0;
  const t = cellText(v);
  if (t === null || !isDecimal(t)) return NaN;
  const x = +t;
  return Number.isFinite(x) ? x : NaN;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds since epoch (UTC) for ISO-8601-like dates, NaN otherwise. */
export function cellDate(v: RawValue): number {
  const t = cellText(v);
  if (t === null || !DATE_RE.test(t)) return NaN;
  // Date-only strings parse as UTC; date-times without zone are read as UTC too, for determinism.
  const iso = t.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/.test(t) ? t.replace(" ", "T") + "Z" : t.replace(" ", "T");
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : NaN;
}

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------- inference

const ID_NAME = /(^|[^a-zA-Z])id$|[a-z](Id|ID)$|^id$/i;

interface ColumnProfile {
  kind: ColumnKind;
  nonMissing: number;
  /** Non-missing values that read as numbers. */
  numeric: number;
  /** Count of each distinct non-missing text. */
  counts: Map<string, number>;
}

/** One pass over a column: kind by majority of parseable values, and distinct value counts. */
function profileColumn(values: RawValue[]): ColumnProfile {
  let nonMissing = 0;
  let numeric = 0;
  let date = 0;
  // Per distinct text: count × 4 + class (0 text, 1 number, 2 date), so repeated values are classified once.
  const seen = new Map<string, number>();
  for (const v of values) {
    const t = cellText(v);
    if (t === null) continue;
    nonMissing++;
    let entry = seen.get(t);
    if (entry === undefined) {
      let cls = 0;
      if (typeof v === "number" || isDecimal(t)) cls = 1;
      else if (t.charCodeAt(0) >= 48 && t.charCodeAt(0) <= 57 && DATE_RE.test(t) && Number.isFinite(cellDate(t))) cls = 2;
      entry = cls;
    }
    entry += 4;
    seen.set(t, entry);
    const cls = entry & 3;
    if (cls === 1) numeric++;
    else if (cls === 2) date++;
  }
  const counts = new Map<string, number>();
  for (const [t, entry] of seen) counts.set(t, entry >>> 2);
  let kind: ColumnKind = "categorical";
  if (nonMissing === 0 || numeric >= 0.95 * nonMissing) kind = "numeric";
  else if (date >= 0.95 * nonMissing) kind = "date";
  return { kind, nonMissing, numeric, counts };
}

/** Learns the preparation from a labelled training table and returns the prepared dataset. */
export function fitPreparation(input: string | readonly RawRecord[] | RawTable, options: PrepareOptions): PreparedTraining {
  const table = toTable(input);
  const labelIdx = table.columns.indexOf(options.label);
  if (labelIdx < 0) {
    throw new PrepareError(`label column "${options.label}" not found; columns are: ${table.columns.join(", ")}`);
  }
  if (options.time !== undefined && !table.columns.includes(options.time)) {
    throw new PrepareError(`time column "${options.time}" not found; columns are: ${table.columns.join(", ")}`);
  }
  const notes: string[] = [];
  const dropSet = new Set(options.drop ?? []);
  for (const d of dropSet) {
    if (!table.columns.includes(d)) notes.push(`--drop column "${d}" is not in the data; ignored`);
  }
  const ignoreEmpty = new Set(options.ignoreEmpty ?? []);

  // Rows with no label value cannot be learnt from.
  const labelCells = table.cells[labelIdx];
  const keep: number[] = [];
  for (let r = 0; r < table.rows; r++) if (cellText(labelCells[r]) !== null) keep.push(r);
  if (keep.length < table.rows) notes.push(`${table.rows - keep.length} rows without a "${options.label}" value were skipped`);
  const sub: RawTable =
    keep.length === table.rows
      ? table
      : { columns: table.columns, cells: table.cells.map((col) => keep.map((r) => col[r])), rows: keep.length };

  const positive = resolvePositive(sub.cells[labelIdx], options.positive);
  const labelValues = new Map<string, number>();
  for (const v of sub.cells[labelIdx]) {
    const t = cellText(v);
    if (t !== null) labelValues.set(t, (labelValues.get(t) ?? 0) + 1);
  }
  // A label with a single value is reported as constant by model selection; two or more values without the positive one is a typo.
  if (!labelValues.has(positive) && labelValues.size > 1) {
    const seen = [...labelValues.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([v, c]) => `"${v}" (${c})`);
    throw new PrepareError(`positive value "${options.positive}" never occurs in label column "${options.label}"; values seen: ${seen.join(", ")}`);
  }
  if (positive !== options.positive) notes.push(`positive value "${options.positive}" matched "${positive}" ignoring case`);

  const columns: Preparation["columns"] = [];
  const features: PreparedFeature[] = [];
  const dropped: DroppedColumn[] = [];
  let time: Preparation["time"];

  for (let c = 0; c < sub.columns.length; c++) {
    const name = sub.columns[c];
    if (c === labelIdx) continue;
    if (dropSet.has(name)) {
      dropped.push({ column: name, reason: "dropped on request" });
      continue;
    }
    const values = sub.cells[c];
    const forced = options.kinds?.[name];
    const profile = profileColumn(values);
    const kind = forced ?? profile.kind;
    const nonMissing = profile.nonMissing;
    const missing = sub.rows - nonMissing;
    if (name === options.time) {
      if (kind === "categorical") throw new PrepareError(`time column "${name}" is neither a date nor a number`);
      time = { column: name, kind: kind === "date" ? "date" : "numeric" };
    }
    if (nonMissing === 0) {
      dropped.push({ column: name, reason: "all values are empty" });
      continue;
    }
    const distinct = profile.counts.size;
    if (distinct <= 1 && missing === 0) {
      dropped.push({ column: name, reason: "the same value in every row" });
      continue;
    }
    if (name !== options.time && nonMissing >= 20) {
      const allDistinct = distinct >= nonMissing * 0.98;
      if (kind === "categorical" && distinct >= nonMissing * 0.9 && distinct > 20) {
        dropped.push({ column: name, reason: `looks like an identifier (${distinct} distinct values in ${nonMissing} rows)` });
        continue;
      }
      if (ID_NAME.test(name) && (allDistinct || (kind === "categorical" && distinct >= nonMissing * 0.5))) {
        dropped.push({ column: name, reason: `looks like an identifier (name ends in "id", ${distinct} distinct values)` });
        continue;
      }
    }
    columns.push({ name, kind, missing });
    if (kind === "numeric" && profile.numeric < nonMissing) {
      notes.push(`column "${name}": ${nonMissing - profile.numeric} values that are not numbers are treated as empty`);
    }
    if (kind === "numeric") {
      features.push({ name, kind: "numeric", source: name, derive: "value", ...(ignoreEmpty.has(name) ? { ignoreEmpty: true } : {}) });
    } else if (kind === "date") {
      const ie = ignoreEmpty.has(name) ? { ignoreEmpty: true } : {};
      // The time column orders the validation split; its absolute date would only extrapolate, so it keeps the seasonal parts.
      if (name !== options.time) features.push({ name: `${name} (days since 1970)`, kind: "numeric", source: name, derive: "days", ...ie });
      else notes.push(`time column "${name}": month and day of week are features, the date itself is not`);
      features.push({ name: `${name} (month)`, kind: "numeric", source: name, derive: "month", ...ie });
      features.push({ name: `${name} (day of week)`, kind: "numeric", source: name, derive: "dayOfWeek", ...ie });
    } else {
      // Categories ordered by frequency (ties by name) so codes are deterministic and meaningful.
      const categories = [...profile.counts.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map((e) => e[0]);
      features.push({ name, kind: "categorical", categories, source: name, derive: "category" });
    }
  }
  for (const d of dropped) if (d.reason !== "dropped on request") notes.push(`column "${d.column}" dropped: ${d.reason}`);
  for (const ie of ignoreEmpty) if (!table.columns.includes(ie)) notes.push(`ignore-empty column "${ie}" is not in the data; ignored`);
  if (features.length === 0) throw new PrepareError("no usable feature columns remain after preparation");

  const preparation: Preparation = {
    version: 1,
    label: { column: options.label, positive },
    columns,
    features,
    dropped,
    ...(time ? { time } : {}),
    notes,
  };
  const applied = applyPreparation(preparation, sub, { withLabel: true });
  return {
    preparation,
    data: { ...applied.data, label: applied.label! },
    ...(applied.time ? { time: applied.time } : {}),
  };
}

function resolvePositive(labelCells: RawValue[], positive: string): string {
  const want = positive.trim();
  let ci: string | undefined;
  for (const v of labelCells) {
    const t = cellText(v);
    if (t === want) return want;
    if (ci === undefined && t !== null && t.toLowerCase() === want.toLowerCase()) ci = t;
  }
  return ci ?? want;
}

/** Applies a fitted preparation to new rows (scoring) or a labelled table (evaluation). */
export function applyPreparation(
  prep: Preparation,
  input: string | readonly RawRecord[] | RawTable,
  opts: { withLabel?: boolean } = {},
): AppliedPreparation {
  const table = toTable(input);
  const rows = table.rows;
  const colIndex = new Map<string, number>();
  table.columns.forEach((c, i) => colIndex.set(c, i));
  const missingCol: RawValue[] = new Array<RawValue>(rows).fill(null);
  const cellsOf = (name: string): RawValue[] => {
    const i = colIndex.get(name);
    return i === undefined ? missingCol : table.cells[i];
  };
  const unseen: Record<string, number> = {};
  const columns: Float64Array[] = [];
  const dateCache = new Map<string, Float64Array>();
  for (const f of prep.features) {
    const cells = cellsOf(f.source);
    const out = new Float64Array(rows);
    if (f.derive === "value") {
      for (let r = 0; r < rows; r++) out[r] = cellNumber(cells[r]);
    } else if (f.derive === "category") {
      const codes = new Map<string, number>();
      f.categories!.forEach((cat, i) => codes.set(cat, i));
      let unseenCount = 0;
      for (let r = 0; r < rows; r++) {
        const t = cellText(cells[r]);
        if (t === null) out[r] = NaN;
        else {
          const code = codes.get(t);
          if (code === undefined) {
            out[r] = NaN;
            unseenCount++;
          } else out[r] = code;
        }
      }
      if (unseenCount > 0) unseen[f.source] = unseenCount;
    } else {
      let ms = dateCache.get(f.source);
      if (!ms) {
        ms = new Float64Array(rows);
        for (let r = 0; r < rows; r++) ms[r] = cellDate(cells[r]);
        dateCache.set(f.source, ms);
      }
      for (let r = 0; r < rows; r++) {
        const m = ms[r];
        if (!Number.isFinite(m)) out[r] = NaN;
        else if (f.derive === "days") out[r] = Math.floor(m / DAY_MS);
        else if (f.derive === "month") out[r] = new Date(m).getUTCMonth() + 1;
        else out[r] = new Date(m).getUTCDay();
      }
    }
    columns.push(out);
  }
  const data: Dataset = {
    features: prep.features.map((f) => ({ ...f, ...(f.categories ? { categories: f.categories } : {}) })),
    columns,
    rows,
  };
  const result: AppliedPreparation = { data, unseen };
  if (opts.withLabel) {
    if (!prep.label) throw new PrepareError("preparation has no label");
    const li = colIndex.get(prep.label.column);
    if (li === undefined) {
      throw new PrepareError(`label column "${prep.label.column}" not found; columns are: ${table.columns.join(", ")}`);
    }
    const label = new Uint8Array(rows);
    const cells = table.cells[li];
    for (let r = 0; r < rows; r++) label[r] = cellText(cells[r]) === prep.label.positive ? 1 : 0;
    result.label = label;
  }
  if (prep.time) {
    const cells = cellsOf(prep.time.column);
    const t = new Float64Array(rows);
    for (let r = 0; r < rows; r++) t[r] = prep.time.kind === "date" ? cellDate(cells[r]) : cellNumber(cells[r]);
    result.time = t;
  }
  return result;
}

/** Convenience: prepare labelled data from CSV text. */
export function prepareFromCsv(text: string, options: PrepareOptions): PreparedTraining {
  return fitPreparation(tableFromCsv(text), options);
}

/** Convenience: prepare labelled data from records. */
export function prepareFromRecords(records: readonly RawRecord[], options: PrepareOptions): PreparedTraining {
  return fitPreparation(tableFromRecords(records), options);
}

/** Restricts a dataset to some rows (order preserved as given). */
export function subsetRows<T extends Dataset>(data: T, idx: ArrayLike<number>): T {
  const n = idx.length;
  const columns = data.columns.map((col) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = col[idx[i]];
    return out;
  });
  const out: Dataset = { features: data.features, columns, rows: n };
  const lab = (data as unknown as LabelledDataset).label;
  if (lab) {
    const l = new Uint8Array(n);
    for (let i = 0; i < n; i++) l[i] = lab[idx[i]];
    (out as LabelledDataset).label = l;
  }
  return out as T;
}
