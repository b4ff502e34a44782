// Expected failures of deal scoring as values: a stable code, the field it concerns, and a kind the HTTP
// layer maps to a status (invalid → 400, not_found → 404, conflict → 409). Nothing is thrown for them.

export const dealScoringErrorKinds = {
  duplicate_deal_id: "invalid",
  invalid_model_config: "invalid",
  invalid_model_name: "invalid",
  duplicate_model_name: "conflict",
  invalid_training_window: "invalid",
  unknown_column: "invalid",
  unknown_filter_column: "invalid",
  unknown_attribute: "invalid",
  unknown_stage: "invalid",
  won_lost_overlap: "invalid",
  per_stage_needs_stages: "invalid",
  model_limit_reached: "conflict",
  filter_overlap_unconfirmed: "conflict",
  not_enough_deals: "invalid",
  training_failed: "invalid",
  model_not_found: "not_found",
  version_not_found: "not_found",
  model_still_training: "conflict",
  version_not_trained: "conflict",
  not_ready_to_publish: "conflict",
  no_previous_version: "conflict",
  invalid_grade_bands: "invalid",
  invalid_model_artifact: "invalid",
} as const;

export type DealScoringErrorCode = keyof typeof dealScoringErrorKinds;
export type DealScoringErrorKind = (typeof dealScoringErrorKinds)[DealScoringErrorCode];

export interface DealScoringProblem {
  code: DealScoringErrorCode;
  kind: DealScoringErrorKind;
  message: string;
  /** The request or data field the problem concerns ("name", "filter.column", "closedOn"). */
  field?: string;
  /** Machine-readable detail (counts for a refusal, the overlapping models for a warning). */
  details?: unknown;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: DealScoringProblem };

export function problem(code: DealScoringErrorCode, message: string, field?: string, details?: unknown): DealScoringProblem {
  return {
    code,
    kind: dealScoringErrorKinds[code],
    message,
    ...(field !== undefined ? { field } : {}),
    ...(details !== undefined ? { details } : {}),
  };
}

export function success<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function failure<T = never>(code: DealScoringErrorCode, message: string, field?: string, details?: unknown): Outcome<T> {
  return { ok: false, error: problem(code, message, field, details) };
}

/** The same problem as an exception, for callers that prefer to throw (the HTTP layer maps it by code). */
export class DealScoringError extends Error {
  constructor(readonly problem: DealScoringProblem) {
    super(problem.message);
    this.name = "DealScoringError";
  }
  get code(): DealScoringErrorCode {
    return this.problem.code;
  }
  get field(): string | undefined {
    return this.problem.field;
  }
}

/** The value of a successful outcome; throws DealScoringError otherwise. */
export function orThrow<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new DealScoringError(outcome.error);
  return outcome.value;
}
