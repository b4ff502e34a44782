import { defaultSignalWeights } from "../../shared/domain/propensity/intent.js";
import { addDays, csvLine, type DemoDatasetFile } from "./dataset.js";
import { between, chance, pick, salts, tenantRandom, type Rng } from "./random.js";

// signals.csv: six months of buying signals up to the run's asOfDay. Each tenant has an activity level, so
// a refresh on that day finds every intent band: a third are quiet (a weak old signal or none), others show
// a little, some, or a lot of recent interest. About one signal in six names its tenant by domain (the
// tenant's own, a subdomain or a web address) instead of its tenantId, as intent providers often do.

const signalTypes = Object.keys(defaultSignalWeights);
// The strong types (demo requests, trials, pricing) are rarer than website visits and downloads.
const commonTypes = ["Website visit", "Content download", "Product research", "Event attendance", "Job posting"];
const windowDays = 182;

type Activity = { count: [number, number]; maxAgeDays: number; strength: [number, number] };
// Quiet, low, medium, high: signal counts, how recent they are, how strong.
const activities: [Activity, number][] = [
  [{ count: [0, 1], maxAgeDays: windowDays, strength: [0.2, 0.5] }, 0.34],
  [{ count: [1, 3], maxAgeDays: 75, strength: [0.4, 0.8] }, 0.26],
  [{ count: [3, 5], maxAgeDays: 35, strength: [0.5, 0.9] }, 0.2],
  [{ count: [5, 9], maxAgeDays: 21, strength: [0.7, 1] }, 0.2],
];

function activityOf(rng: Rng): Activity {
  let r = rng();
  for (const [activity, share] of activities) {
    r -= share;
    if (r < 0) return activity;
  }
  return activities[activities.length - 1][0];
}

function domainForm(rng: Rng, domain: string): string {
  return pick(rng, [domain, `www.${domain}`, `sales.${domain}`, `https://www.${domain}/pricing`]);
}

export const signalsFile: DemoDatasetFile = {
  header: "tenantId,domain,signalType,observedOn,strength",
  lines(t, { seed, asOfDay }) {
    const rng = tenantRandom(seed, t.index, salts.signals);
    const activity = activityOf(rng);
    const count = between(rng, activity.count[0], activity.count[1]);
    let out = "";
    for (let i = 0; i < count; i++) {
      const signalType = chance(rng, 0.55) ? pick(rng, commonTypes) : pick(rng, signalTypes);
      // Quiet tenants' odd signal is old; busier ones' are recent.
      const age = activity.maxAgeDays === windowDays ? between(rng, 60, windowDays) : between(rng, 0, activity.maxAgeDays);
      const strength = (activity.strength[0] + rng() * (activity.strength[1] - activity.strength[0])).toFixed(2);
      const byDomain = chance(rng, 0.16);
      out += csvLine([byDomain ? "" : t.tenantId, byDomain ? domainForm(rng, t.domain) : "", signalType, addDays(asOfDay, -age), strength]);
    }
    return out;
  },
};
