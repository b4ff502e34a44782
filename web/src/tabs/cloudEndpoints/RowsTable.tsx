import type { CloudEndpointsRow } from "../../app/types.js";
import { isSortColumn, type Column } from "./columns.js";
import { nextSort, type Sort } from "./query.js";

// The rows of one page: sortable headers (buttons, with aria-sort), numbers aligned right, the tenant
// name kept in view while the wide table scrolls.

export function RowsTable({ rows, columns, sort, onSort, busy }: {
  rows: Partial<CloudEndpointsRow>[];
  columns: Column[];
  sort: Sort;
  onSort: (sort: Sort) => void;
  busy: boolean;
}) {
  return (
    <div class="table-scroll" role="region" aria-label="Tenants table" tabIndex={0}>
      <table class="data-table" aria-busy={busy}>
        <thead>
          <tr>
            {columns.map((c) => {
              const sorted = sort.column === c.key;
              return (
                <th
                  key={c.key}
                  scope="col"
                  class={c.numeric ? "num" : undefined}
                  aria-sort={sorted ? (sort.order === "asc" ? "ascending" : "descending") : undefined}
                >
                  {c.sortable && isSortColumn(c.key) ? (
                    <button type="button" class="sort" onClick={() => onSort(nextSort(sort, c.key as Sort["column"]))}>
                      {c.header}
                      <span class="sort-mark" aria-hidden="true">
                        {sorted ? (sort.order === "asc" ? "▲" : "▼") : "↕"}
                      </span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.tenantId}>
              {columns.map((c) =>
                c.key === "tenantName" ? (
                  <th key={c.key} scope="row">
                    {c.format(row[c.key])}
                  </th>
                ) : (
                  <td key={c.key} class={c.numeric ? "num" : undefined}>
                    {c.format(row[c.key])}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ColumnPicker({ hidden, shown, onToggle }: { hidden: Column[]; shown: ReadonlySet<string>; onToggle: (key: string) => void }) {
  return (
    <details class="menu">
      <summary>More columns{shown.size ? ` (${shown.size})` : ""}</summary>
      <fieldset class="menu-body">
        <legend>Show hidden columns</legend>
        {hidden.map((c) => (
          <label key={c.key} class="check">
            <input type="checkbox" checked={shown.has(c.key)} onChange={() => onToggle(c.key)} />
            {c.header}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
