import { formatInteger } from "../../app/format.js";
import type { Cell, ClusterMapping, PropensitySummaryResponse } from "../../app/types.js";
import { heatLevel } from "./matrix.js";
import { cellInWords } from "./query.js";

// The 4×4 fit × intent matrix as a grid of buttons (a table: fit bands down, intent bands across), each cell
// shaded by its count and labelled with its cluster. Clicking a cell filters the table to it; again clears it.

const bandOrder = ["High", "Medium", "Low", "Very low"] as const;

export function HeatMap({ summary, selected, onSelect }: { summary: PropensitySummaryResponse; selected?: Cell; onSelect: (cell: Cell | undefined) => void }) {
  const byCell = new Map(summary.cells.map((c) => [c.cell, c]));
  const max = Math.max(0, ...summary.cells.map((c) => c.count));
  const mapping: ClusterMapping = summary.clusterMapping.mapping;
  return (
    <figure class="heat-map-card">
      <figcaption id="heat-map-title">Customers by fit and intent</figcaption>
      <div class="heat-map-scroll">
        <table class="heat-map" aria-labelledby="heat-map-title">
          <thead>
            <tr>
              <td class="corner">
                <span class="axis-down">Fit ↓</span> <span class="axis-across">Intent →</span>
              </td>
              {bandOrder.map((band, i) => (
                <th key={band} scope="col">
                  {band} <span class="quiet">({i + 1})</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {bandOrder.map((fitBand, row) => {
              const letter = "ABCD"[row];
              return (
                <tr key={fitBand}>
                  <th scope="row">
                    {fitBand} <span class="quiet">({letter})</span>
                  </th>
                  {bandOrder.map((_, column) => {
                    const cell = `${letter}${column + 1}` as Cell;
                    const count = byCell.get(cell)?.count ?? 0;
                    const pressed = selected === cell;
                    return (
                      <td key={cell}>
                        <button type="button" class={`heat-cell heat-${heatLevel(count, max)}`} aria-pressed={pressed} data-cell={cell} onClick={() => onSelect(pressed ? undefined : cell)}>
                          <span class="heat-count">{formatInteger(count)}</span>
                          <span class="visually-hidden"> {count === 1 ? "tenant" : "tenants"} in</span>{" "}
                          <span class="heat-label">
                            {cell}
                            <span class="heat-cluster"> · {mapping[cell]}</span>
                          </span>
                          <span class="visually-hidden"> ({cellInWords(cell)})</span>
                        </button>
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="chart-hint">
        Click a cell to filter the table.{summary.notClustered > 0 ? ` ${formatInteger(summary.notClustered)} tenants have no cell (fit could not be learned).` : ""}
      </p>
    </figure>
  );
}
