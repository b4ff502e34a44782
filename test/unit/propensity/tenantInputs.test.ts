import { describe, expect, it } from "vitest";
import { matchSignals, scorePropensity, selectPropensityTenants, type ListedTenant, type TenantLicences } from "../../../shared/domain/propensity/index.js";
import { line, tenantId } from "./builders.js";

// Who the Propensity tab lists and what it may use of each (PRODUCT.md section 6).

const licences = (current: ReturnType<typeof line>[]): TenantLicences => ({ current });

function tenant(n: number, extra: Partial<ListedTenant> = {}): ListedTenant {
  return { tenantId: tenantId(n), tenantName: `Tenant ${n}`, domain: `tenant${n}.example.com`, segment: "SMB", employees: 40, ...extra };
}

describe("tenants the Propensity tab lists", () => {
  const csp = tenant(1, { cspAssociation: true });
  const cpor = tenant(2, { cporAssociation: true });
  const eaOnly = tenant(3, { eaLicensingPartner: true });
  const none = tenant(4);
  const held = new Map([
    [csp.tenantId, licences([line("SPB", 30)])],
    [cpor.tenantId, licences([line("O365_BUSINESS_PREMIUM", 12)])],
    [eaOnly.tenantId, licences([line("SPE_E3", 500)])],
    [none.tenantId, licences([line("SPE_E5", 20)])],
  ]);
  const usage = new Map([[csp.tenantId, { month: "2026-05", workloads: { Exchange: { assignedUsers: 30, activeUsers: 29 } } }]]);
  const selection = selectPropensityTenants([csp, cpor, eaOnly, none], held, usage);

  it("lists tenants reached through a CPOR claim or CSP association with their licences and usage", () => {
    const listed = new Map(selection.inputs.map((i) => [i.tenant.tenantId, i]));
    expect(listed.get(csp.tenantId)?.subscriptions).toEqual([line("SPB", 30)]);
    expect(listed.get(csp.tenantId)?.usage?.month).toBe("2026-05");
    expect(listed.get(cpor.tenantId)?.subscriptions).toHaveLength(1);
  });

  it("leaves out a tenant reached only as EA licensing partner, and counts it", () => {
    expect(selection.inputs.some((i) => i.tenant.tenantId === eaOnly.tenantId)).toBe(false);
    expect(selection.renewalOnly).toBe(1);
    expect(selection.unlisted).toEqual([{ tenantId: eaOnly.tenantId, domain: eaOnly.domain }]);
  });

  it("lists a tenant without any association as a prospect, withholding licences dropped for it", () => {
    const prospect = selection.inputs.find((i) => i.tenant.tenantId === none.tenantId)!;
    expect(prospect.subscriptions).toEqual([]);
    expect(selection.licencesWithheld).toBe(1);
    const scored = scorePropensity({ asOf: "2026-06-15", tenants: selection.inputs, signals: [], installBase: [] });
    expect(scored.customers.find((c) => c.tenantId === none.tenantId)?.customerType).toBe("Prospect");
  });

  it("counts the signals of a tenant it does not list apart, never as unknown and never used", () => {
    const { byTenant, report } = matchSignals(
      [
        { tenantId: eaOnly.tenantId, signalType: "Funding", observedOn: "2026-06-01" },
        { domain: "www.tenant3.example.com", signalType: "Funding", observedOn: "2026-06-01" },
        { domain: "tenant1.example.com", signalType: "Funding", observedOn: "2026-06-01" },
      ],
      selection.inputs.map((i) => ({ tenantId: i.tenant.tenantId, domain: i.tenant.domain })),
      selection.unlisted,
    );
    expect(report).toMatchObject({ notListedTenant: 2, unknownTenant: 0, unmatchedDomain: 0, matchedByDomain: 1 });
    expect(byTenant.has(eaOnly.tenantId)).toBe(false);
  });
});
