import { sortableColumns, type SortColumn } from "../../../../shared/api/cloudEndpoints.js";
import { cloudEndpointsColumns } from "../../../../shared/domain/cloudEndpoints/row.js";
import { formatInteger, formatMoney, formatMonth, formatPercent } from "../../app/format.js";
import type { CloudEndpointsRow } from "../../app/types.js";

// The table's columns: the portal's order and headers (the same list the CSV export uses), each with how
// its cells read.

export type ColumnKey = keyof CloudEndpointsRow;

export interface Column {
  key: ColumnKey;
  header: string;
  hidden: boolean;
  sortable: boolean;
  numeric: boolean;
  format: (value: unknown) => string;
}

const monthColumns = new Set<ColumnKey>(["eaRenewal", "largestSeatCspRenewal", "renewalPeriod"]);
const sortable = new Set<string>(sortableColumns);

function formatterFor(key: ColumnKey): { numeric: boolean; format: (value: unknown) => string } {
  if (key.endsWith("Utilization")) return { numeric: true, format: (v) => (typeof v === "number" ? formatPercent(v) : "–") };
  if (key === "potentialEarnings") return { numeric: true, format: (v) => (typeof v === "number" ? formatMoney(v) : "–") };
  if (monthColumns.has(key)) return { numeric: false, format: (v) => (typeof v === "string" && v ? formatMonth(v) : "–") };
  return {
    numeric: ["w365EligibleSeats", "w365Whitespace", "w365Pau", "w365Mau", "intuneMau", "entraIdMau", "me5Seats", "me3Seats", "f3Seats", "windowsPau"].includes(key),
    format: (v) => {
      if (v === undefined || v === null || v === "") return "–";
      if (typeof v === "boolean") return v ? "Yes" : "No";
      if (typeof v === "number") return formatInteger(v);
      if (Array.isArray(v)) return v.length ? v.join(", ") : "–";
      return String(v);
    },
  };
}

export const columns: Column[] = cloudEndpointsColumns.map((c) => ({
  key: c.key,
  header: c.header,
  hidden: Boolean(c.hidden),
  sortable: sortable.has(c.key),
  ...formatterFor(c.key),
}));

export const isSortColumn = (key: ColumnKey): key is SortColumn => sortable.has(key);
