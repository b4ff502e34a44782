import { describe, expect, it } from "vitest";
import { normaliseHistory, stateAt } from "../../../shared/domain/opportunities/history.js";
import { defaultOpportunitySettings, opportunitySettingsSchema, type UsageByMonth } from "../../../shared/domain/opportunities/inputs.js";
import {
  bSkuUpsell,
  churnRisk,
  eSkuUpsell,
  mdbGrowth,
  mdoGrowth,
  mfaEngagement,
  opportunityModels,
  smbEngagement,
  trials,
} from "../../../shared/domain/opportunities/models/index.js";
import { categoryOfType } from "../../../shared/domain/opportunities/opportunity.js";
import type { SubscriptionItem } from "../../../shared/domain/documents.js";
import type { TenantProfile } from "../../../shared/domain/opportunities/inputs.js";
import { history, line, month } from "./fixtures.js";

const settings = defaultOpportunitySettings;

function stateOf(items: SubscriptionItem[], usage: UsageByMonth = {}, tenant: Partial<TenantProfile> = {}) {
  return stateAt(normaliseHistory(history([{ asOf: "2024-04-01", items }], usage, tenant)), 0, settings);
}

describe("the eight models", () => {
  it("cover the Lighthouse table: categories, types and bases", () => {
    expect(opportunityModels.map((m) => [m.id, categoryOfType[m.type], m.type, m.basis])).toEqual([
      ["bSkuUpsell", "growth", "Upsell", "ml"],
      ["eSkuUpsell", "growth", "Upsell", "ml"],
      ["churnRisk", "retention", "Retention", "ml"],
      ["smbEngagement", "retention", "Engagement", "rule"],
      ["mdoGrowth", "growth", "Expansion", "tree"],
      ["mfaEngagement", "retention", "Engagement", "tree"],
      ["mdbGrowth", "growth", "Expansion", "tree"],
      ["trials", "acquisition", "Trial", "rule"],
    ]);
  });

  it("B-SKU recommends the next Business step, naming the seats and both products", () => {
    const c = bSkuUpsell.candidate(stateOf([line("O365_BUSINESS_PREMIUM", 48)]), settings);
    expect(c).toEqual({
      product: "Microsoft 365 Business Premium",
      recommendation: "Upgrade 48 seats from Microsoft 365 Business Standard to Microsoft 365 Business Premium",
    });
    expect(bSkuUpsell.candidate(stateOf([line("EXCHANGESTANDARD", 12)]), settings)?.product).toBe("Microsoft 365 Business Basic");
    expect(bSkuUpsell.candidate(stateOf([line("SPB", 48)]), settings)).toBeUndefined();
    expect(bSkuUpsell.candidate(stateOf([line("O365_BUSINESS_PREMIUM", 48), line("SPE_E3", 10)]), settings)).toBeUndefined();
  });

  it("E-SKU recommends Office 365 E3 → Microsoft 365 E3 → E5, and EMS E5 for Office 365 E5", () => {
    expect(eSkuUpsell.candidate(stateOf([line("ENTERPRISEPACK", 300)]), settings)?.recommendation).toBe("Upgrade 300 seats from Office 365 E3 to Microsoft 365 E3");
    // Counts read as a seller writes them.
    expect(eSkuUpsell.candidate(stateOf([line("ENTERPRISEPACK", 4561)]), settings)?.recommendation).toBe("Upgrade 4,561 seats from Office 365 E3 to Microsoft 365 E3");
    expect(eSkuUpsell.candidate(stateOf([line("SPE_E3", 300), line("ENTERPRISEPACK", 20)]), settings)?.product).toBe("Microsoft 365 E5");
    expect(eSkuUpsell.candidate(stateOf([line("ENTERPRISEPREMIUM", 120)]), settings)?.recommendation).toBe(
      "Add Enterprise Mobility + Security E5 to 120 Office 365 E5 seats",
    );
    expect(eSkuUpsell.candidate(stateOf([line("SPE_E5", 300)]), settings)).toBeUndefined();
  });

  it("retention models name the step but carry no product", () => {
    const state = stateOf([line("SPB", 30)], { "2024-04": month({ EntraID: [30, 30], MFA: [30, 6] }) });
    expect(churnRisk.candidate(state, settings)?.product).toBeUndefined();
    const mfa = mfaEngagement.candidate(state, settings);
    expect(mfa).toEqual({ recommendation: "Roll out multifactor authentication in Microsoft Entra ID to the 24 of 30 users not using it" });
  });

  it("MFA engagement applies under the MFA utilisation setting only", () => {
    const state = stateOf([line("SPB", 30)], { "2024-04": month({ EntraID: [100, 100], MFA: [100, 50] }) });
    expect(mfaEngagement.candidate(state, settings)).toBeUndefined();
    expect(mfaEngagement.candidate(state, opportunitySettingsSchema.parse({ mfa: { lowUtilisation: 0.6 } }))).toBeDefined();
  });

  it("MDO recommends Business Premium to small Business-plan tenants and Defender for Office 365 P2 to others, never to covered tenants", () => {
    expect(mdoGrowth.candidate(stateOf([line("O365_BUSINESS_PREMIUM", 40)]), settings)?.product).toBe("Microsoft 365 Business Premium");
    expect(mdoGrowth.candidate(stateOf([line("ENTERPRISEPACK", 400)]), settings)?.product).toBe("Microsoft Defender for Office 365 (Plan 2)");
    expect(mdoGrowth.candidate(stateOf([line("ENTERPRISEPACK", 400), line("ATP_ENTERPRISE", 400)]), settings)).toBeUndefined();
    expect(mdoGrowth.candidate(stateOf([line("SPE_E5", 400)]), settings)).toBeUndefined();
  });

  it("MDB applies to tenants of at most 300 seats without Defender for Business or Business Premium", () => {
    expect(mdbGrowth.candidate(stateOf([line("O365_BUSINESS_ESSENTIALS", 40)]), settings)?.recommendation).toBe(
      "Add Microsoft Defender for Business to protect the devices of 40 users",
    );
    expect(mdbGrowth.candidate(stateOf([line("O365_BUSINESS_ESSENTIALS", 301)]), settings)).toBeUndefined();
    expect(mdbGrowth.candidate(stateOf([line("O365_BUSINESS_ESSENTIALS", 40), line("MDE_SMB", 40)]), settings)).toBeUndefined();
  });

  it("SMB engagement fires when two of the five workloads are under 40 % or trending down, and says which with thresholds", () => {
    const usage = {
      "2024-01": month({ Exchange: [20, 18], Teams: [20, 16], SharePoint: [20, 10] }),
      "2024-04": month({ Exchange: [20, 18], Teams: [20, 5], SharePoint: [20, 8] }),
    };
    const c = smbEngagement.candidate(stateOf([line("O365_BUSINESS_PREMIUM", 20)], usage), settings);
    expect(c?.recommendation).toBe("Run an adoption session on Teams and SharePoint for the customer's 20 Microsoft 365 seats");
    expect(c?.rule).toEqual({
      level: "2",
      fired: [
        "Teams used by 25 % of assigned users (under 40 %), monthly active users down 69 % over three months (trend Negative)",
        "SharePoint used by 40 % of assigned users, monthly active users down 20 % over three months (trend Negative)",
      ],
    });
  });

  it("SMB engagement ignores workloads the tenant has no users for, and large non-SMB tenants", () => {
    const one = { "2024-04": month({ Exchange: [20, 18], Teams: [20, 2] }) };
    expect(smbEngagement.candidate(stateOf([line("O365_BUSINESS_PREMIUM", 20)], one), settings)).toBeUndefined();
    const low = { "2024-04": month({ Exchange: [900, 100], Teams: [900, 100] }) };
    expect(smbEngagement.candidate(stateOf([line("ENTERPRISEPACK", 900)], low, { segment: "Enterprise" }), settings)).toBeUndefined();
    expect(smbEngagement.candidate(stateOf([line("ENTERPRISEPACK", 900)], low, { segment: "SMB" }), settings)).toBeDefined();
  });

  it("Trials recommend the paid SKU that fits the size, with the active trial users as the reason", () => {
    const small = trialCandidate([line("TEAMS_EXPLORATORY", 50, { status: "Trial", endDate: "2024-05-15" })], { "2024-04": month({ Teams: [50, 35] }) });
    expect(small).toMatchObject({
      product: "Microsoft 365 Business Basic",
      recommendation: "Convert the Microsoft Teams Exploratory trial (35 of 50 users active) to Microsoft 365 Business Basic",
      rule: { level: "strong", fired: ["Microsoft Teams Exploratory trial: 35 of 50 trial users active (70 %)", "Trial ends 2024-05-15", "No paid Microsoft 365 seats yet"] },
    });
    const large = trialCandidate([line("ENTERPRISEPACK", 400), line("TEAMS_EXPLORATORY", 50, { status: "Trial" })], { "2024-04": month({ Teams: [450, 90] }) });
    expect(large?.product).toBe("Office 365 E1");
    expect(large?.rule?.level).toBe("medium");
    const paidTrial = trialCandidate([line("SPB", 10, { status: "Trial" })], { "2024-04": month({ CoreApps: [10, 1] }) });
    expect(paidTrial?.product).toBe("Microsoft 365 Business Premium");
    expect(paidTrial?.rule?.level).toBe("weak");
    expect(trialCandidate([line("TEAMS_EXPLORATORY", 50, { status: "Trial" })], {})).toBeUndefined();
  });
});

function trialCandidate(items: SubscriptionItem[], usage: UsageByMonth) {
  return trials.candidate(stateOf(items, usage), settings);
}
