import { z } from "zod";
import {
  modelFromJSON,
  PrepareError,
  trainModel,
  TrainingDataError,
  type Factor,
  type ModelJson,
  type RawTable,
  type RawValue,
  type ScoringModel,
} from "../../scoring/index.js";
import { bandOf, toScore, type Band } from "./bands.js";
import { addMonths, isoDay } from "./dates.js";
import type { PropensityTenant, TenantInput } from "./inputs.js";
import { customerSince, isLicensed, monthlyLicenceValue } from "./licences.js";
import { subsegmentOf } from "./subsegments.js";

// Fit: how much a tenant looks like the partner's best customers, from firmographics only (PRODUCT.md
// section 4), so prospects without licences are scored too.
//
// - Best customers: among licensed customers of at least `minTenureMonths` (6) months, those whose monthly
//   licence value at list price is in the top `bestCustomerShare` (a quarter); ties at the cut are all in.
//   Tenure starts at the earliest start date of the tenant's paid subscriptions or its first snapshot;
//   a customer without either is left out of training (counted).
// - Model: the scoring engine (model selection, calibration) learns "best customer" from industry,
//   employees, country/region, segment, subsegment and Azure monthly revenue, on those customers.
// - Fit 0–100 = round(100 × q), q = p(1 − π) / (p(1 − π) + (1 − p)π), where p is the model's calibrated
//   probability and π the share of best customers in training: the probability of being a best customer
//   if best and other customers were equally common. It is monotone in p; 50 means "no more like the best
//   customers than like the others", 75 (High) three times likelier, whatever the best-customer share.
// - Explanations: the firmographics that moved the tenant's fit most, in words.
// - Fallbacks: no licensed customer (or none with the tenure, or no firmographics at all) → fit cannot be
//   learned; basis "none", no fit, intent only. Fewer than `minBestCustomers` (40) best or other customers, or the engine refusing the data →
//   basis "fallback": a smoothed profile match (below), flagged and saying how many more are needed.
// - Profile match (fallback): per firmographic, the likelihood ratio of the tenant's value among best vs other
//   customers, each share smoothed toward the value's overall share with `profileSmoothing` (10) pseudo
//   customers (a value seen in neither group counts 1); numbers are bucketed (employees by subsegment ranges,
//   Azure revenue none / up to $1,000 / over). Fit = round(100 × LR / (1 + LR)), LR the product of the
//   ratios: the same scale as the model's.

export const fitSettingsSchema = z.object({
  bestCustomerShare: z.number().gt(0).lt(1).default(0.25),
  minTenureMonths: z.number().int().min(0).default(6),
  minBestCustomers: z.number().int().min(1).default(40),
  profileSmoothing: z.number().positive().default(10),
  seed: z.number().int().default(42),
  /** Firmographics shown as a tenant's fit explanation. */
  explainTop: z.number().int().min(0).default(3),
});
export type FitSettings = z.infer<typeof fitSettingsSchema>;
export const defaultFitSettings: FitSettings = fitSettingsSchema.parse({});

/** Firmographic columns as named in explanations. */
export const firmographics = {
  industry: "Industry",
  employees: "Employees",
  countryRegion: "Country/Region",
  segment: "Segment",
  subsegment: "Subsegment",
  azureMonthlyRevenue: "Azure monthly revenue",
} as const;
const numericColumns: string[] = [firmographics.employees, firmographics.azureMonthlyRevenue];
const labelColumn = "Best customer";

export const fitBases = ["model", "fallback", "none"] as const;
export type FitBasis = (typeof fitBases)[number];

/** How fit was learned, for the tab's status line and the model record. */
export const fitReportSchema = z.object({
  basis: z.enum(fitBases),
  /** One sentence for the partner: what fit rests on, or why there is none. */
  message: z.string(),
  trainedOn: z.string(),
  licensedCustomers: z.number(),
  /** Licensed customers of the minimum tenure: the training population. */
  eligibleCustomers: z.number(),
  /** Licensed customers left out because no start date or first snapshot is known. */
  withoutStartDate: z.number(),
  bestCustomers: z.number(),
  /** Lowest monthly licence value (USD, list price) of a best customer. */
  bestCustomerMinMonthlyValue: z.number().optional(),
  chosenLearner: z.string().optional(),
  validationAuc: z.number().optional(),
  /** The engine found the model no better than chance on validation. */
  notUseful: z.boolean().optional(),
  notes: z.array(z.string()),
});
export type FitReport = z.infer<typeof fitReportSchema>;

// ---- best customers ---------------------------------------------------------------------------

export interface BestCustomerLabels {
  /** Training population: tenantId → best customer or not. */
  best: Map<string, boolean>;
  licensed: number;
  withoutStartDate: number;
  minBestValue?: number;
}

/** Labels the best customers of the training population (see the header). */
export function labelBestCustomers(tenants: readonly TenantInput[], asOf: string, settings: FitSettings = defaultFitSettings): BestCustomerLabels {
  const tenureCut = addMonths(isoDay(asOf) ?? asOf, -settings.minTenureMonths);
  let licensed = 0;
  let withoutStartDate = 0;
  const eligible: { tenantId: string; value: number }[] = [];
  for (const t of tenants) {
    if (!isLicensed(t.subscriptions)) continue;
    licensed++;
    const since = customerSince(t.subscriptions, t.firstSeenOn);
    if (since === undefined) withoutStartDate++;
    else if (since <= tenureCut) eligible.push({ tenantId: t.tenant.tenantId, value: monthlyLicenceValue(t.subscriptions) });
  }
  const best = new Map<string, boolean>();
  if (eligible.length === 0) return { best, licensed, withoutStartDate };
  const values = eligible.map((e) => e.value).sort((a, b) => b - a);
  const cut = values[Math.max(1, Math.ceil(values.length * settings.bestCustomerShare)) - 1];
  // A customer worth nothing at list price is never a best customer, even when most are worth nothing.
  for (const e of eligible) best.set(e.tenantId, e.value >= cut && e.value > 0);
  const minBestValue = cut > 0 ? cut : undefined;
  return { best, licensed, withoutStartDate, ...(minBestValue !== undefined ? { minBestValue } : {}) };
}

// ---- firmographic table ------------------------------------------------------------------------

function firmographicTable(tenants: readonly PropensityTenant[], labels?: readonly boolean[]): RawTable {
  const columns: string[] = Object.values(firmographics);
  const cells: RawValue[][] = columns.map(() => new Array<RawValue>(tenants.length));
  tenants.forEach((t, r) => {
    cells[0][r] = t.industry ?? null;
    cells[1][r] = t.employees ?? null;
    cells[2][r] = t.countryRegion ?? null;
    cells[3][r] = t.segment ?? null;
    cells[4][r] = subsegmentOf(t) ?? null;
    cells[5][r] = t.azureMonthlyRevenue ?? null;
  });
  if (labels) {
    columns.push(labelColumn);
    cells.push(labels.map((b) => (b ? "yes" : "no")));
  }
  return { columns, cells, rows: tenants.length };
}

// ---- profile match (fallback) ------------------------------------------------------------------

export interface ProfileJson {
  kind: "profile";
  version: 1;
  smoothing: number;
  best: number;
  rest: number;
  /** Per firmographic: bucket → [best customers, other customers] with that value. */
  counts: Record<string, Record<string, [number, number]>>;
}

function bucketOf(column: string, value: RawValue): string {
  if (value === null || value === undefined || value === "") return "(empty)";
  if (column === firmographics.employees) {
    const n = Number(value);
    return n >= 1000 ? "1,000+" : n >= 300 ? "300–999" : n >= 25 ? "25–299" : n >= 1 ? "1–24" : "0";
  }
  if (column === firmographics.azureMonthlyRevenue) {
    const n = Number(value);
    return n > 1000 ? "over $1,000" : n > 0 ? "up to $1,000" : "none";
  }
  return String(value);
}

function trainProfile(table: RawTable, labels: readonly boolean[], smoothing: number): ProfileJson {
  const counts: ProfileJson["counts"] = {};
  let best = 0;
  for (const b of labels) best += b ? 1 : 0;
  table.columns.forEach((column, c) => {
    const byBucket: Record<string, [number, number]> = {};
    for (let r = 0; r < table.rows; r++) {
      const k = bucketOf(column, table.cells[c][r]);
      const entry = (byBucket[k] ??= [0, 0]);
      entry[labels[r] ? 0 : 1]++;
    }
    counts[column] = byBucket;
  });
  return { kind: "profile", version: 1, smoothing, best, rest: labels.length - best, counts };
}

/** Log likelihood ratio per firmographic of one tenant under the profile. */
function profileContributions(profile: ProfileJson, table: RawTable, r: number): Record<string, number> {
  const out: Record<string, number> = {};
  const { best: B, rest: R, smoothing: a } = profile;
  table.columns.forEach((column, c) => {
    const byBucket = profile.counts[column];
    const seen = byBucket?.[bucketOf(column, table.cells[c][r])];
    if (!seen) {
      out[column] = 0;
      return;
    }
    const buckets = Object.keys(byBucket).length;
    const prior = (seen[0] + seen[1] + 1) / (B + R + buckets);
    out[column] = Math.log((seen[0] + a * prior) / (B + a)) - Math.log((seen[1] + a * prior) / (R + a));
  });
  return out;
}

// ---- the fit model ------------------------------------------------------------------------------

export type FitModel =
  | { basis: "model"; report: FitReport; model: ScoringModel; bestShare: number }
  | { basis: "fallback"; report: FitReport; profile: ProfileJson }
  | { basis: "none"; report: FitReport };

/** A fit model as stored (JSON): the engine's model JSON or the profile, with the report. */
export interface FitModelJson {
  formatVersion: 1;
  report: FitReport;
  bestShare?: number;
  model?: ModelJson;
  profile?: ProfileJson;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** Learns fit from the partner's licensed customers at `asOf`; see the header for the rules and fallbacks. */
export function trainFit(tenants: readonly TenantInput[], asOf: string, settings: FitSettings = defaultFitSettings): FitModel {
  const labels = labelBestCustomers(tenants, asOf, settings);
  const trainedOn = isoDay(asOf) ?? asOf;
  const base = {
    trainedOn,
    licensedCustomers: labels.licensed,
    eligibleCustomers: labels.best.size,
    withoutStartDate: labels.withoutStartDate,
    ...(labels.minBestValue !== undefined ? { bestCustomerMinMonthlyValue: labels.minBestValue } : {}),
  };
  const population = tenants.filter((t) => labels.best.has(t.tenant.tenantId));
  const y = population.map((t) => labels.best.get(t.tenant.tenantId)!);
  const bestCount = y.filter(Boolean).length;
  const restCount = y.length - bestCount;
  const tenure = `${settings.minTenureMonths} months' tenure`;

  if (labels.licensed === 0 || bestCount === 0) {
    const why =
      labels.licensed === 0
        ? "no customer holds paid licences"
        : population.length === 0
          ? `no licensed customer has ${tenure}` +
            (labels.withoutStartDate > 0 ? ` (${plural(labels.withoutStartDate, "customer")} without a start date)` : "")
          : "no customer with the tenure has licences priced in the catalogue";
    return {
      basis: "none",
      report: { basis: "none", message: `Fit cannot be learned: ${why}. Scores are intent only.`, bestCustomers: 0, notes: [], ...base },
    };
  }

  const table = firmographicTable(
    population.map((t) => t.tenant),
    y,
  );
  const described = table.cells.slice(0, -1).some((column) => column.some((v) => v !== null));
  if (!described) {
    return {
      basis: "none",
      report: {
        basis: "none",
        message: `Fit cannot be learned: the tenants file gives none of ${Object.values(firmographics).join(", ")} for the customers. Scores are intent only.`,
        bestCustomers: bestCount,
        notes: [],
        ...base,
      },
    };
  }
  const fallback = (reason: string, notes: string[] = []): FitModel => {
    const features = { ...table, columns: table.columns.slice(0, -1), cells: table.cells.slice(0, -1) };
    return {
      basis: "fallback",
      profile: trainProfile(features, y, settings.profileSmoothing),
      report: {
        basis: "fallback",
        message: `Fit is a profile match, not a learned model: ${reason}.`,
        bestCustomers: bestCount,
        notes,
        ...base,
      },
    };
  };

  const needed = settings.minBestCustomers;
  if (bestCount < needed || restCount < needed) {
    const short = bestCount < needed ? `${plural(bestCount, "best customer")}` : `${plural(restCount, "other customer")}`;
    const more = Math.ceil(
      bestCount < needed ? (needed - bestCount) / settings.bestCustomerShare : (needed - restCount) / (1 - settings.bestCustomerShare),
    );
    return fallback(
      `only ${short} with ${tenure} (the model needs ${needed} best and ${needed} other customers; about ${plural(more, "more customer")} with ${tenure} would do)`,
    );
  }
  let model: ScoringModel;
  try {
    model = trainModel(table, {
      label: labelColumn,
      positive: "yes",
      kinds: Object.fromEntries(Object.values(firmographics).map((c) => [c, numericColumns.includes(c) ? "numeric" : "categorical"])),
      seed: settings.seed,
      createdAt: `${trainedOn}T00:00:00.000Z`,
    });
  } catch (err) {
    if (err instanceof TrainingDataError || err instanceof PrepareError) return fallback(`the engine could not learn from the data (${err.message})`);
    throw err;
  }
  const json = model.toJSON();
  const auc = json.metrics.validation.auc;
  const report: FitReport = {
    basis: "model",
    message:
      `Fit learned from ${plural(bestCount, "best customer")} and ${plural(restCount, "other customer")} with ${tenure}` +
      ` (validation AUC ${auc.toFixed(2)})` +
      (json.notUseful ? "; the model is no better than chance, so fit says little" : "") +
      ".",
    bestCustomers: bestCount,
    chosenLearner: json.chosen,
    validationAuc: auc,
    notUseful: json.notUseful,
    notes: json.notes,
    ...base,
  };
  return { basis: "model", report, model, bestShare: bestCount / population.length };
}

export function fitModelToJSON(fit: FitModel): FitModelJson {
  if (fit.basis === "model") return { formatVersion: 1, report: fit.report, bestShare: fit.bestShare, model: fit.model.toJSON() };
  if (fit.basis === "fallback") return { formatVersion: 1, report: fit.report, profile: fit.profile };
  return { formatVersion: 1, report: fit.report };
}

export function fitModelFromJSON(json: FitModelJson): FitModel {
  if (json.formatVersion !== 1) throw new Error("not a fit model JSON of format version 1");
  const report = fitReportSchema.parse(json.report);
  if (report.basis === "model") {
    if (!json.model || json.bestShare === undefined) throw new Error("fit model JSON lacks its model");
    return { basis: "model", report, model: modelFromJSON(json.model), bestShare: json.bestShare };
  }
  if (report.basis === "fallback") {
    if (json.profile?.kind !== "profile") throw new Error("fit model JSON lacks its profile");
    return { basis: "fallback", report, profile: json.profile };
  }
  return { basis: "none", report };
}

// ---- scoring -------------------------------------------------------------------------------------

export interface TenantFit {
  /** 0–100; absent when fit cannot be learned. */
  fit?: number;
  /** The model's calibrated probability of being a best customer (learned model only). */
  probability?: number;
  fitBand?: Band;
  /** The firmographics that moved the fit most, in words, strongest first. */
  fitFactors: string[];
}

/**
 * Fit 0–100 from the model's calibrated probability p, π the share of best customers in training: the
 * probability of being a best customer were best and other customers equally common (see the header).
 */
export function fitFromProbability(p: number, bestShare: number): number {
  const q = (p * (1 - bestShare)) / (p * (1 - bestShare) + (1 - p) * bestShare);
  return toScore(Number.isFinite(q) ? q : p);
}

function effect(contribution: number): string {
  return contribution >= 0 ? "raises the fit" : "lowers the fit";
}

function describeValue(column: string, value: RawValue): string {
  if (value === null || value === undefined || value === "") return `${column} is not known`;
  if (column === firmographics.azureMonthlyRevenue) return `${column} is $${Number(value).toLocaleString("en-US")}`;
  if (column === firmographics.employees) return `${column}: ${Number(value).toLocaleString("en-US")}`;
  return `${column} is ${String(value)}`;
}

function strongest<T extends { contribution: number }>(items: T[], top: number): T[] {
  return items
    .filter((f) => f.contribution !== 0)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, top);
}

/** Fit of each tenant (same order), with its explanation. */
export function scoreFit(fit: FitModel, tenants: readonly PropensityTenant[], settings: Pick<FitSettings, "explainTop"> = defaultFitSettings): TenantFit[] {
  if (fit.basis === "none" || tenants.length === 0) return tenants.map(() => ({ fitFactors: [] }));
  const table = firmographicTable(tenants);
  const top = settings.explainTop;
  if (fit.basis === "fallback") {
    return tenants.map((_, r) => {
      const contributions = profileContributions(fit.profile, table, r);
      let logLr = 0;
      for (const v of Object.values(contributions)) logLr += v;
      const score = toScore(1 / (1 + Math.exp(-logLr)));
      const factors = strongest(
        table.columns.map((column, c) => ({ column, value: table.cells[c][r], contribution: contributions[column] })),
        top,
      );
      return { fit: score, fitBand: bandOf(score), fitFactors: factors.map((f) => `${describeValue(f.column, f.value)} (${effect(f.contribution)})`) };
    });
  }
  const pi = fit.bestShare;
  const scored = fit.model.score(table, { explain: top > 0, top });
  return scored.map((row, r) => {
    const score = fitFromProbability(row.probability, pi);
    const explanation = row.explanation;
    const factors: Factor[] = explanation ? strongest([...explanation.positive, ...explanation.negative], top) : [];
    return {
      fit: score,
      probability: row.probability,
      fitBand: bandOf(score),
      fitFactors: factors.map((f) => `${describeValue(f.column, table.cells[table.columns.indexOf(f.column)][r])} (${effect(f.contribution)})`),
    };
  });
}
