import { formatDate, formatMoney } from "../../app/format.js";
import type { DealScoreItem, DealScoresSortColumn } from "../../app/types.js";
import { SortHeader } from "../../components/SortHeader.js";
import { FactorsWidget } from "./Factors.js";
import type { Sort } from "./query.js";

// One page of scored deals: score, grade, trend, the deal's fields and the factors widget. The name opens the
// deal with its history chart and every factor.

export function DealsTable({ rows, sort, onSort, busy, onOpen }: {
  rows: DealScoreItem[];
  sort: Sort;
  onSort: (column: DealScoresSortColumn) => void;
  busy: boolean;
  onOpen: (deal: DealScoreItem) => void;
}) {
  const header = (label: string, column?: DealScoresSortColumn, numeric?: boolean) => (
    <SortHeader label={label} column={column} sort={sort} onSort={onSort} numeric={numeric} />
  );
  return (
    <div class="table-scroll" role="region" aria-label="Scored deals table" tabIndex={0}>
      <table class="data-table" aria-busy={busy}>
        <thead>
          <tr>
            {header("Deal", "name")}
            {header("Score", "score", true)}
            {header("Grade")}
            {header("Trend")}
            {header("Top factors")}
            {header("Stage")}
            {header("Owner")}
            {header("Product")}
            {header("Estimated value", "estimatedValue", true)}
            {header("Estimated close", "estimatedCloseDate")}
            {header("Created", "createdOn")}
          </tr>
        </thead>
        <tbody>
          {rows.map((deal) => (
            <tr key={deal.dealId}>
              <th scope="row">
                <button type="button" class="link row-open" onClick={() => onOpen(deal)}>
                  {deal.name ?? deal.dealId}
                </button>
                <span class="cell-sub">{deal.dealId}</span>
              </th>
              <td class="num score">{deal.score}</td>
              <td>
                <span class={`grade grade-${deal.grade}`}>{deal.grade}</span>
              </td>
              <td>
                <TrendLabel trend={deal.trend} previous={deal.previousScore} />
              </td>
              <td class="wrap factors-cell">
                <FactorsWidget positive={deal.topPositive} negative={deal.topNegative} />
              </td>
              <td>{deal.stage ?? "–"}</td>
              <td>{deal.owner ?? "–"}</td>
              <td>{deal.product ?? "–"}</td>
              <td class="num">{deal.estimatedValue === undefined ? "–" : formatMoney(deal.estimatedValue)}</td>
              <td>{formatDate(deal.estimatedCloseDate)}</td>
              <td>{formatDate(deal.createdOn)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const trendMarks: Record<string, string> = { Improving: "↑", Declining: "↓", Steady: "→", "Not enough info": "" };

export function TrendLabel({ trend, previous }: { trend: string; previous?: number }) {
  return (
    <span class={`trend trend-${trend.replace(/ /g, "-").toLowerCase()}`}>
      {trendMarks[trend] && <span aria-hidden="true">{trendMarks[trend]} </span>}
      {trend}
      {previous !== undefined && <span class="cell-sub">a week ago {previous}</span>}
    </span>
  );
}
