// The generated propensity partner (propensityData.ts) as the CSV files a partner drops: tenants (customers
// reached through a CSP association, prospects through none), the current and an earlier subscriptions snapshot,
// the latest usage month, buying signals (by tenantId or domain; about 1 % dated in the future, which ingest
// refuses row by row) and the install base. File names carry the snapshot dates.

import type { SubscriptionItem } from "../shared/domain/documents.js";
import { generatePropensityPartner } from "./propensityData.js";

export interface PropensityDropFile {
  dataset: "tenants" | "subscriptions" | "usage" | "signals" | "installbase";
  fileName: string;
  text: string;
}

function field(value: string | number | undefined): string {
  if (value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (values: (string | number | undefined)[]) => values.map(field).join(",") + "\n";

function subscriptionLines(tenantId: string, items: readonly SubscriptionItem[]): string {
  return items.map((i) => line([tenantId, i.sku, i.quantity, i.paidUnits, i.status, i.startDate, i.endDate])).join("");
}

/** The drop's files for `tenants` tenants and `signals` signals, dated `asOf` (YYYY-MM-DD, today or earlier). */
export function propensityDropFiles(options: { tenants: number; signals: number; asOf: string; seed?: number }): PropensityDropFile[] {
  const { inputs } = generatePropensityPartner({ tenants: options.tenants, signals: options.signals, asOf: options.asOf, seed: options.seed ?? 11 });
  let tenants = "tenantId,tenantName,domain,countryRegion,segment,industry,employees,azureMonthlyRevenue,cspAssociation,cspTier\n";
  let current = "tenantId,sku,quantity,paidUnits,status,startDate,endDate\n";
  let earlier = current;
  let earlierAsOf: string | undefined;
  let usage = "tenantId,month,workload,assignedUsers,activeUsers\n";
  for (const t of inputs.tenants) {
    const c = t.tenant;
    const customer = t.subscriptions.length > 0;
    tenants += line([c.tenantId, c.tenantName, c.domain, c.countryRegion, c.segment, c.industry, c.employees, c.azureMonthlyRevenue, customer ? "Yes" : "No", customer ? "Tier1" : ""]);
    current += subscriptionLines(c.tenantId, t.subscriptions);
    if (t.earlierSubscriptions) {
      earlierAsOf = t.earlierSubscriptions.asOf;
      earlier += subscriptionLines(c.tenantId, t.earlierSubscriptions.items);
    }
    if (t.usage) for (const [workload, u] of Object.entries(t.usage.workloads)) usage += line([c.tenantId, t.usage.month, workload, u.assignedUsers, u.activeUsers]);
  }
  let signals = "tenantId,domain,signalType,observedOn,strength\n";
  for (const s of inputs.signals) signals += line([s.tenantId, s.domain, s.signalType, s.observedOn, s.strength]);
  let installbase = "tenantId,product,version,quantity\n";
  for (const r of inputs.installBase) installbase += line([r.tenantId, r.product, r.version, r.quantity]);
  const files: PropensityDropFile[] = [
    { dataset: "tenants", fileName: `tenants_${options.asOf}.csv`, text: tenants },
    { dataset: "subscriptions", fileName: `subscriptions_${options.asOf}.csv`, text: current },
    { dataset: "usage", fileName: `usage_${options.asOf}.csv`, text: usage },
    { dataset: "signals", fileName: `signals_${options.asOf}.csv`, text: signals },
    { dataset: "installbase", fileName: `installbase_${options.asOf}.csv`, text: installbase },
  ];
  if (earlierAsOf) files.push({ dataset: "subscriptions", fileName: `subscriptions_${earlierAsOf}.csv`, text: earlier });
  return files;
}
