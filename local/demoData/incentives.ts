import { csvLine, type DemoDatasetFile } from "./dataset.js";
import { between, chance, type Rng } from "./random.js";

// incentives.csv: MCI engagements (workshops) the tenant is eligible for, with potential earnings.

// Several engagements span more than one workload.
const engagements = [
  { engagement: "Windows 365 Accelerate", workloads: ["Windows365"], earnings: [4000, 12000] },
  { engagement: "Cloud Endpoints Workshop", workloads: ["Windows365", "Intune"], earnings: [5000, 15000] },
  { engagement: "Endpoint Management Accelerate", workloads: ["Intune", "EntraID"], earnings: [3000, 10000] },
  { engagement: "Modern Work Security Workshop", workloads: ["DefenderForOffice", "EntraID", "Intune"], earnings: [6000, 18000] },
  { engagement: "Frontline Workers Accelerate", workloads: ["Windows365", "Teams"], earnings: [4000, 14000] },
  { engagement: "Teams Meetings and Calling Accelerate", workloads: ["Teams"], earnings: [2500, 8000] },
] as const;

export interface DemoIncentive {
  engagement: string;
  workloads: string[];
  potentialEarnings: number;
}

/** Draws the engagements (in the tenant stream, after usage): half the visible tenants have some, a few hidden ones too. */
export function drawIncentives(rng: Rng, visible: boolean): DemoIncentive[] {
  const incentives: DemoIncentive[] = [];
  if (chance(rng, visible ? 0.5 : 0.1)) {
    const count = between(rng, 1, 2);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(rng() * engagements.length));
    for (const i of chosen) {
      const e = engagements[i];
      incentives.push({ engagement: e.engagement, workloads: [...e.workloads], potentialEarnings: between(rng, e.earnings[0], e.earnings[1]) });
    }
  }
  return incentives;
}

export const incentivesFile: DemoDatasetFile = {
  header: "tenantId,engagement,workloads,potentialEarnings",
  lines: (t) => t.incentives.map((i) => csvLine([t.tenantId, i.engagement, i.workloads.join("|"), i.potentialEarnings])).join(""),
};
