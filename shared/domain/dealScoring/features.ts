import { z } from "zod";
import type { RawTable, RawValue } from "../../scoring/index.js";
import { attributeNamed, type AttributeValue, type DealRow } from "./dealRows.js";
import { runAt, stageSince, type DealHistory } from "./history.js";
import { derivedInputs, standardInputs, type ModelConfig } from "./modelConfig.js";

// What the model sees of a deal at a moment ("as of"): the standard inputs, the attributes, and durations
// derived from the dates. Raw dates are never inputs (they only extrapolate). An open deal is seen as of
// the scoring time. A closed deal is seen as it was at a moment of its open life (chosen at random, seeded by
// its id): seen as of its close, every won deal would be as old as its whole sales cycle, and every young
// open deal would look like a deal lost early. The same function describes both, so they line up.
// The stage is an input of per-stage models only: the stage a deal closed in (Close, for a won deal) is one
// an open deal has not reached yet. A per-stage model learns from every stage each closed deal went
// through, labelled by its outcome; when it was in an earlier stage is often unknown (no snapshot saw it),
// so per-stage models use the stage and the inputs that do not depend on the moment, not the durations.

const DAY_MS = 86_400_000;

export const inputKinds = ["number", "text", "date"] as const;
export type InputKind = (typeof inputKinds)[number];

export const inputSpecSchema = z.object({
  /** Column name given to the engine: the standard column, the derived duration or the attribute name. */
  key: z.string().min(1),
  /** In a seller's words. */
  label: z.string().min(1),
  /** date: the input is the number of days from the date to the moment the deal is seen. */
  kind: z.enum(inputKinds),
  origin: z.enum(["standard", "derived", "attribute"]),
  ignoreEmpty: z.boolean(),
  /** Value an empty cell takes when empty values are ignored (median or most frequent value in training). */
  impute: z.union([z.number(), z.string()]).optional(),
});
export type InputSpec = z.infer<typeof inputSpecSchema>;

export const featureSpecSchema = z.object({
  inputs: z.array(inputSpecSchema),
  perStage: z.boolean(),
  /** Per-stage modelling: the stages each input counts in; elsewhere it is empty. */
  stageAttributes: z.record(z.string(), z.array(z.string())),
});
export type FeatureSpec = z.infer<typeof featureSpecSchema>;

const standardLabels: Record<string, string> = {
  stage: "Stage",
  estimatedValue: "Estimated value",
  product: "Product",
  owner: "Owner",
  ageInDays: "Age (days)",
  daysToEstimatedClose: "Days to estimated close",
  daysSinceStageChange: "Days since last stage change",
};

/** Label of the outcome column handed to the engine (never an input name: those come from the header). */
export const OUTCOME_KEY = "__outcome";

/** An attribute's kind over a set of deals: number or date when at least 95 % of its non-empty values are, else text. */
export function inferAttributeKinds(deals: Iterable<DealRow>): Map<string, InputKind> {
  const counts = new Map<string, { number: number; date: number; text: number }>();
  for (const d of deals) {
    for (const [name, v] of Object.entries(d.attributes)) {
      let c = counts.get(name);
      if (!c) counts.set(name, (c = { number: 0, date: 0, text: 0 }));
      c[v.type]++;
    }
  }
  const kinds = new Map<string, InputKind>();
  for (const [name, c] of counts) {
    const n = c.number + c.date + c.text;
    kinds.set(name, c.number >= 0.95 * n ? "number" : c.date >= 0.95 * n ? "date" : "text");
  }
  return kinds;
}

function has(list: readonly string[] | undefined, name: string): boolean {
  const lower = name.toLowerCase();
  return (list ?? []).some((x) => x.toLowerCase() === lower);
}

/**
 * The inputs of a model: every standard input, derived duration and attribute of the training deals, or the
 * configured subset; never the status column. Imputation values are fitted later (fitImputation).
 */
export function featureSpecFor(config: ModelConfig, deals: readonly DealRow[]): FeatureSpec {
  const kinds = inferAttributeKinds(deals);
  const inputs: InputSpec[] = [];
  const wanted = (key: string) => (config.attributes === undefined || has(config.attributes, key)) && key.toLowerCase() !== config.statusColumn.toLowerCase();
  for (const key of standardInputs) {
    if (key === "stage" && !config.perStage) continue;
    if (wanted(key)) inputs.push({ key, label: standardLabels[key], kind: key === "estimatedValue" ? "number" : "text", origin: "standard", ignoreEmpty: has(config.ignoreEmpty, key) });
  }
  for (const key of config.perStage ? [] : derivedInputs) {
    if (wanted(key)) inputs.push({ key, label: standardLabels[key], kind: "number", origin: "derived", ignoreEmpty: has(config.ignoreEmpty, key) });
  }
  for (const [name, kind] of [...kinds.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (!wanted(name) || (kind === "date" && config.perStage)) continue;
    inputs.push({ key: name, label: kind === "date" ? `${name} (days ago)` : name, kind, origin: "attribute", ignoreEmpty: has(config.ignoreEmpty, name) });
  }
  const stageAttributes: Record<string, string[]> = {};
  if (config.perStage) {
    for (const [k, stages] of Object.entries(config.stageAttributes)) {
      const input = inputs.find((i) => i.key.toLowerCase() === k.toLowerCase());
      if (input) stageAttributes[input.key] = [...stages];
    }
  }
  return { inputs, perStage: config.perStage, stageAttributes };
}

function days(fromMs: number, toMs: number): number {
  return Math.floor((toMs - fromMs) / DAY_MS);
}

function attributeInput(v: AttributeValue | undefined, kind: InputKind, asOfMs: number): number | string | null {
  if (!v) return null;
  if (kind === "number") return v.type === "number" ? v.value : null;
  if (kind === "date") return v.type === "date" ? days(Date.parse(v.value), asOfMs) : null;
  return v.type === "date" ? v.value.slice(0, 10) : String(v.value);
}

/** A deal at a moment: which stage it was in and when. */
export interface DealMoment {
  history: DealHistory;
  /** ISO instant the deal is seen at. */
  asOf: string;
  stage: string | undefined;
  /** ISO instant the deal entered that stage, when known. */
  stageSince: string | undefined;
}

/** A fraction in [0, 1) fixed by the deal's id and the seed (FNV-1a), so training is reproducible. */
function fractionFor(id: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  return ((h ^ (h >>> 12)) >>> 0) / 4294967296;
}

/** The moment a closed deal is learnt from (standard models): a moment of its open life, between creation and close. */
export function closedMoment(history: DealHistory, seed: number): DealMoment {
  const created = Date.parse(history.deal.createdOn);
  const closed = Date.parse(history.deal.closedOn ?? history.lastSeenAt);
  const asOf = new Date(created + Math.floor(fractionFor(history.dealId, seed) * Math.max(0, closed - created))).toISOString();
  return { history, asOf, stage: runAt(history, asOf)?.stage, stageSince: stageSince(history, asOf) };
}

/** The moment an open deal is scored: now, in its current stage. */
export function openMoment(history: DealHistory, now: string): DealMoment {
  return { history, asOf: now, stage: history.deal.stage, stageSince: stageSince(history, history.lastSeenAt) };
}

/**
 * The moments a per-stage model learns from: every stage a closed deal went through up to the one it closed in,
 * in business-process order (a deal that closed in a stage went through the stages before it, seen or not).
 */
export function stageMoments(history: DealHistory, stages: readonly string[]): DealMoment[] {
  const closing = history.deal.stage;
  const closedAt = history.deal.closedOn ?? history.lastSeenAt;
  const seen: string[] = [];
  for (const r of history.runs) if (r.stage !== undefined && !seen.includes(r.stage)) seen.push(r.stage);
  const closingIndex = closing === undefined ? -1 : stages.indexOf(closing);
  const went = [...stages.slice(0, closingIndex + 1)];
  // Stages outside the order, or after the closing one for a deal that went back, were still gone through.
  for (const s of seen) if (!went.includes(s)) went.push(s);
  if (closing !== undefined && !went.includes(closing)) went.push(closing);
  return went.map((stage) => ({ history, asOf: closedAt, stage, stageSince: undefined }));
}

/** The inputs' values (null when empty or masked for the stage), in spec order, before imputation. */
export function describeDeal(moment: DealMoment, spec: FeatureSpec): (number | string | null)[] {
  const deal = moment.history.deal;
  const asOfMs = Date.parse(moment.asOf);
  const out: (number | string | null)[] = new Array(spec.inputs.length);
  for (let i = 0; i < spec.inputs.length; i++) {
    const input = spec.inputs[i];
    const counted = spec.stageAttributes[input.key];
    if (spec.perStage && counted && !(moment.stage !== undefined && counted.includes(moment.stage))) {
      out[i] = null;
      continue;
    }
    out[i] = input.origin === "attribute" ? attributeInput(attributeNamed(deal, input.key), input.kind, asOfMs) : standardInput(input.key, moment, asOfMs);
  }
  return out;
}

function standardInput(key: string, moment: DealMoment, asOfMs: number): number | string | null {
  const deal = moment.history.deal;
  switch (key) {
    case "stage":
      return moment.stage ?? null;
    case "estimatedValue":
      return deal.estimatedValue ?? null;
    case "product":
      return deal.product ?? null;
    case "owner":
      return deal.owner ?? null;
    case "ageInDays":
      return days(Date.parse(deal.createdOn), asOfMs);
    case "daysToEstimatedClose":
      return deal.estimatedCloseDate ? days(asOfMs, Date.parse(deal.estimatedCloseDate)) : null;
    case "daysSinceStageChange":
      // A snapshot dated a little after the scoring time must not make it negative.
      return moment.stageSince ? Math.max(0, days(Date.parse(moment.stageSince), asOfMs)) : null;
    default:
      return null;
  }
}

/**
 * Fits the value each ignore-empty input takes when empty: the median of a number, the most frequent text.
 * `rows` are describeDeal outputs of the training deals.
 */
export function fitImputation(spec: FeatureSpec, rows: readonly (number | string | null)[][]): FeatureSpec {
  const inputs = spec.inputs.map((input, i) => {
    if (!input.ignoreEmpty) return input;
    if (input.kind === "text") {
      const counts = new Map<string, number>();
      for (const r of rows) if (typeof r[i] === "string") counts.set(r[i] as string, (counts.get(r[i] as string) ?? 0) + 1);
      let best: string | undefined;
      let bestCount = 0;
      for (const [v, c] of counts) if (c > bestCount || (c === bestCount && best !== undefined && v < best)) [best, bestCount] = [v, c];
      return best === undefined ? input : { ...input, impute: best };
    }
    const values = rows.map((r) => r[i]).filter((v): v is number => typeof v === "number").sort((a, b) => a - b);
    if (values.length === 0) return input;
    const mid = values.length >> 1;
    const median = values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    return { ...input, impute: median };
  });
  return { ...spec, inputs };
}

/** The engine's table (column-major) for described deals, empty ignore-empty cells imputed; the outcome column when labels are given. */
export function engineTable(spec: FeatureSpec, rows: readonly (number | string | null)[][], labels?: readonly ("won" | "lost")[]): RawTable {
  const columns = spec.inputs.map((i) => i.key);
  const cells: RawValue[][] = spec.inputs.map((input, c) => {
    const col: RawValue[] = new Array(rows.length);
    const impute = input.ignoreEmpty ? input.impute : undefined;
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r][c];
      col[r] = v === null ? (impute ?? null) : v;
    }
    return col;
  });
  if (labels) {
    columns.push(OUTCOME_KEY);
    cells.push([...labels]);
  }
  return { columns, cells, rows: rows.length };
}

/** The engine's column kinds for a spec (dates are day counts). */
export function engineKinds(spec: FeatureSpec): Record<string, "numeric" | "categorical"> {
  const kinds: Record<string, "numeric" | "categorical"> = {};
  for (const i of spec.inputs) kinds[i.key] = i.kind === "text" ? "categorical" : "numeric";
  return kinds;
}
