import { z } from "zod";
import { scoreRows, type RawTable, type ScoringModel } from "../../scoring/index.js";
import { failure, success, type Outcome } from "./errors.js";
import type { FeatureSpec } from "./features.js";
import type { DealHistory } from "./history.js";
import type { ModelConfig } from "./modelConfig.js";

// Per-stage modelling (seed 004): how much each input influences the score at each business-process stage,
// and the administrator's choice of the stages each input counts in.

/**
 * The stages in business-process order: the configured order first, then the others by the median number of
 * days from a deal's creation to its entering the stage (later stages are reached later), ties by name.
 */
export function stageOrder(histories: readonly DealHistory[], configured?: readonly string[]): string[] {
  const elapsed = new Map<string, number[]>();
  for (const h of histories) {
    const created = Date.parse(h.deal.createdOn);
    const closed = h.deal.closedOn ? Date.parse(h.deal.closedOn) : Infinity;
    const entered = new Map<string, number>();
    for (const r of h.runs) {
      if (r.stage === undefined) continue;
      // A stage first seen after the close was entered by the close at the latest.
      const t = Math.min(Date.parse(r.since ?? r.from), closed);
      const known = entered.get(r.stage);
      if (known === undefined || t < known) entered.set(r.stage, t);
    }
    for (const [stage, t] of entered) {
      let list = elapsed.get(stage);
      if (!list) elapsed.set(stage, (list = []));
      list.push(t - created);
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const first = [...(configured ?? [])];
  const rest = [...elapsed.entries()]
    .filter(([stage]) => !first.includes(stage))
    .map(([stage, xs]) => ({ stage, m: median(xs) }))
    .sort((a, b) => a.m - b.m || (a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : 0))
    .map((x) => x.stage);
  return [...first, ...rest];
}

export const influenceLevels = ["Very low", "Low", "Medium", "High", "Very high"] as const;
export type InfluenceLevel = (typeof influenceLevels)[number];

/** Share of a stage's total influence → level (documented thresholds). */
export function influenceLevel(share: number): InfluenceLevel {
  if (share >= 0.25) return "Very high";
  if (share >= 0.15) return "High";
  if (share >= 0.08) return "Medium";
  if (share >= 0.03) return "Low";
  return "Very low";
}

export const stageInfluenceSchema = z.object({
  stages: z.array(z.string()),
  inputs: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      /** The stages the input counts in now (every stage unless the administrator chose). */
      countsIn: z.array(z.string()),
      byStage: z.array(
        z.object({
          stage: z.string(),
          /** Share of the stage's total influence (mean absolute contribution), 0–1. */
          share: z.number(),
          level: z.enum(influenceLevels),
          deals: z.number().int(),
        }),
      ),
    }),
  ),
});
export type StageInfluence = z.infer<typeof stageInfluenceSchema>;

/** Rows per stage explained to measure influence (a sample: the measure is an average). */
const ROWS_PER_STAGE = 400;

/**
 * Influence of each input at each stage: the mean absolute explanation contribution of the input over deals
 * at that stage, as a share of the stage's total (zero where the administrator chose that it does not count). `table` holds the described training rows and
 * `rowStages` their stage.
 */
export function stageInfluence(
  model: ScoringModel,
  spec: FeatureSpec,
  table: RawTable,
  rowStages: readonly (string | undefined)[],
  stages: readonly string[],
): StageInfluence {
  const rowsByStage = new Map<string, number[]>();
  rowStages.forEach((s, r) => {
    if (s === undefined) return;
    let list = rowsByStage.get(s);
    if (!list) rowsByStage.set(s, (list = []));
    list.push(r);
  });
  const picked: number[] = [];
  const pickedStage: string[] = [];
  for (const stage of stages) {
    const rows = rowsByStage.get(stage) ?? [];
    const n = Math.min(rows.length, ROWS_PER_STAGE);
    for (let j = 0; j < n; j++) {
      picked.push(rows[Math.floor((j * rows.length) / n)]);
      pickedStage.push(stage);
    }
  }
  const sample: RawTable = { columns: table.columns, cells: table.cells.map((col) => picked.map((r) => col[r])), rows: picked.length };
  const scored = picked.length > 0 ? scoreRows(model, sample, { explain: true, top: 0 }) : [];
  const inputs = spec.inputs.filter((i) => i.key !== "stage");
  const sums = new Map<string, Map<string, number>>();
  const counts = new Map<string, number>();
  scored.forEach((row, k) => {
    const stage = pickedStage[k];
    counts.set(stage, (counts.get(stage) ?? 0) + 1);
    let perInput = sums.get(stage);
    if (!perInput) sums.set(stage, (perInput = new Map()));
    for (const i of inputs) {
      // A value that does not count at this stage has no influence; what the model makes of its absence is the stage's.
      const countsIn = spec.stageAttributes[i.key];
      const counted = !spec.perStage || countsIn === undefined || countsIn.includes(stage);
      perInput.set(i.key, (perInput.get(i.key) ?? 0) + (counted ? Math.abs(row.explanation?.contributions[i.key] ?? 0) : 0));
    }
  });
  return {
    stages: [...stages],
    inputs: inputs.map((input) => ({
      key: input.key,
      label: input.label,
      countsIn: spec.stageAttributes[input.key] ?? [...stages],
      byStage: stages.map((stage) => {
        const perInput = sums.get(stage);
        const total = perInput ? [...perInput.values()].reduce((a, b) => a + b, 0) : 0;
        const share = total > 0 ? (perInput!.get(input.key) ?? 0) / total : 0;
        return { stage, share, level: influenceLevel(share), deals: rowsByStage.get(stage)?.length ?? 0 };
      }),
    })),
  };
}

/**
 * The administrator's choice of the stages an input counts in (applies at the next training). Choosing every
 * stage removes the restriction.
 */
export function chooseStagesForInput(config: ModelConfig, input: string, stages: readonly string[], knownStages: readonly string[]): Outcome<ModelConfig> {
  if (!config.perStage) return failure("invalid_model_config", "choosing stages per input needs per-stage modelling (perStage: true)", "perStage");
  if (input.toLowerCase() === "stage") return failure("invalid_model_config", "the stage itself counts in every stage", `stageAttributes.${input}`);
  for (const s of stages) {
    if (!knownStages.includes(s)) return failure("unknown_stage", `"${s}" is not one of the stages ${knownStages.join(", ")}`, `stageAttributes.${input}`);
  }
  const stageAttributes = { ...config.stageAttributes };
  const existingKey = Object.keys(stageAttributes).find((k) => k.toLowerCase() === input.toLowerCase());
  if (existingKey !== undefined) delete stageAttributes[existingKey];
  const every = knownStages.every((s) => stages.includes(s));
  if (!every) stageAttributes[existingKey ?? input] = knownStages.filter((s) => stages.includes(s));
  return success({ ...config, stageAttributes });
}
