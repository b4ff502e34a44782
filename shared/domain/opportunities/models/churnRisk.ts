import type { LearntDefinition } from "../definition.js";
import { churned } from "../labels.js";
import { formatCount } from "../insights.js";

// Churn risk (retention / Retention, machine learning; Core Apps, Teams, SMB tenants): every tenant with paid
// Microsoft 365 seats is scored. Label: within the horizon its paid Microsoft 365 seats fall below the churn share
// (default 85 %) of t's, or every suite subscription ends (0 seats; a tenant missing from a later drop too).
// The product is hidden for retention opportunities, so the recommendation names the seats at stake.

export const churnRisk: LearntDefinition = {
  id: "churnRisk",
  name: "Churn risk",
  type: "Retention",
  basis: "ml",
  productsCovered: "Core Apps, Teams, SMB tenants",
  outcome: { positive: "customers who reduced seats or cancelled", negative: "customers who kept their seats" },
  alreadyPurchasedIsLabel: false,
  features: [
    "segment",
    "industry",
    "employees",
    "tenureMonths",
    "businessTier",
    "enterpriseStep",
    "suiteSeats",
    "paidLicences",
    "seatChange3m",
    "seatAssignment",
    "trialSeats",
    "exchangeUtilisation",
    "exchangeTrend",
    "teamsUtilisation",
    "teamsTrend",
    "coreAppsUtilisation",
    "coreAppsTrend",
    "sharePointUtilisation",
    "oneDriveUtilisation",
    "overallUtilisation",
    "overallTrend",
    "lowWorkloads",
  ],
  candidate(state) {
    if (!(state.suiteSeats > 0)) return undefined;
    return {
      recommendation: `Protect ${formatCount(state.suiteSeats)} Microsoft 365 seats at risk: review adoption and plans with the customer before they reduce seats or cancel`,
    };
  },
  label(window, settings) {
    return window.at.suiteSeats > 0 ? churned(window, settings) : undefined;
  },
  // Prior: about 6 % of tenants lose 15 % of their seats in a quarter (assumption). Low Core Apps use (+1.0) and a
  // falling number of active users (+1.0) are the strongest early warnings, low Teams use (+0.8), seats already
  // shrinking (+0.7) and a first-year customer (+0.3) add to it. All of them: p ≈ 0.77.
  prior: {
    baseRate: 0.06,
    terms: [
      { feature: "coreAppsUtilisation", test: "below", threshold: 0.3, weight: 1.0 },
      { feature: "overallTrend", test: "below", threshold: -0.05, weight: 1.0 },
      { feature: "teamsUtilisation", test: "below", threshold: 0.3, weight: 0.8 },
      { feature: "seatChange3m", test: "below", threshold: 0, weight: 0.7 },
      { feature: "tenureMonths", test: "below", threshold: 12, weight: 0.3 },
    ],
  },
};
