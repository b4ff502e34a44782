import type { LearntDefinition } from "../definition.js";
import { seatsOf } from "../history.js";
import { gainedSeats } from "../labels.js";
import { enterpriseLadder, productNames, type LicenceClass } from "../products.js";
import { formatCount } from "../insights.js";

// E-SKU upsell (growth / Upsell, machine learning): Office 365 E3 → Microsoft 365 E3 → Microsoft 365 E5, and
// Enterprise Mobility + Security E5 for Office 365 E5 tenants (Office 365 E5 + EMS E5 covers what Microsoft 365 E5 adds
// on identity and devices). Label: within the horizon the tenant gains paid seats of a higher step, or adds EMS E5.

type Step = { from: LicenceClass; to: LicenceClass; gains: LicenceClass[]; addOn: boolean };

function stepOf(state: Parameters<LearntDefinition["candidate"]>[0]): Step | undefined {
  const current = state.features.enterpriseStep ?? "none";
  const i = enterpriseLadder.indexOf(current as (typeof enterpriseLadder)[number]);
  if (i >= 0 && i < enterpriseLadder.length - 1) {
    return { from: enterpriseLadder[i], to: enterpriseLadder[i + 1], gains: [...enterpriseLadder.slice(i + 1), "emsE5"], addOn: false };
  }
  if (i < 0 && seatsOf(state, "o365E5") > 0 && seatsOf(state, "emsE5") === 0) {
    return { from: "o365E5", to: "emsE5", gains: ["emsE5", "m365E5"], addOn: true };
  }
  return undefined;
}

export const eSkuUpsell: LearntDefinition = {
  id: "eSkuUpsell",
  name: "Enterprise SKUs (E-SKU)",
  type: "Upsell",
  basis: "ml",
  productsCovered: "Office 365 E3, Microsoft 365 E3, Microsoft 365 E5, EMS E5",
  outcome: { positive: "customers who upgraded", negative: "customers who did not" },
  alreadyPurchasedIsLabel: true,
  features: [
    "segment",
    "industry",
    "employees",
    "tenureMonths",
    "enterpriseStep",
    "suiteSeats",
    "seatChange3m",
    "seatAssignment",
    "o365E3Seats",
    "m365E3Seats",
    "o365E5Seats",
    "emsE3Seats",
    "entraPremiumSeats",
    "intuneSeats",
    "intuneUtilisation",
    "entraIdUtilisation",
    "mfaUtilisation",
    "teamsUtilisation",
    "coreAppsUtilisation",
    "overallUtilisation",
    "overallTrend",
  ],
  candidate(state) {
    const s = stepOf(state);
    if (!s) return undefined;
    const seats = seatsOf(state, s.from);
    const from = productNames[s.from as keyof typeof productNames];
    const to = productNames[s.to as keyof typeof productNames];
    return {
      product: to,
      recommendation: s.addOn ? `Add ${to} to ${formatCount(seats)} ${from} seats` : `Upgrade ${formatCount(seats)} seats from ${from} to ${to}`,
    };
  },
  label(window) {
    const s = stepOf(window.at);
    return s ? gainedSeats(window, s.gains) : undefined;
  },
  // Prior: about 4 % of enterprise tenants step up a suite in a quarter (assumption). Intune in real use (+0.8) and
  // identity/device add-ons already bought separately (+0.7 each: the suite is cheaper than the parts) are the
  // usual triggers; seats nearly all assigned (+0.8) and growing usage (+0.5) add to it.
  prior: {
    baseRate: 0.04,
    terms: [
      { feature: "intuneUtilisation", test: "atLeast", threshold: 0.5, weight: 0.8 },
      { feature: "emsE3Seats", test: "above", threshold: 0, weight: 0.7 },
      { feature: "entraPremiumSeats", test: "above", threshold: 0, weight: 0.7 },
      { feature: "seatAssignment", test: "atLeast", threshold: 0.9, weight: 0.8 },
      { feature: "overallTrend", test: "above", threshold: 0.05, weight: 0.5 },
    ],
  },
};
