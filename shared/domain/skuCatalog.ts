// The SKU catalogue: Microsoft SKU part number → what the product rules need to know about it.
// Pure data. List prices are public list prices in USD per user per month, approximate (annual
// commitment, no Teams unbundling), used only for whitespace estimates, never for billing.

/** W365 eligibility category (seed 002: eligible seats = ME5 + ME3 + F3). */
export type W365Eligibility = "ME5" | "ME3" | "F3" | "none";

export type ProductFamily =
  | "Microsoft 365"
  | "Office 365"
  | "Enterprise Mobility + Security"
  | "Microsoft Entra ID"
  | "Microsoft Intune"
  | "Microsoft Defender"
  | "Microsoft Teams"
  | "Windows"
  | "Windows 365"
  | "Other";

export interface SkuInfo {
  /** The part number as looked up (upper case). */
  sku: string;
  displayName: string;
  productFamily: ProductFamily;
  /** Plan level within the family: E5, E3, F3, Business Premium, P1, Add-on, Trial, … */
  tier: string;
  w365Eligibility: W365Eligibility;
  /** Licensed for frontline workers (F-SKUs). */
  frontline: boolean;
  /** A Microsoft 365 or Office 365 suite (incl. Apps): counts as a "Microsoft 365 licence" in the visibility rule. */
  microsoft365Suite: boolean;
  /** A Windows 365 Cloud PC (any CPC_* part number). */
  windows365: boolean;
  /** Includes a Windows Enterprise subscription licence (standalone or inside Microsoft 365 E3/E5/F3): counts toward Windows PAU. */
  windows: boolean;
  /** USD per user per month, approximate public list price; undefined when unknown. */
  listPriceUsd?: number;
  /** False for part numbers the catalogue does not know (the "other" entry). */
  known: boolean;
}

type Entry = Omit<SkuInfo, "sku" | "known">;

const flags = { frontline: false, microsoft365Suite: false, windows365: false, windows: false } as const;

const entries: Record<string, Entry> = {
  // Microsoft 365 (the W365-eligible suites: ME5, ME3 and F3)
  SPE_E5: { ...flags, displayName: "Microsoft 365 E5", productFamily: "Microsoft 365", tier: "E5", w365Eligibility: "ME5", microsoft365Suite: true, windows: true, listPriceUsd: 57 },
  SPE_E5_NOPSTNCONF: { ...flags, displayName: "Microsoft 365 E5 (without Audio Conferencing)", productFamily: "Microsoft 365", tier: "E5", w365Eligibility: "ME5", microsoft365Suite: true, windows: true, listPriceUsd: 54.75 },
  SPE_E3: { ...flags, displayName: "Microsoft 365 E3", productFamily: "Microsoft 365", tier: "E3", w365Eligibility: "ME3", microsoft365Suite: true, windows: true, listPriceUsd: 36 },
  // SPE_F1 is Microsoft's part number for Microsoft 365 F3.
  SPE_F1: { ...flags, displayName: "Microsoft 365 F3", productFamily: "Microsoft 365", tier: "F3", w365Eligibility: "F3", frontline: true, microsoft365Suite: true, windows: true, listPriceUsd: 8 },
  M365_F1: { ...flags, displayName: "Microsoft 365 F1", productFamily: "Microsoft 365", tier: "F1", w365Eligibility: "none", frontline: true, microsoft365Suite: true, listPriceUsd: 2.25 },
  M365_F1_COMM: { ...flags, displayName: "Microsoft 365 F1", productFamily: "Microsoft 365", tier: "F1", w365Eligibility: "none", frontline: true, microsoft365Suite: true, listPriceUsd: 2.25 },
  SPE_F5_SEC: { ...flags, displayName: "Microsoft 365 F5 Security (add-on)", productFamily: "Microsoft 365", tier: "Add-on", w365Eligibility: "none", frontline: true, listPriceUsd: 8 },
  IDENTITY_THREAT_PROTECTION: { ...flags, displayName: "Microsoft 365 E5 Security (add-on)", productFamily: "Microsoft 365", tier: "Add-on", w365Eligibility: "none", listPriceUsd: 12 },
  // Microsoft 365 for business
  O365_BUSINESS_ESSENTIALS: { ...flags, displayName: "Microsoft 365 Business Basic", productFamily: "Microsoft 365", tier: "Business Basic", w365Eligibility: "none", microsoft365Suite: true, listPriceUsd: 6 },
  O365_BUSINESS_PREMIUM: { ...flags, displayName: "Microsoft 365 Business Standard", productFamily: "Microsoft 365", tier: "Business Standard", w365Eligibility: "none", microsoft365Suite: true, listPriceUsd: 12.5 },
  SPB: { ...flags, displayName: "Microsoft 365 Business Premium", productFamily: "Microsoft 365", tier: "Business Premium", w365Eligibility: "none", microsoft365Suite: true, listPriceUsd: 22 },
  O365_BUSINESS: { ...flags, displayName: "Microsoft 365 Apps for business", productFamily: "Microsoft 365", tier: "Apps for business", w365Eligibility: "none", microsoft365Suite: true, listPriceUsd: 8.25 },
  OFFICESUBSCRIPTION: { ...flags, displayName: "Microsoft 365 Apps for enterprise", productFamily: "Microsoft 365", tier: "Apps for enterprise", w365Eligibility: "none", microsoft365Suite: true, listPriceUsd: 12 },
  // Office 365
  STANDARDPACK: { ...flags, displayName: "Office 365 E1", productFamily: "Office 365", tier: "E1", w365Eligibility: "none", microsoft365Suite: true, listPriceUsd: 10 },
  ENTERPRISEPACK: { ...flags, displayName: "Office 365 E3", productFamily: "Office 365", tier: "E3", w365Eligibility: "none", microsoft365Suite: true, listPriceUsd: 23 },
  ENTERPRISEPREMIUM: { ...flags, displayName: "Office 365 E5", productFamily: "Office 365", tier: "E5", w365Eligibility: "none", microsoft365Suite: true, listPriceUsd: 38 },
  ENTERPRISEPREMIUM_NOPSTNCONF: { ...flags, displayName: "Office 365 E5 (without Audio Conferencing)", productFamily: "Office 365", tier: "E5", w365Eligibility: "none", microsoft365Suite: true, listPriceUsd: 35 },
  DESKLESSPACK: { ...flags, displayName: "Office 365 F3", productFamily: "Office 365", tier: "F3", w365Eligibility: "none", frontline: true, microsoft365Suite: true, listPriceUsd: 4 },
  // Enterprise Mobility + Security, Entra ID, Intune
  EMS: { ...flags, displayName: "Enterprise Mobility + Security E3", productFamily: "Enterprise Mobility + Security", tier: "E3", w365Eligibility: "none", listPriceUsd: 10.6 },
  EMSPREMIUM: { ...flags, displayName: "Enterprise Mobility + Security E5", productFamily: "Enterprise Mobility + Security", tier: "E5", w365Eligibility: "none", listPriceUsd: 16.4 },
  AAD_PREMIUM: { ...flags, displayName: "Microsoft Entra ID P1", productFamily: "Microsoft Entra ID", tier: "P1", w365Eligibility: "none", listPriceUsd: 6 },
  AAD_PREMIUM_P2: { ...flags, displayName: "Microsoft Entra ID P2", productFamily: "Microsoft Entra ID", tier: "P2", w365Eligibility: "none", listPriceUsd: 9 },
  INTUNE_A: { ...flags, displayName: "Microsoft Intune Plan 1", productFamily: "Microsoft Intune", tier: "P1", w365Eligibility: "none", listPriceUsd: 8 },
  // Defender
  ATP_ENTERPRISE: { ...flags, displayName: "Microsoft Defender for Office 365 (Plan 1)", productFamily: "Microsoft Defender", tier: "P1", w365Eligibility: "none", listPriceUsd: 2 },
  THREAT_INTELLIGENCE: { ...flags, displayName: "Microsoft Defender for Office 365 (Plan 2)", productFamily: "Microsoft Defender", tier: "P2", w365Eligibility: "none", listPriceUsd: 5 },
  MDE_SMB: { ...flags, displayName: "Microsoft Defender for Business", productFamily: "Microsoft Defender", tier: "Business", w365Eligibility: "none", listPriceUsd: 3 },
  // Teams
  TEAMS_EXPLORATORY: { ...flags, displayName: "Microsoft Teams Exploratory", productFamily: "Microsoft Teams", tier: "Trial", w365Eligibility: "none", listPriceUsd: 0 },
  // Windows Enterprise (not Windows 365): counts toward Windows PAU
  WIN_ENT_E3: { ...flags, displayName: "Windows Enterprise E3", productFamily: "Windows", tier: "E3", w365Eligibility: "none", windows: true, listPriceUsd: 7 },
  WIN_ENT_E5: { ...flags, displayName: "Windows Enterprise E5", productFamily: "Windows", tier: "E5", w365Eligibility: "none", windows: true, listPriceUsd: 11 },
  WIN10_PRO_ENT_SUB: { ...flags, displayName: "Windows Enterprise E3", productFamily: "Windows", tier: "E3", w365Eligibility: "none", windows: true, listPriceUsd: 7 },
  WIN10_VDA_E3: { ...flags, displayName: "Windows Enterprise E3 (VDA)", productFamily: "Windows", tier: "E3", w365Eligibility: "none", windows: true, listPriceUsd: 7 },
  WIN10_VDA_E5: { ...flags, displayName: "Windows Enterprise E5 (VDA)", productFamily: "Windows", tier: "E5", w365Eligibility: "none", windows: true, listPriceUsd: 11 },
};

/** Approximate Windows 365 list prices by Cloud PC size ("{vCPU}C_{RAM}GB"), Enterprise/Business. */
const cloudPcPrices: Record<string, number> = {
  "2C_4GB": 31,
  "2C_8GB": 41,
  "4C_16GB": 66,
  "8C_32GB": 104,
  "16C_64GB": 195,
};
const defaultCloudPcPrice = 41;
const frontlineCloudPcPrice = 23;

/** The entry for part numbers the catalogue does not know: counted nowhere, never an error. */
export function otherSku(sku: string): SkuInfo {
  return {
    sku,
    displayName: sku,
    productFamily: "Other",
    tier: "Other",
    w365Eligibility: "none",
    ...flags,
    known: false,
  };
}

/** Looks a SKU part number up (case-insensitive). Unknown part numbers get the "other" entry. */
export function lookupSku(partNumber: string): SkuInfo {
  const sku = partNumber.trim().toUpperCase();
  const entry = entries[sku];
  if (entry) return { sku, ...entry, known: true };
  if (sku.startsWith("CPC_")) return cloudPc(sku);
  return otherSku(sku);
}

// Any CPC_* part number is a Windows 365 Cloud PC: CPC_E_* Enterprise, CPC_B_* Business, CPC_F_* Frontline.
function cloudPc(sku: string): SkuInfo {
  const edition = /^CPC_([A-Z]+)_/.exec(sku)?.[1];
  const size = /(\d+C_\d+GB)/.exec(sku)?.[1];
  const frontline = edition === "F" || sku.includes("FRONTLINE");
  const editionName = frontline ? "Frontline" : edition === "B" ? "Business" : "Enterprise";
  return {
    sku,
    displayName: `Windows 365 ${editionName}${size ? ` ${size.replace("_", " ")}` : ""}`,
    productFamily: "Windows 365",
    tier: editionName,
    w365Eligibility: "none",
    ...flags,
    frontline,
    windows365: true,
    listPriceUsd: frontline ? frontlineCloudPcPrice : (size && cloudPcPrices[size]) || defaultCloudPcPrice,
    known: true,
  };
}

/** Every part number with its own entry (CPC_* is matched by prefix), for docs and tests. */
export const knownSkus: readonly string[] = Object.keys(entries);
