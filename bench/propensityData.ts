// Generated CloudAscent propensity inputs (never real data), shared by the propensity benchmark and its unit
// tests. Firmographics really decide who the best customers are: seats follow employees, and the plan a
// customer buys follows a planted "premium" score of industry, country and Azure use plus noise, so a
// lookalike model can learn fit. `truth.premium` holds that firmographic part, for the tests' oracle.

import type { SubscriptionItem } from "../shared/domain/documents.js";
import type { InstallBaseRow, PropensityInputs, SignalRow, TenantInput } from "../shared/domain/propensity/index.js";
import { createRandom } from "../shared/scoring/index.js";

export const generatedIndustries = [
  "Financial Services",
  "Healthcare",
  "Professional Services",
  "Manufacturing",
  "Retail",
  "Education",
  "Hospitality",
  "Construction",
  "Nonprofit",
  "Transportation and Logistics",
] as const;
/** Industries and countries whose customers buy the richer plans (the plant). */
export const premiumIndustries = new Set(["Financial Services", "Healthcare", "Professional Services"]);
export const premiumCountries = new Set(["United States", "United Kingdom", "Germany"]);
const countries = ["United States", "United Kingdom", "Germany", "France", "Netherlands", "Australia", "Canada", "India"];

const signalTypes = [
  "Demo request",
  "Trial sign-up",
  "Pricing research",
  "Product research",
  "Competitor evaluation",
  "Technology change",
  "Event attendance",
  "Funding",
  "Expansion",
  "Content download",
  "Job posting",
  "Leadership change",
  "Website visit",
];
const installedProducts: [string, string][] = [
  ["Windows", "7"],
  ["Windows", "10"],
  ["Office", "2010"],
  ["Office", "2016"],
  ["SQL Server", "2012"],
  ["SQL Server", "2014"],
  ["Windows Server", "2012 R2"],
  ["Windows Server", "2016"],
  ["Windows Server", "2022"],
  ["Azure Virtual Machines", "n/a"],
  ["Azure SQL", "n/a"],
];

export interface GeneratedPartner {
  inputs: PropensityInputs;
  /** Per tenant (same order as inputs.tenants): the firmographic part of the plan choice. */
  truth: { premium: number[] };
}

export interface GenerateOptions {
  tenants: number;
  signals: number;
  seed?: number;
  asOf?: string;
  /** Share of tenants that are licensed customers (the rest are prospects). */
  customerShare?: number;
  /** Share of signals given by domain instead of tenantId. */
  byDomainShare?: number;
}

function guid(rnd: () => number): string {
  const hex = () => Math.floor(rnd() * 16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join("");
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

function normal(rnd: () => number): number {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}

function dayBefore(asOf: string, days: number): string {
  return new Date(Date.parse(`${asOf}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** The firmographic part of the premium score; the plan is chosen from it plus N(0, 1) noise. */
export function premiumScore(industry: string, country: string, azureMonthlyRevenue: number | undefined): number {
  return 1.6 * (premiumIndustries.has(industry) ? 1 : 0) + 0.8 * (premiumCountries.has(country) ? 1 : 0) + 0.6 * ((azureMonthlyRevenue ?? 0) > 0 ? 1 : 0);
}

/** The suite a customer with `users` users and premium score `z` buys. */
export function planFor(users: number, z: number): string {
  if (z > 2) return users <= 300 ? "SPB" : "SPE_E5";
  if (z > 1) return users <= 300 ? "SPB" : "SPE_E3";
  if (z > 0) return "O365_BUSINESS_PREMIUM";
  return "O365_BUSINESS_ESSENTIALS";
}

export function generatePropensityPartner(options: GenerateOptions): GeneratedPartner {
  const rnd = createRandom(options.seed ?? 7);
  const asOf = options.asOf ?? "2026-05-15";
  const customerShare = options.customerShare ?? 0.75;
  const tenants: TenantInput[] = [];
  const premium: number[] = [];
  for (let i = 0; i < options.tenants; i++) {
    const tenantId = guid(rnd);
    const industry = pick(rnd, generatedIndustries);
    const country = pick(rnd, countries);
    const employees = Math.max(1, Math.min(5000, Math.round(Math.exp(3.6 + 1.2 * normal(rnd)))));
    const azureMonthlyRevenue = rnd() < 0.3 ? Math.round(Math.exp(5.5 + normal(rnd))) : undefined;
    const segment = employees > 300 && rnd() < 0.5 ? ("SME&C" as const) : rnd() < 0.95 ? ("SMB" as const) : undefined;
    const z = premiumScore(industry, country, azureMonthlyRevenue);
    premium.push(z);
    const domain = `tenant${i}.example.com`;
    const input: TenantInput = {
      tenant: {
        tenantId,
        tenantName: `Tenant ${i}`,
        domain,
        industry,
        countryRegion: country,
        employees,
        ...(segment ? { segment } : {}),
        ...(azureMonthlyRevenue !== undefined ? { azureMonthlyRevenue } : {}),
      },
      subscriptions: [],
    };
    if (rnd() < customerShare) {
      const users = Math.max(1, Math.round(employees * (0.5 + 0.5 * rnd())));
      const sku = planFor(users, z + normal(rnd));
      const monthsAgo = 1 + Math.floor(rnd() * 60);
      const startDate = dayBefore(asOf, monthsAgo * 30);
      const endDate = dayBefore(asOf, -Math.floor(rnd() * 365));
      const items: SubscriptionItem[] = [{ sku, quantity: users, paidUnits: users, status: "Active", startDate, endDate }];
      if (rnd() < 0.3) items.push({ sku: "MDE_SMB", quantity: users, paidUnits: users, status: "Active", startDate, endDate });
      if (rnd() < 0.1) items.push({ sku: "INTUNE_A", quantity: users, paidUnits: users, status: "Active", startDate });
      input.subscriptions = items;
      if (rnd() < 0.5) {
        const before = Math.max(1, Math.round(users * (0.85 + 0.2 * rnd())));
        input.earlierSubscriptions = { asOf: dayBefore(asOf, 90), items: [{ ...items[0], quantity: before, paidUnits: before }] };
      }
      const utilisation = 0.6 + 0.45 * rnd();
      const mau = Math.round(users * utilisation);
      input.usage = {
        month: asOf.slice(0, 7),
        workloads: {
          Exchange: { assignedUsers: users, activeUsers: mau },
          Teams: { assignedUsers: users, activeUsers: Math.round(mau * 0.9) },
          Intune: { assignedUsers: users, activeUsers: Math.round(mau * 0.5) },
        },
      };
    }
    tenants.push(input);
  }

  // Buying signals: most tenants are quiet, a few are busy, so every intent band is populated.
  const signals: SignalRow[] = [];
  const byDomainShare = options.byDomainShare ?? 0.1;
  const cumulative = new Float64Array(tenants.length);
  let total = 0;
  tenants.forEach((_, i) => (cumulative[i] = total += Math.pow(rnd(), 3)));
  for (let s = 0; s < options.signals; s++) {
    // A tenant drawn in proportion to its activity: binary search of the running sum.
    const target = rnd() * total;
    let lo = 0;
    let hi = tenants.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    const t = lo;
    const tenant = tenants[t].tenant;
    const roll = rnd();
    const signalType = roll < 0.02 ? "Podcast mention" : pick(rnd, signalTypes);
    const observedOn = roll > 0.99 ? dayBefore(asOf, -1 - Math.floor(rnd() * 20)) : dayBefore(asOf, Math.floor(Math.pow(rnd(), 1.5) * 180));
    const strength = Math.round(rnd() * 100) / 100;
    const row: SignalRow =
      rnd() < byDomainShare
        ? { domain: rnd() < 0.05 ? `unknown${s}.example.org` : `www.${tenant.domain}`, signalType, observedOn, strength }
        : { tenantId: tenant.tenantId, signalType, observedOn, strength };
    signals.push(row);
  }

  const installBase: InstallBaseRow[] = [];
  for (const t of tenants) {
    if (rnd() >= 0.3) continue;
    const n = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < n; k++) {
      const [product, version] = rnd() < 0.03 ? ["Lotus Notes", "9"] : pick(rnd, installedProducts);
      installBase.push({ tenantId: t.tenant.tenantId, product, version, quantity: 1 + Math.floor(rnd() * 40) });
    }
  }
  return { inputs: { asOf, tenants, signals, installBase }, truth: { premium } };
}
