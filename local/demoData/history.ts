import { addMonths, type DemoRun } from "./dataset.js";
import type { TenantProfile } from "./profile.js";
import { between, chance, type Rng } from "./random.js";
import type { SubscriptionLine } from "./subscriptions.js";
import type { DemoUsage } from "./usage.js";

// The demo partner's history for the Opportunities tab: monthly subscription snapshots and the usage months around
// them, in which customers move up a Business plan, step up to Microsoft 365 E5, reduce seats or cancel, add
// Defender for Office 365 or Defender for Business, roll out MFA and convert trials, each for a reason the data shows
// beforehand, so every model has labels to learn from and something real to find:
// - moving up a Business plan: nearly every seat assigned and heavy desktop-app (or, on Basic, Teams and SharePoint)
//   use in the three months before; customers that stay put use less;
// - Microsoft 365 E3 → E5: Intune in real use (over 60 %) beforehand; tenants staying on E3 use it little;
// - seat reductions and cancellations (SMB tenants cancel, others cut seats): usage declining for months, Teams
//   under 40 %, more often in the first year and among small customers; a few tenants decline and stay;
// - Defender for Office 365: heavy email use (over 88 %) beforehand; Defender for Business: Entra ID P1 held;
// - MFA rollouts (+30 to 50 points): mostly tenants whose licences include Conditional Access (SMB) or whose devices
//   are managed with Intune, usually after a pilot group has started using it;
// - trial conversions: the more of the trial's users active, the likelier.
//
// It is generated backwards from the tenant's current licences (those the Cloud Endpoints tab reads: kept as they are
// except for the traits decided here, which leave every W365-eligible seat count unchanged): each event is undone on
// the snapshots before it. Some events fall after the data (their causes show in the latest months): those are the
// customers the tab should list as likely now. Usage months are then drawn from the licences in force and the causes.

/** Workloads whose every month the history draws; Intune and Entra ID keep their latest month from the usage series. */
export const historyWorkloads = ["Exchange", "SharePoint", "OneDrive", "Teams", "CoreApps", "MFA", "EntraID", "Intune"] as const;
export type HistoryWorkload = (typeof historyWorkloads)[number];

export type DemoEventKind =
  | "businessUpgrade"
  | "enterpriseUpgrade"
  | "seatReduction"
  | "cancellation"
  | "defenderForOffice"
  | "defenderForBusiness"
  | "mfaRollout"
  | "trialConversion";

export interface DemoEvent {
  kind: DemoEventKind;
  /** Index of the first snapshot that shows it (oldest = 0); at or after the number of snapshots: after the data. */
  snapshot: number;
}

export interface DemoHistory {
  /** Licence lines of each snapshot, oldest first; the last is the tenant's current lines. */
  snapshots: SubscriptionLine[][];
  /** Per workload, assigned and active users of each usage month (oldest first); NaN: the usage series decides. */
  usage: Record<HistoryWorkload, { pau: number[]; mau: number[] }>;
  events: DemoEvent[];
}

const businessTiers = [
  { sku: "O365_BUSINESS_ESSENTIALS", product: "Microsoft 365 Business Basic" },
  { sku: "O365_BUSINESS_PREMIUM", product: "Microsoft 365 Business Standard" },
  { sku: "SPB", product: "Microsoft 365 Business Premium" },
] as const;
const suiteSkus = new Set(["SPE_E5", "SPE_E3", "SPE_F1", "ENTERPRISEPACK", ...businessTiers.map((t) => t.sku)]);

const clamp = (x: number, lo = 0, hi = 1) => Math.min(hi, Math.max(lo, x));
const uniform = (rng: Rng, lo: number, hi: number) => lo + rng() * (hi - lo);
const clone = (lines: readonly SubscriptionLine[]) => lines.map((l) => ({ ...l }));
const find = (lines: readonly SubscriptionLine[], sku: string) => lines.find((l) => l.sku === sku);

function suiteSeats(lines: readonly SubscriptionLine[]): number {
  let seats = 0;
  for (const l of lines) if (suiteSkus.has(l.sku) && (l.status === "Active" || l.status === "Warning")) seats += l.paidUnits;
  return seats;
}

function setQuantity(line: SubscriptionLine, quantity: number): void {
  line.quantity = quantity;
  line.paidUnits = quantity;
}

/** Moves every seat of `from` onto `to` (creating its line like `from`'s). */
function mergeInto(lines: SubscriptionLine[], from: string, to: { sku: string; product: string }): SubscriptionLine[] {
  const source = find(lines, from);
  if (!source) return lines;
  const target = find(lines, to.sku);
  if (target) {
    setQuantity(target, target.quantity + source.quantity);
    return lines.filter((l) => l !== source);
  }
  return lines.map((l) => (l === source ? { ...l, sku: to.sku, product: to.product } : l));
}

interface Plan {
  /** Usage month (index) where a snapshot's licences start to apply; snapshot k covers [monthOf(k), monthOf(k + 1)). */
  monthOf(k: number): number;
}

/**
 * Draws the tenant's history from its own random stream. `lines` are its current licences as drawn for the Cloud
 * Endpoints tab; the history's last snapshot replaces them (the same, but for this file's traits).
 */
export function drawHistory(rng: Rng, profile: TenantProfile, lines: readonly SubscriptionLine[], series: DemoUsage, run: Pick<DemoRun, "months" | "snapshots" | "asOfMonth">): DemoHistory {
  const S = run.snapshots;
  const U = run.months;
  const smb = profile.segment === "SMB";
  const plan: Plan = { monthOf: (k) => U - S + 1 + k };
  const events: DemoEvent[] = [];
  // Past events fall on snapshots [lo, lastPast] (none when that is empty); future ones just after the data.
  let lastPast = S - 1;
  const past = (lo: number) => (lo <= lastPast ? between(rng, lo, lastPast) : undefined);
  const future = () => between(rng, S, S + 1);
  const event = (kind: DemoEventKind, snapshot: number | undefined): DemoEvent | undefined => {
    if (snapshot === undefined) return undefined;
    const e = { kind, snapshot };
    events.push(e);
    return e;
  };

  // ---- traits of today's licences -----------------------------------------------------------------------------
  let current = clone(lines);
  const e3Only = !smb && Boolean(find(current, "SPE_E5")) && chance(rng, 0.35);
  if (e3Only) current = mergeInto(current, "SPE_E5", { sku: "SPE_E3", product: "Microsoft 365 E3" });
  const tier = smb ? businessTiers.findIndex((t) => find(current, t.sku)) : -1;
  const smbLine = tier >= 0 ? find(current, businessTiers[tier].sku)! : undefined;
  const template = smbLine ?? current[0];
  const entraP1 = smb && tier >= 0 && tier < 2 && chance(rng, 0.45);
  if (entraP1 && smbLine) current.push({ ...smbLine, sku: "AAD_PREMIUM", product: "Microsoft Entra ID P1" });
  const mdbAdopter = smb && tier >= 0 && tier < 2 && !find(current, "MDE_SMB") && chance(rng, entraP1 ? 0.7 : 0.06);
  if (mdbAdopter && smbLine) current.push({ ...smbLine, sku: "MDE_SMB", product: "Microsoft Defender for Business" });
  const beforeCancelling = clone(current);

  // ---- events (snapshot indexes; the newest snapshot is S - 1) --------------------------------------------------
  const startMonth = template?.startDate?.slice(0, 7);
  const firstYear = startMonth !== undefined && startMonth > addMonths(run.asOfMonth, -12);
  const churnRate = (smb ? 0.16 : 0.09) + (firstYear ? 0.05 : 0);
  let churn: DemoEvent | undefined;
  if (suiteSeats(current) > 0 && chance(rng, churnRate)) {
    const kind = smb && chance(rng, 0.5) ? "cancellation" : "seatReduction";
    churn = event(kind, chance(rng, 0.75) ? past(4) : future());
    // Nothing changes on the licences of a tenant that has left.
    if (churn?.kind === "cancellation" && churn.snapshot <= S - 1) lastPast = churn.snapshot - 1;
  }
  const falseAlarm = !churn && chance(rng, 0.12) ? between(rng, 2, Math.max(2, U - 4)) : undefined;
  const upgrades: DemoEvent[] = [];
  if (tier >= 1 && chance(rng, 0.5)) {
    const main = event("businessUpgrade", past(3));
    if (main) upgrades.push(main);
    if (main && tier === 2 && main.snapshot >= 8 && chance(rng, 0.3)) upgrades.push(event("businessUpgrade", between(rng, 3, main.snapshot - 4))!);
  } else if (tier >= 0 && tier < 2 && chance(rng, 0.3)) upgrades.push(event("businessUpgrade", future())!);
  let enterprise: DemoEvent | undefined;
  if (!smb && !e3Only && find(current, "SPE_E5") && find(current, "SPE_E3") && chance(rng, 0.3)) enterprise = event("enterpriseUpgrade", past(3));
  else if (e3Only && chance(rng, profile.intuneUtil >= 0.45 ? 0.35 : 0.03)) enterprise = event("enterpriseUpgrade", future());
  let defender: DemoEvent | undefined;
  if (e3Only && find(current, "ATP_ENTERPRISE") && chance(rng, 0.7)) defender = event("defenderForOffice", past(3));
  else if (e3Only && !find(current, "ATP_ENTERPRISE") && chance(rng, 0.2)) defender = event("defenderForOffice", future());
  if (mdbAdopter) event("defenderForBusiness", past(3));
  else if (smb && tier >= 0 && tier < 2 && chance(rng, entraP1 ? 0.3 : 0.04)) event("defenderForBusiness", future());

  // ---- snapshots, newest first: each event undone on the snapshots before it -------------------------------------
  const snapshots: SubscriptionLine[][] = new Array(S);
  const cancelledNow = churn?.kind === "cancellation" && churn.snapshot <= S - 1;
  snapshots[S - 1] = cancelledNow ? [] : current;
  const reduction = uniform(rng, 0.5, 0.75);
  for (let k = S - 1; k >= 1; k--) {
    let before = clone(snapshots[k]);
    for (const e of events) {
      if (e.snapshot !== k) continue;
      if (e.kind === "cancellation") before = clone(beforeCancelling);
      else if (e.kind === "seatReduction") {
        for (const l of before) if (suiteSkus.has(l.sku) && l.status !== "Trial") setQuantity(l, Math.round(l.quantity / reduction));
      } else if (e.kind === "businessUpgrade") {
        const at = businessTiers.findIndex((t) => find(before, t.sku));
        if (at >= 1) before = mergeInto(before, businessTiers[at].sku, businessTiers[at - 1]).filter((l) => at !== 2 || l.sku !== "MDE_SMB" || mdbAdopter);
      } else if (e.kind === "enterpriseUpgrade") before = mergeInto(before, "SPE_E5", { sku: "SPE_E3", product: "Microsoft 365 E3" });
      else if (e.kind === "defenderForOffice") before = before.filter((l) => l.sku !== "ATP_ENTERPRISE");
      else if (e.kind === "defenderForBusiness") before = before.filter((l) => l.sku !== "MDE_SMB");
    }
    snapshots[k - 1] = before;
  }

  // Trials: today's Teams Exploratory trial started a few months ago; two in five SMB tenants that are still customers
  // had one earlier, which converted (its users became paid seats) the more of them were active.
  const ongoing = find(current, "TEAMS_EXPLORATORY");
  if (ongoing) {
    const start = between(rng, Math.max(0, S - 4), S - 1);
    for (let k = 0; k < start; k++) snapshots[k] = snapshots[k].filter((l) => l.sku !== "TEAMS_EXPLORATORY");
  }
  let trial: { start: number; end: number; quantity: number; active: number; converts: boolean } | undefined;
  if (smb && smbLine && !ongoing && !cancelledNow && S >= 6 && chance(rng, 0.4)) {
    const start = between(rng, 0, S - 5);
    const active = uniform(rng, 0.05, 0.9);
    const quantity = Math.max(2, Math.round(smbLine.quantity * uniform(rng, 0.1, 0.4)));
    trial = { start, end: start + between(rng, 2, 3), quantity, active, converts: chance(rng, 0.05 + 0.85 * active) };
    if (trial.converts) events.push({ kind: "trialConversion", snapshot: trial.end });
    for (let k = trial.start; k < trial.end; k++) {
      snapshots[k] = [...snapshots[k], { ...smbLine, sku: "TEAMS_EXPLORATORY", product: "Microsoft Teams Exploratory", quantity, paidUnits: 0, status: "Trial" }];
    }
    if (trial.converts) {
      for (let k = 0; k < trial.end; k++) {
        for (const l of snapshots[k]) if (businessTiers.some((t) => t.sku === l.sku)) setQuantity(l, Math.max(1, l.quantity - quantity));
      }
    }
  }

  // ---- usage ---------------------------------------------------------------------------------------------------
  const snapshotAt = (u: number) => snapshots[clamp(u - plan.monthOf(0), 0, S - 1)];
  // Most events show their cause in the three months before; some come out of the blue, and some customers show the
  // signs without acting on them, so no model can be right every time.
  const shown = new Set(events.filter(() => chance(rng, 0.8)));
  const causes = (e: DemoEvent | undefined, u: number) => e !== undefined && shown.has(e) && u >= plan.monthOf(e.snapshot) - 3 && u < plan.monthOf(e.snapshot);
  const notActedOn = (rate: number): DemoEvent | undefined => (chance(rng, rate) ? { kind: "businessUpgrade", snapshot: between(rng, 3, S + 1) } : undefined);
  const idleUpgrade = upgrades.length === 0 && tier >= 0 && tier < 2 ? notActedOn(0.15) : undefined;
  if (idleUpgrade) shown.add(idleUpgrade);
  const upgradeCause = (u: number) => upgrades.some((e) => causes(e, u)) || causes(idleUpgrade, u);
  const assigned0 = uniform(rng, 0.65, 0.9);
  const teamsBase = churn && shown.has(churn) ? uniform(rng, 0.3, 0.5) : series.Teams.utilization;
  const coreBase = smb ? uniform(rng, 0.35, 0.68) : series.CoreApps.utilization;
  const exchangeBase = e3Only ? uniform(rng, 0.6, 0.86) : series.Exchange.utilization;
  const intuneHistory = e3Only ? (chance(rng, 0.1) ? uniform(rng, 0.55, 0.85) : uniform(rng, 0.1, 0.45)) : profile.intuneUtil;
  let mfaShare = chance(rng, 0.6) ? uniform(rng, 0.05, 0.45) : uniform(rng, 0.5, 0.95);
  // MFA is rolled out where the licences include Conditional Access (Entra ID P1, Business Premium) or devices are
  // already managed with Intune.
  const readyForMfa = smb ? entraP1 || tier === 2 : intuneHistory >= 0.5;
  const mfaRollout = mfaShare < 0.5 && chance(rng, readyForMfa ? 0.75 : 0.06) ? between(rng, plan.monthOf(1), U + 1) : undefined;
  // Most rollouts start with a pilot group a few months before (MFA use creeping up), then go to everyone.
  const mfaPilot = mfaRollout !== undefined && chance(rng, 0.8);
  if (mfaRollout !== undefined) events.push({ kind: "mfaRollout", snapshot: mfaRollout - plan.monthOf(0) });
  // Usage declines for a few months before a tenant cuts seats or leaves, then steadies (or, for a false alarm, recovers).
  const declineFrom = churn ? plan.monthOf(churn.snapshot) - between(rng, 3, 5) : falseAlarm;
  const declineTo = churn ? plan.monthOf(churn.snapshot) : falseAlarm !== undefined ? falseAlarm + 3 : -1;

  const usage = Object.fromEntries(historyWorkloads.map((w) => [w, { pau: new Array<number>(U).fill(NaN), mau: new Array<number>(U).fill(NaN) }])) as DemoHistory["usage"];
  const put = (w: HistoryWorkload, u: number, pau: number, util: number) => {
    const p = Math.max(0, Math.round(pau));
    usage[w].pau[u] = p;
    usage[w].mau[u] = Math.min(p, Math.round(p * clamp(util)));
  };
  const seatsNow = Math.max(1, suiteSeats(snapshots[S - 1]));
  const intunePau = series.Intune.pau;
  for (let u = 0; u < U; u++) {
    const lines = snapshotAt(u);
    const seats = suiteSeats(lines);
    const noise = () => (rng() - 0.5) * 0.08;
    const back = (U - 1 - u) / Math.max(1, U - 1);
    const decline = declineFrom !== undefined && u >= declineFrom && u < declineTo ? u - declineFrom + 1 : 0;
    let assigned = clamp(assigned0 + noise() / 2);
    if (upgradeCause(u)) assigned = uniform(rng, 0.96, 1);
    const users = seats * assigned;
    const onTier = businessTiers.findIndex((t) => find(lines, t.sku));
    const trialOn = trial && u >= plan.monthOf(trial.start) && u < plan.monthOf(trial.end);
    let teams = clamp(teamsBase - series.Teams.trend * back) * 0.88 ** decline + noise();
    let core = clamp(coreBase - series.CoreApps.trend * back) * 0.9 ** decline + noise();
    let exchange = clamp(exchangeBase - series.Exchange.trend * back) * 0.97 ** decline + noise();
    let sharePoint = clamp(series.SharePoint.utilization - series.SharePoint.trend * back) * 0.94 ** decline + noise();
    if (upgradeCause(u)) {
      if (onTier === 0) {
        teams = uniform(rng, 0.8, 0.95);
        sharePoint = uniform(rng, 0.7, 0.9);
      } else core = uniform(rng, 0.75, 0.95);
    }
    if (causes(defender, u)) exchange = uniform(rng, 0.88, 0.98);
    if (trialOn) teams = trial!.active;
    put("Exchange", u, users, exchange);
    put("SharePoint", u, users, sharePoint);
    put("OneDrive", u, users, clamp(series.OneDrive.utilization - series.OneDrive.trend * back) * 0.94 ** decline + noise());
    put("Teams", u, users + (trialOn ? trial!.quantity : 0), teams);
    // Business Basic has no desktop apps.
    put("CoreApps", u, onTier === 0 ? 0 : users, core);
    // Entra ID and Intune: the usage series keeps the latest month (the one the Cloud Endpoints tab reads) of every
    // tenant but SMB ones, which that tab never shows.
    const last = u === U - 1 && !smb;
    if (!last) {
      put("EntraID", u, seats === 0 ? 0 : smb ? users : (series.EntraID.pau * seats) / seatsNow, series.EntraID.utilization + noise());
      const intune = causes(enterprise, u) ? uniform(rng, 0.6, 0.9) : intuneHistory + noise();
      put("Intune", u, intunePau > 0 && seats > 0 ? (intunePau * seats) / seatsNow : 0, intune);
    }
    if (mfaRollout !== undefined && u === mfaRollout) mfaShare = clamp(mfaShare + uniform(rng, 0.3, 0.5));
    else if (mfaPilot && u >= mfaRollout! - 3 && u < mfaRollout!) mfaShare = clamp(mfaShare + uniform(rng, 0.03, 0.06));
    const entraUsers = last ? series.EntraID.pau : usage.EntraID.pau[u];
    put("MFA", u, seats > 0 ? entraUsers : 0, mfaShare + noise() / 2);
  }
  return { snapshots, usage, events };
}
