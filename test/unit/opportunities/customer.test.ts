import { describe, expect, it } from "vitest";
import { customerSubscriptions, customerUsage } from "../../../shared/domain/opportunities/customer.js";
import { feedbackCounts } from "../../../shared/domain/opportunities/feedback.js";
import { defaultOpportunitySettings as settings } from "../../../shared/domain/opportunities/inputs.js";
import { line, month, steadyUsage } from "./fixtures.js";

describe("customer detail", () => {
  it("lists the newest snapshot's subscriptions with product name, quantity, status and source", () => {
    const subs = customerSubscriptions([
      { asOf: "2024-01-01", items: [line("SPB", 5)] },
      { asOf: "2024-03-01", items: [line("SPB", 12, { source: "Partner" }), line("TEAMS_EXPLORATORY", 40, { status: "Trial" }), line("ODD_SKU", 1)] },
    ]);
    expect(subs).toEqual([
      { sku: "SPB", product: "Microsoft 365 Business Premium", quantity: 12, status: "Active", source: "Partner" },
      { sku: "TEAMS_EXPLORATORY", product: "Microsoft Teams Exploratory", quantity: 40, status: "Trial" },
      { sku: "ODD_SKU", product: "ODD_SKU", quantity: 1, status: "Active" },
    ]);
  });

  it("shows per workload the latest assigned and active users, the 3-month trend and 12 months of active users", () => {
    const usage = steadyUsage("2023-01", "2024-02", (m) => ({ Teams: [100, 40 + m * 2], Exchange: [100, 90] }));
    usage["2024-02"].Windows365 = { assignedUsers: 10, activeUsers: 9 };
    const view = customerUsage(usage, settings);
    expect(view.month).toBe("2024-02");
    const teams = view.workloads.find((w) => w.workload === "Teams")!;
    expect(teams).toMatchObject({ assignedUsers: 100, activeUsers: 66, utilisation: 0.66, trend: "Positive" });
    expect(teams.change).toBeCloseTo(6 / 60);
    expect(teams.activeUsersByMonth).toHaveLength(12);
    expect(teams.activeUsersByMonth[0]).toEqual({ month: "2023-03", activeUsers: 44 });
    expect(view.workloads.find((w) => w.workload === "Exchange (email)")?.trend).toBe("No change");
    expect(view.workloads.find((w) => w.workload === "Windows365")).toMatchObject({ trend: null, change: null });
    expect(view.overallTrend).toBe("No change");
  });

  it("has no usage to show without usage months, and leaves gaps out of the history", () => {
    expect(customerUsage({}, settings)).toEqual({ workloads: [], overallTrend: null });
    const gappy = customerUsage({ "2024-01": month({ Teams: [10, 8] }), "2024-03": month({ Teams: [10, 2] }) }, settings);
    expect(gappy.workloads[0]).toMatchObject({ trend: null, activeUsersByMonth: [{ month: "2024-01", activeUsers: 8 }, { month: "2024-03", activeUsers: 2 }] });
  });
});

describe("feedback counts", () => {
  it("counts helpful and not helpful answers and their reasons per model", () => {
    const base = { opportunityId: "t:Upsell", tenantId: "t", type: "Upsell" as const, status: "High" as const, givenAt: "2024-01-01" };
    const counts = feedbackCounts([
      { ...base, modelId: "bSkuUpsell", helpful: true },
      { ...base, modelId: "bSkuUpsell", helpful: false, reason: "alreadyPurchased" },
      { ...base, modelId: "bSkuUpsell", helpful: false, reason: "other", comment: "they use another vendor" },
    ]);
    expect(counts.bSkuUpsell).toEqual({ helpful: 1, notHelpful: 2, reasons: { alreadyPurchased: 1, notRelevant: 0, wrongTiming: 0, other: 1 } });
    expect(counts.trials).toEqual({ helpful: 0, notHelpful: 0, reasons: { alreadyPurchased: 0, notRelevant: 0, wrongTiming: 0, other: 0 } });
  });
});
