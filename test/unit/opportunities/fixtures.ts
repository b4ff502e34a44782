// Hand-made tenant histories for the opportunity tests: a few lines say what the test is about.

import type { SubscriptionItem } from "../../../shared/domain/documents.js";
import type { TenantHistory, TenantProfile, UsageByMonth } from "../../../shared/domain/opportunities/inputs.js";

let next = 0;

export function profile(overrides: Partial<TenantProfile> = {}): TenantProfile {
  next += 1;
  return {
    tenantId: `00000000-0000-4000-a000-${String(next).padStart(12, "0")}`,
    tenantName: `Tenant ${next}`,
    segment: "SMB",
    ...overrides,
  };
}

export const line = (sku: string, quantity: number, extra: Partial<SubscriptionItem> = {}): SubscriptionItem => ({ sku, quantity, status: "Active", ...extra });

/** Usage of one month: workload → [assigned users, active users]. */
export function month(workloads: Record<string, [number, number]>): Record<string, { assignedUsers: number; activeUsers: number }> {
  return Object.fromEntries(Object.entries(workloads).map(([w, [assignedUsers, activeUsers]]) => [w, { assignedUsers, activeUsers }]));
}

/** The same usage every month from `from` to `to` (YYYY-MM), optionally changed by a function of the month number. */
export function steadyUsage(
  from: string,
  to: string,
  workloads: (m: number) => Record<string, [number, number]>,
): UsageByMonth {
  const out: UsageByMonth = {};
  let [y, mo] = from.split("-").map(Number);
  for (let m = 0; ; m++) {
    const key = `${y}-${String(mo).padStart(2, "0")}`;
    out[key] = month(workloads(m));
    if (key === to) break;
    mo += 1;
    if (mo > 12) {
      mo = 1;
      y += 1;
    }
  }
  return out;
}

export function history(
  snapshots: { asOf: string; items: SubscriptionItem[] }[],
  usage: UsageByMonth = {},
  tenant: Partial<TenantProfile> = {},
): TenantHistory {
  return { tenant: profile(tenant), snapshots, usage };
}

/** Monthly snapshot dates (1st of the month), oldest first. */
export function monthlyDates(from: string, count: number): string[] {
  const [y, m] = from.split("-").map(Number);
  return Array.from({ length: count }, (_, i) => {
    const index = y * 12 + m - 1 + i;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}-01`;
  });
}
