import { csvLine, type DemoDatasetFile } from "./dataset.js";
import { between, chance, pick, salts, tenantRandom } from "./random.js";

// installbase.csv: the on-premises products a tenant still runs (and the Azure workloads it already uses),
// for the end-of-service and Azure next-workload propensities. About half the tenants list some: client
// Windows and Office with one installation per few employees, servers by the handful. Most are past or near
// the end of extended support; some are current (known, not due), so end of service is never everything.

type Installed = { product: string; version: string; per: "employees" | "servers" };

const onPremises: Installed[] = [
  { product: "Windows", version: "10", per: "employees" },
  { product: "Windows", version: "7", per: "employees" },
  { product: "Windows", version: "11", per: "employees" },
  { product: "Office", version: "2016", per: "employees" },
  { product: "Office", version: "2013", per: "employees" },
  { product: "Office", version: "2021", per: "employees" },
  { product: "Windows Server", version: "2012 R2", per: "servers" },
  { product: "Windows Server", version: "2016", per: "servers" },
  { product: "Windows Server", version: "2022", per: "servers" },
  { product: "SQL Server", version: "2014", per: "servers" },
  { product: "SQL Server", version: "2019", per: "servers" },
  { product: "Exchange Server", version: "2016", per: "servers" },
];
const azureWorkloads = ["Azure Virtual Machines", "Azure Backup and Site Recovery", "Microsoft Defender for Cloud", "Azure SQL"];

export const installBaseFile: DemoDatasetFile = {
  header: "tenantId,product,version,quantity",
  lines(t, { seed }) {
    const rng = tenantRandom(seed, t.index, salts.installBase);
    if (!chance(rng, 0.5)) return "";
    const rows = new Map<string, string>();
    const products = between(rng, 1, 4);
    for (let i = 0; i < products; i++) {
      const p = pick(rng, onPremises);
      const quantity = p.per === "employees" ? Math.max(1, Math.round(Math.min(t.employees, 2000) * (0.2 + rng() * 0.6))) : between(rng, 1, 24);
      rows.set(`${p.product} ${p.version}`, csvLine([t.tenantId, p.product, p.version, quantity]));
    }
    // Tenants with Azure revenue list the Azure workloads they run, in the order small businesses adopt them.
    if (t.azureMonthlyRevenue > 0 && chance(rng, 0.6)) {
      const running = between(rng, 1, azureWorkloads.length - 1);
      for (const workload of azureWorkloads.slice(0, running)) rows.set(workload, csvLine([t.tenantId, workload, "n/a", ""]));
    }
    return [...rows.values()].join("");
  },
};
