import type { DemoTenant } from "./dataset.js";
import { between, chance, guid, pick, salts, tenantRandom } from "./random.js";
import { nameSuffixByIndustry, tenantNames, weightedCountry } from "./tenants.js";

// Prospects: companies in the partner's tenants file that hold no licences yet (CloudAscent scores them too,
// from firmographics and buying signals). They follow the customer tenants in tenants.csv, have no
// subscriptions, usage or engagements, and no association with the partner, so Cloud Endpoints never lists
// them. Mostly SMB; their subSegment is left blank so the propensity tab works it out from employees and
// Azure revenue. Drawn from their own stream, so the customer tenants stay the same for a seed.

const industries = Object.keys(nameSuffixByIndustry);

/** Prospect `index` (counted after the customer tenants, so names and domains stay unique). */
export function drawProspect(seed: number, index: number): DemoTenant {
  const rng = tenantRandom(seed, index, salts.prospect);
  const tenantId = guid(rng);
  const industry = pick(rng, industries);
  const { tenantName, domain } = tenantNames(index, pick(rng, nameSuffixByIndustry[industry]));
  const segment = chance(rng, 0.85) ? "SMB" : "SME&C";
  // Sizes spread over the three SMB subsegments; a few small firms with a large Azure bill are Upper Medium.
  const employees = pick(rng, [between(rng, 3, 24), between(rng, 25, 299), between(rng, 300, 900)]);
  const azureMonthlyRevenue = chance(rng, 0.4) ? between(rng, 50, 3000) : 0;
  const country = weightedCountry(rng);
  const tenantRow = [
    tenantId,
    tenantName,
    domain,
    country,
    segment,
    "",
    "",
    tenantName,
    industry,
    String(employees),
    String(azureMonthlyRevenue),
    "",
    "",
    "No",
    "No",
    "",
    "",
    "No",
    "",
    "",
  ];
  return {
    index,
    archetype: "hidden: prospect",
    tenantId,
    domain,
    employees,
    azureMonthlyRevenue,
    tenantRow,
    subscriptions: [],
    usage: undefined,
    incentives: [],
  };
}
