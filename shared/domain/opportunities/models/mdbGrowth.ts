import type { LearntDefinition } from "../definition.js";
import { gainedSeats, hasAny } from "../labels.js";
import { defenderForBusinessCoverage, productNames } from "../products.js";
import { formatCount } from "../insights.js";

// MDB growth (growth / Expansion, decision tree): a tenant of at most the SMB seat limit (default 300: Defender for
// Business is sold up to 300 users) without Defender for Business, Business Premium (which includes it) or a
// Microsoft 365 E3/E5 suite (which include Defender for Endpoint). Label: within the horizon it gains Defender for
// Business or Business Premium. The tree's path is the explanation.

export const mdbGrowth: LearntDefinition = {
  id: "mdbGrowth",
  name: "MDB growth",
  type: "Expansion",
  basis: "tree",
  productsCovered: "Microsoft Defender for Business (MDB)",
  outcome: { positive: "customers who added Defender for Business", negative: "customers who did not" },
  alreadyPurchasedIsLabel: true,
  features: [
    "segment",
    "employees",
    "tenureMonths",
    "suiteSeats",
    "seatChange3m",
    "seatAssignment",
    "businessTier",
    "entraPremiumSeats",
    "intuneSeats",
    "intuneUtilisation",
    "entraIdUtilisation",
    "mfaUtilisation",
    "exchangeUtilisation",
    "overallUtilisation",
  ],
  candidate(state, settings) {
    if (!(state.suiteSeats > 0) || state.suiteSeats > settings.smb.maxSeats) return undefined;
    if (hasAny(state, [...defenderForBusinessCoverage, "m365E3", "m365E5"])) return undefined;
    return {
      product: productNames.defenderForBusiness,
      recommendation: `Add ${productNames.defenderForBusiness} to protect the devices of ${formatCount(state.suiteSeats)} users`,
    };
  },
  label(window) {
    return gainedSeats(window, defenderForBusinessCoverage);
  },
  // Prior: about 4 % of small tenants add endpoint protection in a quarter (assumption). Devices already managed with
  // Intune (+0.9 in use, +0.5 licensed) make onboarding easy; MFA in use (+0.4), 25 seats or more (+0.4) and growing
  // seats (+0.3) add to it.
  prior: {
    baseRate: 0.04,
    terms: [
      { feature: "intuneUtilisation", test: "atLeast", threshold: 0.3, weight: 0.9 },
      { feature: "intuneSeats", test: "above", threshold: 0, weight: 0.5 },
      { feature: "mfaUtilisation", test: "atLeast", threshold: 0.5, weight: 0.4 },
      { feature: "suiteSeats", test: "atLeast", threshold: 25, weight: 0.4 },
      { feature: "seatChange3m", test: "above", threshold: 0, weight: 0.3 },
    ],
  },
};
