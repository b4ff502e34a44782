// Explanations in words: per-record factors (contributions grouped back to the original columns)
// and global importance per original column.

import type { Dataset } from "./dataset.js";
import { cellText, type Preparation, type PreparedFeature, type RawValue } from "./prepare.js";

export interface Factor {
  /** Original column name. */
  column: string;
  /** Contribution to the log-odds score (positive raises it). */
  contribution: number;
  /** The record's value as shown to the user (null when empty). */
  value: string | null;
  /** "contract is Month-to-month (raises the score)". */
  text: string;
}

export interface Explanation {
  /** Log-odds score of the learner; bias + Σ contributions equals it. */
  margin: number;
  /** Expected score before looking at this record's values. */
  bias: number;
  /** Contribution per original column (sums with bias to the margin). */
  contributions: Record<string, number>;
  /** Up to `top` factors raising the score, strongest first. */
  positive: Factor[];
  /** Up to `top` factors lowering the score, strongest first. */
  negative: Factor[];
}

export interface ColumnImportance {
  column: string;
  /** Share of the total importance (all columns sum to 1). */
  importance: number;
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const s = Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2);
  return String(Number(s));
}

/** The record's value of an original column, in words, from the raw record when given, else from the prepared data. */
function displayValue(features: PreparedFeature[], featureIndex: number[], data: Dataset, row: number, raw: RawValue | undefined, hasRaw: boolean): string | null {
  if (hasRaw) return cellText(raw);
  const f = features[featureIndex[0]];
  const v = data.columns[featureIndex[0]][row];
  if (v !== v) return null;
  if (f.derive === "category") return f.categories![v] ?? null;
  if (f.derive === "days") return new Date(v * 86_400_000).toISOString().slice(0, 10);
  if (f.derive === "month") return `month ${v}`;
  return formatNumber(v);
}

function describe(column: string, kind: "numeric" | "categorical" | "date", value: string | null, known: boolean, contribution: number): string {
  const effect = contribution >= 0 ? "raises the score" : "lowers the score";
  if (value === null) return `${column} is empty (${effect})`;
  if (!known) return `${column} is "${value}", a value not seen in training (${effect})`;
  if (kind === "numeric") {
    const n = Number(value);
    return `${column} = ${Number.isFinite(n) ? formatNumber(n) : value} (${effect})`;
  }
  return `${column} is ${value} (${effect})`;
}

/** Groups per-feature contributions (length features + 1, bias last) by original column and words the strongest. */
export function explainContributions(
  prep: Preparation,
  contributions: ArrayLike<number>,
  data: Dataset,
  row: number,
  options: { top?: number; raw?: Record<string, RawValue> } = {},
): Explanation {
  const top = options.top ?? 5;
  const nf = prep.features.length;
  const bySource = new Map<string, number[]>();
  prep.features.forEach((f, i) => {
    const list = bySource.get(f.source);
    if (list) list.push(i);
    else bySource.set(f.source, [i]);
  });
  const kindOf = new Map(prep.columns.map((c) => [c.name, c.kind]));
  const perColumn: Record<string, number> = {};
  const factors: Factor[] = [];
  let margin = contributions[nf];
  for (const [column, idx] of bySource) {
    let c = 0;
    for (const i of idx) c += contributions[i];
    margin += c;
    perColumn[column] = c;
    const hasRaw = options.raw !== undefined && column in options.raw;
    const value = displayValue(prep.features, idx, data, row, options.raw?.[column], hasRaw);
    const f0 = prep.features[idx[0]];
    // A raw categorical value that the preparation mapped to missing was unseen in training.
    const known = !(f0.derive === "category" && value !== null && data.columns[idx[0]][row] !== data.columns[idx[0]][row]);
    factors.push({ column, contribution: c, value, text: describe(column, kindOf.get(column) ?? "numeric", value, known, c) });
  }
  const positive = factors.filter((f) => f.contribution > 0).sort((a, b) => b.contribution - a.contribution).slice(0, top);
  const negative = factors.filter((f) => f.contribution < 0).sort((a, b) => a.contribution - b.contribution).slice(0, top);
  return { margin, bias: contributions[nf], contributions: perColumn, positive, negative };
}

/** Importance per original column (derived and one-hot parts summed), as shares of 1, largest first. */
export function columnImportance(prep: Preparation, featureImportance: ArrayLike<number>): ColumnImportance[] {
  const sums = new Map<string, number>();
  prep.features.forEach((f, i) => sums.set(f.source, (sums.get(f.source) ?? 0) + Math.max(0, featureImportance[i] ?? 0)));
  const total = [...sums.values()].reduce((a, b) => a + b, 0);
  return [...sums.entries()]
    .map(([column, v]) => ({ column, importance: total > 0 ? v / total : 0 }))
    .sort((a, b) => b.importance - a.importance || (a.column < b.column ? -1 : 1));
}
