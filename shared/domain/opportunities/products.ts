import { lookupSku, type SkuInfo } from "../skuCatalog.js";

// The licence classes the opportunity models reason about (B-SKU ladder, E-SKU ladder, Defender, trials), on top of
// the shared SKU catalogue. Part numbers the shared catalogue lacks and the models need (standalone apps) are added
// here; everything else is classified from the shared entry's family and tier, so there is one catalogue of SKUs.

export const licenceClasses = [
  "standalone",
  "businessBasic",
  "businessStandard",
  "businessPremium",
  "o365E1",
  "o365E3",
  "o365E5",
  "m365E3",
  "m365E5",
  "frontline",
  "emsE3",
  "emsE5",
  "defenderForOfficeP1",
  "defenderForOfficeP2",
  "defenderForBusiness",
  "entraIdP1",
  "entraIdP2",
  "intune",
  "teamsExploratory",
  /** Known to the catalogue, not used by these models (Windows, Windows 365, add-ons). */
  "other",
  /** Not in any catalogue: counted as paid licences, in no family, and reported as a warning. */
  "unknown",
] as const;
export type LicenceClass = (typeof licenceClasses)[number];
export const licenceClassIndex = Object.fromEntries(licenceClasses.map((c, i) => [c, i])) as Record<LicenceClass, number>;

/** Product names as the opportunities show them. */
export const productNames = {
  standalone: "Microsoft 365 standalone apps",
  businessBasic: "Microsoft 365 Business Basic",
  businessStandard: "Microsoft 365 Business Standard",
  businessPremium: "Microsoft 365 Business Premium",
  o365E1: "Office 365 E1",
  o365E3: "Office 365 E3",
  o365E5: "Office 365 E5",
  m365E3: "Microsoft 365 E3",
  m365E5: "Microsoft 365 E5",
  emsE5: "Enterprise Mobility + Security E5",
  defenderForOfficeP2: "Microsoft Defender for Office 365 (Plan 2)",
  defenderForBusiness: "Microsoft Defender for Business",
  mfa: "Multifactor authentication in Microsoft Entra ID",
  teamsExploratory: "Microsoft Teams Exploratory",
} as const;

// Standalone apps and services the B-SKU model starts from (the shared catalogue has the Apps SKUs only).
const standaloneParts = new Set([
  "O365_BUSINESS",
  "OFFICESUBSCRIPTION",
  "EXCHANGESTANDARD",
  "EXCHANGEENTERPRISE",
  "EXCHANGEESSENTIALS",
  "EXCHANGEDESKLESS",
  "SHAREPOINTSTANDARD",
  "SHAREPOINTENTERPRISE",
  "TEAMS_ESSENTIALS",
  "TEAMS_ESSENTIALS_AAD",
]);

function classify(info: SkuInfo): LicenceClass {
  if (standaloneParts.has(info.sku)) return "standalone";
  if (!info.known) return "unknown";
  const { productFamily: family, tier } = info;
  if (family === "Microsoft 365") {
    if (tier === "Business Basic") return "businessBasic";
    if (tier === "Business Standard") return "businessStandard";
    if (tier === "Business Premium") return "businessPremium";
    if (tier === "E3") return "m365E3";
    if (tier === "E5") return "m365E5";
    if (tier === "F1" || tier === "F3") return "frontline";
    return "other";
  }
  if (family === "Office 365") {
    if (tier === "E1") return "o365E1";
    if (tier === "E3") return "o365E3";
    if (tier === "E5") return "o365E5";
    if (tier === "F3") return "frontline";
    return "other";
  }
  if (family === "Enterprise Mobility + Security") return tier === "E5" ? "emsE5" : "emsE3";
  if (family === "Microsoft Entra ID") return tier === "P2" ? "entraIdP2" : "entraIdP1";
  if (family === "Microsoft Intune") return "intune";
  if (family === "Microsoft Defender") {
    if (tier === "P1") return "defenderForOfficeP1";
    if (tier === "P2") return "defenderForOfficeP2";
    if (tier === "Business") return "defenderForBusiness";
    return "other";
  }
  if (family === "Microsoft Teams" && tier === "Trial") return "teamsExploratory";
  return "other";
}

const cache = new Map<string, LicenceClass>();

/** The licence class of a SKU part number (case-insensitive); unknown part numbers are "unknown", never an error. */
export function licenceClassOf(partNumber: string): LicenceClass {
  let c = cache.get(partNumber);
  if (c === undefined) {
    const info = lookupSku(partNumber);
    c = classify(info);
    cache.set(partNumber, c);
  }
  return c;
}

/** Display name of a part number: the shared catalogue's, else the part number itself. */
export function skuDisplayName(partNumber: string): string {
  return lookupSku(partNumber).displayName;
}

/** Microsoft 365 and Office 365 suites plus the standalone apps: the seats that size a customer. */
export const suiteClasses: readonly LicenceClass[] = [
  "standalone",
  "businessBasic",
  "businessStandard",
  "businessPremium",
  "o365E1",
  "o365E3",
  "o365E5",
  "m365E3",
  "m365E5",
  "frontline",
];

/** The B-SKU ladder (PRODUCT.md): Standalone → Business Basic → Standard → Premium. */
export const businessLadder = ["standalone", "businessBasic", "businessStandard", "businessPremium"] as const;
/** Enterprise suites: gaining one counts as a B-SKU upgrade too. */
export const enterpriseSuites = ["o365E3", "o365E5", "m365E3", "m365E5"] as const;
/** The E-SKU ladder: Office 365 E3 → Microsoft 365 E3 → Microsoft 365 E5 (EMS E5 is the add-on step). */
export const enterpriseLadder = ["o365E3", "m365E3", "m365E5"] as const;

/** Licences that include Defender for Office 365: P1, P2, Business Premium (P1) and the E5 suites (P2). */
export const defenderForOfficeCoverage = ["defenderForOfficeP1", "defenderForOfficeP2", "businessPremium", "o365E5", "m365E5"] as const;
/** Licences that include Defender for Business: the standalone plan and Business Premium. */
export const defenderForBusinessCoverage = ["defenderForBusiness", "businessPremium"] as const;
