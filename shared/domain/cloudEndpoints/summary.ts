import { z } from "zod";
import type { Engagement } from "./incentives.js";
import { roundMoney, type CloudEndpointsRow } from "./row.js";
import { salesMotions } from "./salesMotion.js";

// KPI tiles and the five charts.
// - Seat penetration (sum of W365 PAU / sum of eligible seats) is not capped: W365 bought without an eligible
//   suite can take it above 100 %, and the tile should show that rather than hide it. Seat whitespace is
//   the sum of the tenants' (floored) whitespace.
// - Charts: segments Enterprise and SME&C (the only visible ones) and all seven motions are always present,
//   with zeros; renewal periods ascending; workshops by potential earnings, largest first.
// - The summary of no rows is the empty tab (before the first refresh, or with no visible tenant).

const countByLabel = z.array(z.object({ label: z.string(), count: z.number() }));

export const cloudEndpointsSummarySchema = z.object({
  kpis: z.object({
    tenants: z.number(),
    w365SeatPenetration: z.number(),
    w365SeatWhitespace: z.number(),
    w365EligibleSeats: z.number(),
    w365Pau: z.number(),
    salesMotions: z.record(z.string(), z.number()),
    incentiveEligibleTenants: z.number(),
    potentialEarnings: z.number(),
  }),
  charts: z.object({
    tenantsBySegment: countByLabel,
    w365TenantPenetration: z.object({ withW365Pau: z.number(), withoutW365Pau: z.number() }),
    tenantsBySalesMotion: countByLabel,
    tenantsByRenewalPeriod: countByLabel,
    potentialEarningsByWorkshop: z.array(z.object({ label: z.string(), potentialEarnings: z.number() })),
  }),
});
export type CloudEndpointsSummary = z.infer<typeof cloudEndpointsSummarySchema>;

export interface SummaryInput {
  row: CloudEndpointsRow;
  /** The tenant's distinct engagements (for potential earnings by workshop). */
  engagements: readonly Engagement[];
}

const chartSegments = ["Enterprise", "SME&C"];

/** Accumulates the summary one visible tenant at a time, so a refresh never holds all rows for it. */
export function createSummaryAccumulator() {
  let tenants = 0;
  let eligible = 0;
  let pau = 0;
  let whitespace = 0;
  let incentiveEligible = 0;
  let earnings = 0;
  let withPau = 0;
  const motions = new Map<string, number>(salesMotions.map((m) => [m, 0]));
  const segments = new Map<string, number>(chartSegments.map((s) => [s, 0]));
  const renewals = new Map<string, number>();
  const workshops = new Map<string, { label: string; value: number }>();

  return {
    add({ row, engagements }: SummaryInput): void {
      tenants += 1;
      eligible += row.w365EligibleSeats;
      pau += row.w365Pau;
      whitespace += row.w365Whitespace;
      if (row.incentiveEligible) incentiveEligible += 1;
      earnings += row.potentialEarnings;
      if (row.w365Pau > 0) withPau += 1;
      motions.set(row.salesMotion, (motions.get(row.salesMotion) ?? 0) + 1);
      const segment = row.tenantSegment ?? "Unknown";
      segments.set(segment, (segments.get(segment) ?? 0) + 1);
      if (row.renewalPeriod) renewals.set(row.renewalPeriod, (renewals.get(row.renewalPeriod) ?? 0) + 1);
      for (const e of engagements) {
        // One bar per workshop however tenants' files spell its case; the first spelling seen is the label.
        const key = e.engagement.toLowerCase();
        const bar = workshops.get(key);
        if (bar) bar.value += e.potentialEarnings;
        else workshops.set(key, { label: e.engagement, value: e.potentialEarnings });
      }
    },
    result(): CloudEndpointsSummary {
      return {
        kpis: {
          tenants,
          w365SeatPenetration: eligible > 0 ? pau / eligible : 0,
          w365SeatWhitespace: whitespace,
          w365EligibleSeats: eligible,
          w365Pau: pau,
          salesMotions: Object.fromEntries(motions),
          incentiveEligibleTenants: incentiveEligible,
          potentialEarnings: roundMoney(earnings),
        },
        charts: {
          tenantsBySegment: [...segments].map(([label, count]) => ({ label, count })),
          w365TenantPenetration: { withW365Pau: withPau, withoutW365Pau: tenants - withPau },
          tenantsBySalesMotion: [...motions].map(([label, count]) => ({ label, count })),
          tenantsByRenewalPeriod: [...renewals]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([label, count]) => ({ label, count })),
          potentialEarningsByWorkshop: [...workshops.values()]
            .map(({ label, value }) => ({ label, potentialEarnings: roundMoney(value) }))
            .sort((a, b) => b.potentialEarnings - a.potentialEarnings || (a.label < b.label ? -1 : 1)),
        },
      };
    },
  };
}

export function summarizeCloudEndpoints(entries: Iterable<SummaryInput>): CloudEndpointsSummary {
  const acc = createSummaryAccumulator();
  for (const entry of entries) acc.add(entry);
  return acc.result();
}
