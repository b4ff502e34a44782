import type { RuleDefinition } from "../definition.js";
import { engagementWorkloads, pauOf, trendOf, utilisationOf, workloadNames } from "../history.js";
import { describeThreshold, describeValue, formatCount } from "../insights.js";
import { churned } from "../labels.js";

// SMB tenant engagement (retention / Engagement, business rule; Email, Core Apps, Teams, SharePoint, OneDrive).
// Fires for SMB tenants (segment SMB, or at most the SMB seat limit, default 300 Microsoft 365 seats) where at least
// `minWorkloads` (default 2) of the five workloads are under the low-utilisation threshold (default 40 %) or trend
// Negative (MAU down more than 5 % over three months). Only workloads the tenant has assigned users for count: no
// SharePoint licences is not low SharePoint use.
//
// Probability: the strength of the rule is how many workloads are low or declining. Before any history, 2 workloads
// is 0.30, 3 is 0.45, 4 or 5 is 0.60 (documented defaults: more disengaged workloads, more certainly a customer at
// risk). Once history allows, each level's probability is the measured rate at which earlier firings of that level
// were followed by a seat loss (the churn label) within the horizon, shrunk towards the default by `rulePriorWeight`
// pseudo-firings: p = (conversions + k·default) / (firings + k).

export const smbEngagement: RuleDefinition = {
  id: "smbEngagement",
  name: "SMB tenant engagement",
  type: "Engagement",
  basis: "rule",
  productsCovered: "Email, Core Apps, Teams, SharePoint, OneDrive",
  outcome: { positive: "flagged customers who then reduced seats or cancelled", negative: "flagged customers who kept their seats" },
  alreadyPurchasedIsLabel: false,
  levels: [
    { id: "2", description: "two workloads low or declining", probability: 0.3 },
    { id: "3", description: "three workloads low or declining", probability: 0.45 },
    { id: "4+", description: "four or five workloads low or declining", probability: 0.6 },
  ],
  candidate(state, settings) {
    if (!(state.suiteSeats > 0)) return undefined;
    const smb = state.features.segment === "SMB" || state.suiteSeats <= settings.smb.maxSeats;
    if (!smb) return undefined;
    const names: string[] = [];
    const fired: string[] = [];
    for (const w of engagementWorkloads) {
      if (!(pauOf(state, w) > 0)) continue;
      const util = utilisationOf(state, w);
      const trend = trendOf(state, w);
      const low = util < settings.smb.lowUtilisation;
      const declining = trend < -settings.trendThreshold;
      if (!low && !declining) continue;
      names.push(workloadNames[w]);
      // One insight per workload: what fired, with its threshold.
      const parts: string[] = [];
      if (low) parts.push(describeThreshold(`${w}Utilisation`, util, "below", settings.smb.lowUtilisation));
      else parts.push(describeValue(`${w}Utilisation`, util));
      if (declining) parts.push(`${describeValue(`${w}Trend`, trend).replace(`${workloadNames[w]} `, "")} (trend Negative)`);
      fired.push(parts.join(", "));
    }
    if (names.length < settings.smb.minWorkloads) return undefined;
    const level = names.length >= 4 ? "4+" : String(names.length);
    const list = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0];
    return {
      recommendation: `Run an adoption session on ${list} for the customer's ${formatCount(state.suiteSeats)} Microsoft 365 seats`,
      rule: { level, fired },
    };
  },
  label(window, settings) {
    return window.at.suiteSeats > 0 ? churned(window, settings) : undefined;
  },
};
