import type { IncentivesDoc } from "../documents.js";

// MCI engagements. Potential earnings: an engagement listed several times for one tenant (e.g. once per
// workload) counts once (its largest estimate); a tenant's earnings are the sum over its distinct
// engagements and the KPI is the sum over tenants.

export interface Engagement {
  engagement: string;
  workloads: string[];
  potentialEarnings: number;
}

/**
 * The tenant's MCI engagements, each once: an engagement spanning several workloads may be listed
 * once per workload, and its estimate must not be summed across them.
 */
export function distinctEngagements(
  incentives: Pick<IncentivesDoc, "engagements"> & { asOf?: string } | undefined,
  datasetAsOf?: string,
): Engagement[] {
  if (!incentives) return [];
  if (datasetAsOf !== undefined && incentives.asOf !== undefined && incentives.asOf < datasetAsOf) return [];
  const byName = new Map<string, Engagement>();
  for (const e of incentives.engagements) {
    const name = e.engagement.trim();
    const key = name.toLowerCase();
    const seen = byName.get(key);
    if (!seen) {
      byName.set(key, { engagement: name, workloads: [...e.workloads], potentialEarnings: e.potentialEarnings });
      continue;
    }
    for (const w of e.workloads) if (!seen.workloads.includes(w)) seen.workloads.push(w);
    seen.potentialEarnings = Math.max(seen.potentialEarnings, e.potentialEarnings);
  }
  return [...byName.values()];
}
