import type { Query } from "../../app/api.js";
import type { DealScoresSortColumn } from "../../app/types.js";

// The scored deals table's filters and sort as the API's query string (the list and the export share it), and
// the filters in force in words.

export type Grade = "A" | "B" | "C" | "D";
export type Trend = "Improving" | "Steady" | "Declining" | "Not enough info";

export interface Filters {
  grade?: Grade;
  trend?: Trend;
  owner?: string;
  stage?: string;
  product?: string;
  modelId?: string;
  search: string;
}

export const noFilters: Filters = { search: "" };

export interface Sort {
  column: DealScoresSortColumn;
  order: "asc" | "desc";
}

export const defaultSort: Sort = { column: "score", order: "desc" };

/** The API's limit (shared/api/common.ts; test/page/dealScoringQuery.test.ts holds them together), kept here so the tab does not load zod. */
export const maxSearchLength = 100;

/** Names and ids read A to Z; scores, values and dates largest (latest) first. */
export const naturalOrder = (column: DealScoresSortColumn): Sort["order"] => (column === "name" || column === "dealId" ? "asc" : "desc");

export function nextSort(current: Sort, column: DealScoresSortColumn): Sort {
  if (current.column === column) return { column, order: current.order === "asc" ? "desc" : "asc" };
  return { column, order: naturalOrder(column) };
}

export function exportQuery(filters: Filters, sort: Sort): Query {
  return {
    grade: filters.grade,
    trend: filters.trend,
    owner: filters.owner,
    stage: filters.stage,
    product: filters.product,
    modelId: filters.modelId,
    search: filters.search.trim() || undefined,
    sort: sort.column,
    order: sort.order,
  };
}

export function listQuery(filters: Filters, sort: Sort, pageSize: number): Query {
  return { ...exportQuery(filters, sort), pageSize };
}

/** The filters in force, in words, each with what removing it leaves; `modelName` names a model filter. */
export function activeFilters(filters: Filters, modelName: (modelId: string) => string = (id) => id): { label: string; without: Filters }[] {
  const chips: { label: string; without: Filters }[] = [];
  const chip = (label: string, key: keyof Filters) => chips.push({ label, without: { ...filters, [key]: key === "search" ? "" : undefined } });
  if (filters.search.trim()) chip(`Search: “${filters.search.trim()}”`, "search");
  if (filters.grade) chip(`Grade ${filters.grade}`, "grade");
  if (filters.trend) chip(`Trend: ${filters.trend}`, "trend");
  if (filters.owner) chip(`Owner: ${filters.owner}`, "owner");
  if (filters.stage) chip(`Stage: ${filters.stage}`, "stage");
  if (filters.product) chip(`Product: ${filters.product}`, "product");
  if (filters.modelId) chip(`Model: ${modelName(filters.modelId)}`, "modelId");
  return chips;
}
