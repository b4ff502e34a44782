import { describe, expect, it } from "vitest";
import { lookupSku } from "../../../shared/domain/skuCatalog.js";
import {
  azureNextWorkloadOf,
  azureWorkloadSequence,
  endOfServiceCatalogue,
  estimateRevenue,
  familySettingsSchema,
  installBaseOf,
  matchInstallBase,
  ownedSkus,
  upsellOf,
  whitespaceOf,
  whitespaceSeats,
} from "../../../shared/domain/propensity/index.js";
import { line, tenantId } from "./builders.js";

const asOf = "2026-05-15";
const price = (sku: string) => lookupSku(sku).listPriceUsd!;

describe("whitespace", () => {
  it("offers a prospect one product per need, sized to it, priced seats × list price × 12", () => {
    const rows = whitespaceOf(new Set(), 40);
    expect(rows.map((r) => r.product)).toEqual([
      "Microsoft 365 Business Premium",
      "Microsoft Defender for Business",
      "Microsoft Defender for Office 365 (Plan 1)",
      "Microsoft Intune Plan 1",
      "Microsoft Entra ID P1",
      "Windows 365 Business",
    ]);
    for (const r of rows) {
      expect(r.family).toBe("Whitespace");
      expect(r.seats).toBe(40);
      expect(r.listPrice).toBe(price(r.sku!));
      expect(r.estimatedAnnualRevenue).toBe(Math.round(40 * price(r.sku!) * 12 * 100) / 100);
    }
  });

  it("offers enterprise plans above the 300-user cap of business plans", () => {
    const rows = whitespaceOf(new Set(), 301);
    expect(rows.map((r) => r.sku)).toEqual(["SPE_E3", "IDENTITY_THREAT_PROTECTION", "ATP_ENTERPRISE", "INTUNE_A", "AAD_PREMIUM", "CPC_E_2C_8GB"]);
    expect(whitespaceOf(new Set(), 300)[0].sku).toBe("SPB");
  });

  it("treats a need as owned when a suite that includes it is owned", () => {
    expect(whitespaceOf(ownedSkus([line("SPB", 20)]), 20).map((r) => r.product)).toEqual(["Windows 365 Business"]);
    expect(whitespaceOf(ownedSkus([line("SPE_E5", 500), line("CPC_E_4C_16GB", 10)]), 500)).toEqual([]);
    const e3 = whitespaceOf(ownedSkus([line("SPE_E3", 500)]), 500).map((r) => r.product);
    expect(e3).toEqual(["Microsoft 365 E5 Security", "Microsoft Defender for Office 365 (Plan 1)", "Windows 365 Enterprise"]);
  });

  it("does not count trials or cancelled subscriptions as owned", () => {
    const owned = ownedSkus([line("SPB", 20, { status: "Trial" }), line("MDE_SMB", 20, { status: "Disabled" })]);
    expect(whitespaceOf(owned, 20)[0].sku).toBe("SPB");
  });

  it("sells for the licensed users, else the employees, and gives no revenue when neither is known", () => {
    expect(whitespaceSeats(25, 400)).toBe(25);
    expect(whitespaceSeats(0, 400)).toBe(400);
    expect(whitespaceSeats(0, undefined)).toBeUndefined();
    const rows = whitespaceOf(new Set(), undefined);
    expect(rows[0].sku).toBe("SPB");
    expect(rows.every((r) => r.estimatedAnnualRevenue === undefined && r.seats === undefined)).toBe(true);
  });

  it("has no estimate for a product without a list price", () => {
    expect(estimateRevenue(10, "NOT_IN_CATALOGUE")).toBeUndefined();
    expect(estimateRevenue(0, "SPB")).toBeUndefined();
    expect(estimateRevenue(10, "SPB")).toEqual({ seats: 10, listPrice: price("SPB"), estimatedAnnualRevenue: 10 * price("SPB") * 12 });
  });
});

describe("up-sell", () => {
  const usage = (exchange: number, intune = 0) => ({
    Exchange: { assignedUsers: 100, activeUsers: exchange },
    Intune: { assignedUsers: 100, activeUsers: intune },
  });

  it("proposes more seats of a suite whose seats are at least 90 % used, and not below", () => {
    const items = [line("SPB", 100)];
    const rows = upsellOf(items, undefined, usage(90));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ family: "Up-sell", product: "Microsoft 365 Business Premium", sku: "SPB", seats: 10 });
    expect(rows[0].reason).toBe("90 Exchange active users on 100 paid seats (90 %)");
    expect(upsellOf(items, undefined, usage(89))).toEqual([]);
    expect(upsellOf(items, undefined, undefined)).toEqual([]);
  });

  it("uses the seats' growth since the earlier snapshot, and at least the active users beyond the paid seats", () => {
    const grown = upsellOf([line("SPB", 100)], { asOf: "2026-02-15", items: [line("SPB", 80)] }, usage(98));
    expect(grown[0].seats).toBe(25);
    expect(grown[0].reason).toBe("98 Exchange active users on 100 paid seats (98 %); seats grew from 80 to 100 since 2026-02-15");
    expect(grown[0].estimatedAnnualRevenue).toBe(25 * price("SPB") * 12);
    expect(upsellOf([line("SPB", 100)], undefined, usage(140))[0].seats).toBe(40);
  });

  it("proposes nothing when seats fell since the earlier snapshot", () => {
    expect(upsellOf([line("SPB", 100)], { asOf: "2026-02-15", items: [line("SPB", 120)] }, usage(100))).toEqual([]);
  });

  it("pools suite seats and proposes the suite with most seats; other SKUs are measured by their own workload", () => {
    const rows = upsellOf([line("SPB", 60), line("O365_BUSINESS_ESSENTIALS", 40), line("INTUNE_A", 50)], undefined, usage(95, 49));
    expect(rows.map((r) => [r.sku, r.seats])).toEqual([
      ["SPB", 10],
      ["INTUNE_A", 5],
    ]);
  });
});

describe("Azure next logical workload", () => {
  it("proposes the first workload of the sequence the tenant does not run", () => {
    const running = new Set([azureWorkloadSequence[0], azureWorkloadSequence[1]]);
    const row = azureNextWorkloadOf(2500, running)!;
    expect(row).toMatchObject({ family: "Azure next logical workload", product: azureWorkloadSequence[2] });
    expect(row.estimatedAnnualRevenue).toBeUndefined();
    expect(row.reason).toContain("Azure revenue $2,500 a month");
  });

  it("takes a tenant with Azure revenue and no listed workload to run the first", () => {
    const row = azureNextWorkloadOf(300, new Set())!;
    expect(row.product).toBe(azureWorkloadSequence[1]);
    expect(row.reason).toContain(`taken to run ${azureWorkloadSequence[0]}`);
  });

  it("proposes nothing without Azure revenue, or when every workload runs", () => {
    expect(azureNextWorkloadOf(undefined, new Set())).toBeUndefined();
    expect(azureNextWorkloadOf(0, new Set())).toBeUndefined();
    expect(azureNextWorkloadOf(100, new Set(azureWorkloadSequence))).toBeUndefined();
  });
});

describe("end of service", () => {
  const t = tenantId(7);

  it("knows the seed's products with their end of extended support", () => {
    const date = (product: string, version: string) => {
      const m = matchInstallBase(product, version);
      return m.kind === "endOfService" ? m.entry.endOfService : m.kind;
    };
    expect(date("Windows", "7")).toBe("2020-01-14");
    expect(date("Office", "2010")).toBe("2020-10-13");
    expect(date("SQL Server", "2012")).toBe("2022-07-12");
    expect(date("SQL Server", "2014")).toBe("2024-07-09");
    expect(date("Windows Server", "2012")).toBe("2023-10-10");
    expect(date("Windows Server", "2012 R2")).toBe("2023-10-10");
    expect(date("Windows Server", "2016")).toBe("2027-01-12");
  });

  it("matches the ways partners write a product and version", () => {
    expect(matchInstallBase("Microsoft Windows Server", "2012R2")).toMatchObject({ kind: "endOfService", entry: { version: "2012 R2" } });
    expect(matchInstallBase("Windows Server 2012 R2", "Datacenter")).toMatchObject({ kind: "endOfService", entry: { version: "2012 R2" } });
    expect(matchInstallBase("sql server", "2014")).toMatchObject({ kind: "endOfService", entry: { product: "SQL Server" } });
    expect(matchInstallBase("Azure SQL", "n/a")).toEqual({ kind: "azureWorkload", workload: "Azure SQL" });
    expect(matchInstallBase("Lotus Notes", "9")).toEqual({ kind: "unknown" });
  });

  it("lists products past their end or ending within 12 months, with what to move to and the installed quantity's revenue", () => {
    const rows = [
      { tenantId: t, product: "Windows Server", version: "2012 R2", quantity: 14 },
      { tenantId: t, product: "Windows", version: "7", quantity: 30 },
      { tenantId: t, product: "Windows", version: "7", quantity: 5 },
      { tenantId: t, product: "SQL Server", version: "2016" }, // ends 2026-07-14: within 12 months
      { tenantId: t, product: "Windows Server", version: "2019", quantity: 3 }, // ends 2029-01-09: beyond
      { tenantId: t, product: "Windows", version: "11", quantity: 3 }, // no fixed end
    ];
    const out = installBaseOf(rows, asOf, 50);
    expect(out.unknown).toEqual([]);
    expect(out.endOfService.map((r) => [r.installedProduct, r.product, r.seats, r.estimatedAnnualRevenue])).toEqual([
      ["Windows 7", "Microsoft 365 Business Premium", 35, 35 * price("SPB") * 12],
      ["Windows Server 2012 R2", "Azure Virtual Machines (Extended Security Updates included)", 14, undefined],
      ["SQL Server 2016", "Azure SQL", 50, undefined],
    ]);
    expect(out.endOfService[0].reason).toBe("Windows 7 (35 installed) reached end of support on 2020-01-14");
    expect(out.endOfService[2].reason).toBe("SQL Server 2016 reaches end of support on 2026-07-14");
    const horizon = familySettingsSchema.parse({ endOfServiceHorizonMonths: 0 });
    expect(installBaseOf(rows, asOf, 50, horizon).endOfService.map((r) => r.installedProduct)).toEqual(["Windows 7", "Windows Server 2012 R2"]);
  });

  it("returns install-base products in no catalogue as unknown, and Azure workloads as running", () => {
    const out = installBaseOf(
      [
        { tenantId: t, product: "Lotus Notes", version: "9", quantity: 3 },
        { tenantId: t, product: "Azure Virtual Machines", version: "-" },
      ],
      asOf,
      undefined,
    );
    expect(out.unknown.map((r) => r.product)).toEqual(["Lotus Notes"]);
    expect([...out.azureWorkloads]).toEqual(["Azure Virtual Machines"]);
    expect(out.endOfService).toEqual([]);
  });

  it("lists every dated product of the catalogue once", () => {
    const keys = endOfServiceCatalogue.map((e) => `${e.product} ${e.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of endOfServiceCatalogue) if (e.endOfService) expect(e.endOfService).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("whitespace reasons", () => {
  it("say which need is open, and that a prospect has no licences yet", () => {
    expect(whitespaceOf(new Set(), 10).at(-1)!.reason).toBe("No Cloud PC (no Microsoft cloud licences yet)");
    expect(whitespaceOf(ownedSkus([line("O365_BUSINESS_ESSENTIALS", 10)]), 10)[1].reason).toBe("No endpoint security product");
  });
});
