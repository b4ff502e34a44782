import { addMonths, csvLine, type DemoDatasetFile } from "./dataset.js";
import type { DemoIncentive } from "./incentives.js";
import type { TenantProfile } from "./profile.js";
import { between, chance, pick, type Rng } from "./random.js";

// tenants.csv: one row per customer tenant (names, country, size, associations with the partner).

// Microsoft's fictitious company names.
const companyNames = [
  "Contoso", "Fabrikam", "Northwind Traders", "Adventure Works", "Tailspin Toys", "Woodgrove Bank", "Litware",
  "Proseware", "Wingtip Toys", "Alpine Ski House", "Coho Winery", "Lamna Healthcare", "Margie's Travel",
  "Relecloud", "Trey Research", "Wide World Importers", "Fourth Coffee", "Humongous Insurance",
  "Lucerne Publishing", "Blue Yonder Airlines", "City Power & Light", "Consolidated Messenger",
  "Southridge Video", "VanArsdel", "Bellows College", "Munson's Pickles and Preserves", "A. Datum",
  "Nod Publishers", "Best For You Organics", "Graphic Design Institute", "School of Fine Art",
  "Tailwind Traders", "First Up Consultants", "Liberty's Delightful Sinful Bakery", "Boulder Innovations",
  "Rainier Logistics", "Cascade Outfitters", "Olympic Clinics", "Summit Foods", "Harbor Freightways",
];

export const nameSuffixByIndustry: Record<string, readonly string[]> = {
  Retail: ["Stores", "Retail", "Outlets", "Markets"],
  Manufacturing: ["Manufacturing", "Industries", "Components", "Works"],
  Healthcare: ["Health", "Medical Group", "Clinics", "Care"],
  Hospitality: ["Hotels", "Resorts", "Hospitality", "Restaurants"],
  "Transportation and Logistics": ["Logistics", "Freight", "Transport", "Shipping"],
  "Financial Services": ["Financial", "Capital", "Bank", "Insurance"],
  "Professional Services": ["Consulting", "Partners", "Advisory", "Legal"],
  Education: ["University", "Academy", "Schools", "College"],
  Government: ["County", "City Services", "Agency", "Council"],
  "Media and Communications": ["Media", "Studios", "Broadcasting", "Telecom"],
  Energy: ["Energy", "Power", "Utilities", "Renewables"],
  Technology: ["Software", "Systems", "Labs", "Cloud"],
};

const countries = [
  ["United States", 30], ["United Kingdom", 10], ["Germany", 9], ["France", 7], ["Netherlands", 5], ["Canada", 6],
  ["Australia", 5], ["Japan", 5], ["Brazil", 4], ["India", 5], ["Spain", 4], ["Italy", 3], ["Sweden", 3],
  ["Switzerland", 2], ["Singapore", 2],
] as const;

const resellers = ["Northwind Reseller", "Litware Distribution", "Proseware Cloud Services", "Fabrikam Solutions"];
const partnerCenterIds = ["4721903", "4721911", "4721928"];

export interface TenantIdentity {
  employees: number;
  subSegment: string;
  /** The company name the tenant and customer names are built from. */
  base: string;
  tenantName: string;
  domain: string;
  country: string;
  tpid: string;
  cpor: boolean;
  csp: boolean;
  eaPartner: boolean;
  cspTier: string;
  t2Reseller: string;
}

/** Draws who the tenant is and how the partner reaches it (right after the profile, in the tenant stream). */
export function drawTenantIdentity(rng: Rng, profile: TenantProfile, index: number): TenantIdentity {
  const { segment, eligible, o365e3, smbSeats, industry, archetype } = profile;
  const employees =
    segment === "SMB"
      ? Math.max(smbSeats + between(rng, 0, 40), 3)
      : Math.round((eligible + o365e3) * (1.05 + rng() * 0.6)) + (segment === "Enterprise" ? between(rng, 500, 4000) : between(rng, 50, 400));
  const subSegment =
    segment === "Enterprise"
      ? pick(rng, ["Major Commercial", "Strategic Commercial", "Major Public Sector"])
      : segment === "SME&C"
        ? employees >= 2500
          ? "Corporate"
          : "Upper Medium"
        : employees >= 300
          ? "Upper Medium"
          : employees >= 25
            ? "Medium"
            : "Very Small";

  // Names
  const { base, tenantName, domain } = tenantNames(index, pick(rng, nameSuffixByIndustry[industry]));
  const country = weightedCountry(rng);
  const tpid = String(between(rng, 1_000_000, 99_999_999));

  // Associations: visible tenants have a CPOR claim or a CSP relationship (or both).
  let cpor = false;
  let csp = false;
  let eaPartner = false;
  if (archetype === "hidden: EA licensing only") eaPartner = true;
  else if (segment === "SMB") csp = true;
  else {
    const r = rng();
    if (r < 0.25) cpor = true;
    else if (r < 0.75) csp = true;
    else {
      cpor = true;
      csp = true;
    }
    eaPartner = segment === "Enterprise" && chance(rng, 0.35);
  }
  const cspTier = csp ? (chance(rng, 0.6) ? "Tier1" : "Tier2") : "";
  const t2Reseller = cspTier === "Tier2" ? pick(rng, resellers) : "";
  return { employees, subSegment, base, tenantName, domain, country, tpid, cpor, csp, eaPartner, cspTier, t2Reseller };
}

/** Tenant `index`'s name and domain: a company name, its suffix, and a number once the names repeat (unique per partner). */
export function tenantNames(index: number, suffix: string): { base: string; tenantName: string; domain: string } {
  const base = companyNames[index % companyNames.length];
  const round = Math.floor(index / companyNames.length);
  const tenantName = `${base} ${suffix}${round > 0 ? ` ${round + 1}` : ""}`;
  const slug = `${base} ${suffix}`.toLowerCase().replace(/&/g, "and").replace(/[^a-z0-9]+/g, "");
  return { base, tenantName, domain: `${slug}${round > 0 ? round + 1 : ""}.com` };
}

export function weightedCountry(rng: Rng): string {
  const total = countries.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [name, weight] of countries) {
    r -= weight;
    if (r < 0) return name;
  }
  return countries[0][0];
}

/** The tenants.csv row; its last draws are the tenant stream's last (after subscriptions, usage and incentives). */
export function drawTenantRow(
  rng: Rng,
  tenant: {
    tenantId: string;
    profile: TenantProfile;
    identity: TenantIdentity;
    /** The CSP subscriptions' renewal month. */
    renewalMonth: string;
    incentives: readonly DemoIncentive[];
    asOfMonth: string;
  },
): string[] {
  const { tenantId, profile, identity, renewalMonth, incentives, asOfMonth } = tenant;
  const { segment, industry } = profile;
  const { csp, eaPartner, tenantName, base } = identity;
  // The workloads of the tenant's MCI engagements, first seen first.
  const eligibleWorkloads = [...new Set(incentives.flatMap((i) => i.workloads))];
  const eaRenewal = eaPartner ? addMonths(asOfMonth, between(rng, 2, 36)) : "";
  const largestCspRenewal = csp ? renewalMonth : "";
  return [
    tenantId,
    tenantName,
    identity.domain,
    identity.country,
    segment,
    identity.subSegment,
    identity.tpid,
    segment === "SMB" ? tenantName : `${base} ${segment === "Enterprise" ? "Corporation" : "Ltd"}`,
    industry,
    String(identity.employees),
    segment === "SMB" ? String(between(rng, 0, 1500)) : String(between(rng, 500, 250_000)),
    eaRenewal,
    largestCspRenewal,
    identity.cpor ? "Yes" : "No",
    csp ? "Yes" : "No",
    identity.cspTier,
    identity.t2Reseller,
    eaPartner ? "Yes" : "No",
    csp ? pick(rng, partnerCenterIds) : "",
    eligibleWorkloads.join("|"),
  ];
}

export const tenantsFile: DemoDatasetFile = {
  header:
    "tenantId,tenantName,domain,countryRegion,segment,subSegment,tpid,customerName,industry,employees,azureMonthlyRevenue," +
    "eaRenewal,largestCspRenewal,cporAssociation,cspAssociation,cspTier,t2ResellerName,eaLicensingPartner,partnerCenterId,mciEligibleWorkloads",
  lines: (t) => csvLine(t.tenantRow),
};
