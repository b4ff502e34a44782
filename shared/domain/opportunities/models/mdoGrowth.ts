import type { LearntDefinition } from "../definition.js";
import { seatsOf } from "../history.js";
import { gainedSeats, hasAny } from "../labels.js";
import { defenderForOfficeCoverage, enterpriseSuites, productNames } from "../products.js";
import { formatCount } from "../insights.js";

// MDO growth (growth / Expansion, decision tree): a tenant with Microsoft 365 seats and no Defender for Office 365
// (neither Plan 1 nor Plan 2, nor Business Premium or an E5 suite, which include it). Small tenants on Business
// plans are recommended Business Premium, the others Defender for Office 365 Plan 2.
// Label: within the horizon it gains any of those licences. The tree's path is the explanation.

export const mdoGrowth: LearntDefinition = {
  id: "mdoGrowth",
  name: "MDO growth",
  type: "Expansion",
  basis: "tree",
  productsCovered: "Microsoft 365 Business Premium or Microsoft Defender for Office 365 P2",
  outcome: { positive: "customers who added Defender for Office 365", negative: "customers who did not" },
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
    "exchangeUtilisation",
    "exchangeTrend",
    "teamsUtilisation",
    "mfaUtilisation",
    "overallUtilisation",
  ],
  candidate(state, settings) {
    if (!(state.suiteSeats > 0) || hasAny(state, defenderForOfficeCoverage)) return undefined;
    const onBusinessPlan =
      seatsOf(state, ...enterpriseSuites) === 0 && state.suiteSeats <= settings.smb.maxSeats && (state.features.businessTier ?? "none") !== "none";
    if (onBusinessPlan) {
      const from = productNames[state.features.businessTier as keyof typeof productNames];
      return {
        product: productNames.businessPremium,
        recommendation: `Protect email with Defender for Office 365: upgrade ${formatCount(state.suiteSeats)} seats from ${from} to ${productNames.businessPremium}`,
      };
    }
    return {
      product: productNames.defenderForOfficeP2,
      recommendation: `Add ${productNames.defenderForOfficeP2} for ${formatCount(state.suiteSeats)} seats`,
    };
  },
  label(window) {
    return gainedSeats(window, defenderForOfficeCoverage);
  },
  // Prior: about 5 % of unprotected tenants add email protection in a quarter (assumption). Heavy email use (+0.8),
  // identity add-ons already bought (+0.6, a security-minded customer), 50 seats or more (+0.5), MFA in use (+0.4)
  // and growing seats (+0.4).
  prior: {
    baseRate: 0.05,
    terms: [
      { feature: "exchangeUtilisation", test: "atLeast", threshold: 0.7, weight: 0.8 },
      { feature: "entraPremiumSeats", test: "above", threshold: 0, weight: 0.6 },
      { feature: "suiteSeats", test: "atLeast", threshold: 50, weight: 0.5 },
      { feature: "mfaUtilisation", test: "atLeast", threshold: 0.5, weight: 0.4 },
      { feature: "seatChange3m", test: "above", threshold: 0, weight: 0.4 },
    ],
  },
};
