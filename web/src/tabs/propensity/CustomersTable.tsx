import { formatInteger, formatMoney } from "../../app/format.js";
import type { PropensitySortColumn, PropensityRow } from "../../app/types.js";
import { SortHeader } from "../../components/SortHeader.js";
import type { Sort } from "./query.js";

// One page of customers and prospects: fit, intent, cell and cluster, the strongest propensity and the revenue
// figures. The name opens the customer's explanations.

const score = (value: number | undefined, band: string | undefined) => (value === undefined ? "–" : `${value} · ${band ?? ""}`);

export function CustomersTable({ rows, sort, onSort, busy, onOpen }: {
  rows: PropensityRow[];
  sort: Sort;
  onSort: (column: PropensitySortColumn) => void;
  busy: boolean;
  onOpen: (row: PropensityRow) => void;
}) {
  const header = (label: string, column?: PropensitySortColumn, numeric?: boolean) => (
    <SortHeader label={label} column={column} sort={sort} onSort={onSort} numeric={numeric} />
  );
  return (
    <div class="table-scroll" role="region" aria-label="Customers table" tabIndex={0}>
      <table class="data-table" aria-busy={busy}>
        <thead>
          <tr>
            {header("Name", "tenantName")}
            {header("Type")}
            {header("Subsegment")}
            {header("Fit", "fit", true)}
            {header("Intent", "intent", true)}
            {header("Cell", "cell")}
            {header("Cluster")}
            {header("Propensities")}
            {header("Whitespace revenue", "whitespaceRevenue", true)}
            {header("Open expiring revenue", "openExpiringRevenue", true)}
            {header("Licensed users", "licensedUsers", true)}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.tenantId}>
              <th scope="row">
                <button type="button" class="link row-open" onClick={() => onOpen(row)}>
                  {row.tenantName}
                </button>
                {row.domain && <span class="cell-sub">{row.domain}</span>}
              </th>
              <td>{row.customerType}</td>
              <td>{row.subsegment ?? "–"}</td>
              <td class="num">{score(row.fit, row.fitBand)}</td>
              <td class="num">{score(row.intent, row.intentBand)}</td>
              <td>{row.cell ?? "–"}</td>
              <td>{row.cluster ?? "–"}</td>
              <td class="wrap">{propensityLine(row)}</td>
              <td class="num">{row.whitespaceRevenue > 0 ? formatMoney(row.whitespaceRevenue) : "–"}</td>
              <td class="num">{row.openExpiringRevenue > 0 ? formatMoney(row.openExpiringRevenue) : "–"}</td>
              <td class="num">{formatInteger(row.licensedUsers)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** "Microsoft 365 F3 (Up-sell) +2 more". */
function propensityLine(row: PropensityRow): string {
  const [first, ...rest] = row.products;
  if (!first) return "–";
  return `${first.product} (${first.family})${rest.length ? ` +${rest.length} more` : ""}`;
}
