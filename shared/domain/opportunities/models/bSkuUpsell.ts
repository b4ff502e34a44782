import type { LearntDefinition } from "../definition.js";
import { seatsOf } from "../history.js";
import { gainedSeats } from "../labels.js";
import { businessLadder, enterpriseSuites, productNames, type LicenceClass } from "../products.js";
import { formatCount } from "../insights.js";

// B-SKU upsell (growth / Upsell, machine learning): a tenant on standalone apps, Business Basic or Business Standard
// is recommended the next step of Standalone → Business Basic → Standard → Premium.
// Label: within the horizon it gains paid seats of a higher Business tier (or of an Enterprise suite).
// Tenants that already hold an Enterprise suite are not on the Business ladder and are left to the E-SKU model.

const step = (tier: string): { from: (typeof businessLadder)[number]; to: (typeof businessLadder)[number]; higher: LicenceClass[] } | undefined => {
  const i = businessLadder.indexOf(tier as (typeof businessLadder)[number]);
  if (i < 0 || i === businessLadder.length - 1) return undefined;
  return { from: businessLadder[i], to: businessLadder[i + 1], higher: [...businessLadder.slice(i + 1), ...enterpriseSuites] };
};

export const bSkuUpsell: LearntDefinition = {
  id: "bSkuUpsell",
  name: "Business SKUs (B-SKU)",
  type: "Upsell",
  basis: "ml",
  productsCovered: "Standalone, Business Basic, Business Standard, Business Premium",
  outcome: { positive: "customers who upgraded", negative: "customers who did not" },
  alreadyPurchasedIsLabel: true,
  features: [
    "segment",
    "industry",
    "employees",
    "tenureMonths",
    "businessTier",
    "suiteSeats",
    "seatChange3m",
    "seatAssignment",
    "standaloneSeats",
    "businessBasicSeats",
    "businessStandardSeats",
    "trialSeats",
    "exchangeUtilisation",
    "teamsUtilisation",
    "teamsTrend",
    "coreAppsUtilisation",
    "coreAppsTrend",
    "sharePointUtilisation",
    "oneDriveUtilisation",
    "overallUtilisation",
    "overallTrend",
  ],
  candidate(state) {
    if (seatsOf(state, ...enterpriseSuites) > 0) return undefined;
    const s = step(state.features.businessTier ?? "none");
    if (!s) return undefined;
    const seats = seatsOf(state, s.from);
    return {
      product: productNames[s.to],
      recommendation: `Upgrade ${formatCount(seats)} seats from ${productNames[s.from]} to ${productNames[s.to]}`,
    };
  },
  label(window) {
    const s = step(window.at.features.businessTier ?? "none");
    return s ? gainedSeats(window, s.higher) : undefined;
  },
  // Prior: about 5 % of small-business tenants move up a plan in a quarter (assumption, typical CSP base rate);
  // seats nearly all assigned (+1.2) and heavy desktop-app use (+0.8) are the classic signs of outgrowing a plan,
  // growing usage and seats add to it (+0.6 each), established customers a little (+0.2). All of them: p ≈ 0.66.
  prior: {
    baseRate: 0.05,
    terms: [
      { feature: "seatAssignment", test: "atLeast", threshold: 0.9, weight: 1.2 },
      { feature: "coreAppsUtilisation", test: "atLeast", threshold: 0.7, weight: 0.8 },
      { feature: "overallTrend", test: "above", threshold: 0.05, weight: 0.6 },
      { feature: "seatChange3m", test: "above", threshold: 0, weight: 0.6 },
      { feature: "tenureMonths", test: "atLeast", threshold: 12, weight: 0.2 },
    ],
  },
};
