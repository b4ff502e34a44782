import { describe, expect, it } from "vitest";
import { propensityReport, scorePropensity, type InstallBaseRow, type SignalRow } from "../../../shared/domain/propensity/index.js";
import { input, line, tenantId } from "./builders.js";

// The report beside the dashboard: bad input said where the partner sees the numbers.

const asOf = "2026-06-15";

function report(tenants: ReturnType<typeof input>[], signals: SignalRow[], installBase: InstallBaseRow[] = []) {
  const result = scorePropensity({ asOf, tenants, signals, installBase });
  return propensityReport({
    result,
    tenants: { renewalOnly: 2, licencesWithheld: 1 },
    signals: { staged: signals.length + 3, repeated: 1, pastHorizon: 2, horizonDays: 365 },
    fitModel: { reused: false, version: "v1", trainedAt: `${asOf}T02:00:00.000Z`, dueOn: "2026-09-15" },
  });
}

describe("the propensity report", () => {
  it("says plainly that fit cannot be learned without licensed customers, and scores intent only", () => {
    const t = input({ industry: "Retail", employees: 30 });
    const r = report([t], [{ tenantId: t.tenant.tenantId, signalType: "Demo request", observedOn: "2026-06-14" }]);
    expect(r.fit.basis).toBe("none");
    expect(r.messages[0]).toBe("Fit cannot be learned: no customer holds paid licences. Scores are intent only.");
    expect(r.tenants).toEqual({ listed: 1, renewalOnly: 2, licencesWithheld: 1 });
  });

  it("flags the profile-match fallback when there are too few best customers", () => {
    const customers = Array.from({ length: 12 }, (_, i) =>
      input({ industry: i % 2 ? "Retail" : "Healthcare", employees: 20 + i }, [line("SPB", 10 + i, { startDate: "2025-01-01" })]),
    );
    const r = report(customers, []);
    expect(r.fit.basis).toBe("fallback");
    expect(r.messages[0]).toMatch(/^Fit is a profile match, not a learned model: only 3 best customers/);
    expect(r.messages[1]).toContain('fitBasis "fallback"');
  });

  it("lists unknown signal types kept with weight 0, unmatched domains, unknown tenants and past-horizon signals", () => {
    const t = input({ domain: "contoso.com" });
    const r = report(
      [t],
      [
        { tenantId: t.tenant.tenantId, signalType: "Podcast mention", observedOn: "2026-06-10" },
        { tenantId: t.tenant.tenantId, signalType: "Podcast mention", observedOn: "2026-06-11" },
        { domain: "nowhere.example.org", signalType: "Funding", observedOn: "2026-06-10" },
        { tenantId: tenantId(999_999), signalType: "Funding", observedOn: "2026-06-10" },
      ],
    );
    expect(r.intent).toMatchObject({ read: 4, matchedByTenantId: 2, unknownTenant: 1, unmatchedDomain: 1, repeated: 1, pastHorizon: 2, horizonDays: 365 });
    expect(r.intent.unknownSignalTypes).toEqual([{ signalType: "Podcast mention", count: 2 }]);
    expect(r.messages).toEqual(
      expect.arrayContaining([
        "1 signal names a domain no tenant has, not counted: nowhere.example.org (1).",
        "1 signal names a tenantId not in your latest tenants file, not counted.",
        "2 signals of types without a weight kept with weight 0 (set PROPENSITY_SIGNAL_WEIGHTS to count them): Podcast mention (2).",
        "2 signals observed more than 365 days ago no longer counted.",
        "2 tenants reached only as EA licensing partner not listed (you may see their renewal dates only).",
      ]),
    );
  });

  it("names install-base products that are in no catalogue", () => {
    const t = input();
    const r = report([t], [], [
      { tenantId: t.tenant.tenantId, product: "Lotus Notes", version: "9", quantity: 3 },
      { tenantId: t.tenant.tenantId, product: "Windows Server", version: "2012 R2", quantity: 2 },
    ]);
    expect(r.installBase).toMatchObject({ rows: 2, unknownProductRows: 1, unknownProducts: [{ product: "Lotus Notes", version: "9", count: 1 }] });
    expect(r.messages).toContain("1 install-base row names a product not in the end-of-service or Azure catalogue, not used: Lotus Notes 9 (1).");
  });
});
