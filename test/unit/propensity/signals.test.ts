import { describe, expect, it } from "vitest";
import { matchSignals, normalizeDomain, type SignalRow } from "../../../shared/domain/propensity/index.js";
import { tenantId } from "./builders.js";

const a = tenantId(101);
const b = tenantId(102);
const c = tenantId(103);
const tenants = [
  { tenantId: a, domain: "Contoso.com" },
  { tenantId: b, domain: "fabrikam.co.uk" },
  { tenantId: c, domain: "contoso.com" },
  { tenantId: tenantId(104) },
];

function byDomain(domain: string): SignalRow {
  return { domain, signalType: "Funding", observedOn: "2026-05-01" };
}

describe("matching signals to tenants", () => {
  it("normalises the ways partners write a domain", () => {
    expect(normalizeDomain(" https://www.Fabrikam.co.uk/about?x=1 ")).toBe("fabrikam.co.uk");
    expect(normalizeDomain("jane@fabrikam.co.uk")).toBe("fabrikam.co.uk");
    expect(normalizeDomain("fabrikam.co.uk.")).toBe("fabrikam.co.uk");
    expect(normalizeDomain("fabrikam.co.uk:443")).toBe("fabrikam.co.uk");
  });

  it("matches a signal by tenantId, and by the tenant's domain or a subdomain of it", () => {
    const { byTenant, report } = matchSignals(
      [{ tenantId: b, signalType: "Funding", observedOn: "2026-05-01" }, byDomain("www.fabrikam.co.uk"), byDomain("sales.FABRIKAM.co.uk")],
      tenants,
    );
    expect(byTenant.get(b)).toHaveLength(3);
    expect(report).toMatchObject({ total: 3, matchedByTenantId: 1, matchedByDomain: 2, unknownTenant: 0, unmatchedDomain: 0 });
  });

  it("lets a tenantId win over a domain", () => {
    const { byTenant } = matchSignals([{ tenantId: b, domain: "contoso.com", signalType: "Funding", observedOn: "2026-05-01" }], tenants);
    expect([...byTenant.keys()]).toEqual([b]);
  });

  it("counts and lists signals for a domain no tenant has, most frequent first", () => {
    const { byTenant, report } = matchSignals([byDomain("northwind.com"), byDomain("www.northwind.com"), byDomain("adatum.com"), byDomain("fabrikam.co.uk")], tenants);
    expect(byTenant.get(b)).toHaveLength(1);
    expect(report.unmatchedDomain).toBe(3);
    expect(report.unmatchedDomains).toEqual([
      { domain: "northwind.com", count: 2 },
      { domain: "adatum.com", count: 1 },
    ]);
  });

  it("counts signals whose tenantId is not a tenant of the partner", () => {
    const { byTenant, report } = matchSignals([{ tenantId: tenantId(999), signalType: "Funding", observedOn: "2026-05-01" }], tenants);
    expect(byTenant.size).toBe(0);
    expect(report.unknownTenant).toBe(1);
  });

  it("attributes a domain two tenants share to neither, and reports it", () => {
    const { byTenant, report } = matchSignals([byDomain("contoso.com")], tenants);
    expect(byTenant.size).toBe(0);
    expect(report.ambiguousDomain).toBe(1);
    expect(report.ambiguousDomains).toEqual([{ domain: "contoso.com", count: 1 }]);
  });
});
