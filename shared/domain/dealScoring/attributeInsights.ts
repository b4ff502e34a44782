import { z } from "zod";
import type { FeatureSpec, InputSpec } from "./features.js";

// Attribute insights (Dynamics "Attribute Insights"): for each input, the win rate of closed deals per value
// (or per range of a number) beside the overall win rate. Also used to word a factor's insight:
// "62 % of closed deals where Product is Surface were won (overall 45 %)".

const MAX_TEXT_VALUES = 12;
const RANGES = 5;

export const insightBucketSchema = z.object({
  kind: z.enum(["value", "range", "empty", "other"]),
  /** In words: "Surface", "10,000–25,000", "under 10,000", "(empty)", "(other values)". */
  label: z.string(),
  value: z.union([z.string(), z.number()]).optional(),
  /** Range bounds: from ≤ v < to; an open end is absent. */
  from: z.number().optional(),
  to: z.number().optional(),
  won: z.number().int(),
  closed: z.number().int(),
  winRate: z.number(),
});
export type InsightBucket = z.infer<typeof insightBucketSchema>;

export const attributeInsightSchema = z.object({
  key: z.string(),
  label: z.string(),
  /** Closed deals with a value. */
  populated: z.number().int(),
  buckets: z.array(insightBucketSchema),
});
export type AttributeInsight = z.infer<typeof attributeInsightSchema>;

export const attributeInsightsSchema = z.object({
  closedDeals: z.number().int(),
  won: z.number().int(),
  overallWinRate: z.number(),
  inputs: z.array(attributeInsightSchema),
});
export type AttributeInsights = z.infer<typeof attributeInsightsSchema>;

// One formatter each: toLocaleString builds a new one per call, which costs seconds over 10,000 deals.
const wholeNumbers = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const smallNumbers = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export function formatNumber(v: number): string {
  return (Math.abs(v) >= 100 ? wholeNumbers : smallNumbers).format(v);
}

export function percent(rate: number): string {
  return `${Math.round(rate * 100)} %`;
}

/** Range edges at the quintiles of the distinct values (a number with few distinct values gets one bucket per value). */
function rangeEdges(values: number[]): number[] | undefined {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length <= RANGES + 1) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let q = 1; q < RANGES; q++) {
    const e = sorted[Math.floor((q * sorted.length) / RANGES)];
    if (e > sorted[0] && (edges.length === 0 || e > edges[edges.length - 1])) edges.push(e);
  }
  return edges.length > 0 ? edges : undefined;
}

function rangeLabel(from: number | undefined, to: number | undefined): string {
  if (from === undefined) return `under ${formatNumber(to!)}`;
  if (to === undefined) return `${formatNumber(from)} or more`;
  return `${formatNumber(from)} to under ${formatNumber(to)}`;
}

function insightFor(input: InputSpec, column: (number | string | null)[], labels: readonly ("won" | "lost")[]): AttributeInsight {
  const buckets: InsightBucket[] = [];
  const add = (b: Omit<InsightBucket, "won" | "closed" | "winRate">, rows: number[]) => {
    if (rows.length === 0) return;
    let won = 0;
    for (const r of rows) if (labels[r] === "won") won++;
    buckets.push({ ...b, won, closed: rows.length, winRate: won / rows.length });
  };
  const empty: number[] = [];
  let populated = 0;
  if (input.kind === "text") {
    const byValue = new Map<string, number[]>();
    column.forEach((v, r) => {
      if (v === null) return empty.push(r);
      populated++;
      const key = String(v);
      let list = byValue.get(key);
      if (!list) byValue.set(key, (list = []));
      list.push(r);
    });
    const ordered = [...byValue.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
    for (const [value, rows] of ordered.slice(0, MAX_TEXT_VALUES)) add({ kind: "value", label: value, value }, rows);
    add({ kind: "other", label: "(other values)" }, ordered.slice(MAX_TEXT_VALUES).flatMap(([, rows]) => rows));
  } else {
    const numbers: number[] = [];
    const rowsOf: number[] = [];
    column.forEach((v, r) => {
      if (typeof v !== "number") return empty.push(r);
      populated++;
      numbers.push(v);
      rowsOf.push(r);
    });
    const edges = rangeEdges(numbers);
    if (!edges) {
      const byValue = new Map<number, number[]>();
      numbers.forEach((v, k) => {
        let list = byValue.get(v);
        if (!list) byValue.set(v, (list = []));
        list.push(rowsOf[k]);
      });
      for (const [value, rows] of [...byValue.entries()].sort((a, b) => a[0] - b[0])) add({ kind: "value", label: formatNumber(value), value }, rows);
    } else {
      const bins: number[][] = Array.from({ length: edges.length + 1 }, () => []);
      numbers.forEach((v, k) => bins[bucketIndex(edges, v)].push(rowsOf[k]));
      bins.forEach((rows, b) => {
        const from = b === 0 ? undefined : edges[b - 1];
        const to = b === edges.length ? undefined : edges[b];
        add({ kind: "range", label: rangeLabel(from, to), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }, rows);
      });
    }
  }
  add({ kind: "empty", label: "(empty)" }, empty);
  return { key: input.key, label: input.label, populated, buckets };
}

function bucketIndex(edges: number[], v: number): number {
  let b = 0;
  while (b < edges.length && v >= edges[b]) b++;
  return b;
}

/** Win rates per value or range of every input over the closed deals (rows are describeDeal outputs, before imputation). */
export function computeAttributeInsights(spec: FeatureSpec, rows: readonly (number | string | null)[][], labels: readonly ("won" | "lost")[]): AttributeInsights {
  let won = 0;
  for (const l of labels) if (l === "won") won++;
  return {
    closedDeals: labels.length,
    won,
    overallWinRate: labels.length > 0 ? won / labels.length : 0,
    inputs: spec.inputs.map((input, c) =>
      insightFor(
        input,
        rows.map((r) => r[c]),
        labels,
      ),
    ),
  };
}

/** The bucket a value falls in. */
export function bucketOf(insight: AttributeInsight, value: number | string | null): InsightBucket | undefined {
  if (value === null) return insight.buckets.find((b) => b.kind === "empty");
  if (typeof value === "number") {
    for (const b of insight.buckets) {
      if (b.kind === "value" && b.value === value) return b;
      if (b.kind === "range" && (b.from === undefined || value >= b.from) && (b.to === undefined || value < b.to)) return b;
    }
    return undefined;
  }
  return insight.buckets.find((b) => b.kind === "value" && b.value === value) ?? insight.buckets.find((b) => b.kind === "other");
}

/** "62 % of closed deals where Product is Surface were won (overall 45 %)", or undefined when the value was never seen closed. */
export function insightText(insights: AttributeInsights, key: string, value: number | string | null): string | undefined {
  const insight = insights.inputs.find((i) => i.key === key);
  if (!insight) return undefined;
  const b = bucketOf(insight, value);
  if (!b) return undefined;
  const what = b.kind === "empty" ? "is empty" : b.kind === "other" ? "has a less common value" : b.kind === "range" ? `is ${b.label}` : `is ${b.label}`;
  return `${percent(b.winRate)} of ${b.closed} closed deals where ${insight.label} ${what} were won (overall ${percent(insights.overallWinRate)})`;
}
