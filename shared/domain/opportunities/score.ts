import { DecisionTreeModel, modelFromJSON, type ScoringModel } from "../../scoring/index.js";
import { probabilityStatus } from "./bands.js";
import { catalogue } from "./catalogue.js";
import { priorInsights, scorePrior, type Candidate, type LearntDefinition, type OpportunityModelDefinition } from "./definition.js";
import { indexFeedback, isHiddenByFeedback } from "./feedback.js";
import { featureTable } from "./featureTable.js";
import {
  addIssues,
  issueWarnings,
  noIssues,
  normaliseHistory,
  partnerSnapshotDates,
  stateAt,
  unknownSkuWarning,
  type FeatureKey,
  type TenantState,
} from "./history.js";
import {
  opportunitySettingsSchema,
  type FeedbackRecord,
  type ModelId,
  type OpportunitySettingsInput,
  type PreviousOpportunity,
  type ProbabilityStatus,
  type TenantHistory,
  type TenantProfile,
} from "./inputs.js";
import { describeCondition, describeValue, isFeatureKey } from "./insights.js";
import { correctForSampling, type OpportunityModelSet, type TrainedOpportunityModel } from "./modelSet.js";
import { opportunityModels } from "./models/index.js";
import { categoryOfType, opportunityId, type DataNeeded, type Opportunity, type OpportunityBasis } from "./opportunity.js";
import { dateAddedFrom, newestFirst, strongestPerType } from "./select.js";

// Scoring: every tenant's latest snapshot through every model, then the listing rules (PRODUCT.md section 2):
// learnt and prior opportunities below `minProbability` are not listed (the model sees no opportunity; rules are
// listed whenever they fire), feedback hides what a user dismissed, at most one per customer per type remains,
// and date added comes from the previous refresh. Explanations are computed for the listed opportunities only.

export interface ScoreResult {
  /** Listed opportunities, newest first. */
  opportunities: Opportunity[];
  /**
   * Opportunities hidden by "not helpful" feedback (the strongest of each type among them). Keep them with the
   * refresh's result and pass them back in `previous`, so their date added survives while they are hidden.
   */
  hidden: Opportunity[];
  warnings: string[];
}

interface Pending {
  tenantIndex: number;
  tenantId: string;
  type: Opportunity["type"];
  product?: string;
  probability: number;
  status: ProbabilityStatus;
  modelOrder: number;
  model: OpportunityModelDefinition;
  candidate: Candidate;
  basis: OpportunityBasis;
}

interface Scored {
  tenant: TenantProfile;
  state: TenantState;
}

function roundProbability(p: number): number {
  return Math.round(Math.min(1, Math.max(0, p)) * 10_000) / 10_000;
}

export function scoreOpportunities(
  modelSet: OpportunityModelSet,
  histories: readonly TenantHistory[],
  previous: readonly PreviousOpportunity[] = [],
  feedback: readonly FeedbackRecord[] = [],
  settingsInput: OpportunitySettingsInput = {},
  now: Date | string = new Date(),
): ScoreResult {
  const settings = opportunitySettingsSchema.parse(settingsInput);
  const today = new Date(now).toISOString().slice(0, 10);
  const warnings: string[] = [];
  const partnerDates = partnerSnapshotDates(histories, today);
  const issues = noIssues();
  const unknown = new Map<string, number>();
  const tenants: Scored[] = [];
  let withoutSnapshots = 0;
  let withoutUsage = 0;
  for (const history of histories) {
    const h = normaliseHistory(history, partnerDates, today);
    addIssues(issues, h.issues);
    if (h.snapshots.length === 0) {
      withoutSnapshots++;
      continue;
    }
    const state = stateAt(h, h.snapshots.length - 1, settings);
    for (const [sku, n] of state.unknownSkus) unknown.set(sku, (unknown.get(sku) ?? 0) + n);
    if (state.usageMonth === undefined && !state.absent) withoutUsage++;
    tenants.push({ tenant: h.tenant, state });
  }
  warnings.push(...issueWarnings(issues));
  const skuWarning = unknownSkuWarning(unknown);
  if (skuWarning) warnings.push(skuWarning);
  if (withoutSnapshots > 0) warnings.push(`${withoutSnapshots} tenants have no subscription snapshot and were not scored`);
  if (withoutUsage > 0) {
    warnings.push(`${withoutUsage} tenants have no usage in the two months up to their latest snapshot: their usage counts as unknown (no trend, no utilisation)`);
  }

  const trained = new Map(modelSet.models.map((m) => [m.modelId, m]));
  const engines = new Map<ModelId, ScoringModel>();
  const pending: Pending[] = [];
  opportunityModels.forEach((model, modelOrder) => {
    const entry = trained.get(model.id);
    if (!entry) {
      const fallback = model.basis === "rule" ? "documented defaults" : "prior";
      warnings.push(`${model.name}: not in the model set (trained ${modelSet.trainedAt}); scored with its ${fallback}`);
    }
    const eligible: { index: number; candidate: Candidate }[] = [];
    tenants.forEach((t, index) => {
      const candidate = model.candidate(t.state, settings);
      if (candidate) eligible.push({ index, candidate });
    });
    if (eligible.length === 0) return;
    const { probabilities, basis } = probabilitiesFor(
      model,
      entry,
      eligible.map((e) => ({ state: tenants[e.index].state, candidate: e.candidate })),
      engines,
      warnings,
    );
    eligible.forEach((e, i) => {
      const probability = roundProbability(probabilities[i]);
      if (basis !== "rule" && probability < settings.minProbability) return;
      pending.push({
        tenantIndex: e.index,
        tenantId: tenants[e.index].tenant.tenantId,
        type: model.type,
        ...(categoryOfType[model.type] !== "retention" && e.candidate.product ? { product: e.candidate.product } : {}),
        probability,
        status: probabilityStatus(probability, settings.bands),
        modelOrder,
        model,
        candidate: e.candidate,
        basis,
      });
    });
  });

  const index = indexFeedback(feedback);
  const hiddenPending = strongestPerType(pending.filter((p) => isHiddenByFeedback(index, p)));
  const listedPending = strongestPerType(pending.filter((p) => !isHiddenByFeedback(index, p)));

  const insights = explain([...listedPending, ...hiddenPending], tenants, trained, engines);
  const dateAdded = dateAddedFrom(previous, today);
  const build = (p: Pending): Opportunity => {
    const { tenant, state } = tenants[p.tenantIndex];
    const entry = trained.get(p.model.id);
    const needed: DataNeeded | undefined = p.basis === "prior" ? (entry?.dataNeeded ?? notTrainedYet()) : undefined;
    const card = catalogue[p.model.id];
    return {
      id: opportunityId(p.tenantId, p.type),
      tenantId: tenant.tenantId,
      tenantName: tenant.tenantName,
      ...(tenant.customerName ? { customerName: tenant.customerName } : {}),
      ...(tenant.tpid ? { tpid: tenant.tpid } : {}),
      ...(tenant.domain ? { domain: tenant.domain } : {}),
      recommendation: p.candidate.recommendation,
      probability: p.probability,
      status: p.status,
      category: categoryOfType[p.type],
      type: p.type,
      ...(p.product ? { product: p.product } : {}),
      seats: Math.round(state.paidLicences),
      dateAdded: dateAdded(p),
      insights: insights.get(p) ?? [],
      actions: [...card.actions],
      resources: card.resources.map((r) => ({ ...r })),
      basis: p.basis,
      ...(needed ? { dataNeeded: needed } : {}),
      modelId: p.model.id,
      modelVersion: entry?.version ?? `${p.model.id}.untrained`,
    };
  };
  return {
    opportunities: listedPending.map(build).sort(newestFirst),
    hidden: hiddenPending.map(build).sort(newestFirst),
    warnings,
  };
}

function notTrainedYet(): DataNeeded {
  return { positives: 0, negatives: 0, message: "not trained yet: the next refresh trains it from the partner's history" };
}

function probabilitiesFor(
  model: OpportunityModelDefinition,
  entry: TrainedOpportunityModel | undefined,
  eligible: { state: TenantState; candidate: Candidate }[],
  engines: Map<ModelId, ScoringModel>,
  warnings: string[],
): { probabilities: ArrayLike<number>; basis: OpportunityBasis } {
  if (model.basis === "rule") {
    // Measured level rates when the model set has them, else the documented defaults.
    const defaults = new Map(model.levels.map((l) => [l.id, l.probability]));
    const measured = new Map((entry?.rule?.levels ?? []).map((l) => [l.id, l.probability]));
    return {
      probabilities: eligible.map(({ candidate }) => {
        const level = candidate.rule?.level ?? "";
        return measured.get(level) ?? defaults.get(level) ?? 0;
      }),
      basis: "rule",
    };
  }
  const states = eligible.map((e) => e.state);
  const engine = entry && entry.basis !== "prior" ? engineOf(model, entry, engines, warnings) : undefined;
  if (engine) {
    const factor = entry!.sampling?.oddsFactor ?? 1;
    const probabilities = engine.predict(featureTable(states.map((s) => s.features), model.features)).map((p) => correctForSampling(p, factor));
    return { probabilities, basis: entry!.basis };
  }
  return { probabilities: states.map((s) => scorePrior(model.prior, s.features).probability), basis: "prior" };
}

function engineOf(
  model: OpportunityModelDefinition,
  entry: TrainedOpportunityModel,
  engines: Map<ModelId, ScoringModel>,
  warnings: string[],
): ScoringModel | undefined {
  const cached = engines.get(model.id);
  if (cached) return cached;
  if (!entry.engine) {
    warnings.push(`${model.name}: the model set has no engine model for basis ${entry.basis}; scored with its prior`);
    return undefined;
  }
  try {
    const engine = modelFromJSON(entry.engine);
    engines.set(model.id, engine);
    return engine;
  } catch (error) {
    warnings.push(`${model.name}: its stored model could not be read (${error instanceof Error ? error.message : String(error)}); scored with its prior`);
    return undefined;
  }
}

/** Insights per listed opportunity: top factors (learnt), the path (trees), the fired thresholds (rules, priors). */
function explain(
  listed: readonly Pending[],
  tenants: readonly Scored[],
  trained: Map<ModelId, TrainedOpportunityModel>,
  engines: Map<ModelId, ScoringModel>,
): Map<Pending, string[]> {
  const out = new Map<Pending, string[]>();
  const byModel = new Map<ModelId, Pending[]>();
  for (const p of listed) {
    if (p.basis === "rule") out.set(p, p.candidate.rule?.fired ?? []);
    else if (p.basis === "prior") out.set(p, priorReasons(p.model as LearntDefinition, tenants[p.tenantIndex].state));
    else {
      const list = byModel.get(p.model.id) ?? [];
      list.push(p);
      byModel.set(p.model.id, list);
    }
  }
  for (const [id, list] of byModel) {
    const engine = engines.get(id)!;
    const model = list[0].model as LearntDefinition;
    const features = list.map((p) => tenants[p.tenantIndex].state.features);
    const table = featureTable(features, model.features);
    if (engine.scorer instanceof DecisionTreeModel) {
      const tree = engine.scorer;
      const data = engine.prepare(table).data;
      const important = (trained.get(id)?.engine?.importance ?? []).map((c) => c.column).filter(isFeatureKey).slice(0, 3);
      list.forEach((p, r) => {
        const path = tree.rulePath(data, r).filter((c) => isFeatureKey(c.name));
        const words = path.map((c) => describeCondition(c.name as FeatureKey, features[r][c.name as FeatureKey], c));
        out.set(p, dedupe(words.length > 0 ? words : important.map((k) => describeValue(k, features[r][k]))));
      });
    } else {
      const scored = engine.score(table, { explain: true, top: 4 });
      list.forEach((p, r) => {
        const e = scored[r].explanation!;
        const factors = e.positive.length > 0 ? e.positive : [...e.negative].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
        out.set(
          p,
          dedupe(factors.slice(0, 4).map((f) => (isFeatureKey(f.column) ? describeValue(f.column, features[r][f.column]) : f.text))),
        );
      });
    }
  }
  return out;
}

function priorReasons(model: LearntDefinition, state: TenantState): string[] {
  const fired = priorInsights(model.prior, state.features);
  if (fired.length > 0) return fired;
  // Nothing in the scorecard fired: the record's own values of its two strongest terms say why it is not higher.
  const strongest = [...model.prior.terms].sort((a, b) => b.weight - a.weight).slice(0, 2);
  return dedupe(strongest.map((t) => describeValue(t.feature, state.features[t.feature])));
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}
