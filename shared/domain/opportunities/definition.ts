import type { FeatureKey, NumericFeature, TenantFeatures, TenantState } from "./history.js";
import type { ModelId, OpportunitySettings, OpportunityType } from "./inputs.js";
import { describeThreshold } from "./insights.js";
import type { LabelWindow } from "./labels.js";

// What every opportunity model declares (one file per model in models/): who is eligible and what to recommend,
// its label (what "it happened" means within the horizon), the features it learns from, and its prior.

/** What a model would recommend to a tenant in its current state. */
export interface Candidate {
  /** Product display name; absent for retention opportunities. */
  product?: string;
  /** Names the product and the step. */
  recommendation: string;
  /** Rule models: the strength level and the thresholds that fired (the insights). */
  rule?: { level: string; fired: string[] };
}

interface BaseDefinition {
  id: ModelId;
  name: string;
  type: OpportunityType;
  /** As in the Lighthouse table. */
  productsCovered: string;
  /** The outcome in words, for "needs N more examples of customers who …". */
  outcome: { positive: string; negative: string };
  candidate(state: TenantState, settings: OpportunitySettings): Candidate | undefined;
  /** Whether the outcome happened in the window; undefined when the window cannot tell. */
  label(window: LabelWindow, settings: OpportunitySettings): boolean | undefined;
  /** "Already purchased" feedback on this model's opportunity is a positive label (growth and trial models). */
  alreadyPurchasedIsLabel: boolean;
}

export interface LearntDefinition extends BaseDefinition {
  basis: "ml" | "tree";
  features: readonly FeatureKey[];
  prior: PriorScorecard;
}

/** A strength level of a rule, with the probability it has before any history measures it. */
export interface RuleLevel {
  id: string;
  description: string;
  probability: number;
}

export interface RuleDefinition extends BaseDefinition {
  basis: "rule";
  levels: readonly RuleLevel[];
}

export type OpportunityModelDefinition = LearntDefinition | RuleDefinition;

// ---- priors ---------------------------------------------------------------------------------

/**
 * The documented prior of a model with too little labelled history: a fixed small scorecard (a logistic model
 * written down, not learnt) over the same features: log-odds = logit(baseRate) + Σ weight of the terms that hold.
 * Base rates and weights are stated in each model file with the reasoning behind them; a term whose feature is
 * unknown does not fire. Its probabilities are a starting point, marked basis "prior", never a measured rate.
 */
export interface PriorTerm {
  feature: NumericFeature;
  test: "below" | "above" | "atMost" | "atLeast";
  threshold: number;
  /** Added to the log-odds when the term holds. */
  weight: number;
}

export interface PriorScorecard {
  baseRate: number;
  terms: readonly PriorTerm[];
}

function holds(term: PriorTerm, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  switch (term.test) {
    case "below":
      return value < term.threshold;
    case "above":
      return value > term.threshold;
    case "atMost":
      return value <= term.threshold;
    default:
      return value >= term.threshold;
  }
}

export function scorePrior(card: PriorScorecard, features: TenantFeatures): { probability: number; fired: PriorTerm[] } {
  let logit = Math.log(card.baseRate / (1 - card.baseRate));
  const fired: PriorTerm[] = [];
  for (const term of card.terms) {
    if (holds(term, features[term.feature])) {
      logit += term.weight;
      fired.push(term);
    }
  }
  return { probability: 1 / (1 + Math.exp(-logit)), fired };
}

/** The prior's insights: the terms that fired, strongest first, with the record's values and the thresholds. */
export function priorInsights(card: PriorScorecard, features: TenantFeatures): string[] {
  return scorePrior(card, features)
    .fired.sort((a, b) => b.weight - a.weight)
    .map((t) => describeThreshold(t.feature, features[t.feature], t.test, t.threshold));
}
