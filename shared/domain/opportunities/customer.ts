import { z } from "zod";
import { monthIndexOfMonth, monthText, trendStatus, workloadNames, workloadOf } from "./history.js";
import type { OpportunitySettings, SubscriptionSnapshot, UsageByMonth } from "./inputs.js";
import { skuDisplayName } from "./products.js";

// The customer flyout's Subscriptions and Usage tabs (seed 000 terminology): the licences of the newest snapshot
// with product names, and per workload the assigned and active users of the latest usage month, its 3-month trend
// and 12 months of monthly active users. Every workload in the data is shown; known ones under their product names.

export const customerSubscriptionSchema = z.object({
  sku: z.string(),
  product: z.string(),
  quantity: z.number(),
  paidUnits: z.number().optional(),
  status: z.string().optional(),
  source: z.string().optional(),
});
export type CustomerSubscription = z.infer<typeof customerSubscriptionSchema>;

const trendSchema = z.enum(["Positive", "Negative", "No change"]);

export const customerUsageSchema = z.object({
  /** Latest usage month (YYYY-MM); absent without usage data. */
  month: z.string().optional(),
  workloads: z.array(
    z.object({
      workload: z.string(),
      assignedUsers: z.number(),
      activeUsers: z.number(),
      /** Active / assigned users, capped at 1; null without assigned users. */
      utilisation: z.number().nullable(),
      /** Latest month vs three months before; null when either month is missing. */
      trend: trendSchema.nullable(),
      change: z.number().nullable(),
      /** Up to 12 months ending at `month`, oldest first; months without data are left out. */
      activeUsersByMonth: z.array(z.object({ month: z.string(), activeUsers: z.number() })),
    }),
  ),
  /** Monthly active users over all workloads present in both months. */
  overallTrend: trendSchema.nullable(),
});
export type CustomerUsage = z.infer<typeof customerUsageSchema>;

/** Licences of the newest snapshot (snapshots in any order), with product names from the catalogue. */
export function customerSubscriptions(snapshots: readonly SubscriptionSnapshot[]): CustomerSubscription[] {
  let newest: SubscriptionSnapshot | undefined;
  for (const s of snapshots) if (!newest || s.asOf > newest.asOf) newest = s;
  return (newest?.items ?? []).map((item) => ({
    sku: item.sku,
    product: item.product ?? skuDisplayName(item.sku),
    quantity: item.quantity,
    ...(item.paidUnits !== undefined ? { paidUnits: item.paidUnits } : {}),
    ...(item.status ? { status: item.status } : {}),
    ...(item.source ? { source: item.source } : {}),
  }));
}

function displayName(name: string): string {
  const w = workloadOf(name);
  return w ? workloadNames[w] : name;
}

export function customerUsage(usage: UsageByMonth, settings: Pick<OpportunitySettings, "trendThreshold">): CustomerUsage {
  const months = Object.keys(usage)
    .filter((m) => Number.isFinite(monthIndexOfMonth(m)))
    .sort();
  const latest = months[months.length - 1];
  if (latest === undefined) return { workloads: [], overallTrend: null };
  const latestIndex = monthIndexOfMonth(latest);
  const before = usage[monthText(latestIndex - 3)];
  let now = 0;
  let then = 0;
  const workloads = Object.entries(usage[latest]).map(([name, figures]) => {
    const earlier = before?.[name];
    let change: number | null = null;
    if (earlier) {
      change = earlier.activeUsers > 0 ? (figures.activeUsers - earlier.activeUsers) / earlier.activeUsers : figures.activeUsers > 0 ? 1 : 0;
      now += figures.activeUsers;
      then += earlier.activeUsers;
    }
    const history: { month: string; activeUsers: number }[] = [];
    for (let m = latestIndex - 11; m <= latestIndex; m++) {
      const row = usage[monthText(m)]?.[name];
      if (row) history.push({ month: monthText(m), activeUsers: row.activeUsers });
    }
    return {
      workload: displayName(name),
      assignedUsers: figures.assignedUsers,
      activeUsers: figures.activeUsers,
      utilisation: figures.assignedUsers > 0 ? Math.min(1, figures.activeUsers / figures.assignedUsers) : null,
      trend: change === null ? null : trendStatus(change, settings.trendThreshold)!,
      change,
      activeUsersByMonth: history,
    };
  });
  const overall = then > 0 ? (now - then) / then : now > 0 ? 1 : NaN;
  return { month: latest, workloads, overallTrend: trendStatus(overall, settings.trendThreshold) ?? null };
}
