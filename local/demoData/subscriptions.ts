import { addMonths, csvLine, type DemoDatasetFile } from "./dataset.js";
import type { TenantProfile } from "./profile.js";
import { between, chance, pick, type Rng } from "./random.js";
import type { TenantIdentity } from "./tenants.js";

// subscriptions.csv: the tenant's licences (one line per SKU), all renewing on one date.

export interface SubscriptionLine {
  sku: string;
  product: string;
  quantity: number;
  paidUnits: number;
  status: "Active" | "Trial" | "Expired" | "Disabled" | "Warning";
  startDate: string;
  endDate: string;
  source: "Partner" | "Direct";
}

/** Draws the licences from the profile's seats (in the tenant stream, after the identity). */
export function drawSubscriptions(
  rng: Rng,
  profile: TenantProfile,
  identity: Pick<TenantIdentity, "eaPartner" | "csp">,
  asOfMonth: string,
): { lines: SubscriptionLine[]; renewalMonth: string } {
  const { segment, isFlex, e5, e3, f3, o365e3, emsSeats, w365, smbSku, smbSeats } = profile;
  const source = identity.eaPartner && !identity.csp ? "Direct" : "Partner";
  const renewalOffset = between(rng, 1, 30);
  const renewalMonth = addMonths(asOfMonth, renewalOffset);
  const endDate = `${renewalMonth}-${String(between(rng, 1, 28)).padStart(2, "0")}`;
  const startDate = `${addMonths(renewalMonth, -12 * between(rng, 1, 3))}-${endDate.slice(8)}`;
  const lines: SubscriptionLine[] = [];
  const line = (sku: string, product: string, seats: number, status: SubscriptionLine["status"] = "Active", paid = seats) => {
    if (seats > 0) lines.push({ sku, product, quantity: seats, paidUnits: paid, status, startDate, endDate, source });
  };
  line("SPE_E5", "Microsoft 365 E5", e5);
  line("SPE_E3", "Microsoft 365 E3", e3, chance(rng, 0.05) ? "Warning" : "Active");
  line("SPE_F1", "Microsoft 365 F3", f3);
  line("ENTERPRISEPACK", "Office 365 E3", o365e3);
  line("EMSPREMIUM", "Enterprise Mobility + Security E5", emsSeats);
  if (segment !== "SMB" && chance(rng, 0.3)) line("ATP_ENTERPRISE", "Microsoft Defender for Office 365 (Plan 1)", Math.round((e3 + o365e3) * 0.5));
  if (w365 > 0) {
    const sizes = ["CPC_E_2C_8GB", "CPC_E_4C_16GB", "CPC_E_2C_4GB"] as const;
    if (isFlex) {
      const frontlinePcs = Math.round(w365 * (0.4 + rng() * 0.3));
      line("CPC_F_2C_8GB", "Windows 365 Frontline 2 vCPU 8 GB", frontlinePcs);
      line(pick(rng, sizes), "Windows 365 Enterprise", w365 - frontlinePcs);
    } else line(pick(rng, sizes), "Windows 365 Enterprise", w365);
  }
  if (segment === "SMB") {
    const productNames = { O365_BUSINESS_ESSENTIALS: "Microsoft 365 Business Basic", O365_BUSINESS_PREMIUM: "Microsoft 365 Business Standard", SPB: "Microsoft 365 Business Premium" };
    line(smbSku, productNames[smbSku], smbSeats);
    if (smbSku === "SPB" && chance(rng, 0.4)) line("MDE_SMB", "Microsoft Defender for Business", smbSeats);
  }
  if (chance(rng, 0.15)) line("TEAMS_EXPLORATORY", "Microsoft Teams Exploratory", between(rng, 10, 200), "Trial", 0);
  if (chance(rng, 0.1)) line("STANDARDPACK", "Office 365 E1", between(rng, 10, 120), "Expired");
  return { lines, renewalMonth };
}

export const subscriptionsFile: DemoDatasetFile = {
  header: "tenantId,sku,product,quantity,paidUnits,status,startDate,endDate,source",
  lines: (t) =>
    t.subscriptions
      .map((s) => csvLine([t.tenantId, s.sku, s.product, s.quantity, s.paidUnits, s.status, s.startDate, s.endDate, s.source]))
      .join(""),
};
