import { lookupSku } from "../skuCatalog.js";

// Catalogues CloudAscent propensity reads, as data: the products it recommends (prices come from the SKU
// catalogue, skuCatalog.ts), the workloads that show whether a licence is used, the Azure workload sequence
// and the end-of-service dates of on-premises products.

// ---- products (whitespace) -----------------------------------------------------------------

export interface CatalogueProduct {
  product: string;
  /** Part number whose list price prices it. */
  sku: string;
  /** Largest tenant (in seats) the product is sold to, when Microsoft caps it (business plans: 300 users). */
  maxSeats?: number;
}

/**
 * A need a tenant either covers or not: one product recommended when it is not covered (the first that fits
 * the tenant's size), so whitespace rows never offer two products for the same need.
 */
export interface ProductNeed {
  need: string;
  /** The gap in words, for the whitespace reason: "No endpoint security product". */
  gap: string;
  products: readonly CatalogueProduct[];
  /** Part numbers that cover the need (the recommended ones and the suites that include them). */
  coveredBy: readonly string[];
  /** Part-number prefix that covers the need (Windows 365 Cloud PCs are CPC_*). */
  coveredByPrefix?: string;
}

const microsoft365E5 = ["SPE_E5", "SPE_E5_NOPSTNCONF"];
const office365E5 = ["ENTERPRISEPREMIUM", "ENTERPRISEPREMIUM_NOPSTNCONF"];

export const productNeeds: readonly ProductNeed[] = [
  {
    need: "Productivity and security suite",
    gap: "No Microsoft 365 suite with security and device management",
    products: [
      { product: "Microsoft 365 Business Premium", sku: "SPB", maxSeats: 300 },
      { product: "Microsoft 365 E3", sku: "SPE_E3" },
    ],
    coveredBy: ["SPB", "SPE_E3", ...microsoft365E5],
  },
  {
    need: "Endpoint security",
    gap: "No endpoint security product",
    products: [
      { product: "Microsoft Defender for Business", sku: "MDE_SMB", maxSeats: 300 },
      { product: "Microsoft 365 E5 Security", sku: "IDENTITY_THREAT_PROTECTION" },
    ],
    coveredBy: ["MDE_SMB", "SPB", "IDENTITY_THREAT_PROTECTION", ...microsoft365E5],
  },
  {
    need: "Email and collaboration security",
    gap: "No email and collaboration security product",
    products: [{ product: "Microsoft Defender for Office 365 (Plan 1)", sku: "ATP_ENTERPRISE" }],
    coveredBy: ["ATP_ENTERPRISE", "THREAT_INTELLIGENCE", "SPB", "IDENTITY_THREAT_PROTECTION", ...microsoft365E5, ...office365E5],
  },
  {
    need: "Device management",
    gap: "No device management product",
    products: [{ product: "Microsoft Intune Plan 1", sku: "INTUNE_A" }],
    coveredBy: ["INTUNE_A", "EMS", "EMSPREMIUM", "SPB", "SPE_E3", "SPE_F1", ...microsoft365E5],
  },
  {
    need: "Identity and access",
    gap: "No identity and access protection beyond the free tier",
    products: [{ product: "Microsoft Entra ID P1", sku: "AAD_PREMIUM" }],
    coveredBy: ["AAD_PREMIUM", "AAD_PREMIUM_P2", "EMS", "EMSPREMIUM", "SPB", "SPE_E3", "SPE_F1", "IDENTITY_THREAT_PROTECTION", ...microsoft365E5],
  },
  {
    need: "Cloud PC",
    gap: "No Cloud PC",
    products: [
      { product: "Windows 365 Business", sku: "CPC_B_2C_8GB", maxSeats: 300 },
      { product: "Windows 365 Enterprise", sku: "CPC_E_2C_8GB" },
    ],
    coveredBy: [],
    coveredByPrefix: "CPC_",
  },
];

/** USD per user per month at list price (skuCatalog.ts), undefined when the catalogue has no price. */
export function listPrice(sku: string): number | undefined {
  return lookupSku(sku).listPriceUsd;
}

/** The product of a need that fits a tenant of `seats` seats (unknown size: the first). */
export function productForSize(need: ProductNeed, seats: number | undefined): CatalogueProduct | undefined {
  return need.products.find((p) => seats === undefined || p.maxSeats === undefined || seats <= p.maxSeats);
}

export function needCovered(need: ProductNeed, ownedSkus: ReadonlySet<string>): boolean {
  for (const sku of ownedSkus) {
    if (need.coveredBy.includes(sku)) return true;
    if (need.coveredByPrefix !== undefined && sku.startsWith(need.coveredByPrefix)) return true;
  }
  return false;
}

// ---- licence use (up-sell) ------------------------------------------------------------------

/** Suites share their users' activity: seats of all suite SKUs are compared with the busiest core workload. */
export const suiteWorkloads = ["Exchange", "Teams", "CoreApps", "SharePoint", "OneDrive"] as const;

/**
 * The usage workloads whose monthly active users show how much of a SKU's seats are used. Suites
 * (Microsoft 365 / Office 365) use `suiteWorkloads`; undefined for SKUs no workload measures.
 */
export function utilisationWorkloads(sku: string): readonly string[] | undefined {
  const info = lookupSku(sku);
  if (info.microsoft365Suite) return suiteWorkloads;
  if (info.windows365) return ["Windows365"];
  switch (info.productFamily) {
    case "Microsoft Intune":
    case "Enterprise Mobility + Security":
      return ["Intune"];
    case "Microsoft Entra ID":
      return ["EntraID"];
    case "Microsoft Defender":
      return info.tier === "Business" ? ["DefenderForBusiness"] : ["DefenderForOffice"];
    default:
      return undefined;
  }
}

// ---- Azure next logical workload ------------------------------------------------------------

/**
 * The Azure workload sequence a small business usually follows (migrate and secure first, then data,
 * desktops, apps and AI). A tenant's next logical workload is the first one it does not run yet. Workloads
 * a tenant runs come from its install base (a row whose product is one of these names); a tenant with Azure
 * revenue and none listed is taken to run the first (infrastructure is where Azure spend usually starts).
 */
export const azureWorkloadSequence = [
  "Azure Virtual Machines",
  "Azure Backup and Site Recovery",
  "Microsoft Defender for Cloud",
  "Azure SQL",
  "Azure Virtual Desktop",
  "Azure App Service",
  "Azure OpenAI Service",
] as const;
export type AzureWorkload = (typeof azureWorkloadSequence)[number];

// ---- end of service -------------------------------------------------------------------------

export interface EndOfServiceProduct {
  /** Product and version as Microsoft names them. */
  product: string;
  version: string;
  /** End of extended support (Microsoft lifecycle), YYYY-MM-DD; absent under the Modern Lifecycle Policy (no fixed end). */
  endOfService?: string;
  /** What to move to, and the part number pricing it (none: Azure consumption, no list price per seat). */
  moveTo: string;
  moveToSku?: string;
}

const windowsClient = { moveTo: "Microsoft 365 Business Premium", moveToSku: "SPB" };
const officeClient = { moveTo: "Microsoft 365 Business Standard", moveToSku: "O365_BUSINESS_PREMIUM" };
const exchangeServer = { moveTo: "Exchange Online (Microsoft 365 Business Basic)", moveToSku: "O365_BUSINESS_ESSENTIALS" };
const sqlServer = { moveTo: "Azure SQL" };
const windowsServer = { moveTo: "Azure Virtual Machines (Extended Security Updates included)" };

/** Microsoft lifecycle end dates (end of extended support). Products still supported are listed so they are known. */
export const endOfServiceCatalogue: readonly EndOfServiceProduct[] = [
  { product: "Windows", version: "7", endOfService: "2020-01-14", ...windowsClient },
  { product: "Windows", version: "8.1", endOfService: "2023-01-10", ...windowsClient },
  { product: "Windows", version: "10", endOfService: "2025-10-14", ...windowsClient },
  { product: "Windows", version: "11", ...windowsClient },
  { product: "Office", version: "2010", endOfService: "2020-10-13", ...officeClient },
  { product: "Office", version: "2013", endOfService: "2023-04-11", ...officeClient },
  { product: "Office", version: "2016", endOfService: "2025-10-14", ...officeClient },
  { product: "Office", version: "2019", endOfService: "2025-10-14", ...officeClient },
  { product: "Office", version: "2021", endOfService: "2026-10-13", ...officeClient },
  { product: "Exchange Server", version: "2010", endOfService: "2020-10-13", ...exchangeServer },
  { product: "Exchange Server", version: "2013", endOfService: "2023-04-11", ...exchangeServer },
  { product: "Exchange Server", version: "2016", endOfService: "2025-10-14", ...exchangeServer },
  { product: "Exchange Server", version: "2019", endOfService: "2025-10-14", ...exchangeServer },
  { product: "SQL Server", version: "2008", endOfService: "2019-07-09", ...sqlServer },
  { product: "SQL Server", version: "2008 R2", endOfService: "2019-07-09", ...sqlServer },
  { product: "SQL Server", version: "2012", endOfService: "2022-07-12", ...sqlServer },
  { product: "SQL Server", version: "2014", endOfService: "2024-07-09", ...sqlServer },
  { product: "SQL Server", version: "2016", endOfService: "2026-07-14", ...sqlServer },
  { product: "SQL Server", version: "2017", endOfService: "2027-10-12", ...sqlServer },
  { product: "SQL Server", version: "2019", endOfService: "2030-01-08", ...sqlServer },
  { product: "SQL Server", version: "2022", endOfService: "2033-01-11", ...sqlServer },
  { product: "Windows Server", version: "2008", endOfService: "2020-01-14", ...windowsServer },
  { product: "Windows Server", version: "2008 R2", endOfService: "2020-01-14", ...windowsServer },
  { product: "Windows Server", version: "2012", endOfService: "2023-10-10", ...windowsServer },
  { product: "Windows Server", version: "2012 R2", endOfService: "2023-10-10", ...windowsServer },
  { product: "Windows Server", version: "2016", endOfService: "2027-01-12", ...windowsServer },
  { product: "Windows Server", version: "2019", endOfService: "2029-01-09", ...windowsServer },
  { product: "Windows Server", version: "2022", endOfService: "2031-10-14", ...windowsServer },
];

/** "Microsoft Windows Server 2012R2" → "windows server 2012 r2": case, punctuation, "Microsoft" and glued versions ignored. */
export function productKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/([0-9])([a-z])/g, "$1 $2")
    .replace(/[^a-z0-9.]+/g, " ")
    .replace(/\bmicrosoft\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

const eosByKey = new Map(endOfServiceCatalogue.map((e) => [productKey(`${e.product} ${e.version}`), e]));
const azureByKey = new Map(azureWorkloadSequence.map((w) => [productKey(w), w]));

export type InstallBaseMatch =
  | { kind: "endOfService"; entry: EndOfServiceProduct }
  | { kind: "azureWorkload"; workload: AzureWorkload }
  | { kind: "unknown" };

/**
 * What an install-base row is: a product of the end-of-service catalogue (product and version, or a product
 * name that already carries its version, e.g. "Windows Server 2012 R2" with version "Datacenter"), an Azure
 * workload of the sequence, or unknown.
 */
export function matchInstallBase(product: string, version: string): InstallBaseMatch {
  const withVersion = productKey(`${product} ${version}`);
  const alone = productKey(product);
  const entry = eosByKey.get(withVersion) ?? eosByKey.get(alone);
  if (entry) return { kind: "endOfService", entry };
  const workload = azureByKey.get(alone) ?? azureByKey.get(withVersion);
  if (workload) return { kind: "azureWorkload", workload };
  return { kind: "unknown" };
}
