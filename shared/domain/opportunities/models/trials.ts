import type { RuleDefinition } from "../definition.js";
import { utilisationOf, type TenantState, type TrialLine } from "../history.js";
import { gainedSeats, gainedSuiteSeats } from "../labels.js";
import { productNames, skuDisplayName } from "../products.js";
import { formatCount } from "../insights.js";

// Trials (acquisition / Trial, business rule; Teams Exploratory above all). Fires for a tenant with a trial
// subscription (status Trial, or Teams Exploratory, a free trial experience whatever its status) that has active
// users: Teams use for Teams Exploratory, Core Apps (else Exchange) for other trials. With several trials, Teams
// Exploratory comes first, then the largest.
// The paid SKU that fits its size: a trial of a paid plan converts to that plan; Teams Exploratory converts to
// Microsoft 365 Business Basic (the entry paid plan with Teams) up to the SMB seat limit (default 300 users, the
// Business plans' cap), else to Office 365 E1. Without usage data the rule cannot see active users and does not fire.
//
// Probability: strength is the share of trial seats in active use: at least 50 % is 0.55, at least 20 % is 0.35,
// less is 0.15 (documented defaults). Once history allows, each level's probability is the measured rate at which
// earlier firings converted (paid Microsoft 365 seats grew, or the trial's product gained paid seats, within the
// horizon), shrunk towards the default: p = (conversions + k·default) / (firings + k).

// Usage is per workload, not per subscription, so trial users are taken to be as active as the workload's users
// overall: active trial users = trial seats × the workload's utilisation (exact when the trial is all the tenant has).
function activeTrial(state: TenantState): { line: TrialLine; active: number } | undefined {
  const lines = state.trials.filter((t) => t.quantity > 0);
  if (lines.length === 0) return undefined;
  lines.sort((a, b) => Number(b.licenceClass === "teamsExploratory") - Number(a.licenceClass === "teamsExploratory") || b.quantity - a.quantity);
  const line = lines[0];
  const workload = line.licenceClass === "teamsExploratory" ? "teams" : Number.isFinite(utilisationOf(state, "coreApps")) ? "coreApps" : "exchange";
  const util = utilisationOf(state, workload);
  if (!(util > 0)) return undefined;
  return { line, active: Math.max(1, Math.round(line.quantity * util)) };
}

export function trialLevel(activeShare: number): string {
  return activeShare >= 0.5 ? "strong" : activeShare >= 0.2 ? "medium" : "weak";
}

export const trials: RuleDefinition = {
  id: "trials",
  name: "Trials",
  type: "Trial",
  basis: "rule",
  productsCovered: "Teams Exploratory",
  outcome: { positive: "trials that converted to paid seats", negative: "trials that did not convert" },
  alreadyPurchasedIsLabel: true,
  levels: [
    { id: "strong", description: "at least half of the trial seats in active use", probability: 0.55 },
    { id: "medium", description: "a fifth to a half of the trial seats in active use", probability: 0.35 },
    { id: "weak", description: "under a fifth of the trial seats in active use", probability: 0.15 },
  ],
  candidate(state, settings) {
    const trial = activeTrial(state);
    if (!trial) return undefined;
    const { line, active } = trial;
    const isExploratory = line.licenceClass === "teamsExploratory";
    const size = state.suiteSeats + line.quantity;
    const paid = isExploratory ? (size <= settings.smb.maxSeats ? productNames.businessBasic : productNames.o365E1) : skuDisplayName(line.sku);
    const trialName = isExploratory ? productNames.teamsExploratory : skuDisplayName(line.sku);
    const share = active / line.quantity;
    const fired = [
      `${trialName} trial: ${active} of ${line.quantity} trial users active (${Math.round(share * 100)} %)`,
      ...(line.endDate ? [`Trial ends ${line.endDate.slice(0, 10)}`] : []),
      ...(state.suiteSeats > 0 ? [`${formatCount(state.suiteSeats)} paid Microsoft 365 seats today`] : ["No paid Microsoft 365 seats yet"]),
    ];
    return {
      product: paid,
      recommendation: `Convert the ${trialName} trial (${formatCount(active)} of ${formatCount(line.quantity)} users active) to ${paid}`,
      rule: { level: trialLevel(share), fired },
    };
  },
  label(window) {
    const trial = activeTrial(window.at);
    if (!trial) return undefined;
    const cls = trial.line.licenceClass;
    return gainedSuiteSeats(window) || (cls !== "teamsExploratory" && cls !== "other" && cls !== "unknown" && gainedSeats(window, [cls]));
  },
};
