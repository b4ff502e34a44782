import { z } from "zod";
import { columnText, reservedDealColumns, type DealRow } from "./dealRows.js";
import { failure, success, type DealScoringErrorCode, type Outcome } from "./errors.js";

// What an administrator configures for a scoring model (seed 004 "Add a model"), its validation against
// the partner's deals columns, the 10-model limit and the filter-overlap warning.

export const MAX_MODELS_PER_PARTNER = 10;
export const TRAINING_WINDOW_MONTHS = { min: 3, max: 24, default: 24 } as const;

/** Standard columns that are model inputs (ids, names and raw dates never are). */
export const standardInputs = ["stage", "estimatedValue", "product", "owner"] as const;
/** Durations derived from the dates (features.ts). */
export const derivedInputs = reservedDealColumns;

const nonEmpty = z.string().trim().min(1, "must not be empty");

export const modelNameSchema = z
  .string()
  .min(1, "is required")
  .max(100, "must be at most 100 characters")
  .regex(/^[A-Za-z0-9_]+$/, "may contain only letters, digits and underscores (no spaces or other characters)");

export const modelConfigSchema = z.object({
  name: modelNameSchema,
  /** Column holding the deal's status; "status" unless the partner keeps outcomes elsewhere. */
  statusColumn: nonEmpty,
  wonValues: z.array(nonEmpty).min(1, "needs at least one value"),
  lostValues: z.array(nonEmpty).min(1, "needs at least one value"),
  /** Which deals the model trains on and scores; absent: all deals. */
  filter: z.object({ column: nonEmpty, values: z.array(nonEmpty).min(1, "needs at least one value") }).optional(),
  trainingWindowMonths: z
    .number()
    .int("must be a whole number of months")
    .min(TRAINING_WINDOW_MONTHS.min, "must be at least 3 months")
    .max(TRAINING_WINDOW_MONTHS.max, "must be at most 24 months (2 years)"),
  perStage: z.boolean(),
  /** Business-process stages in order; inferred from the deals' history when absent. */
  stages: z.array(nonEmpty).optional(),
  /** Inputs the model uses; absent: every available input. */
  attributes: z.array(nonEmpty).optional(),
  /** Inputs whose empty values must not count as a signal. */
  ignoreEmpty: z.array(nonEmpty),
  /** Per-stage modelling: the stages each input counts in (an input not listed counts in every stage). */
  stageAttributes: z.record(z.string(), z.array(nonEmpty)),
});
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** What an administrator sends: everything but the filter has a default. */
export const modelConfigInputSchema = z.object({
  name: modelNameSchema.optional(),
  statusColumn: nonEmpty.default("status"),
  wonValues: z.array(nonEmpty).min(1, "needs at least one value").default(["Won"]),
  lostValues: z.array(nonEmpty).min(1, "needs at least one value").default(["Lost"]),
  filter: modelConfigSchema.shape.filter,
  trainingWindowMonths: modelConfigSchema.shape.trainingWindowMonths.default(TRAINING_WINDOW_MONTHS.default),
  perStage: z.boolean().default(false),
  stages: modelConfigSchema.shape.stages,
  attributes: modelConfigSchema.shape.attributes,
  ignoreEmpty: z.array(nonEmpty).default([]),
  stageAttributes: z.record(z.string(), z.array(nonEmpty)).default({}),
});
export type ModelConfigInput = z.input<typeof modelConfigInputSchema>;

/** OpportunityScoring_YYYYMMDDHHmm in UTC, as Dynamics names a new model. */
export function defaultModelName(now: Date): string {
  const iso = now.toISOString();
  return `OpportunityScoring_${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

function codeForField(field: string): DealScoringErrorCode {
  if (field === "name") return "invalid_model_name";
  if (field === "trainingWindowMonths") return "invalid_training_window";
  return "invalid_model_config";
}

/** Parses a configuration request; each problem names its field. */
export function parseModelConfig(input: unknown, now: Date): Outcome<ModelConfig> {
  const parsed = modelConfigInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map(String).join(".") || "body";
    return failure(codeForField(issue.path.length > 0 ? String(issue.path[0]) : field), `${field} ${issue.message}`, field);
  }
  const { name, ...rest } = parsed.data;
  const config: ModelConfig = { name: name ?? defaultModelName(now), ...rest };
  const lower = new Set(config.wonValues.map((v) => v.toLowerCase()));
  const both = config.lostValues.filter((v) => lower.has(v.toLowerCase()));
  if (both.length > 0) return failure("won_lost_overlap", `lostValues ${both.join(", ")} also among wonValues: a value is either won or lost`, "lostValues");
  return success(config);
}

/** Inputs a model may use given the deals' columns: the standard ones, the derived durations and every attribute. */
export function availableInputs(columns: readonly string[]): string[] {
  const standard = new Set(["dealid", "status", "createdon", "name", "stage", "closedon", "estimatedvalue", "estimatedclosedate", "tenantid", "product", "owner"]);
  const attributes = columns.filter((c) => !standard.has(c.toLowerCase()));
  return [...standardInputs, ...derivedInputs, ...attributes];
}

function findName(names: readonly string[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return names.find((n) => n.toLowerCase() === lower);
}

/** Checks a configuration against the partner's deals columns (the names it refers to must exist). */
export function checkConfigColumns(config: ModelConfig, columns: readonly string[]): Outcome<ModelConfig> {
  if (!findName(columns, config.statusColumn)) {
    return failure("unknown_column", `statusColumn "${config.statusColumn}" is not a column of the deals data (columns: ${columns.join(", ")})`, "statusColumn");
  }
  if (config.filter && !findName(columns, config.filter.column)) {
    return failure(
      "unknown_filter_column",
      `filter column "${config.filter.column}" is not a column of the deals data (columns: ${columns.join(", ")})`,
      "filter.column",
    );
  }
  const inputs = availableInputs(columns);
  for (const [field, names] of [
    ["attributes", config.attributes ?? []],
    ["ignoreEmpty", config.ignoreEmpty],
    ["stageAttributes", Object.keys(config.stageAttributes)],
  ] as const) {
    for (const n of names) {
      if (!findName(inputs, n)) return failure("unknown_attribute", `${field}: "${n}" is not an input of the deals data (inputs: ${inputs.join(", ")})`, field);
    }
  }
  if (config.stages) {
    for (const [attribute, stages] of Object.entries(config.stageAttributes)) {
      for (const s of stages) {
        if (!findName(config.stages, s)) return failure("unknown_stage", `stageAttributes.${attribute}: "${s}" is not one of the stages ${config.stages.join(", ")}`, `stageAttributes.${attribute}`);
      }
    }
  }
  if (!config.perStage && config.attributes?.some((a) => a.toLowerCase() === "stage")) {
    return failure("invalid_model_config", "stage is an input of per-stage models only: a closed deal's stage is one open deals have not reached", "attributes");
  }
  const duration = config.perStage ? config.attributes?.find((a) => findName(derivedInputs, a)) : undefined;
  if (duration !== undefined) {
    return failure("invalid_model_config", `${duration} is an input of standard models only: when a deal was in an earlier stage is often unknown`, "attributes");
  }
  if (Object.keys(config.stageAttributes).length > 0 && !config.perStage) {
    return failure("invalid_model_config", "stageAttributes needs per-stage modelling (perStage: true)", "stageAttributes");
  }
  return success(config);
}

// ---- deals as a model sees them

export type DealOutcome = "won" | "lost" | "open";

/** Won, lost, or open (any other status value, including ones that match neither list). */
export function dealOutcome(deal: DealRow, config: Pick<ModelConfig, "statusColumn" | "wonValues" | "lostValues">): DealOutcome {
  const value = columnText(deal, config.statusColumn)?.trim().toLowerCase();
  if (value === undefined) return "open";
  if (config.wonValues.some((v) => v.toLowerCase() === value)) return "won";
  if (config.lostValues.some((v) => v.toLowerCase() === value)) return "lost";
  return "open";
}

/** Whether the model's filter selects the deal (case-insensitive); no filter selects every deal. */
export function filterSelects(deal: DealRow, config: Pick<ModelConfig, "filter">): boolean {
  if (!config.filter) return true;
  const value = columnText(deal, config.filter.column)?.trim().toLowerCase();
  return value !== undefined && config.filter.values.some((v) => v.toLowerCase() === value);
}

// ---- a new model among the partner's models

export interface FilterOverlap {
  model: string;
  /** no_filter: one of the two scores every deal; same_values: the same column with shared values; other_column: filters on different columns select the same deals. */
  reason: "no_filter" | "same_values" | "other_column";
  sharedValues?: string[];
  /** Deals both filters select, when deals were given. */
  sharedDeals?: number;
}

export interface FilterOverlapWarning {
  code: "filter_overlap";
  message: string;
  overlaps: FilterOverlap[];
}

/**
 * Models whose filter may score the same deals as `config`. Filters on different columns overlap when some
 * deal satisfies both (counted when `deals` are given; assumed otherwise, as nothing rules it out).
 */
export function findFilterOverlaps(
  config: Pick<ModelConfig, "name" | "filter">,
  existing: readonly Pick<ModelConfig, "name" | "filter">[],
  deals?: readonly DealRow[],
): FilterOverlapWarning | undefined {
  const overlaps: FilterOverlap[] = [];
  for (const other of existing) {
    if (!config.filter || !other.filter) {
      overlaps.push({ model: other.name, reason: "no_filter" });
      continue;
    }
    if (config.filter.column.toLowerCase() === other.filter.column.toLowerCase()) {
      const mine = new Set(config.filter.values.map((v) => v.toLowerCase()));
      const shared = other.filter.values.filter((v) => mine.has(v.toLowerCase()));
      if (shared.length > 0) overlaps.push({ model: other.name, reason: "same_values", sharedValues: shared });
      continue;
    }
    if (!deals) {
      overlaps.push({ model: other.name, reason: "other_column" });
      continue;
    }
    let shared = 0;
    for (const d of deals) if (filterSelects(d, config) && filterSelects(d, other)) shared++;
    if (shared > 0) overlaps.push({ model: other.name, reason: "other_column", sharedDeals: shared });
  }
  if (overlaps.length === 0) return undefined;
  const names = overlaps.map((o) => o.model).join(", ");
  return {
    code: "filter_overlap",
    message: `model ${config.name} may score the same deals as ${names}; create it anyway by confirming, or change its filter`,
    overlaps,
  };
}

export interface NewModelContext {
  now: Date;
  /** Column names of the partner's deals (dealColumns). */
  columns: readonly string[];
  /** The partner's existing models' configurations. */
  existing: readonly ModelConfig[];
  /** The administrator confirmed creating the model despite an overlap warning. */
  confirmOverlap?: boolean;
  /** Deals to count overlaps between filters on different columns. */
  deals?: readonly DealRow[];
}

/**
 * Validates a new model: its configuration, its columns, the 10-model limit, a unique name, and the filter
 * overlap (refused with the warning until confirmed; the warning is returned with the accepted config).
 */
export function validateNewModel(input: unknown, context: NewModelContext): Outcome<{ config: ModelConfig; warning?: FilterOverlapWarning }> {
  const limit = checkModelLimit(context.existing);
  if (!limit.ok) return limit;
  const parsed = parseModelConfig(input, context.now);
  if (!parsed.ok) return parsed;
  const checked = checkConfigColumns(parsed.value, context.columns);
  if (!checked.ok) return checked;
  return checkBesideModels(checked.value, context);
}

function checkModelLimit(existing: readonly ModelConfig[]): Outcome<true> {
  if (existing.length < MAX_MODELS_PER_PARTNER) return success(true);
  return failure(
    "model_limit_reached",
    `a partner can have at most ${MAX_MODELS_PER_PARTNER} scoring models (published or not); delete one first`,
    undefined,
    { models: existing.length, limit: MAX_MODELS_PER_PARTNER },
  );
}

/**
 * A valid configuration beside the partner's other models: under the 10-model limit, a name of its own, and a
 * filter that overlaps none of theirs unless confirmed (the warning is returned with the accepted config).
 */
export function checkBesideModels(
  config: ModelConfig,
  context: Pick<NewModelContext, "existing" | "confirmOverlap" | "deals"> & {
    /** The models whose filters are compared with its own: all of `existing` unless given. */
    overlapsWith?: readonly ModelConfig[];
  },
): Outcome<{ config: ModelConfig; warning?: FilterOverlapWarning }> {
  const limit = checkModelLimit(context.existing);
  if (!limit.ok) return limit;
  if (findName(context.existing.map((m) => m.name), config.name)) {
    return failure("duplicate_model_name", `a model named ${config.name} already exists`, "name");
  }
  const warning = findFilterOverlaps(config, context.overlapsWith ?? context.existing, context.deals);
  if (warning && !context.confirmOverlap) return failure("filter_overlap_unconfirmed", warning.message, "filter", warning);
  return success(warning ? { config, warning } : { config });
}

/** The selections an administrator may edit on an existing model before retraining it. */
export const modelEditSchema = modelConfigSchema.pick({ attributes: true, ignoreEmpty: true, stageAttributes: true, stages: true }).partial();
export type ModelEdit = z.infer<typeof modelEditSchema>;

export function editModelConfig(config: ModelConfig, edit: unknown, columns: readonly string[]): Outcome<ModelConfig> {
  const parsed = modelEditSchema.safeParse(edit);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map(String).join(".") || "body";
    return failure("invalid_model_config", `${field} ${issue.message}`, field);
  }
  return checkConfigColumns({ ...config, ...stripUndefined(parsed.data) }, columns);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}
