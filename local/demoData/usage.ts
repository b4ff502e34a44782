import type { workloads } from "../../shared/domain/datasets.js";
import { addMonths, type DemoDatasetFile } from "./dataset.js";
import type { TenantProfile } from "./profile.js";
import { between, salts, tenantRandom, type Rng } from "./random.js";

// usage.csv: paid units and active users per workload and month. Each workload's latest month is drawn
// with the tenant; earlier months follow a trend, with noise from the tenant's own usage-noise stream.

type Workload = (typeof workloads)[number];

// The nine workloads the demo partner reports usage for.
export const demoWorkloads = ["Exchange", "SharePoint", "OneDrive", "Teams", "CoreApps", "Intune", "EntraID", "Windows365", "MFA"] as const satisfies readonly Workload[];

export interface UsageSeries {
  /** Latest-month paid available units and utilisation; earlier months are derived with a trend. */
  pau: number;
  utilization: number;
  /** Change in utilisation over the year (positive: rising). */
  trend: number;
  /** Paid units grew by this fraction over the year. */
  growth: number;
  /** Month index (0 = oldest) from which the workload has paid units; 0 = all year. */
  startsAt: number;
}

/** The series drawn with the tenant (MFA has none: the history draws it, local/demoData/history.ts). */
export type DemoUsage = Record<Exclude<(typeof demoWorkloads)[number], "MFA">, UsageSeries>;

/** Draws each workload's series (in the tenant stream, after the subscriptions). */
export function drawUsageSeries(rng: Rng, profile: TenantProfile): DemoUsage {
  const { segment, eligible, o365e3, smbSeats, smbSku, emsSeats, f3, intuneUtil, motion, w365 } = profile;
  // Suites drive the productivity workloads; Intune and Entra ID come with ME3/ME5/F3 and EMS.
  const suiteSeats = eligible + o365e3 + smbSeats;
  const intunePau = segment === "SMB" ? (smbSku === "SPB" ? smbSeats : 0) : eligible + emsSeats;
  const entraPau = segment === "SMB" ? (smbSku === "SPB" ? smbSeats : 0) : eligible + emsSeats;
  const series = (pau: number, utilization: number, startsAt = 0): UsageSeries => ({
    pau,
    utilization,
    trend: (rng() - 0.4) * 0.3,
    growth: rng() * 0.25,
    startsAt,
  });
  return {
    Exchange: series(suiteSeats, 0.8 + rng() * 0.18),
    SharePoint: series(suiteSeats, 0.45 + rng() * 0.4),
    OneDrive: series(suiteSeats, 0.5 + rng() * 0.4),
    Teams: series(suiteSeats, 0.6 + rng() * 0.35),
    CoreApps: series(suiteSeats - f3, 0.5 + rng() * 0.45),
    Intune: series(intuneUtil === 0 && motion === "Nurture Intune" ? 0 : intunePau, intuneUtil),
    EntraID: series(entraPau, 0.55 + rng() * 0.4),
    // Windows 365 landed during the year for most tenants that have it.
    Windows365: series(w365, 0.5 + rng() * 0.45, w365 > 0 ? between(rng, 0, 8) : 0),
  };
}

/** Paid units and active users of one workload in month `m` (0 = oldest of `months`). */
function usageInMonth(s: UsageSeries, m: number, months: number, noise: number): { pau: number; mau: number } {
  const last = months - 1;
  if (s.pau === 0 || (m < s.startsAt && m !== last)) return { pau: 0, mau: 0 };
  if (m === last) return { pau: s.pau, mau: Math.min(s.pau, Math.round(s.pau * s.utilization)) };
  const back = (last - m) / Math.max(1, last);
  const pau = Math.max(1, Math.round(s.pau * (1 - s.growth * back)));
  const util = Math.min(1, Math.max(0, s.utilization - s.trend * back + noise));
  return { pau, mau: Math.min(pau, Math.round(pau * util)) };
}

export const usageFile: DemoDatasetFile = {
  header: "tenantId,month,workload,assignedUsers,activeUsers",
  lines(t, { seed, months, asOfMonth }) {
    const usage = t.usage;
    if (!usage) return "";
    const noise = tenantRandom(seed, t.index, salts.usageNoise);
    let out = "";
    for (let m = 0; m < months; m++) {
      const month = addMonths(asOfMonth, m - (months - 1));
      for (const workload of demoWorkloads) {
        // The series' noise is drawn for every workload it has, so its values do not depend on the history.
        const drawn = workload === "MFA" ? undefined : usageInMonth(usage[workload], m, months, (noise() - 0.5) * 0.06);
        const history = workload === "Windows365" ? undefined : t.history?.usage[workload];
        const { pau, mau } = history && !Number.isNaN(history.pau[m]) ? { pau: history.pau[m], mau: history.mau[m] } : (drawn ?? { pau: 0, mau: 0 });
        out += `${t.tenantId},${month},${workload},${pau},${mau}\n`;
      }
    }
    return out;
  },
};
