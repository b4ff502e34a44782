// Generated partner histories with planted causes, for the opportunity models' tests and benchmarks (kept in bench/,
// outside the test tree, so the build never includes test code).
// Monthly subscription snapshots and usage months; each tenant's events (churn, upgrades, Defender, MFA, trial
// conversion) are drawn from hazards that depend on its usage at that month, and logged, so a test can check that
// a model trained on early months ranks the tenants whose events really happened later (ground truth independent
// of the domain's own label code).
//
// Planted causes (monthly hazards; every event also has a small base rate, 0.3 to 0.5 %, so no outcome is certain):
// - churn: declining usage (−10 % a month) and Teams under 40 % → +22 %; Core Apps under 30 % → +5 %.
// - B-SKU upgrade: seats nearly all assigned (≥ 95 %, reached over time by hiring tenants) and Core Apps at 65 %
//   or more (or a plan without desktop apps) → +25 %.
// - E-SKU upgrade: Intune used by half or more → +20 %.
// - MDO: email used by 80 % or more and 50 seats or more → +12 %.
// - MDB: Entra ID P1 licences → +15 %.
// - MFA: Entra ID P1 or Business Premium → +20 % for a 30-point rise.
// - Trial conversion: 5 % + 30 % × the share of trial users active.

import { createRandom } from "../shared/scoring/index.js";
import type { SubscriptionItem } from "../shared/domain/documents.js";
import type { TenantHistory, UsageByMonth } from "../shared/domain/opportunities/inputs.js";

export interface TenantEvents {
  churn?: number;
  businessUpgrade?: number;
  enterpriseUpgrade?: number;
  mdo?: number;
  mdb?: number;
  mfaRaise?: number;
  trialConversion?: number;
}

export interface GeneratedTenant {
  history: TenantHistory & { usage: UsageByMonth };
  /** Month number (0 = first month) at which each event took effect in the snapshots. */
  events: TenantEvents;
}

export interface GeneratorOptions {
  tenants: number;
  months?: number;
  seed?: number;
  /** First month, YYYY-MM. */
  start?: string;
}

const industries = ["Retail", "Manufacturing", "Healthcare", "Financial Services", "Education", "Professional Services"];
const segmentsBySize = (r: number) => (r < 0.6 ? "SMB" : r < 0.9 ? "SME&C" : "Enterprise");

type Plan = "O365_BUSINESS" | "O365_BUSINESS_ESSENTIALS" | "O365_BUSINESS_PREMIUM" | "SPB" | "ENTERPRISEPACK" | "SPE_E3" | "SPE_E5" | "ENTERPRISEPREMIUM";
const businessNext: Partial<Record<Plan, Plan>> = {
  O365_BUSINESS: "O365_BUSINESS_ESSENTIALS",
  O365_BUSINESS_ESSENTIALS: "O365_BUSINESS_PREMIUM",
  O365_BUSINESS_PREMIUM: "SPB",
};
const enterpriseNext: Partial<Record<Plan, Plan>> = { ENTERPRISEPACK: "SPE_E3", SPE_E3: "SPE_E5" };
const hasDesktopApps = (p: Plan) => p !== "O365_BUSINESS_ESSENTIALS";
const hasIntune = (p: Plan) => p === "SPB" || p === "SPE_E3" || p === "SPE_E5";

function monthLabel(start: string, m: number): string {
  const [y, mo] = start.split("-").map(Number);
  const index = y * 12 + mo - 1 + m;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

function guid(rnd: () => number): string {
  const hex = () => Math.floor(rnd() * 16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join("");
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

export function generateOpportunityHistories(options: GeneratorOptions): GeneratedTenant[] {
  const months = options.months ?? 15;
  const start = options.start ?? "2023-01";
  const rnd = createRandom(options.seed ?? 7);
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  const out: GeneratedTenant[] = [];

  for (let t = 0; t < options.tenants; t++) {
    const segment = segmentsBySize(rnd());
    let seats = segment === "SMB" ? 5 + Math.floor(rnd() ** 2 * 250) : segment === "SME&C" ? 100 + Math.floor(rnd() * 900) : 500 + Math.floor(rnd() * 4000);
    let plan: Plan;
    const r = rnd();
    if (segment === "SMB") plan = r < 0.1 ? "O365_BUSINESS" : r < 0.4 ? "O365_BUSINESS_ESSENTIALS" : r < 0.85 ? "O365_BUSINESS_PREMIUM" : "SPB";
    else plan = r < 0.4 ? "ENTERPRISEPACK" : r < 0.8 ? "SPE_E3" : r < 0.9 ? "SPE_E5" : "ENTERPRISEPREMIUM";
    const addOns = new Map<string, number>();
    if (plan === "ENTERPRISEPACK" && rnd() < 0.5) addOns.set("EMS", seats);
    if (rnd() < 0.25) addOns.set("AAD_PREMIUM", seats);
    // Share of paid seats assigned to users; a growing company assigns more each month until it runs out of seats.
    const assigned0 = 0.6 + 0.35 * rnd();
    const hiring = rnd() < 0.4 ? 0.01 + 0.03 * rnd() : 0;
    const base = { exchange: 0.5 + 0.5 * rnd(), teams: 0.2 + 0.8 * rnd(), coreApps: 0.2 + 0.8 * rnd(), sharePoint: 0.1 + 0.8 * rnd(), oneDrive: 0.2 + 0.7 * rnd(), intune: 0.1 + 0.9 * rnd() };
    let mfaShare = rnd() < 0.6 ? 0.05 + 0.4 * rnd() : 0.5 + 0.5 * rnd();
    const declineStart = rnd() < 0.3 ? Math.floor(rnd() * months) : Infinity;
    let trial: { quantity: number; active: number } | undefined = rnd() < 0.08 ? { quantity: 10 + Math.floor(rnd() * 90), active: rnd() } : undefined;
    // A fifth of the customers join the partner later than the first month.
    const joins = rnd() < 0.2 ? 1 + Math.floor(rnd() * (months - 1)) : 0;
    let alive = true;
    let absentAfterChurn = false;
    const events: TenantEvents = {};
    const pending: { at: number; apply: () => void }[] = [];

    const tenantId = guid(rnd);
    const snapshots: { asOf: string; items: SubscriptionItem[] }[] = [];
    const usage: UsageByMonth = {};
    for (let m = 0; m < months; m++) {
      for (const p of pending.filter((p) => p.at === m)) p.apply();
      const month = monthLabel(start, m);
      if (absentAfterChurn || m < joins) continue;
      const items: SubscriptionItem[] = [];
      if (alive && seats > 0) items.push({ sku: plan, quantity: seats, status: "Active", source: "Partner" });
      for (const [sku, q] of addOns) if (alive && q > 0) items.push({ sku, quantity: q, status: "Active" });
      if (trial) items.push({ sku: "TEAMS_EXPLORATORY", quantity: trial.quantity, status: "Trial" });
      snapshots.push({ asOf: `${month}-01`, items });

      const factor = m >= declineStart ? 0.9 ** (m - declineStart + 1) : 1;
      const assigned = Math.min(1, assigned0 + hiring * m);
      const users = Math.round(seats * assigned);
      const u = (b: number) => clamp(b * factor + (rnd() - 0.5) * 0.06);
      const w: Record<string, { assignedUsers: number; activeUsers: number }> = {};
      if (users > 0) {
        w.Exchange = { assignedUsers: users, activeUsers: Math.round(users * u(base.exchange)) };
        w.Teams = { assignedUsers: users, activeUsers: Math.round(users * u(base.teams)) };
        w.SharePoint = { assignedUsers: users, activeUsers: Math.round(users * u(base.sharePoint)) };
        w.OneDrive = { assignedUsers: users, activeUsers: Math.round(users * u(base.oneDrive)) };
        if (hasDesktopApps(plan)) w.CoreApps = { assignedUsers: users, activeUsers: Math.round(users * u(base.coreApps)) };
        if (hasIntune(plan) || addOns.has("EMS")) w.Intune = { assignedUsers: users, activeUsers: Math.round(users * u(base.intune)) };
        w.EntraID = { assignedUsers: users, activeUsers: Math.round(users * u(0.95)) };
        w.MFA = { assignedUsers: users, activeUsers: Math.round(users * clamp(mfaShare + (rnd() - 0.5) * 0.04)) };
      }
      if (trial) {
        const teams = w.Teams ?? { assignedUsers: 0, activeUsers: 0 };
        w.Teams = { assignedUsers: teams.assignedUsers + trial.quantity, activeUsers: teams.activeUsers + Math.round(trial.quantity * trial.active) };
      }
      usage[month] = w;
      if (!alive) continue;

      // Events decided on this month's usage take effect one or two months later.
      const later = m + 1 + (rnd() < 0.5 ? 1 : 0);
      const teamsUtil = (w.Teams?.activeUsers ?? 0) / Math.max(1, w.Teams?.assignedUsers ?? 0);
      const coreUtil = w.CoreApps ? w.CoreApps.activeUsers / Math.max(1, w.CoreApps.assignedUsers) : 1;
      const declining = m >= declineStart;
      const churnHazard = 0.004 + (declining && teamsUtil < 0.4 ? 0.22 : 0) + (coreUtil < 0.3 ? 0.05 : 0);
      if (events.churn === undefined && rnd() < churnHazard) {
        events.churn = later;
        const leaves = rnd() < 0.3;
        pending.push({
          at: later,
          apply: () => {
            if (leaves) {
              alive = false;
              absentAfterChurn = true;
            } else seats = Math.round(seats * 0.5);
          },
        });
        continue;
      }
      const next = businessNext[plan];
      if (next && events.businessUpgrade === undefined) {
        const heavy = assigned >= 0.95 && coreUtil >= 0.65;
        if (rnd() < 0.003 + (heavy ? 0.25 : 0)) {
          events.businessUpgrade = later;
          pending.push({ at: later, apply: () => (plan = next) });
        }
      }
      const up = enterpriseNext[plan];
      if (up && events.enterpriseUpgrade === undefined) {
        const intuneUtil = w.Intune ? w.Intune.activeUsers / Math.max(1, w.Intune.assignedUsers) : 0;
        if (rnd() < 0.003 + (intuneUtil >= 0.5 ? 0.2 : 0)) {
          events.enterpriseUpgrade = later;
          pending.push({ at: later, apply: () => (plan = up) });
        }
      }
      const mdoCovered = plan === "SPB" || plan === "SPE_E5" || plan === "ENTERPRISEPREMIUM" || addOns.has("ATP_ENTERPRISE");
      if (!mdoCovered && events.mdo === undefined) {
        const exUtil = (w.Exchange?.activeUsers ?? 0) / Math.max(1, w.Exchange?.assignedUsers ?? 0);
        if (rnd() < 0.003 + (exUtil >= 0.8 && seats >= 50 ? 0.12 : 0)) {
          events.mdo = later;
          pending.push({ at: later, apply: () => addOns.set("ATP_ENTERPRISE", seats) });
        }
      }
      const mdbEligible = seats <= 300 && plan !== "SPB" && plan !== "SPE_E3" && plan !== "SPE_E5" && !addOns.has("MDE_SMB");
      if (mdbEligible && events.mdb === undefined && rnd() < 0.003 + (addOns.has("AAD_PREMIUM") ? 0.15 : 0)) {
        events.mdb = later;
        pending.push({ at: later, apply: () => addOns.set("MDE_SMB", seats) });
      }
      if (mfaShare < 0.5 && events.mfaRaise === undefined && rnd() < 0.005 + (addOns.has("AAD_PREMIUM") || plan === "SPB" ? 0.2 : 0)) {
        events.mfaRaise = m + 1;
        pending.push({ at: m + 1, apply: () => (mfaShare = clamp(mfaShare + 0.3)) });
      }
      if (trial && events.trialConversion === undefined && rnd() < 0.05 + 0.3 * trial.active) {
        events.trialConversion = later;
        const converted = trial.quantity;
        pending.push({
          at: later,
          apply: () => {
            seats += converted;
            trial = undefined;
          },
        });
      }
    }

    out.push({
      history: {
        tenant: {
          tenantId,
          tenantName: `Customer ${String(t + 1).padStart(5, "0")}`,
          domain: `customer${t + 1}.example.com`,
          tpid: String(100000 + t),
          customerName: `Customer ${t + 1} Ltd`,
          segment,
          industry: industries[Math.floor(rnd() * industries.length)],
          employees: Math.round(seats * (1 + rnd() * 0.5)),
          countryRegion: "United Kingdom",
        },
        // Stored newest first, as the subscriptions documents keep them.
        snapshots: snapshots.reverse(),
        usage,
      },
      events,
    });
  }
  return out;
}

/** The histories as they were known at month `m` (snapshots and usage up to and including it). */
export function historiesAt(generated: readonly GeneratedTenant[], m: number, start = "2023-01"): TenantHistory[] {
  const lastMonth = monthLabel(start, m);
  return generated
    .map(({ history }) => ({
      tenant: history.tenant,
      snapshots: history.snapshots.filter((s) => s.asOf.slice(0, 7) <= lastMonth),
      usage: Object.fromEntries(Object.entries(history.usage).filter(([month]) => month <= lastMonth)),
    }))
    .filter((h) => h.snapshots.length > 0);
}

export function dateOfMonth(m: number, start = "2023-01"): string {
  return `${monthLabel(start, m)}-01`;
}

// ---- the same histories as the CSV files a partner drops -------------------------------------------------

function csvField(value: string | number | undefined): string {
  const text = value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
const csvLine = (fields: (string | number | undefined)[]) => fields.map(csvField).join(",") + "\n";

/** tenants.csv of the generated customers. */
export function tenantsCsv(generated: readonly GeneratedTenant[]): string {
  let out = "tenantId,tenantName,domain,tpid,customerName,segment,industry,employees,countryRegion\n";
  for (const { history } of generated) {
    const t = history.tenant;
    out += csvLine([t.tenantId, t.tenantName, t.domain, t.tpid, t.customerName, t.segment, t.industry, t.employees, t.countryRegion]);
  }
  return out;
}

/** subscriptions.csv of month `m`: every tenant's licence lines in that month's snapshot (dated its first day). */
export function subscriptionsCsv(generated: readonly GeneratedTenant[], m: number, start = "2023-01"): string {
  const asOf = dateOfMonth(m, start);
  let out = "tenantId,sku,quantity,status,source\n";
  for (const { history } of generated) {
    const snapshot = history.snapshots.find((s) => s.asOf === asOf);
    for (const item of snapshot?.items ?? []) out += csvLine([history.tenant.tenantId, item.sku, item.quantity, item.status, item.source]);
  }
  return out;
}

/** usage.csv of months `from` to `to` (month numbers, inclusive). */
export function usageCsv(generated: readonly GeneratedTenant[], from: number, to: number, start = "2023-01"): string {
  const months = new Set(Array.from({ length: to - from + 1 }, (_, i) => monthLabel(start, from + i)));
  let out = "tenantId,month,workload,assignedUsers,activeUsers\n";
  for (const { history } of generated) {
    for (const [month, workloads] of Object.entries(history.usage)) {
      if (!months.has(month)) continue;
      for (const [workload, u] of Object.entries(workloads)) out += `${history.tenant.tenantId},${month},${workload},${u.assignedUsers},${u.activeUsers}\n`;
    }
  }
  return out;
}
