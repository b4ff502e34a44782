import type { DealScoringProblem, Outcome } from "../domain/dealScoring/index.js";
import { DomainError } from "../errors.js";

// Deal scoring's expected failures (values in the domain) as the service's domain errors: invalid → 400,
// not_found → 404, conflict → 409 (shared/http.ts), with the field at fault and the domain's own code and
// details (a refusal's counts, an overlap warning) under `details`.

export function problemError(problem: DealScoringProblem): DomainError {
  const code = problem.kind === "invalid" ? "invalid_request" : problem.kind === "not_found" ? "not_found" : "conflict";
  const extra = problem.details === undefined ? {} : typeof problem.details === "object" && problem.details !== null && !Array.isArray(problem.details) ? problem.details : { detail: problem.details };
  return new DomainError(code, problem.message, problem.field, { details: { problem: problem.code, ...extra } });
}

/** The value of a successful outcome; otherwise the problem as a domain error (nothing was changed). */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw problemError(outcome.error);
  return outcome.value;
}
