import { defaultOrder, type SortColumn } from "../../../../shared/api/cloudEndpoints.js";
import type { Query } from "../../app/api.js";
import { formatMonth } from "../../app/format.js";

// The table's filters, sort and columns as the API's query string (the list and the export share it).

export interface Filters {
  salesMotion?: string;
  segment?: string;
  renewalFrom?: string;
  renewalTo?: string;
  incentiveEligible?: "true" | "false";
  search: string;
}

export const noFilters: Filters = { search: "" };

export interface Sort {
  column: SortColumn;
  order: "asc" | "desc";
}

export const defaultSort: Sort = { column: "tenantName", order: "asc" };

/** Clicking a column sorts by it in its natural order; clicking it again reverses. */
export function nextSort(current: Sort, column: SortColumn): Sort {
  if (current.column === column) return { column, order: current.order === "asc" ? "desc" : "asc" };
  return { column, order: defaultOrder(column) };
}

export function exportQuery(filters: Filters, sort: Sort, allColumns: boolean): Query {
  return {
    salesMotion: filters.salesMotion,
    segment: filters.segment,
    renewalFrom: filters.renewalFrom,
    renewalTo: filters.renewalTo,
    incentiveEligible: filters.incentiveEligible,
    search: filters.search.trim() || undefined,
    sort: sort.column,
    order: sort.order,
    columns: allColumns ? "all" : undefined,
  };
}

export function listQuery(filters: Filters, sort: Sort, allColumns: boolean, pageSize: number, continuationToken?: string): Query {
  return { ...exportQuery(filters, sort, allColumns), pageSize, continuationToken };
}

/** The filters in force, in words, each with what removing it leaves. */
export function activeFilters(filters: Filters): { label: string; without: Filters }[] {
  const chips: { label: string; without: Filters }[] = [];
  if (filters.search.trim()) chips.push({ label: `Search: “${filters.search.trim()}”`, without: { ...filters, search: "" } });
  if (filters.salesMotion) chips.push({ label: `Sales motion: ${filters.salesMotion}`, without: { ...filters, salesMotion: undefined } });
  if (filters.segment) chips.push({ label: `Segment: ${filters.segment}`, without: { ...filters, segment: undefined } });
  if (filters.renewalFrom || filters.renewalTo) {
    const from = filters.renewalFrom ? formatMonth(filters.renewalFrom) : "…";
    const to = filters.renewalTo ? formatMonth(filters.renewalTo) : "…";
    chips.push({
      label: filters.renewalFrom && filters.renewalFrom === filters.renewalTo ? `Renewal: ${from}` : `Renewal: ${from} – ${to}`,
      without: { ...filters, renewalFrom: undefined, renewalTo: undefined },
    });
  }
  if (filters.incentiveEligible) {
    chips.push({
      label: filters.incentiveEligible === "true" ? "Incentive eligible" : "Not incentive eligible",
      without: { ...filters, incentiveEligible: undefined },
    });
  }
  return chips;
}
