import { z } from "zod";
import { segments } from "../datasets.js";
import { bandSchema, cellOf, cellSchema } from "./bands.js";
import { agreementsOf } from "./agreements.js";
import { clusterOf, clusterSchema, defaultClusterMapping, type ClusterMapping } from "./clusters.js";
import { azureNextWorkloadOf, familySettingsSchema, installBaseOf, productPropensitySchema, upsellOf, whitespaceOf, type ProductPropensity } from "./families.js";
import { fitBases, fitSettingsSchema, scoreFit, trainFit, type FitModel, type FitReport } from "./fit.js";
import type { PropensityInputs, TenantInput } from "./inputs.js";
import { defaultIntentSettings, intentOf, intentSettingsSchema, signalWeights } from "./intent.js";
import { isLicensed, monthlyLicenceValue, ownedSkus, suiteSeats } from "./licences.js";
import { whitespaceSeats } from "./revenue.js";
import type { SignalRow } from "./rows.js";
import { matchSignals, type SignalMatchReport } from "./signals.js";
import { isSmb, subsegmentOf } from "./subsegments.js";
import { summarizePropensity, type PropensitySummary } from "./summary.js";

// One propensity refresh: every tenant (customers and prospects) gets fit, intent, their bands, its matrix
// cell and cluster, its propensities per product and family with estimated revenue, and its explanations.
// Pure: the refresh producer reads the inputs and stores the result; a fit model trained at an earlier
// refresh (fit is refreshed quarterly by default) can be passed in and is then reused.

export const propensitySettingsSchema = z.object({
  fit: fitSettingsSchema.default(fitSettingsSchema.parse({})),
  intent: intentSettingsSchema.default(defaultIntentSettings),
  families: familySettingsSchema.default(familySettingsSchema.parse({})),
});
export type PropensitySettings = z.infer<typeof propensitySettingsSchema>;
export const defaultPropensitySettings: PropensitySettings = propensitySettingsSchema.parse({});

export const explainedSignalSchema = z.object({
  signalType: z.string(),
  observedOn: z.string(),
  strength: z.number(),
  weight: z.number(),
  points: z.number(),
  ageDays: z.number(),
  text: z.string(),
});

/** One customer or prospect of the Propensity tab, with its product propensities. */
export const customerPropensitySchema = z.object({
  tenantId: z.string(),
  tenantName: z.string(),
  domain: z.string().optional(),
  countryRegion: z.string().optional(),
  industry: z.string().optional(),
  segment: z.enum(segments).optional(),
  subsegment: z.string().optional(),
  /** In the SMB segment (segment SMB or not given). */
  smb: z.boolean(),
  tpid: z.string().optional(),
  customerName: z.string().optional(),
  employees: z.number().optional(),
  azureMonthlyRevenue: z.number().optional(),
  /** Customer: holds paid licences; prospect: does not. */
  customerType: z.enum(["Customer", "Prospect"]),
  /** Paid Microsoft 365 / Office 365 suite seats. */
  licensedUsers: z.number(),
  /** Σ paid seats × list price (USD a month). */
  monthlyLicenceValue: z.number(),
  fit: z.number().optional(),
  fitBand: bandSchema.optional(),
  /** The fit model's calibrated probability of being a best customer (learned model only). */
  fitProbability: z.number().optional(),
  fitBasis: z.enum(fitBases),
  fitFactors: z.array(z.string()),
  intent: z.number(),
  intentBand: bandSchema,
  intentPoints: z.number(),
  strongestSignals: z.array(explainedSignalSchema),
  signalsCounted: z.number(),
  /** Absent when fit cannot be learned (intent only). */
  cell: cellSchema.optional(),
  cluster: clusterSchema.optional(),
  /** Agreements (subscription lines with an end date) ending in the current fiscal year. */
  expiringAgreements: z.number(),
  renewedAgreements: z.number(),
  openExpiringAgreements: z.number(),
  openExpiringRevenue: z.number(),
  /** Σ estimated annual revenue of the whitespace rows (their products never cover the same need). */
  whitespaceRevenue: z.number(),
  products: z.array(productPropensitySchema),
});
export type CustomerPropensity = z.infer<typeof customerPropensitySchema>;

/** One row per customer and product, for the list and the export. */
export type PropensityRow = Omit<CustomerPropensity, "products"> & ProductPropensity;

export interface IntentReport {
  halfLifeDays: number;
  signals: SignalMatchReport;
  futureSignals: number;
  invalidStrength: number;
  /** Signal types without a weight (kept with weight 0), most frequent first. */
  unknownSignalTypes: { signalType: string; count: number }[];
}

export interface InstallBaseReport {
  rows: number;
  /** Rows for a tenant not in the latest tenants snapshot. */
  unknownTenant: number;
  /** Rows for a tenant the tab does not list (reached only as the EA licensing partner). */
  notListedTenant: number;
  /** Rows whose product is in no catalogue (end of service or Azure workloads). */
  unknownProductRows: number;
  unknownProducts: { product: string; version: string; count: number }[];
}

export interface PropensityResult {
  customers: CustomerPropensity[];
  /** The fit model used (newly trained, or the one passed in): store it to reuse until the next fit refresh. */
  fitModel: FitModel;
  fit: FitReport;
  intent: IntentReport;
  installBase: InstallBaseReport;
  summary: PropensitySummary;
}

export interface ScorePropensityOptions {
  settings?: PropensitySettings;
  clusterMapping?: ClusterMapping;
  /** A fit model from an earlier refresh; trained now when absent. */
  fitModel?: FitModel;
}

/** Listed unknown install-base products (all are counted). */
const listedProducts = 20;

function groupBy<T>(rows: readonly T[], key: (row: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

function customerOf(
  input: TenantInput,
  asOf: string,
  settings: PropensitySettings,
  signals: readonly SignalRow[],
  weightOf: (type: string) => number | undefined,
  installBase: ReturnType<typeof installBaseOf>,
  fit: ReturnType<typeof scoreFit>[number],
  fitBasis: FitModel["basis"],
  clusterMapping: ClusterMapping,
) {
  const t = input.tenant;
  const items = input.subscriptions;
  const intent = intentOf(signals, asOf, settings.intent, weightOf);
  const users = suiteSeats(items);
  const seats = whitespaceSeats(users, t.employees);
  const products: ProductPropensity[] = [
    ...whitespaceOf(ownedSkus(items), seats),
    ...upsellOf(items, input.earlierSubscriptions, input.usage?.workloads, settings.families),
  ];
  const azure = azureNextWorkloadOf(t.azureMonthlyRevenue, installBase.azureWorkloads);
  if (azure) products.push(azure);
  products.push(...installBase.endOfService);
  const agreements = agreementsOf(items, asOf);
  const cell = fit.fit !== undefined ? cellOf(fit.fit, intent.intent) : undefined;
  const subsegment = subsegmentOf(t);
  let whitespaceRevenue = 0;
  for (const p of products) if (p.family === "Whitespace") whitespaceRevenue += p.estimatedAnnualRevenue ?? 0;
  const customer: CustomerPropensity = {
    tenantId: t.tenantId,
    tenantName: t.tenantName,
    ...(t.domain !== undefined ? { domain: t.domain } : {}),
    ...(t.countryRegion !== undefined ? { countryRegion: t.countryRegion } : {}),
    ...(t.industry !== undefined ? { industry: t.industry } : {}),
    ...(t.segment !== undefined ? { segment: t.segment } : {}),
    ...(subsegment !== undefined ? { subsegment } : {}),
    smb: isSmb(t),
    ...(t.tpid !== undefined ? { tpid: t.tpid } : {}),
    ...(t.customerName !== undefined ? { customerName: t.customerName } : {}),
    ...(t.employees !== undefined ? { employees: t.employees } : {}),
    ...(t.azureMonthlyRevenue !== undefined ? { azureMonthlyRevenue: t.azureMonthlyRevenue } : {}),
    customerType: isLicensed(items) ? "Customer" : "Prospect",
    licensedUsers: users,
    monthlyLicenceValue: Math.round(monthlyLicenceValue(items) * 100) / 100,
    ...(fit.fit !== undefined ? { fit: fit.fit, fitBand: fit.fitBand } : {}),
    ...(fit.probability !== undefined ? { fitProbability: fit.probability } : {}),
    fitBasis,
    fitFactors: fit.fitFactors,
    intent: intent.intent,
    intentBand: intent.intentBand,
    intentPoints: intent.points,
    strongestSignals: intent.strongestSignals,
    signalsCounted: intent.signalsCounted,
    ...(cell !== undefined ? { cell, cluster: clusterOf(cell, clusterMapping) } : {}),
    expiringAgreements: agreements.expiring,
    renewedAgreements: agreements.renewed,
    openExpiringAgreements: agreements.open,
    openExpiringRevenue: agreements.openExpiringRevenue,
    whitespaceRevenue: Math.round(whitespaceRevenue * 100) / 100,
    products,
  };
  return { customer, intent };
}

/** Scores every tenant of the inputs; see the files of this folder for each rule. */
export function scorePropensity(inputs: PropensityInputs, options: ScorePropensityOptions = {}): PropensityResult {
  const settings = options.settings ?? defaultPropensitySettings;
  const clusterMapping = options.clusterMapping ?? defaultClusterMapping;
  const { asOf, tenants } = inputs;

  const fitModel = options.fitModel ?? trainFit(tenants, asOf, settings.fit);
  const fits = scoreFit(
    fitModel,
    tenants.map((t) => t.tenant),
    settings.fit,
  );

  const unlisted = inputs.unlistedTenants ?? [];
  const matched = matchSignals(
    inputs.signals,
    tenants.map((t) => ({ tenantId: t.tenant.tenantId, ...(t.tenant.domain !== undefined ? { domain: t.tenant.domain } : {}) })),
    unlisted,
  );
  const known = new Set(tenants.map((t) => t.tenant.tenantId));
  const notListed = new Set(unlisted.map((t) => t.tenantId));
  const installByTenant = groupBy(inputs.installBase, (r) => r.tenantId);
  let installUnknownTenant = 0;
  let installNotListed = 0;
  for (const [tenantId, rows] of installByTenant) {
    if (notListed.has(tenantId)) installNotListed += rows.length;
    else if (!known.has(tenantId)) installUnknownTenant += rows.length;
  }

  const weightOf = signalWeights(settings.intent);
  const unknownTypes = new Map<string, number>();
  const unknownProducts = new Map<string, { product: string; version: string; count: number }>();
  let futureSignals = 0;
  let invalidStrength = 0;
  let unknownProductRows = 0;
  const customers: CustomerPropensity[] = [];
  tenants.forEach((input, i) => {
    const tenantId = input.tenant.tenantId;
    const seats = whitespaceSeats(suiteSeats(input.subscriptions), input.tenant.employees);
    const installBase = installBaseOf(installByTenant.get(tenantId) ?? [], asOf, seats, settings.families);
    for (const row of installBase.unknown) {
      unknownProductRows++;
      const key = `${row.product}\u0000${row.version}`;
      const entry = unknownProducts.get(key) ?? { product: row.product, version: row.version, count: 0 };
      entry.count++;
      unknownProducts.set(key, entry);
    }
    const { customer, intent } = customerOf(
      input,
      asOf,
      settings,
      matched.byTenant.get(tenantId) ?? [],
      weightOf,
      installBase,
      fits[i],
      fitModel.basis,
      clusterMapping,
    );
    futureSignals += intent.futureSignals;
    invalidStrength += intent.invalidStrength;
    for (const [type, n] of intent.unknownTypes) unknownTypes.set(type, (unknownTypes.get(type) ?? 0) + n);
    customers.push(customer);
  });

  return {
    customers,
    fitModel,
    fit: fitModel.report,
    intent: {
      halfLifeDays: settings.intent.halfLifeDays,
      signals: matched.report,
      futureSignals,
      invalidStrength,
      unknownSignalTypes: [...unknownTypes.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([signalType, count]) => ({ signalType, count })),
    },
    installBase: {
      rows: inputs.installBase.length,
      unknownTenant: installUnknownTenant,
      notListedTenant: installNotListed,
      unknownProductRows,
      unknownProducts: [...unknownProducts.values()].sort((a, b) => b.count - a.count || a.product.localeCompare(b.product)).slice(0, listedProducts),
    },
    summary: summarizePropensity(customers, asOf),
  };
}

/** One row per customer and product (customers without a product propensity have none). */
export function propensityRows(customers: readonly CustomerPropensity[]): PropensityRow[] {
  const out: PropensityRow[] = [];
  for (const { products, ...customer } of customers) for (const p of products) out.push({ ...customer, ...p });
  return out;
}
