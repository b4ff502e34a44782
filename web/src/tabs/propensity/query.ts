import type { Query } from "../../app/api.js";
import type { Cell, Cluster, PropensitySortColumn } from "../../app/types.js";

// The Propensity table's filters and sort as the API's query string (the list and the export share it), and
// the filters in force in words.

export type Band = "High" | "Medium" | "Low" | "Very low";
export type CustomerType = "Customer" | "Prospect";

export interface Filters {
  cell?: Cell;
  cluster?: Cluster;
  customerType?: CustomerType;
  family?: string;
  fitBand?: Band;
  intentBand?: Band;
  subsegment?: string;
  search: string;
}

export const noFilters: Filters = { search: "" };

export interface Sort {
  column: PropensitySortColumn;
  order: "asc" | "desc";
}

/** The matrix order (A1 first … D4), the API's default. */
export const defaultSort: Sort = { column: "priority", order: "desc" };

/** The API's limit (shared/api/common.ts; test/page/propensityQuery.test.ts holds them together), kept here so the tab does not load zod. */
export const maxSearchLength = 100;

export const sortLabels: Record<PropensitySortColumn, string> = {
  priority: "Priority (matrix order)",
  tenantName: "Name",
  fit: "Fit",
  intent: "Intent",
  cell: "Cell",
  whitespaceRevenue: "Whitespace revenue",
  openExpiringRevenue: "Open expiring revenue",
  monthlyLicenceValue: "Monthly licence value",
  licensedUsers: "Licensed users",
  employees: "Employees",
  azureMonthlyRevenue: "Azure monthly revenue",
};

/** Names and cells read A to Z; scores, revenue and counts largest first. */
export const naturalOrder = (column: PropensitySortColumn): Sort["order"] => (column === "tenantName" || column === "cell" ? "asc" : "desc");

export function nextSort(current: Sort, column: PropensitySortColumn): Sort {
  if (current.column === column) return { column, order: current.order === "asc" ? "desc" : "asc" };
  return { column, order: naturalOrder(column) };
}

export function exportQuery(filters: Filters, sort: Sort): Query {
  return {
    cell: filters.cell,
    cluster: filters.cluster,
    customerType: filters.customerType,
    family: filters.family,
    fitBand: filters.fitBand,
    intentBand: filters.intentBand,
    subsegment: filters.subsegment,
    search: filters.search.trim() || undefined,
    sort: sort.column,
    order: sort.order,
  };
}

export function listQuery(filters: Filters, sort: Sort, pageSize: number): Query {
  return { ...exportQuery(filters, sort), pageSize };
}

const fitWords: Record<string, Band> = { A: "High", B: "Medium", C: "Low", D: "Very low" };
const intentWords: Record<string, Band> = { "1": "High", "2": "Medium", "3": "Low", "4": "Very low" };

/** "A1" → "high fit, high intent". */
export function cellInWords(cell: string): string {
  const fit = fitWords[cell[0]];
  const intent = intentWords[cell[1]];
  return fit && intent ? `${fit.toLowerCase()} fit, ${intent.toLowerCase()} intent` : cell;
}

/** The filters in force, in words, each with what removing it leaves. */
export function activeFilters(filters: Filters): { label: string; without: Filters }[] {
  const chips: { label: string; without: Filters }[] = [];
  const chip = (label: string, key: keyof Filters) => chips.push({ label, without: { ...filters, [key]: key === "search" ? "" : undefined } });
  if (filters.search.trim()) chip(`Search: “${filters.search.trim()}”`, "search");
  if (filters.cell) chip(`Cell: ${filters.cell} (${cellInWords(filters.cell)})`, "cell");
  if (filters.cluster) chip(`Cluster: ${filters.cluster}`, "cluster");
  if (filters.customerType) chip(filters.customerType === "Customer" ? "Customers only" : "Prospects only", "customerType");
  if (filters.family) chip(`Family: ${filters.family}`, "family");
  if (filters.fitBand) chip(`Fit: ${filters.fitBand}`, "fitBand");
  if (filters.intentBand) chip(`Intent: ${filters.intentBand}`, "intentBand");
  if (filters.subsegment) chip(`Subsegment: ${filters.subsegment}`, "subsegment");
  return chips;
}
