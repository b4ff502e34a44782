import { describe, expect, it } from "vitest";
import { knownSkus, lookupSku } from "../../shared/domain/skuCatalog.js";

describe("SKU catalogue", () => {
  it("classifies the W365-eligible suites as ME5, ME3 and F3 (SPE_F1 is Microsoft 365 F3)", () => {
    expect(lookupSku("SPE_E5")).toMatchObject({ w365Eligibility: "ME5", displayName: "Microsoft 365 E5" });
    expect(lookupSku("SPE_E3")).toMatchObject({ w365Eligibility: "ME3", displayName: "Microsoft 365 E3" });
    expect(lookupSku("SPE_F1")).toMatchObject({ w365Eligibility: "F3", frontline: true, displayName: "Microsoft 365 F3" });
  });

  it("does not make Office 365, EMS, Business or add-on SKUs W365-eligible", () => {
    for (const sku of ["ENTERPRISEPACK", "ENTERPRISEPREMIUM", "STANDARDPACK", "DESKLESSPACK", "EMSPREMIUM", "EMS", "SPB", "O365_BUSINESS_PREMIUM", "INTUNE_A", "AAD_PREMIUM", "SPE_F5_SEC", "WIN_ENT_E3"]) {
      expect(lookupSku(sku).w365Eligibility, sku).toBe("none");
    }
  });

  it("counts Microsoft 365 and Office 365 suites (and Apps) as Microsoft 365 licences, not standalone services", () => {
    for (const sku of ["SPE_E5", "SPE_E3", "SPE_F1", "ENTERPRISEPACK", "ENTERPRISEPREMIUM", "STANDARDPACK", "DESKLESSPACK", "O365_BUSINESS_ESSENTIALS", "O365_BUSINESS_PREMIUM", "O365_BUSINESS", "SPB"]) {
      expect(lookupSku(sku).microsoft365Suite, sku).toBe(true);
    }
    for (const sku of ["EMSPREMIUM", "EMS", "AAD_PREMIUM", "AAD_PREMIUM_P2", "INTUNE_A", "ATP_ENTERPRISE", "THREAT_INTELLIGENCE", "MDE_SMB", "TEAMS_EXPLORATORY", "WIN_ENT_E5", "CPC_E_2C_8GB_128GB"]) {
      expect(lookupSku(sku).microsoft365Suite, sku).toBe(false);
    }
  });

  it("counts Windows Enterprise, standalone or inside Microsoft 365 E3/E5/F3, toward Windows PAU", () => {
    for (const sku of ["WIN_ENT_E3", "WIN_ENT_E5", "WIN10_VDA_E3", "WIN10_VDA_E5", "SPE_E3", "SPE_E5", "SPE_F1"]) {
      expect(lookupSku(sku).windows, sku).toBe(true);
    }
    expect(lookupSku("ENTERPRISEPACK").windows).toBe(false);
    expect(lookupSku("CPC_E_2C_8GB_128GB").windows).toBe(false);
  });

  it("treats any CPC_ part number as Windows 365, pricing it by Cloud PC size", () => {
    const enterprise = lookupSku("CPC_E_4C_16GB_128GB");
    expect(enterprise).toMatchObject({ productFamily: "Windows 365", windows365: true, tier: "Enterprise", known: true });
    expect(enterprise.listPriceUsd).toBe(66);
    expect(lookupSku("CPC_B_2C_4GB_64GB")).toMatchObject({ windows365: true, tier: "Business", listPriceUsd: 31 });
    expect(lookupSku("CPC_F_2C_8GB_128GB")).toMatchObject({ windows365: true, frontline: true });
    expect(lookupSku("CPC_SOMETHING_NEW")).toMatchObject({ windows365: true, listPriceUsd: 41 });
  });

  it("maps an unknown SKU to the documented 'other' entry instead of failing", () => {
    expect(lookupSku("CONTOSO_SPECIAL")).toEqual({
      sku: "CONTOSO_SPECIAL",
      displayName: "CONTOSO_SPECIAL",
      productFamily: "Other",
      tier: "Other",
      w365Eligibility: "none",
      frontline: false,
      microsoft365Suite: false,
      windows365: false,
      windows: false,
      known: false,
    });
  });

  it("looks part numbers up case-insensitively", () => {
    expect(lookupSku(" spe_e5 ")).toMatchObject({ sku: "SPE_E5", w365Eligibility: "ME5", known: true });
  });

  it("gives every catalogued SKU a family, a tier and a list price", () => {
    for (const sku of [...knownSkus, "SPE_F5_SEC", "TEAMS_EXPLORATORY", "MDE_SMB"]) {
      const info = lookupSku(sku);
      expect(info.known, sku).toBe(true);
      expect(info.productFamily, sku).not.toBe("Other");
      expect(info.tier.length, sku).toBeGreaterThan(0);
      expect(typeof info.listPriceUsd, sku).toBe("number");
    }
  });
});
