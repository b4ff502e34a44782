import type { LearntDefinition } from "../definition.js";
import { mauOf, pauOf } from "../history.js";
import { raisedMfa } from "../labels.js";
import { formatCount } from "../insights.js";

// MFA engagement (retention / Engagement, decision tree; multifactor authentication in Microsoft Entra ID): a tenant
// whose MFA utilisation (MFA monthly active users / Entra ID assigned users) is under the setting (default 50 %).
// Label: within the horizon its MFA utilisation rises by the setting's points (default 20) or more: the customer
// is one that engagement moves. The product is hidden (retention); the recommendation names MFA and the users.

export const mfaEngagement: LearntDefinition = {
  id: "mfaEngagement",
  name: "MFA engagement",
  type: "Engagement",
  basis: "tree",
  productsCovered: "Multifactor authentication in Microsoft Entra ID",
  outcome: { positive: "customers whose MFA use rose 20 points", negative: "customers whose MFA use did not" },
  alreadyPurchasedIsLabel: false,
  features: [
    "segment",
    "employees",
    "tenureMonths",
    "suiteSeats",
    "businessTier",
    "businessPremiumSeats",
    "entraPremiumSeats",
    "entraIdUtilisation",
    "mfaUtilisation",
    "mfaTrend",
    "intuneUtilisation",
    "overallUtilisation",
    "seatChange3m",
  ],
  candidate(state, settings) {
    const util = state.features.mfaUtilisation;
    if (!Number.isFinite(util) || util >= settings.mfa.lowUtilisation) return undefined;
    const users = pauOf(state, "entraId");
    const without = Math.max(0, Math.round(users - Math.min(users, mauOf(state, "mfa"))));
    return {
      recommendation: `Roll out multifactor authentication in Microsoft Entra ID to the ${formatCount(without)} of ${formatCount(users)} users not using it`,
    };
  },
  label(window, settings) {
    return raisedMfa(window, settings);
  },
  // Prior: about 10 % of low-MFA tenants raise MFA use by 20 points in a quarter (assumption). MFA use already rising
  // (+0.9), Entra ID P1/P2 or Business Premium licences that include Conditional Access (+0.6 each), a third of users
  // already enrolled (+0.5) and devices managed with Intune (+0.4).
  prior: {
    baseRate: 0.1,
    terms: [
      { feature: "mfaTrend", test: "above", threshold: 0.05, weight: 0.9 },
      { feature: "entraPremiumSeats", test: "above", threshold: 0, weight: 0.6 },
      { feature: "businessPremiumSeats", test: "above", threshold: 0, weight: 0.6 },
      { feature: "mfaUtilisation", test: "atLeast", threshold: 0.3, weight: 0.5 },
      { feature: "intuneUtilisation", test: "atLeast", threshold: 0.3, weight: 0.4 },
    ],
  },
};
