import { ApiError, describeError } from "../../../app/api.js";
import { formatDate, formatInteger } from "../../../app/format.js";

// A deal scoring refusal in words: a title from error.details.problem, the service's sentence, and the facts
// behind it (the counts a model has and needs, the window, the overlapping models).

export interface Refusal {
  title: string;
  message: string;
  facts: string[];
}

const titles: Record<string, string> = {
  not_enough_deals: "Not enough deals to train",
  per_stage_needs_stages: "Per-stage modelling needs deals with a stage",
  model_still_training: "Still training",
  version_not_trained: "Nothing trained to publish",
  not_ready_to_publish: "Not ready to publish",
  no_previous_version: "No previous version to revert to",
  filter_overlap_unconfirmed: "This model's filter overlaps another model's",
  model_limit_reached: "Ten models already",
  invalid_grade_bands: "Those grade bands do not fit",
  duplicate_model_name: "That name is taken",
  model_not_found: "No such model",
};

interface Count {
  have: number;
  need: number;
}

const isCount = (v: unknown): v is Count => typeof v === "object" && v !== null && typeof (v as Count).have === "number" && typeof (v as Count).need === "number";

function countLine(what: string, c: Count): string {
  const short = c.need - c.have;
  return `${what}: ${formatInteger(c.have)} of the ${formatInteger(c.need)} needed${short > 0 ? ` (${formatInteger(short)} more)` : ""}`;
}

const overlapReasons: Record<string, string> = {
  no_filter: "one of the two has no filter, so both take every deal",
  same_values: "both filter the same column with shared values",
  other_column: "their filters on different columns select the same deals",
};

const capitalised = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

export function refusalOf(err: unknown): Refusal {
  if (!(err instanceof ApiError)) return { title: "Something went wrong", message: describeError(err), facts: [] };
  const details = err.details ?? {};
  const problem = typeof details.problem === "string" ? details.problem : undefined;
  const facts: string[] = [];
  if (isCount(details.won)) facts.push(countLine("Won deals", details.won));
  if (isCount(details.lost)) facts.push(countLine("Lost deals", details.lost));
  const lastStage = details.lastStage as (Count & { stage?: string | null }) | undefined;
  if (isCount(lastStage)) facts.push(countLine(`Closed deals that reached the last stage${lastStage.stage ? ` (${lastStage.stage})` : ""}`, lastStage));
  const window = details.window as { from?: string; to?: string; months?: number } | undefined;
  if (window?.from && window.to) facts.push(`Training window: ${formatDate(window.from)} – ${formatDate(window.to)}${window.months ? ` (${window.months} months)` : ""}`);
  const overlaps = details.overlaps as { model: string; reason: string; sharedValues?: string[]; sharedDeals?: number }[] | undefined;
  for (const o of Array.isArray(overlaps) ? overlaps : []) {
    const extra = o.sharedValues?.length ? ` (shared: ${o.sharedValues.join(", ")})` : o.sharedDeals ? ` (${formatInteger(o.sharedDeals)} deals in common)` : "";
    facts.push(`Overlaps ${o.model}: ${overlapReasons[o.reason] ?? o.reason}${extra}`);
  }
  return {
    title: (problem && titles[problem]) ?? (err.status === 409 ? "Not possible now" : err.status === 400 ? "Refused" : "The service could not do it"),
    message: `${capitalised(err.message)}${/[.!?]$/.test(err.message) ? "" : "."}`,
    facts,
  };
}

export const problemOf = (err: unknown): string | undefined => (err instanceof ApiError && typeof err.details?.problem === "string" ? err.details.problem : undefined);
