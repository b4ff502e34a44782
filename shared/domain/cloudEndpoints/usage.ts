import type { UsageDoc } from "../documents.js";

// Usage figures of a tenant as the tab reads them.
// - Usage figures (W365, Intune, Entra ID PAU and MAU) are the tenant's latest month in its usage data;
//   a workload absent from that month counts as 0 PAU / 0 MAU, so no Intune usage is 0 % Intune.
// - Utilisation = MAU / PAU capped at 100 %; 0 when PAU is 0.

export interface WorkloadFigures {
  pau: number;
  mau: number;
}

export interface UsageFigures {
  /** The tenant's latest month (YYYY-MM), undefined without usage data. */
  month?: string;
  windows365: WorkloadFigures;
  intune: WorkloadFigures;
  entraId: WorkloadFigures;
}

type TrackedWorkload = "windows365" | "intune" | "entraId";

// Canonical names first; a few spellings partners use are accepted too (compared without case or punctuation).
const workloadAliases: Record<string, TrackedWorkload> = {
  windows365: "windows365",
  w365: "windows365",
  cloudpc: "windows365",
  intune: "intune",
  microsoftintune: "intune",
  entraid: "entraId",
  microsoftentraid: "entraId",
  azuread: "entraId",
  aad: "entraId",
  azureactivedirectory: "entraId",
};
const canonicalWorkloadNames: Record<TrackedWorkload, string> = {
  windows365: "Windows365",
  intune: "Intune",
  entraId: "EntraID",
};

const monthPattern = /^\d{4}-\d{2}$/;

/** The latest YYYY-MM key of a usage document's months, undefined when there is none. */
export function latestMonth(months: Record<string, unknown>): string | undefined {
  let month: string | undefined;
  for (const key of Object.keys(months)) {
    if (monthPattern.test(key) && (month === undefined || key > month)) month = key;
  }
  return month;
}

export function latestUsage(usage: Pick<UsageDoc, "months"> | undefined): UsageFigures {
  const figures: UsageFigures = {
    windows365: { pau: 0, mau: 0 },
    intune: { pau: 0, mau: 0 },
    entraId: { pau: 0, mau: 0 },
  };
  if (!usage) return figures;
  const month = latestMonth(usage.months);
  if (month === undefined) return figures;
  figures.month = month;
  const seen = new Set<TrackedWorkload>();
  const entries = Object.entries(usage.months[month]);
  // Exact canonical names win over aliases, so a file with both never double counts.
  entries.sort(([a], [b]) => Number(isCanonical(b)) - Number(isCanonical(a)));
  for (const [name, value] of entries) {
    const workload = workloadAliases[name.toLowerCase().replace(/[^a-z0-9]/g, "")];
    if (!workload || seen.has(workload)) continue;
    seen.add(workload);
    figures[workload] = { pau: value.assignedUsers, mau: value.activeUsers };
  }
  return figures;
}

function isCanonical(name: string): boolean {
  return Object.values(canonicalWorkloadNames).includes(name);
}

/** MAU / PAU capped at 1; 0 when there are no paid units. */
export function utilization({ pau, mau }: WorkloadFigures): number {
  if (pau <= 0) return 0;
  return Math.min(1, mau / pau);
}
