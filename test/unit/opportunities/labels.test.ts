import { describe, expect, it } from "vitest";
import { normaliseHistory, stateAt } from "../../../shared/domain/opportunities/history.js";
import { defaultOpportunitySettings as settings, type SubscriptionSnapshot, type UsageByMonth } from "../../../shared/domain/opportunities/inputs.js";
import { churned, labelWindow, labelWindowEnd, raisedMfa } from "../../../shared/domain/opportunities/labels.js";
import { bSkuUpsell, eSkuUpsell } from "../../../shared/domain/opportunities/models/index.js";
import { history, line, month } from "./fixtures.js";

function windowOf(snapshots: SubscriptionSnapshot[], usage: UsageByMonth = {}) {
  const h = normaliseHistory(history(snapshots, usage));
  const states = h.snapshots.map((_, i) => stateAt(h, i, settings));
  const end = labelWindowEnd(h, 0, settings.labelHorizonMonths);
  return end === undefined ? undefined : labelWindow(h, states, 0, end);
}

describe("labels", () => {
  it("need a snapshot at least three months after t: without one the snapshot is not a training example", () => {
    expect(windowOf([{ asOf: "2024-01-01", items: [line("SPB", 10)] }, { asOf: "2024-03-31", items: [line("SPB", 1)] }])).toBeUndefined();
    const w = windowOf([{ asOf: "2024-01-01", items: [line("SPB", 10)] }, { asOf: "2024-04-01", items: [line("SPB", 1)] }]);
    expect(w?.endAsOf).toBe("2024-04-01");
  });

  it("leave t unlabelled when the next snapshot is more than twice the horizon later (too coarse to say within 3 months)", () => {
    expect(windowOf([{ asOf: "2024-01-01", items: [line("SPB", 10)] }, { asOf: "2024-08-01", items: [] }])).toBeUndefined();
  });

  it("churn: paid Microsoft 365 seats below 85 % of t within the window; exactly 85 % is not churn", () => {
    const at = { asOf: "2024-01-01", items: [line("O365_BUSINESS_PREMIUM", 100)] };
    const end = { asOf: "2024-04-01", items: [line("O365_BUSINESS_PREMIUM", 100)] };
    expect(churned(windowOf([at, { asOf: "2024-02-01", items: [line("O365_BUSINESS_PREMIUM", 84)] }, end])!, settings)).toBe(true);
    expect(churned(windowOf([at, { asOf: "2024-02-01", items: [line("O365_BUSINESS_PREMIUM", 85)] }, end])!, settings)).toBe(false);
    expect(churned(windowOf([at, { asOf: "2024-04-01", items: [] }])!, settings)).toBe(true);
  });

  it("B-SKU: gaining seats of a higher Business tier (or an Enterprise suite) is an upgrade; more of the same tier is not", () => {
    const at = { asOf: "2024-01-01", items: [line("O365_BUSINESS_ESSENTIALS", 20)] };
    expect(bSkuUpsell.label(windowOf([at, { asOf: "2024-04-01", items: [line("O365_BUSINESS_ESSENTIALS", 40)] }])!, settings)).toBe(false);
    expect(bSkuUpsell.label(windowOf([at, { asOf: "2024-04-01", items: [line("O365_BUSINESS_PREMIUM", 20)] }])!, settings)).toBe(true);
    expect(bSkuUpsell.label(windowOf([at, { asOf: "2024-04-01", items: [line("SPE_E3", 20)] }])!, settings)).toBe(true);
  });

  it("E-SKU: Office 365 E3 gaining Microsoft 365 E3 or EMS E5 is an upgrade", () => {
    const at = { asOf: "2024-01-01", items: [line("ENTERPRISEPACK", 300)] };
    expect(eSkuUpsell.label(windowOf([at, { asOf: "2024-04-01", items: [line("ENTERPRISEPACK", 200), line("SPE_E3", 100)] }])!, settings)).toBe(true);
    expect(eSkuUpsell.label(windowOf([at, { asOf: "2024-04-01", items: [line("ENTERPRISEPACK", 300), line("EMSPREMIUM", 300)] }])!, settings)).toBe(true);
    expect(eSkuUpsell.label(windowOf([at, { asOf: "2024-04-01", items: [line("ENTERPRISEPACK", 320)] }])!, settings)).toBe(false);
  });

  it("MFA: a rise of 20 points or more within three usage months is positive; no usage that far is unlabelled", () => {
    const snaps = [
      { asOf: "2024-01-01", items: [line("SPB", 100)] },
      { asOf: "2024-04-01", items: [line("SPB", 100)] },
    ];
    const base = { "2024-01": month({ EntraID: [100, 90], MFA: [100, 20] }) };
    const rose = windowOf(snaps, { ...base, "2024-03": month({ EntraID: [100, 90], MFA: [100, 40] }), "2024-04": month({ EntraID: [100, 90], MFA: [100, 35] }) });
    const flat = windowOf(snaps, { ...base, "2024-04": month({ EntraID: [100, 90], MFA: [100, 39] }) });
    const short = windowOf(snaps, { ...base, "2024-02": month({ EntraID: [100, 90], MFA: [100, 25] }) });
    expect(raisedMfa(rose!, settings)).toBe(true);
    expect(raisedMfa(flat!, settings)).toBe(false);
    expect(raisedMfa(short!, settings)).toBeUndefined();
  });
});
