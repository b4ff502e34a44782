import { describe, expect, it } from "vitest";
import { renewalDates, tenantVisibility } from "../../shared/domain/associations.js";
import {
  cloudEndpointsRow,
  countLicences,
  currentSubscriptionItems,
  distinctEngagements,
  latestUsage,
  meetsLicenceThresholds,
  searchText,
  summarizeCloudEndpoints,
  type TenantBundle,
} from "../../shared/domain/cloudEndpoints/index.js";
import type { SubscriptionItem, TenantDoc } from "../../shared/domain/documents.js";
import { salesMotions, type CloudEndpointsRow } from "../../shared/domain/cloudEndpoints/index.js";

const frontlineIndustries = ["Retail", "Manufacturing", "Healthcare", "Hospitality", "Transportation and Logistics"];
const ctx = { frontlineIndustries, partnerName: "Fabrikam Services" };
let nextId = 0;

function tenant(overrides: Partial<TenantDoc> = {}): TenantDoc {
  nextId += 1;
  const tenantId = `00000000-0000-0000-0000-${String(nextId).padStart(12, "0")}`;
  return {
    id: `tenant:${tenantId}`,
    partnerId: "p1",
    type: "tenant",
    tenantId,
    asOf: "2024-06-01",
    ingestionId: "i1",
    tenantName: `Tenant ${nextId}`,
    segment: "Enterprise",
    industry: "Financial Services",
    cspAssociation: true,
    cspTier: "Tier1",
    ...overrides,
  };
}

type Usage = Record<string, Record<string, [pau: number, mau: number]>>;

interface Scenario {
  tenant?: Partial<TenantDoc>;
  me5?: number;
  me3?: number;
  f3?: number;
  /** Other subscription lines (e.g. Office 365) added as is. */
  items?: SubscriptionItem[];
  /** Intune [PAU, MAU] in the latest month; default 1000/500 (50 %). */
  intune?: [number, number] | null;
  /** Windows 365 [PAU, MAU] in the latest month; default none. */
  w365?: [number, number];
  usage?: Usage;
  engagements?: { engagement: string; workloads: string[]; potentialEarnings: number }[];
}

function bundle(s: Scenario): TenantBundle {
  const items: SubscriptionItem[] = [...(s.items ?? [])];
  if (s.me5) items.push({ sku: "SPE_E5", quantity: s.me5, status: "Active" });
  if (s.me3) items.push({ sku: "SPE_E3", quantity: s.me3, status: "Active" });
  if (s.f3) items.push({ sku: "SPE_F1", quantity: s.f3, status: "Active" });
  const month: Record<string, { assignedUsers: number; activeUsers: number }> = {};
  const intune = s.intune === undefined ? [1000, 500] : s.intune;
  if (intune) month.Intune = { assignedUsers: intune[0], activeUsers: intune[1] };
  if (s.w365) month.Windows365 = { assignedUsers: s.w365[0], activeUsers: s.w365[1] };
  const months = s.usage
    ? Object.fromEntries(
        Object.entries(s.usage).map(([m, w]) => [
          m,
          Object.fromEntries(Object.entries(w).map(([k, [pau, mau]]) => [k, { assignedUsers: pau, activeUsers: mau }])),
        ]),
      )
    : { "2024-05": month };
  return {
    tenant: tenant(s.tenant),
    subscriptions: { snapshots: [{ asOf: "2024-06-01", items }] },
    usage: { months },
    incentives: s.engagements ? { asOf: "2024-06-01", engagements: s.engagements } : undefined,
  };
}

function rowOf(s: Scenario): CloudEndpointsRow | undefined {
  return cloudEndpointsRow(bundle(s), ctx);
}

function motionOf(s: Scenario): string | undefined {
  return rowOf(s)?.salesMotion;
}

describe("Cloud Endpoints seats and usage", () => {
  it("counts eligible seats as ME5 + ME3 + F3 paid units of active subscriptions only", () => {
    const counts = countLicences([
      { sku: "SPE_E5", quantity: 100, paidUnits: 90, status: "Active" },
      { sku: "SPE_E3", quantity: 50, status: "Warning" },
      { sku: "SPE_F1", quantity: 30 },
      { sku: "SPE_E3", quantity: 500, status: "Trial" },
      { sku: "SPE_E5", quantity: 500, status: "Expired" },
      { sku: "SPE_F1", quantity: 500, status: "Disabled" },
      { sku: "ENTERPRISEPACK", quantity: 40, status: "Active" },
    ]);
    expect(counts).toMatchObject({ me5Seats: 90, me3Seats: 50, f3Seats: 30, w365EligibleSeats: 170 });
    // Microsoft 365 licences: the three suites plus Office 365 E3.
    expect(counts.microsoft365Licenses).toBe(210);
  });

  it("ignores a subscription snapshot older than the partner's latest subscriptions drop", () => {
    const doc = { snapshots: [{ asOf: "2024-05-01", ingestionId: "old", items: [{ sku: "SPE_E3", quantity: 900 }] }] };
    expect(currentSubscriptionItems(doc, "2024-06-01")).toEqual([]);
    expect(currentSubscriptionItems(doc, "2024-05-01")).toHaveLength(1);
    expect(currentSubscriptionItems(doc)).toHaveLength(1);
  });

  it("takes usage from the tenant's latest month", () => {
    const usage = latestUsage({
      months: {
        "2024-03": { Intune: { assignedUsers: 10, activeUsers: 10 }, Windows365: { assignedUsers: 5, activeUsers: 5 } },
        "2024-05": { Intune: { assignedUsers: 800, activeUsers: 400 }, EntraID: { assignedUsers: 900, activeUsers: 300 } },
        "2024-04": { Intune: { assignedUsers: 20, activeUsers: 20 } },
      },
    });
    expect(usage.month).toBe("2024-05");
    expect(usage.intune).toEqual({ pau: 800, mau: 400 });
    expect(usage.entraId).toEqual({ pau: 900, mau: 300 });
    // W365 absent from the latest month counts as none, even though an older month had some.
    expect(usage.windows365).toEqual({ pau: 0, mau: 0 });
  });

  it("caps utilisation at 100 % and shows 0 % when there are no paid units", () => {
    const row = rowOf({ me3: 600, intune: [100, 250], w365: [0, 40], usage: undefined });
    expect(row?.intuneUtilization).toBe(1);
    expect(row?.w365Utilization).toBe(0);
    expect(row?.entraIdUtilization).toBe(0);
  });

  it("computes W365, Intune and Entra ID utilisation as MAU / PAU", () => {
    const row = rowOf({
      me3: 600,
      usage: { "2024-05": { Intune: [400, 100], Windows365: [50, 40], EntraID: [600, 150] } },
    });
    expect(row).toMatchObject({ intuneMau: 100, intuneUtilization: 0.25, w365Pau: 50, w365Mau: 40, w365Utilization: 0.8, entraIdMau: 150, entraIdUtilization: 0.25 });
  });

  it("treats a tenant without Intune usage as 0 % Intune, so it is Nurture Intune", () => {
    const row = rowOf({ me3: 900, intune: null });
    expect(row?.intuneUtilization).toBe(0);
    expect(row?.salesMotion).toBe("Nurture Intune");
  });

  it("computes whitespace as eligible − W365 PAU and never below zero", () => {
    expect(rowOf({ me3: 600, w365: [100, 50] })?.w365Whitespace).toBe(500);
    expect(rowOf({ me3: 150, items: [{ sku: "ENTERPRISEPACK", quantity: 100 }], w365: [200, 50] })?.w365Whitespace).toBe(0);
  });

  it("tolerates unknown SKUs: they count toward nothing", () => {
    const row = rowOf({ me3: 600, items: [{ sku: "CONTOSO_MYSTERY", quantity: 5000, status: "Active" }] });
    expect(row).toMatchObject({ w365EligibleSeats: 600, microsoft365Licenses: 600, windowsPau: 600 });
  });

  it("reports the hidden seat columns and Windows PAU from Windows Enterprise licences", () => {
    const row = rowOf({ me5: 200, me3: 300, f3: 100, items: [{ sku: "WIN_ENT_E3", quantity: 50, status: "Active" }] });
    expect(row).toMatchObject({ me5Seats: 200, me3Seats: 300, f3Seats: 100, w365EligibleSeats: 600, windowsPau: 650 });
  });
});

describe("Cloud Endpoints visibility", () => {
  it("lists a tenant with more than 100 eligible seats and not one with exactly 100", () => {
    const o365 = [{ sku: "ENTERPRISEPACK", quantity: 200 }];
    expect(rowOf({ me3: 101, items: o365 })).toBeDefined();
    expect(rowOf({ me3: 100, items: o365 })).toBeUndefined();
  });

  it("needs an Enterprise tenant to hold more than 150 Microsoft 365 licences", () => {
    expect(rowOf({ me3: 150 })).toBeUndefined();
    expect(rowOf({ me3: 151 })).toBeDefined();
    expect(rowOf({ me3: 120, items: [{ sku: "STANDARDPACK", quantity: 31 }] })).toBeDefined();
    expect(rowOf({ me3: 120, items: [{ sku: "STANDARDPACK", quantity: 30 }] })).toBeUndefined();
  });

  it("needs an SME&C tenant to hold more than 25 Microsoft 365 licences", () => {
    expect(meetsLicenceThresholds("SME&C", 25)).toBe(false);
    expect(meetsLicenceThresholds("SME&C", 26)).toBe(true);
    expect(meetsLicenceThresholds("Enterprise", 150)).toBe(false);
    expect(meetsLicenceThresholds("Enterprise", 151)).toBe(true);
    expect(rowOf({ tenant: { segment: "SME&C" }, me3: 101 })).toBeDefined();
  });

  it("never lists SMB tenants or tenants without a segment", () => {
    expect(rowOf({ tenant: { segment: "SMB" }, me3: 5000 })).toBeUndefined();
    expect(rowOf({ tenant: { segment: undefined }, me3: 5000 })).toBeUndefined();
  });
});

describe("Cloud Endpoints sales motion", () => {
  it("puts exactly 20 % Intune utilisation in Nurture Intune and 20.1 % out of it", () => {
    expect(motionOf({ me3: 900, intune: [1000, 200] })).toBe("Nurture Intune");
    expect(motionOf({ me3: 900, intune: [1000, 201] })).toBe("Land W365");
  });

  it("puts 499 eligible seats in Low Whitespace and 500 in a high-propensity motion", () => {
    expect(motionOf({ me3: 499 })).toBe("Low Whitespace");
    expect(motionOf({ me3: 500 })).toBe("Land W365");
  });

  it("gives Nurture Intune precedence over Low Whitespace", () => {
    expect(motionOf({ me3: 200, intune: [1000, 100] })).toBe("Nurture Intune");
  });

  it("lands W365 where there is no W365 PAU", () => {
    expect(motionOf({ me3: 800, w365: [0, 10] })).toBe("Land W365");
  });

  it("expands W365 where there is some W365 PAU, Mature above 250 PAU (250 is not Mature)", () => {
    expect(motionOf({ me3: 800, w365: [1, 1] })).toBe("Expand W365");
    expect(motionOf({ me3: 800, w365: [250, 100] })).toBe("Expand W365");
    expect(motionOf({ me3: 800, w365: [251, 100] })).toBe("Expand W365 - Mature");
  });

  it("expands to Frontline (Flex) with W365 PAU, F3 seats and a priority frontline industry, Mature above 250", () => {
    const retail = { tenant: { industry: "Retail" }, me3: 700, f3: 100 };
    expect(motionOf({ ...retail, w365: [250, 10] })).toBe("Expand to Frontline (Flex)");
    expect(motionOf({ ...retail, w365: [251, 10] })).toBe("Expand to Frontline (Flex) - Mature");
  });

  it("needs both F3 seats and a frontline industry for Flex", () => {
    expect(motionOf({ tenant: { industry: "Retail" }, me3: 800, w365: [10, 5] })).toBe("Expand W365");
    expect(motionOf({ tenant: { industry: "Financial Services" }, me3: 700, f3: 100, w365: [10, 5] })).toBe("Expand W365");
    expect(motionOf({ tenant: { industry: undefined }, me3: 700, f3: 100, w365: [10, 5] })).toBe("Expand W365");
    // Without W365 PAU a frontline tenant is a Land.
    expect(motionOf({ tenant: { industry: "Retail" }, me3: 700, f3: 100 })).toBe("Land W365");
  });

  it("matches frontline industries regardless of case and '&' versus 'and'", () => {
    expect(motionOf({ tenant: { industry: "transportation & logistics" }, me3: 700, f3: 100, w365: [10, 5] })).toBe(
      "Expand to Frontline (Flex)",
    );
  });
});

describe("Cloud Endpoints associations", () => {
  it("does not list a tenant reached only as EA licensing partner, nor one without any association", () => {
    expect(tenantVisibility({ eaLicensingPartner: true })).toBe("renewalOnly");
    expect(rowOf({ tenant: { cspAssociation: false, cporAssociation: false, eaLicensingPartner: true, eaRenewal: "2025-01" }, me3: 900 })).toBeUndefined();
    expect(rowOf({ tenant: { cspAssociation: undefined, cporAssociation: undefined }, me3: 900 })).toBeUndefined();
  });

  it("lists a tenant reached through a CPOR claim or a CSP association (tier 1 or 2)", () => {
    expect(rowOf({ tenant: { cspAssociation: false, cporAssociation: true }, me3: 900 })).toMatchObject({ cporAssociation: true, cspAssociation: false });
    expect(rowOf({ tenant: { cspAssociation: true, cspTier: "Tier2", t2ResellerName: "Reseller Ltd" }, me3: 900 })).toMatchObject({
      cspAssociation: true,
      cspTier: "Tier2",
      t2ResellerName: "Reseller Ltd",
    });
  });

  it("shows the EA renewal only to the EA licensing partner and the CSP renewal only to the CSP partner", () => {
    const both = { eaRenewal: "2025-03", largestCspRenewal: "2024-11" };
    expect(renewalDates({ ...both, eaLicensingPartner: true, cspAssociation: true })).toEqual({
      eaRenewal: "2025-03",
      largestSeatCspRenewal: "2024-11",
      renewalPeriod: "2025-03",
    });
    expect(renewalDates({ ...both, cspAssociation: true })).toEqual({ largestSeatCspRenewal: "2024-11", renewalPeriod: "2024-11" });
    // CPOR only, not the licensing partner: no renewal, so the renewal chart leaves the tenant out.
    expect(renewalDates({ ...both, cporAssociation: true })).toEqual({});
    const cporOnly = rowOf({ tenant: { ...both, cspAssociation: false, cporAssociation: true }, me3: 900 });
    expect(cporOnly?.renewalPeriod).toBeUndefined();
    expect(cporOnly?.eaRenewal).toBeUndefined();
  });

  it("marks Intune and W365 CPOR eligibility where the workload is paid and no CPOR claim exists yet", () => {
    expect(rowOf({ me3: 900, intune: [500, 300], w365: [10, 5] })).toMatchObject({ intuneCporEligibility: true, w365CporEligibility: true });
    expect(rowOf({ me3: 900, intune: [500, 300] })).toMatchObject({ intuneCporEligibility: true, w365CporEligibility: false });
    expect(rowOf({ tenant: { cporAssociation: true }, me3: 900, intune: [500, 300], w365: [10, 5] })).toMatchObject({
      intuneCporEligibility: false,
      w365CporEligibility: false,
    });
  });
});

describe("Cloud Endpoints row fields", () => {
  it("fills the seed's columns from the tenant, its licences, usage and incentives", () => {
    const row = rowOf({
      tenant: {
        tenantName: "Contoso Retail",
        domain: "contoso.com",
        countryRegion: "US",
        tpid: "12345",
        customerName: "Contoso Group",
        subSegment: "Major",
        partnerCenterId: "998877",
        mciEligibleWorkloads: ["Windows365"],
      },
      me3: 900,
      engagements: [{ engagement: "W365 Workshop", workloads: ["Windows365", "Intune"], potentialEarnings: 5000 }],
    });
    expect(row).toMatchObject({
      tenantName: "Contoso Retail",
      tenantDomain: "contoso.com",
      tenantCountryRegion: "US",
      tenantSegment: "Enterprise",
      tpid: "12345",
      customerName: "Contoso Group",
      customerSubSegment: "Major",
      partnerName: "Fabrikam Services",
      partnerCenterId: "998877",
      mciEligibility: ["Windows365", "Intune"],
      incentiveEligible: true,
      potentialEarnings: 5000,
    });
    expect(searchText(row!)).toBe(`contoso retail contoso.com ${row!.tenantId} contoso group 12345`);
  });

  it("counts an MCI engagement listed once per workload only once", () => {
    const engagements = distinctEngagements({
      asOf: "2024-06-01",
      engagements: [
        { engagement: "Cloud Endpoints Workshop", workloads: ["Windows365"], potentialEarnings: 7000 },
        { engagement: "Cloud Endpoints Workshop", workloads: ["Intune"], potentialEarnings: 7000 },
        { engagement: "Security Assessment", workloads: ["EntraID"], potentialEarnings: 3000 },
      ],
    });
    expect(engagements).toEqual([
      { engagement: "Cloud Endpoints Workshop", workloads: ["Windows365", "Intune"], potentialEarnings: 7000 },
      { engagement: "Security Assessment", workloads: ["EntraID"], potentialEarnings: 3000 },
    ]);
    expect(distinctEngagements({ asOf: "2024-05-01", engagements: [] }, "2024-06-01")).toEqual([]);
  });
});

describe("Cloud Endpoints KPI tiles and charts", () => {
  const scenarios: Scenario[] = [
    // Land, Enterprise, EA renewal (licensing partner), one engagement over two workloads listed twice.
    {
      tenant: { eaLicensingPartner: true, eaRenewal: "2025-02", largestCspRenewal: "2024-09" },
      me3: 1000,
      engagements: [
        { engagement: "W365 Workshop", workloads: ["Windows365"], potentialEarnings: 4000 },
        { engagement: "W365 Workshop", workloads: ["Intune"], potentialEarnings: 4000 },
      ],
    },
    // Expand, SME&C, CSP renewal.
    { tenant: { segment: "SME&C", largestCspRenewal: "2024-09" }, me3: 600, w365: [100, 80], engagements: [{ engagement: "Intune Accelerator", workloads: ["Intune"], potentialEarnings: 1500 }] },
    // Flex Mature; the same workshop as the first tenant, spelled in lower case.
    { tenant: { industry: "Healthcare", largestCspRenewal: "2024-09" }, me5: 400, f3: 400, w365: [300, 200], engagements: [{ engagement: "w365 workshop", workloads: ["Windows365"], potentialEarnings: 2500 }] },
    // Nurture Intune, CPOR only: no renewal shown; MCI-eligible workload without engagement.
    { tenant: { cspAssociation: false, cporAssociation: true, eaRenewal: "2025-06", mciEligibleWorkloads: ["Intune"] }, me3: 700, intune: [1000, 100] },
    // Low Whitespace, W365 PAU above eligible (whitespace 0).
    { tenant: { largestCspRenewal: "2025-01" }, me3: 200, w365: [250, 100] },
  ];
  const hidden: Scenario[] = [
    { tenant: { segment: "SMB" }, me3: 900, engagements: [{ engagement: "W365 Workshop", workloads: ["Windows365"], potentialEarnings: 99999 }] },
    { tenant: { cspAssociation: false, eaLicensingPartner: true, eaRenewal: "2024-12" }, me3: 900 },
  ];

  function summary() {
    const entries = [...scenarios, ...hidden].flatMap((s) => {
      const b = bundle(s);
      const row = cloudEndpointsRow(b, ctx);
      return row ? [{ row, engagements: distinctEngagements(b.incentives) }] : [];
    });
    return summarizeCloudEndpoints(entries);
  }

  it("counts visible tenants, seat penetration (Σ PAU / Σ eligible) and seat whitespace", () => {
    const { kpis } = summary();
    expect(kpis.tenants).toBe(5);
    expect(kpis.w365EligibleSeats).toBe(1000 + 600 + 800 + 700 + 200);
    expect(kpis.w365Pau).toBe(100 + 300 + 250);
    expect(kpis.w365SeatPenetration).toBeCloseTo(650 / 3300, 12);
    expect(kpis.w365SeatWhitespace).toBe(1000 + 500 + 500 + 700 + 0);
  });

  it("counts tenants per sales motion, all seven included", () => {
    const { kpis, charts } = summary();
    expect(kpis.salesMotions).toEqual({
      "Land W365": 1,
      "Expand W365": 1,
      "Expand to Frontline (Flex)": 0,
      "Expand W365 - Mature": 0,
      "Expand to Frontline (Flex) - Mature": 1,
      "Low Whitespace": 1,
      "Nurture Intune": 1,
    });
    expect(charts.tenantsBySalesMotion.map((c) => c.label)).toEqual([...salesMotions]);
    expect(charts.tenantsBySalesMotion.find((c) => c.label === "Nurture Intune")?.count).toBe(1);
  });

  it("counts incentive-eligible tenants and potential earnings with a multi-workload engagement counted once", () => {
    const { kpis } = summary();
    expect(kpis.incentiveEligibleTenants).toBe(4);
    expect(kpis.potentialEarnings).toBe(4000 + 1500 + 2500);
  });

  it("charts tenants by segment and W365 penetration (has PAU vs none)", () => {
    const { charts } = summary();
    expect(charts.tenantsBySegment).toEqual([
      { label: "Enterprise", count: 4 },
      { label: "SME&C", count: 1 },
    ]);
    expect(charts.w365TenantPenetration).toEqual({ withW365Pau: 3, withoutW365Pau: 2 });
  });

  it("charts renewal periods (EA first, else CSP) and leaves out tenants reached only through CPOR or only as EA partner", () => {
    const { charts } = summary();
    expect(charts.tenantsByRenewalPeriod).toEqual([
      { label: "2024-09", count: 2 },
      { label: "2025-01", count: 1 },
      { label: "2025-02", count: 1 },
    ]);
  });

  it("charts potential earnings by workshop, largest first", () => {
    const { charts } = summary();
    expect(charts.potentialEarningsByWorkshop).toEqual([
      { label: "W365 Workshop", potentialEarnings: 6500 },
      { label: "Intune Accelerator", potentialEarnings: 1500 },
    ]);
  });

  it("summarises an empty tab without dividing by zero", () => {
    const s = summarizeCloudEndpoints([]);
    expect(s.kpis).toMatchObject({ tenants: 0, w365SeatPenetration: 0, w365SeatWhitespace: 0, potentialEarnings: 0 });
    expect(Object.values(s.kpis.salesMotions)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});
