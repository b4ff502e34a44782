import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { workloads } from "../shared/domain/datasets.js";
import { knownSkus, lookupSku } from "../shared/domain/skuCatalog.js";

// `npm run docs`: the README tables a partner needs without the code, generated from the code's own catalogues
// (between <!-- name:start --> and <!-- name:end --> markers). A unit test fails when the README lags behind.

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const readmePath = path.join(projectRoot, "README.md");

const yes = (flag: boolean) => (flag ? "yes" : "");

/** Every part number of the SKU catalogue, then the Cloud PC rule. */
export function skuCatalogueTable(): string {
  const lines = [
    "| part number (`sku`) | product | family | tier | W365 eligible as | frontline | Microsoft 365 licence | list price (USD/user/month) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const sku of knownSkus) {
    const s = lookupSku(sku);
    const eligible = s.w365Eligibility === "none" ? "" : s.w365Eligibility;
    lines.push(`| ${s.sku} | ${s.displayName} | ${s.productFamily} | ${s.tier} | ${eligible} | ${yes(s.frontline)} | ${yes(s.microsoft365Suite)} | ${s.listPriceUsd ?? ""} |`);
  }
  const cloudPc = (sku: string) => lookupSku(sku).listPriceUsd;
  lines.push(
    `| CPC_* (any) | Windows 365 Cloud PC: CPC_E_… Enterprise, CPC_B_… Business, CPC_F_… or …FRONTLINE… Frontline | Windows 365 | Enterprise, Business, Frontline |  | Frontline only |  | by size ({vCPU}C_{RAM}GB), e.g. ${cloudPc("CPC_E_2C_8GB")} for 2C_8GB; Frontline ${cloudPc("CPC_F_2C_8GB")} |`,
  );
  return lines.join("\n");
}

export function workloadList(): string {
  return workloads.map((w) => `\`${w}\``).join(", ");
}

export const generatedSections: Record<string, () => string> = {
  "sku-catalogue": skuCatalogueTable,
  workloads: workloadList,
};

/** The README with every generated section replaced by what the code says now. */
export function withGeneratedSections(readme: string): string {
  let out = readme;
  for (const [name, generate] of Object.entries(generatedSections)) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
    out = `${out.slice(0, from + start.length)}\n${generate()}\n${out.slice(to)}`;
  }
  return out;
}

async function main(): Promise<void> {
  const readme = await readFile(readmePath, "utf8");
  const updated = withGeneratedSections(readme);
  if (updated === readme) console.error("README.md is up to date.");
  else {
    await writeFile(readmePath, updated);
    console.error("README.md: generated sections rewritten.");
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
