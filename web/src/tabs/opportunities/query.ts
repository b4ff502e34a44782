import type { Query } from "../../app/api.js";

// The Opportunities table's state (the category tab, filters, sort) as the API's query string (the list and the
// export share it), and the filters in force in words.

export type Category = "acquisition" | "retention" | "growth";
export type OpportunityType = "Trial" | "Engagement" | "Retention" | "Upsell" | "Expansion";
export type ProbabilityStatus = "High" | "Medium" | "Low";
export type SortColumn = "dateAdded" | "probability" | "tenantName" | "seats" | "type";

/** acquisition = Trial; retention = Engagement, Retention; growth = Upsell, Expansion. */
export const typesOf: Record<Category, OpportunityType[]> = {
  acquisition: ["Trial"],
  retention: ["Engagement", "Retention"],
  growth: ["Upsell", "Expansion"],
};
export const allTypes: OpportunityType[] = ["Trial", "Engagement", "Retention", "Upsell", "Expansion"];
export const statuses: ProbabilityStatus[] = ["High", "Medium", "Low"];
export const categoryLabels: Record<Category, string> = { acquisition: "Acquisition", retention: "Retention", growth: "Growth" };

export interface Filters {
  /** The category tab; absent is All. */
  category?: Category;
  type?: OpportunityType;
  status?: ProbabilityStatus;
  product?: string;
  search: string;
}

export const noFilters: Filters = { search: "" };

export interface Sort {
  column: SortColumn;
  order: "asc" | "desc";
}

/** Newest first (then most probable): the API's default. */
export const defaultSort: Sort = { column: "dateAdded", order: "desc" };

/** The API's limit (shared/api/common.ts; test/page/opportunitiesQuery.test.ts holds them together), kept here so the tab does not load zod. */
export const maxSearchLength = 100;

export const sortLabels: Record<SortColumn, string> = {
  dateAdded: "Date added (newest first)",
  probability: "Probability",
  tenantName: "Customer",
  seats: "Seats",
  type: "Type",
};

export const naturalOrder = (column: SortColumn): Sort["order"] => (column === "tenantName" || column === "type" ? "asc" : "desc");

export function nextSort(current: Sort, column: SortColumn): Sort {
  if (current.column === column) return { column, order: current.order === "asc" ? "desc" : "asc" };
  return { column, order: naturalOrder(column) };
}

/** Another category tab keeps the search and status, and drops a type the tab does not have. */
export function withCategory(filters: Filters, category: Category | undefined): Filters {
  const keepType = filters.type && (!category || typesOf[category].includes(filters.type));
  return { ...filters, category, type: keepType ? filters.type : undefined };
}

export function exportQuery(filters: Filters, sort: Sort): Query {
  return {
    category: filters.category,
    type: filters.type,
    status: filters.status,
    product: filters.product,
    search: filters.search.trim() || undefined,
    sort: sort.column,
    order: sort.order,
  };
}

export function listQuery(filters: Filters, sort: Sort, pageSize: number): Query {
  return { ...exportQuery(filters, sort), pageSize };
}

/** The filters in force (the category is the tab, not a chip), each with what removing it leaves. */
export function activeFilters(filters: Filters): { label: string; without: Filters }[] {
  const chips: { label: string; without: Filters }[] = [];
  const chip = (label: string, key: keyof Filters) => chips.push({ label, without: { ...filters, [key]: key === "search" ? "" : undefined } });
  if (filters.search.trim()) chip(`Search: “${filters.search.trim()}”`, "search");
  if (filters.type) chip(`Type: ${filters.type}`, "type");
  if (filters.status) chip(`Probability: ${filters.status}`, "status");
  if (filters.product) chip(`Product: ${filters.product}`, "product");
  return chips;
}

export const feedbackReasonLabels = {
  alreadyPurchased: "Already purchased",
  notRelevant: "Not relevant",
  wrongTiming: "Wrong timing",
  other: "Other",
} as const;
export type FeedbackReason = keyof typeof feedbackReasonLabels;
