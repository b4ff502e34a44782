import { describe, expect, it } from "vitest";
import { packUsage, scoreOpportunities, trainOpportunityModels, type TenantHistory } from "../../../shared/domain/opportunities/index.js";
import { dateOfMonth, generateOpportunityHistories } from "../../../bench/opportunityHistories.js";

// A refresh packs each tenant's usage as it reads it (a few typed arrays instead of nested objects); the models must
// learn and score exactly as from the usage as dropped.

describe("packed usage", () => {
  it("trains and scores exactly as the usage by month does", () => {
    const histories = generateOpportunityHistories({ tenants: 400, months: 12, seed: 3 }).map((g) => g.history);
    const packed: TenantHistory[] = histories.map((h) => ({ ...h, usage: packUsage(h.usage) }));
    const now = dateOfMonth(11);
    const byMonth = trainOpportunityModels(histories, {}, now);
    const fromPacked = trainOpportunityModels(packed, {}, now);
    // Everything but how long training took.
    const strip = (set: typeof byMonth) => JSON.stringify(set.models, (key, value) => (/seconds$/i.test(key) ? undefined : value));
    expect(strip(fromPacked)).toBe(strip(byMonth));
    expect(scoreOpportunities(fromPacked, packed, [], [], {}, now)).toEqual(scoreOpportunities(byMonth, histories, [], [], {}, now));
  });

  it("counts months that are not YYYY-MM and leaves months after today out", () => {
    const usage = { "2024-01": { Teams: { assignedUsers: 10, activeUsers: 5 } }, "2024-13": {}, "next month": {} };
    expect(packUsage(usage).invalidMonths).toBe(2);
    expect([...packUsage(usage).months.keys()]).toEqual([2024 * 12]);
  });
});
