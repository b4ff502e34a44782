import { z } from "zod";
import { opportunityTypes, opportunityTypeSchema } from "./inputs.js";
import { opportunityCategories, opportunityCategorySchema, type Opportunity } from "./opportunity.js";

// The All opportunities tab's two summary areas (seed 000): the overview (total customer tenants, customers with
// opportunities, opportunities by category) and the prioritised view (High and Medium counts by category).
// Every category and type is always present, with zeros; the empty tab is the summary of no opportunities.

export const opportunitySummarySchema = z.object({
  totalTenants: z.number().int(),
  customersWithOpportunities: z.number().int(),
  opportunities: z.number().int(),
  byCategory: z.array(z.object({ category: opportunityCategorySchema, count: z.number().int() })),
  byType: z.array(z.object({ type: opportunityTypeSchema, count: z.number().int() })),
  prioritised: z.array(z.object({ category: opportunityCategorySchema, high: z.number().int(), medium: z.number().int() })),
});
export type OpportunitySummary = z.infer<typeof opportunitySummarySchema>;

export function summarizeOpportunities(
  opportunities: readonly Pick<Opportunity, "tenantId" | "category" | "type" | "status">[],
  tenantCount: number,
): OpportunitySummary {
  const customers = new Set<string>();
  const byCategory = new Map(opportunityCategories.map((c) => [c, { count: 0, high: 0, medium: 0 }]));
  const byType = new Map(opportunityTypes.map((t) => [t, 0]));
  for (const o of opportunities) {
    customers.add(o.tenantId);
    const c = byCategory.get(o.category)!;
    c.count++;
    if (o.status === "High") c.high++;
    else if (o.status === "Medium") c.medium++;
    byType.set(o.type, (byType.get(o.type) ?? 0) + 1);
  }
  return {
    totalTenants: tenantCount,
    customersWithOpportunities: customers.size,
    opportunities: opportunities.length,
    byCategory: opportunityCategories.map((category) => ({ category, count: byCategory.get(category)!.count })),
    byType: opportunityTypes.map((type) => ({ type, count: byType.get(type)! })),
    prioritised: opportunityCategories.map((category) => ({
      category,
      high: byCategory.get(category)!.high,
      medium: byCategory.get(category)!.medium,
    })),
  };
}
