import { z } from "zod";
import { fitReportSchema } from "./fit.js";
import type { PropensityResult } from "./score.js";

// What a propensity refresh says about its inputs, beside the dashboard: how fit was learned (or why it was not,
// plainly), how the signals were matched and which could not be used, and what of the install base is unknown.
// The tab's summary carries it, so a partner sees bad input where it sees the numbers (PRODUCT.md section 4,
// "Bad input"). Pure: the refresh producer passes its counts in.

const countedSchema = z.object({ count: z.number() });
const domainCountSchema = countedSchema.extend({ domain: z.string() });

export const propensityReportSchema = z.object({
  tenants: z.object({
    /** Tenants listed (customers and prospects). */
    listed: z.number(),
    /** Tenants reached only as the EA licensing partner: not listed. */
    renewalOnly: z.number(),
    /** Tenants listed as prospects although licences were dropped for them (no compliant association). */
    licencesWithheld: z.number(),
  }),
  fit: fitReportSchema.extend({
    /** The stored model's version, and whether this refresh trained it or reused it. */
    version: z.string().optional(),
    trainedAt: z.string().optional(),
    reused: z.boolean(),
    /** The day the fit model is relearned at the latest (fit cadence). */
    dueOn: z.string().optional(),
  }),
  intent: z.object({
    halfLifeDays: z.number(),
    /** Signals staged in the live signals drops, then what became of them. */
    staged: z.number(),
    repeated: z.number(),
    pastHorizon: z.number(),
    horizonDays: z.number(),
    read: z.number(),
    matchedByTenantId: z.number(),
    matchedByDomain: z.number(),
    unknownTenant: z.number(),
    notListedTenant: z.number(),
    unmatchedDomain: z.number(),
    unmatchedDomains: z.array(domainCountSchema),
    ambiguousDomain: z.number(),
    ambiguousDomains: z.array(domainCountSchema),
    futureSignals: z.number(),
    invalidStrength: z.number(),
    /** Signal types without a weight (kept with weight 0), most frequent first. */
    unknownSignalTypes: z.array(countedSchema.extend({ signalType: z.string() })),
  }),
  installBase: z.object({
    rows: z.number(),
    unknownTenant: z.number(),
    notListedTenant: z.number(),
    unknownProductRows: z.number(),
    unknownProducts: z.array(countedSchema.extend({ product: z.string(), version: z.string() })),
  }),
  /** Each finding in a sentence, for the tab's status area. */
  messages: z.array(z.string()),
});
export type PropensityReport = z.infer<typeof propensityReportSchema>;

export interface ReportInputs {
  result: Pick<PropensityResult, "customers" | "fit" | "intent" | "installBase">;
  tenants: { renewalOnly: number; licencesWithheld: number };
  signals: { staged: number; repeated: number; pastHorizon: number; horizonDays: number };
  fitModel: { version?: string; trainedAt?: string; reused: boolean; dueOn?: string };
}

/** Types and domains named in a sentence (the report lists the rest). */
const named = 5;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** The verb agreeing with a count: 1 signal names, 2 signals name. */
function agree(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

function list<T>(items: readonly T[], text: (item: T) => string): string {
  const shown = items.slice(0, named).map(text).join(", ");
  return items.length > named ? `${shown}, …` : shown;
}

export function propensityReport({ result, tenants, signals, fitModel }: ReportInputs): PropensityReport {
  const s = result.intent.signals;
  const ib = result.installBase;
  const messages: string[] = [result.fit.message];
  if (result.fit.basis === "fallback") messages.push("Fit rests on a profile match (flagged on every customer as fitBasis \"fallback\") until there are enough customers to learn from.");
  if (fitModel.reused && fitModel.trainedAt) messages.push(`Fit model learned on ${result.fit.trainedOn} reused (relearned by ${fitModel.dueOn ?? "the next fit refresh"} or when tenants or subscriptions change).`);
  if (tenants.renewalOnly > 0) messages.push(`${plural(tenants.renewalOnly, "tenant")} reached only as EA licensing partner not listed (you may see their renewal dates only).`);
  if (tenants.licencesWithheld > 0) {
    messages.push(`${plural(tenants.licencesWithheld, "tenant")} without a CPOR claim or CSP association listed as prospects: their licences are not shown or used.`);
  }
  if (s.unmatchedDomain > 0) {
    messages.push(`${plural(s.unmatchedDomain, "signal")} ${agree(s.unmatchedDomain, "names", "name")} a domain no tenant has, not counted: ${list(s.unmatchedDomains, (d) => `${d.domain} (${d.count})`)}.`);
  }
  if (s.ambiguousDomain > 0) {
    messages.push(`${plural(s.ambiguousDomain, "signal")} ${agree(s.ambiguousDomain, "names", "name")} a domain several tenants share, not counted: ${list(s.ambiguousDomains, (d) => `${d.domain} (${d.count})`)}.`);
  }
  if (s.unknownTenant > 0) messages.push(`${plural(s.unknownTenant, "signal")} ${agree(s.unknownTenant, "names", "name")} a tenantId not in your latest tenants file, not counted.`);
  if (s.notListedTenant > 0) messages.push(`${plural(s.notListedTenant, "signal")} ${agree(s.notListedTenant, "belongs", "belong")} to tenants not listed, not counted.`);
  if (result.intent.unknownSignalTypes.length > 0) {
    const count = result.intent.unknownSignalTypes.reduce((n, t) => n + t.count, 0);
    messages.push(
      `${plural(count, "signal")} of types without a weight kept with weight 0 (set PROPENSITY_SIGNAL_WEIGHTS to count them): ${list(result.intent.unknownSignalTypes, (t) => `${t.signalType} (${t.count})`)}.`,
    );
  }
  if (result.intent.futureSignals > 0) messages.push(`${plural(result.intent.futureSignals, "signal")} dated after the refresh day ignored until then.`);
  if (result.intent.invalidStrength > 0) messages.push(`${plural(result.intent.invalidStrength, "signal")} with a strength outside 0–1 ignored.`);
  if (signals.pastHorizon > 0) messages.push(`${plural(signals.pastHorizon, "signal")} observed more than ${signals.horizonDays} days ago no longer counted.`);
  if (ib.unknownProductRows > 0) {
    messages.push(
      `${plural(ib.unknownProductRows, "install-base row")} ${agree(ib.unknownProductRows, "names a product", "name products")} not in the end-of-service or Azure catalogue, not used: ${list(ib.unknownProducts, (p) => `${p.product} ${p.version} (${p.count})`)}.`,
    );
  }
  if (ib.unknownTenant > 0) messages.push(`${plural(ib.unknownTenant, "install-base row")} ${agree(ib.unknownTenant, "names", "name")} a tenantId not in your latest tenants file, not used.`);
  return {
    tenants: { listed: result.customers.length, ...tenants },
    fit: {
      ...result.fit,
      reused: fitModel.reused,
      ...(fitModel.version !== undefined ? { version: fitModel.version } : {}),
      ...(fitModel.trainedAt !== undefined ? { trainedAt: fitModel.trainedAt } : {}),
      ...(fitModel.dueOn !== undefined ? { dueOn: fitModel.dueOn } : {}),
    },
    intent: {
      halfLifeDays: result.intent.halfLifeDays,
      ...signals,
      read: s.total,
      matchedByTenantId: s.matchedByTenantId,
      matchedByDomain: s.matchedByDomain,
      unknownTenant: s.unknownTenant,
      notListedTenant: s.notListedTenant,
      unmatchedDomain: s.unmatchedDomain,
      unmatchedDomains: s.unmatchedDomains,
      ambiguousDomain: s.ambiguousDomain,
      ambiguousDomains: s.ambiguousDomains,
      futureSignals: result.intent.futureSignals,
      invalidStrength: result.intent.invalidStrength,
      unknownSignalTypes: result.intent.unknownSignalTypes.slice(0, 20),
    },
    installBase: ib,
    messages,
  };
}
