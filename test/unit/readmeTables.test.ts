import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readmePath, skuCatalogueTable, withGeneratedSections } from "../../scripts/docsTables.js";
import { knownSkus } from "../../shared/domain/skuCatalog.js";
import { workloads } from "../../shared/domain/datasets.js";

// A partner reads the README, not the code: its lists of SKU part numbers and workloads are the catalogues'.

describe("README tables generated from the code", () => {
  const readme = readFileSync(readmePath, "utf8");

  it("lists every SKU part number and workload the code knows, as `npm run docs` writes them", () => {
    expect(withGeneratedSections(readme) === readme, "README.md lags behind the code: run npm run docs").toBe(true);
    for (const sku of knownSkus) expect(readme).toContain(`| ${sku} |`);
    for (const workload of workloads) expect(readme).toContain(`\`${workload}\``);
  });

  it("gives each part number its family, tier, eligibility and price", () => {
    const table = skuCatalogueTable();
    expect(table).toContain("| SPE_E5 | Microsoft 365 E5 | Microsoft 365 | E5 | ME5 |  | yes | 57 |");
    expect(table).toContain("| SPE_F1 | Microsoft 365 F3 | Microsoft 365 | F3 | F3 | yes | yes | 8 |");
    expect(table.split("\n")).toHaveLength(knownSkus.length + 3);
  });
});
